//! The shell's side of signing in: choosing the profile for a target (the
//! embedded demo tenant or a tenant the admin typed), opening the system
//! browser through tauri-plugin-opener, and describing the signed-in user.
//! Everything else is `entra_core::Desk`.

use crate::preferences;
use crate::state::AppState;
use entra_core::accounts::{Account, AccountKind};
use entra_core::config::ProfileSettings;
use entra_core::{BrowserOpener, Result, SignInOptions, SignInProgress};
use entra_ipc::session::{AccountSummary, AppStatus, SignInTarget, SignedInUser, TenantKind, TenantSummary};
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

/// Opens the authorize URL in the system browser.
struct SystemBrowserViaTauri<'a>(&'a AppHandle);

impl BrowserOpener for SystemBrowserViaTauri<'_> {
    fn open(&self, url: &str) -> Result<()> {
        // Not fatal: the sign-in screen shows the URL so the user can open it by hand.
        if let Err(err) = self.0.opener().open_url(url, None::<&str>) {
            tracing::warn!("could not open the system browser: {err}");
        }
        Ok(())
    }
}

/// Settings that point the core at the embedded demo tenant.
async fn demo_settings(state: &AppState) -> Result<ProfileSettings> {
    let info = state.demo.info().await?;
    Ok(ProfileSettings {
        tenant_id: Some(info.tenant_id.clone()),
        client_id: Some(info.public_client_id.clone()),
        authority: Some(info.authority.clone()),
        graph_url: Some(info.graph.clone()),
        ..Default::default()
    })
}

pub async fn app_status(state: &AppState) -> Result<AppStatus> {
    let default_tenant = if state.desk.is_unconfigured(&ProfileSettings::default())? {
        let info = state.demo.info().await?;
        TenantSummary {
            kind: TenantKind::Demo,
            authority: info.authority.clone(),
            client_id: info.public_client_id.clone(),
            demo_username: Some(info.user.username.clone()),
        }
    } else {
        let profile = state.desk.resolve_profile(ProfileSettings::default()).await?;
        TenantSummary { kind: TenantKind::Configured, authority: profile.authority.to_string(), client_id: profile.client_id, demo_username: None }
    };
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        default_tenant,
        accounts: state.desk.accounts()?.iter().map(AccountSummary::from).collect(),
        preferences: preferences::load(&state.data_dir),
    })
}

pub async fn sign_in(
    app: &AppHandle,
    state: &AppState,
    target: SignInTarget,
    report: &(dyn Fn(SignInProgress) + Send + Sync),
) -> Result<Account> {
    let flags = match target {
        SignInTarget::Demo => demo_settings(state).await?,
        SignInTarget::Tenant { authority, client_id, scopes } => {
            ProfileSettings { authority: Some(authority), client_id: Some(client_id), scopes, ..Default::default() }
        }
    };
    let profile = state.desk.resolve_profile(flags).await?;
    let cancel = state.begin_sign_in();
    let result = state.desk.sign_in_interactive(&profile, &SystemBrowserViaTauri(app), cancel, report, SignInOptions::default()).await;
    state.sign_in.lock().unwrap_or_else(|p| p.into_inner()).take();
    result
}

/// The account and what Graph says about it, refreshing its token silently from the keychain.
pub async fn signed_in_user(state: &AppState, account_id: &str) -> Result<SignedInUser> {
    let account = state.desk.account(Some(account_id))?;
    if is_demo(&account) {
        // Its refresh token is redeemed at the embedded demo tenant: make sure it runs.
        state.demo.info().await?;
    }
    let who = state.desk.whoami(account_id).await?;
    let organization = match account.kind {
        AccountKind::AppOnly => who.organization.as_ref().and_then(|orgs| orgs.first()).and_then(|o| o.display_name.clone()),
        // Best effort: a user without Organization.Read still gets in.
        AccountKind::Interactive => state.desk.graph(account_id)?.organization().await.ok().and_then(|orgs| orgs.into_iter().next()).and_then(|o| o.display_name),
    };
    let me = who.me.as_ref();
    Ok(SignedInUser {
        account: (&who.account).into(),
        display_name: me.and_then(|m| m.display_name.clone()).or_else(|| who.account.display_name.clone()),
        user_principal_name: me.and_then(|m| m.user_principal_name.clone()),
        mail: me.and_then(|m| m.mail.clone()),
        job_title: me.and_then(|m| m.job_title.clone()),
        organization,
    })
}

/// Demo accounts live at a loopback authority over plain http.
fn is_demo(account: &Account) -> bool {
    url::Url::parse(&account.authority).map(|u| u.scheme() == "http" && entra_core::config::is_loopback(&u)).unwrap_or(false)
}
