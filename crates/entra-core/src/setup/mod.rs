//! The set-up assistant's core, [`Setup`]: registering "Entra Desk" in the admin's own tenant
//! through Microsoft Graph, so that no Microsoft client ID is ever shipped or borrowed (reusing
//! one is impersonation, AADSTS65002; PnP retired its shared app in 2024 — see
//! `../shared/entra-reference/ONBOARDING.md`). The sign-in screen's assistant and `entractl
//! setup` call it; it is not a screen of its own, so it keeps no state but the settings file.
//!
//! [`Setup::register`]:
//! 1. looks for a registration carrying [`SETUP_TAG`]: a rerun finds it instead of making a
//!    second one (`created: false`), and brings one an earlier version made up to date
//!    ([`upgrade`]): it reads Graph's permission ids ([`scopes`]) and compares; whatever of step
//!    2's permissions, redirect URI and public client flows it lacks is added by one `PATCH`
//!    that keeps everything else it holds (an administrator's own permissions too), and named in
//!    [`Registration::updated`] — the next sign-in asking for an added permission asks consent
//!    for it. It reads the registration again by its ID first, and changes it only if that read
//!    still shows the tag;
//! 2. else reads the ids of Entra Desk's delegated permissions
//!    ([`crate::permissions::ALL_DELEGATED`]) from Microsoft Graph's service principal
//!    ([`scopes`]) and creates a single-tenant public client: `signInAudience: AzureADMyOrg`,
//!    `publicClient.redirectUris: ["http://localhost"]` (Entra ignores a loopback URI's port),
//!    `isFallbackPublicClient`, the permissions, the tag and a note;
//! 3. creates its service principal and waits out replication ([`replication`]);
//! 4. saves the client ID for the tenant ([`crate::config::registrations`]), so the next sign-in
//!    to that tenant uses it.
//!
//! Nothing is consented here (no `AllPrincipals` grant, which takes effect unreviewed): the
//! admin decides when signing in to the new app with `prompt=consent`.
//!
//! The Graph token ([`GraphSource`]) comes from an account signed in to Entra Desk, with
//! `Application.ReadWrite.All` ([`crate::permissions::REGISTER_APPS`]), or from the admin's own
//! Azure CLI sign-in ([`azure_cli`]). A 403 is explained as the other screens' are (missing
//! scope or missing role). [`Setup::remove`] deletes only a registration carrying the tag: what
//! the assistant did not make is never touched. [`commands::az_commands`] is the same
//! registration as `az` commands, for an admin who prefers to run them.

pub mod azure_cli;
pub mod commands;
pub mod replication;
pub mod scopes;
pub mod upgrade;

use crate::config::SavedRegistration;
use crate::graph::map_error;
use crate::graph::models::{Application, NewApplication, RedirectUris, ServicePrincipal};
use crate::graph::GraphClient;
use crate::permissions::{explain_forbidden, Need, ALL_DELEGATED, REGISTER_APPS, SIGN_IN, UPDATE_APPS};
use crate::{Desk, Error, ErrorCode, Result};
use azure_cli::{AzureCliTarget, AzureCliTokens};
use entra_graph::resources::{GRAPH_APP_ID, SETUP_APPLICATION_SELECT};
use replication::Wait;
use serde::Serialize;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The tag on every registration the assistant makes: how it finds one again, and the only
/// registrations it will remove.
pub const SETUP_TAG: &str = "EntraDesk:setup";
/// The registration's name unless the admin chooses another.
pub const DEFAULT_DISPLAY_NAME: &str = "Entra Desk";
/// The note on the registration, for whoever finds it in the admin center.
pub const NOTES: &str = "Registered by Entra Desk's set-up assistant (entractl setup): a single-tenant public client for its desktop app and CLI. Remove it with `entractl setup --remove`.";
/// The redirect URI registered: what Entra's desktop apps use (see ARCHITECTURE.md).
const REDIRECT_URI: &str = "http://localhost";

/// Where the set-up's Graph token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphSource {
    /// An account signed in to Entra Desk (by ID), granted `Application.ReadWrite.All`.
    Account(String),
    /// The admin's Azure CLI sign-in (`az login`).
    AzureCli(AzureCliTarget),
}

/// Where the assistant on the sign-in screen gets its Graph token, as the webview names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SetupSource {
    /// An account signed in to Entra Desk, granted `Application.ReadWrite.All`.
    Account {
        /// The account's ID.
        account_id: String,
    },
    /// The admin's Azure CLI sign-in (`az login`), for a tenant (else the CLI's default).
    AzureCli {
        /// The tenant ID or domain to ask `az` for.
        tenant_id: Option<String>,
    },
}

