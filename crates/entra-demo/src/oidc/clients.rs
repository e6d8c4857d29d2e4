//! Confidential clients at the token endpoint beyond the directory's demo
//! clients, and how a client secret is checked.
//!
//! - **Inventory applications sign in too.** Any live app registration of the
//!   Graph inventory (the generated ones included) can use the
//!   `client_credentials` grant with `client_id` = its appId. Its app-only
//!   token's `roles` are the Graph application permissions its
//!   `requiredResourceAccess` asks for (every permission has admin consent in
//!   the demo tenant), its `oid` its service principal's object id. An app
//!   with no service principal gets AADSTS7000229, as in Entra.
//! - **Which secrets work.** A demo client's seeded secret (the directory
//!   knows its value) works while its credential is still on the application
//!   object: removePassword ends it at once. A secret made by addPassword, on
//!   the application or on its service principal, is recognised by its SHA-256
//!   (the value is never kept) and works from `usable_from` on: addPassword
//!   sets that to now + `DemoOptions::secret_propagation`, on the emulator
//!   clock, so a test either waits in real time or advances the clock. Before
//!   it, and for a removed or unknown secret, the answer is Entra's 401
//!   `invalid_client` AADSTS7000215 "Invalid client secret provided…"; past the
//!   credential's `endDateTime`, AADSTS7000222. A secret whose
//!   `startDateTime` is still ahead is refused like an unknown one (Entra does
//!   not document this case).

use crate::directory::App;
use crate::inventory::PasswordCred;
use crate::oidc::errors::{self, AadError};
use crate::state::AppState;
use sha2::{Digest, Sha256};

/// The inventory application with appId `client_id` as a confidential client, if there is one
/// (`None`: no such live application; the caller answers AADSTS700016).
pub fn inventory_client(state: &AppState, client_id: &str) -> Option<Result<App, AadError>> {
    let inv = state.inventory();
    let app = &inv.apps[inv.app_by_app_id(client_id)?];
    let Some(sp) = inv.sp_by_app_id(client_id) else {
        return Some(Err(errors::missing_service_principal(&app.app_id, &state.dir.tenant_id)));
    };
    Some(Ok(App {
        app_id: app.app_id.clone(),
        object_id: app.meta.id.clone(),
        sp_object_id: inv.sps[sp].meta.id.clone(),
        display_name: app.display_name.clone(),
        public: false,
        redirect_uris: Vec::new(),
        secrets: Vec::new(),
        certificates: Vec::new(),
        delegated: Vec::new(),
        app_roles: app.graph_app_roles(),
    }))
}

/// Accepts `given` as a client secret of `app`, or says why not (see the module documentation).
pub fn check_secret(state: &AppState, app: &App, given: &str) -> Result<(), AadError> {
    let now = state.clock.now();
    let inv = state.inventory();
    let live = inv.app_by_app_id(&app.app_id).map(|i| &inv.apps[i]);
    if let Some(seeded) = app.secrets.iter().find(|s| s.value == given) {
        // A deleted application object leaves the directory's client as it was.
        if live.is_some_and(|a| !a.passwords.iter().any(|p| p.key_id.eq_ignore_ascii_case(&seeded.key_id))) {
            return Err(errors::bad_secret(&app.app_id));
        }
        if now >= seeded.end {
            return Err(errors::secret_expired(&app.app_id));
        }
        return Ok(());
    }
    let hash: [u8; 32] = Sha256::digest(given.as_bytes()).into();
    let sp = inv.sp_by_app_id(&app.app_id).map(|i| &inv.sps[i]);
    let added: Option<&PasswordCred> = live
        .into_iter()
        .flat_map(|a| a.passwords.iter())
        .chain(sp.into_iter().flat_map(|s| s.passwords.iter()))
        .find(|p| p.secret.as_ref().is_some_and(|s| s.sha256 == hash));
    let Some(credential) = added else {
        return Err(errors::bad_secret(&app.app_id));
    };
    let usable_from = credential.secret.as_ref().map_or(credential.start, |s| s.usable_from.max(credential.start));
    if now < usable_from {
        // Not propagated yet: Entra answers exactly as for a wrong secret.
        return Err(errors::bad_secret(&app.app_id));
    }
    if now >= credential.end {
        return Err(errors::secret_expired(&app.app_id));
    }
    Ok(())
}