/// What the assistant on the sign-in screen hands back: the registration, and where to sign in
/// to it (the tenant's authority).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    /// The registration made or found.
    pub registration: Registration,
    /// The authority to sign in at with its client ID: the account's own, or Entra's for the tenant.
    pub authority: String,
}

/// The registration the set-up made or found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    /// Application (client) ID: what Entra Desk signs in with from now on.
    pub client_id: String,
    /// The application object's ID.
    pub object_id: String,
    /// Its service principal's object ID.
    pub service_principal_id: String,
    /// The tenant it is in.
    pub tenant_id: String,
    /// True when made now; false when an earlier registration (carrying the tag) was found.
    pub created: bool,
    /// What was added to a registration found that an earlier version made, named for people
    /// (empty when it was made now or lacked nothing): the delegated permissions by their
    /// `value` (`GroupMember.Read.All`; [`Registration::permissions_added`]), then
    /// [`upgrade::ADDED_REDIRECT_URI`] and [`upgrade::ADDED_PUBLIC_CLIENT_FLOWS`].
    pub updated: Vec<String>,
}

impl Registration {
    /// The delegated permissions [`Registration::updated`] added: nobody has consented to them
    /// yet, so the next sign-in asking for one asks for consent.
    pub fn permissions_added(&self) -> Vec<&str> {
        self.updated.iter().map(String::as_str).filter(|u| ALL_DELEGATED.contains(u)).collect()
    }
}

/// A registration the set-up removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Removed {
    /// Its application (client) ID.
    pub client_id: String,
    /// Its application object's ID.
    pub object_id: String,
    /// The tenant it was in.
    pub tenant_id: String,
    /// True when its client ID was saved for the tenant and has been forgotten.
    pub forgotten: bool,
    /// Remembered accounts that signed in through it: they cannot renew their session now, and
    /// must sign in again through another registration.
    pub accounts_to_sign_in_again: Vec<String>,
}

/// What the set-up is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "stage", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SetupProgress {
    /// Looking for a registration made before (by its tag).
    Searching,
    /// Reading the ids of Graph's permissions from its service principal.
    ReadingPermissions,
    /// Adding to a registration found what this version registers and it lacks.
    Updating {
        /// What is added, named as [`Registration::updated`] names it.
        adding: Vec<String>,
    },
    /// Creating the app registration.
    CreatingApplication,
    /// Creating its service principal.
    CreatingServicePrincipal,
    /// Waiting for Entra to make the new objects readable.
    Replicating {
        /// Seconds waited so far.
        waited_seconds: u32,
    },
    /// Saving the client ID for the tenant.
    Saving,
}

/// A Graph client for one set-up, and how to explain its 403s.
struct Connected {
    graph: GraphClient,
    /// The account, when the token is an Entra Desk account's.
    account: Option<String>,
    /// The Azure CLI's tokens, when the token is `az`'s.
    azure_cli: Option<Arc<AzureCliTokens>>,
    /// The tenant to save under if `/organization` cannot say.
    tenant_hint: Option<String>,
}

/// The set-up assistant. See the module doc.
#[derive(Debug, Clone)]
pub struct Setup {
    desk: Desk,
    wait: Wait,
}

impl Setup {
    /// The assistant over `desk` (its accounts and its settings file), waiting for replication
    /// as [`Wait::default`] says.
    pub fn new(desk: Desk) -> Setup {
        Setup { desk, wait: Wait::default() }
    }

    /// The same assistant waiting for replication as `wait` says.
    pub fn with_wait(self, wait: Wait) -> Setup {
        Setup { wait, ..self }
    }

    /// Registers Entra Desk (named `display_name`) in the tenant of `source`'s token, or finds
    /// the registration made before, and saves its client ID for that tenant. `progress` is told
    /// each step; `cancel` stops it ([`ErrorCode::Cancelled`]) — a rerun then finishes the job.
    pub async fn register(
        &self,
        source: &GraphSource,
        display_name: &str,
        progress: &(dyn Fn(SetupProgress) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<Registration> {
        let c = self.connect(source, &cancel)?;
        progress(SetupProgress::Searching);
        let found = self.ours(&c).await?.into_iter().next();
        let (app, created, updated) = match found {
            Some(app) => {
                let (app, updated) = self.bring_up_to_date(&c, app, progress).await?;
                (app, false, updated)
            }
            None => (self.create(&c, display_name, progress).await?, true, Vec::new()),
        };
        let (object_id, app_id) = ids_of(&app)?;
        let ensured = replication::ensure_service_principal(&c.graph, &app_id, self.wait, progress, &cancel).await;
        let (sp, sp_created) = self.explained(&c, REGISTER_APPS, ensured).await?;
        if created || sp_created {
            replication::until_readable(&c.graph, &object_id, &app_id, self.wait, progress, &cancel).await?;
        }
        let (tenant_id, domains) = self.tenant(&c).await?;
        progress(SetupProgress::Saving);
        let saved = SavedRegistration { client_id: app_id.clone(), object_id: object_id.clone(), domains };
        if let Err(err) = self.desk.settings().save_registration(&tenant_id, saved) {
            let message = format!(
                "Entra Desk is registered in tenant {tenant_id} (client ID {app_id}), but its client ID could not be saved for the next sign-in: {} (or sign in with --client-id {app_id})",
                err.message()
            );
            return Err(err.reworded(message));
        }
        tracing::info!(client_id = %app_id, tenant = %tenant_id, created, updated = ?updated, "set-up: registration ready");
        Ok(Registration { client_id: app_id, object_id, service_principal_id: sp.id, tenant_id, created, updated })
    }

    /// Deletes the registration the set-up made in `source`'s tenant: `application` (its object
    /// or client ID), or the one carrying the tag when there is exactly one. Refuses any
    /// registration without [`SETUP_TAG`]. Forgets its saved client ID.
    pub async fn remove(&self, source: &GraphSource, application: Option<&str>, cancel: CancellationToken) -> Result<Removed> {
        let c = self.connect(source, &cancel)?;
        let ours = self.ours(&c).await?;
        let target = match application {
            Some(id) => self.ours_by_id(&c, ours, id).await?,
            None => match <[Application; 1]>::try_from(ours) {
                Ok([one]) => one,
                Err(ours) if ours.is_empty() => {
                    return Err(Error::invalid_input(format!(
                        "No app registration in this tenant carries the tag {SETUP_TAG}: Entra Desk's set-up made none here, so there is nothing it may remove"
                    )))
                }
                Err(ours) => {
                    let listed: Vec<String> = ours.iter().map(|a| format!("{} (client ID {})", a.id, a.app_id.as_deref().unwrap_or("?"))).collect();
                    return Err(Error::invalid_input(format!(
                        "{} registrations carry the tag {SETUP_TAG}: {}. Fix: name the one to remove with --id",
                        ours.len(),
                        listed.join(", ")
                    )));
                }
            },
        };
        let (object_id, app_id) = ids_of(&target)?;
        let deleted = c.graph.delete_application(&object_id).await.map_err(map_error);
        self.explained(&c, REGISTER_APPS, deleted).await?;
        let (tenant_id, _) = self.tenant(&c).await?;
        let forgotten = self.desk.settings().forget_registration(&tenant_id, &object_id)?;
        let through_it = |a: &crate::accounts::Account| a.client_id.eq_ignore_ascii_case(&app_id) && a.tenant_id.eq_ignore_ascii_case(&tenant_id);
        let accounts_to_sign_in_again = self.desk.accounts()?.into_iter().filter(through_it).map(|a| a.id).collect();
        tracing::info!(client_id = %app_id, tenant = %tenant_id, "set-up: registration removed");
        Ok(Removed { client_id: app_id, object_id, tenant_id, forgotten, accounts_to_sign_in_again })
    }

    fn connect(&self, source: &GraphSource, cancel: &CancellationToken) -> Result<Connected> {
        match source {
            GraphSource::Account(id) => {
                let account = self.desk.account(Some(id))?;
                let graph = self.desk.graph(&account.id)?.with_cancellation(cancel.clone());
                Ok(Connected { graph, account: Some(account.id), azure_cli: None, tenant_hint: Some(account.tenant_id) })
            }
            GraphSource::AzureCli(target) => {
                let (graph, tokens) = azure_cli::client(target)?;
                let graph = graph.with_cancellation(cancel.clone());
                Ok(Connected { graph, account: None, azure_cli: Some(tokens), tenant_hint: target.tenant_id.clone() })
            }
        }
    }

    /// `result` with a Graph 403 explained for `need` (a missing scope or a missing role).
    async fn explained<T>(&self, c: &Connected, need: Need, result: Result<T>) -> Result<T> {
        match (&c.account, &c.azure_cli, result) {
            (Some(account), _, result) => self.desk.explained(account, &[need], result).await,
            (None, Some(tokens), Err(err)) => Err(explain_forbidden(err, &[need], tokens.granted().await.as_ref())),
            (_, _, result) => result,
        }
    }

    /// The registrations carrying the tag, oldest first (so every run picks the same one).
    async fn ours(&self, c: &Connected) -> Result<Vec<Application>> {
        let listed = c.graph.applications_tagged(SETUP_TAG, SETUP_APPLICATION_SELECT).await.map_err(map_error);
        let mut ours = self.explained(c, REGISTER_APPS, listed).await?;
        ours.retain(|a| a.tags.iter().any(|t| t == SETUP_TAG));
        ours.sort_by_key(|a| (a.created_date_time.is_none(), a.created_date_time, a.id.clone()));
        if ours.len() > 1 {
            tracing::warn!(count = ours.len(), "several app registrations carry the set-up's tag; the oldest is used");
        }
        Ok(ours)
    }

    /// The registration `id` (object or client ID) if it carries the tag; refused otherwise.
    async fn ours_by_id(&self, c: &Connected, ours: Vec<Application>, id: &str) -> Result<Application> {
        crate::ids::check_object_id(id, "app registration")?;
        let matches = |a: &Application| a.id.eq_ignore_ascii_case(id) || a.app_id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(id));
        if let Some(app) = ours.into_iter().find(matches) {
            return Ok(app);
        }
        // Not listed: read it, which also sees a tag the (eventually consistent) filter missed.
        let app = match c.graph.get_application_selected(id, SETUP_APPLICATION_SELECT).await {
            Ok(app) => app,
            Err(e) if e.status() == Some(404) => {
                return Err(Error::invalid_input(format!(
                    "No app registration with the object ID {id} carries the tag {SETUP_TAG}, and none has that object ID: nothing was removed. Fix: pass the object or client ID `entractl setup` printed"
                )))
            }
            Err(e) => return self.explained(c, REGISTER_APPS, Err(map_error(e))).await,
        };
        if app.tags.iter().any(|t| t == SETUP_TAG) {
            return Ok(app);
        }
        Err(Error::invalid_input(format!(
            "The app registration {} ({}) does not carry the tag {SETUP_TAG}: Entra Desk's set-up did not make it, so it is left alone. Delete it in the Entra admin center if you mean to",
            app.display_name.as_deref().unwrap_or("without a name"),
            app.id
        )))
    }

    /// Microsoft Graph's service principal with its delegated permissions (their ids).
    async fn graph_permissions(&self, c: &Connected, progress: &(dyn Fn(SetupProgress) + Send + Sync)) -> Result<ServicePrincipal> {
        progress(SetupProgress::ReadingPermissions);
        let read = c.graph.resource_permission_scopes(GRAPH_APP_ID).await.map_err(map_error);
        self.explained(c, REGISTER_APPS, read).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::Graph,
                format!("This tenant has no service principal for Microsoft Graph (appId {GRAPH_APP_ID}), so its permission ids cannot be read: check the Graph address; in a real tenant Microsoft Graph is always present"),
            )
        })
    }

    /// Adds to `app` (carrying the tag) what it lacks of what [`Setup::create`] registers, by one
    /// PATCH of the properties concerned (see [`upgrade`]). Returns it and what was added.
    async fn bring_up_to_date(&self, c: &Connected, app: Application, progress: &(dyn Fn(SetupProgress) + Send + Sync)) -> Result<(Application, Vec<String>)> {
        let graph = self.graph_permissions(c, progress).await?;
        let (wanted, unknown) = scopes::defined(&graph, ALL_DELEGATED);
        if !unknown.is_empty() {
            tracing::warn!(missing = %unknown.join(", "), "set-up: Microsoft Graph in this tenant does not offer these permissions; the registration cannot list them");
        }
        if upgrade::lacking(&app, &wanted, REDIRECT_URI).is_empty() {
            return Ok((app, Vec::new()));
        }
        // A PATCH replaces each collection it names: start from the registration as it is now (a
        // list may lag behind a read by ID), and only while it still carries the tag.
        let (object_id, app_id) = ids_of(&app)?;
        let read = c.graph.get_application_selected(&object_id, SETUP_APPLICATION_SELECT).await.map_err(map_error);
        let app = self.explained(c, REGISTER_APPS, read).await?;
        if !app.tags.iter().any(|t| t == SETUP_TAG) {
            return Err(Error::invalid_input(format!(
                "The app registration {object_id} (client ID {app_id}) no longer carries the tag {SETUP_TAG}, so the set-up leaves it alone. Fix: run the set-up again; it makes a new registration if none carries the tag"
            )));
        }
        let lacking = upgrade::lacking(&app, &wanted, REDIRECT_URI);
        if lacking.is_empty() {
            return Ok((app, Vec::new()));
        }
        progress(SetupProgress::Updating { adding: lacking.added.clone() });
        let patched = c.graph.update_application(&object_id, &lacking.patch).await.map_err(map_error);
        if let Err(err) = self.explained(c, UPDATE_APPS, patched).await {
            if err.code() == ErrorCode::Cancelled {
                return Err(err);
            }
            let message = format!(
                "Found Entra Desk's registration {object_id} (client ID {app_id}), made by an earlier version, but could not add what it lacks ({}): {}",
                lacking.added.join(", "),
                err.message()
            );
            return Err(err.reworded(message));
        }
        tracing::info!(client_id = %app_id, added = ?lacking.added, "set-up: registration brought up to date");
        Ok((app, lacking.added))
    }

    /// Creates the registration: Graph's permission ids, then `POST /applications`.
    async fn create(&self, c: &Connected, display_name: &str, progress: &(dyn Fn(SetupProgress) + Send + Sync)) -> Result<Application> {
        let graph = self.graph_permissions(c, progress).await?;
        let access = scopes::graph_resource_access(&graph, ALL_DELEGATED)?;
        let name = display_name.trim();
        let application = NewApplication {
            display_name: if name.is_empty() { DEFAULT_DISPLAY_NAME.to_string() } else { name.to_string() },
            sign_in_audience: "AzureADMyOrg".into(),
            public_client: RedirectUris { redirect_uris: vec![REDIRECT_URI.into()] },
            is_fallback_public_client: true,
            required_resource_access: vec![access],
            tags: vec![SETUP_TAG.into()],
            notes: Some(NOTES.into()),
        };
        progress(SetupProgress::CreatingApplication);
        match c.graph.create_application(&application).await {
            Ok(app) => Ok(app),
            // The POST may have been carried out: a second one would make a duplicate, and a rerun
            // finds the first by its tag.
            Err(e) if e.may_have_been_carried_out() => Err(map_error(e).reworded(
                "Microsoft Graph did not say whether the app registration was made (no answer, or the gateway gave up). Fix: run the set-up again: it finds a registration carrying its tag, so none is made twice",
            )),
            Err(e) => self.explained(c, REGISTER_APPS, Err(map_error(e))).await,
        }
    }

    /// The tenant's ID and verified domains (`/organization`), else the source's own tenant.
    async fn tenant(&self, c: &Connected) -> Result<(String, Vec<String>)> {
        let read = c.graph.organization().await.map_err(map_error);
        let err = match read {
            Ok(orgs) => match orgs.into_iter().find(|o| crate::ids::is_guid(&o.id)) {
                Some(org) => return Ok((org.id.to_ascii_lowercase(), org.verified_domains.into_iter().map(|d| d.name).collect())),
                None => Error::new(ErrorCode::Graph, "Microsoft Graph's /organization named no tenant"),
            },
            Err(err) if err.code() == ErrorCode::Cancelled => return Err(err),
            Err(err) => err,
        };
        match c.tenant_hint.as_deref().filter(|t| crate::ids::is_guid(t)) {
            Some(tenant) => Ok((tenant.to_ascii_lowercase(), Vec::new())),
            None => self.explained(c, SIGN_IN, Err(err)).await,
        }
    }
}

/// A registration's object ID and client ID, checked (they go into URLs and the settings file).
fn ids_of(app: &Application) -> Result<(String, String)> {
    let app_id = app.app_id.clone().unwrap_or_default();
    if !crate::ids::is_guid(&app.id) || !crate::ids::is_guid(&app_id) {
        return Err(Error::new(
            ErrorCode::Graph,
            format!("Microsoft Graph answered with an app registration whose IDs are not GUIDs (object ID {:?}, client ID {app_id:?}): nothing more was done", app.id),
        ));
    }
    Ok((app.id.to_ascii_lowercase(), app_id.to_ascii_lowercase()))
}
