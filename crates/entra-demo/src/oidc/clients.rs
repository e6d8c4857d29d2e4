//! Clients beyond the directory's demo clients, and how a client secret is
//! checked.
//!
//! - **Inventory applications sign in too.** Any live app registration of the
//!   Graph inventory (the generated ones included, and those registered at run
//!   time) can use the `client_credentials` grant with `client_id` = its appId.
//!   Its app-only token's `roles` are the Graph application permissions its
//!   `requiredResourceAccess` asks for (application permissions are taken as
//!   admin-consented in the demo tenant), its `oid` its service principal's
//!   object id. An app with no service principal gets AADSTS7000229 at the
//!   token endpoint, as in Entra, and AADSTS700016 ("not found in the
//!   directory") at `/authorize`, REFERENCE §4's code for an app the tenant has
//!   no service principal of. (Entra's admin center creates the service
//!   principal with the registration; through Graph it is a second call,
//!   `POST /servicePrincipals`.)
//! - **Public clients among them.** An inventory application is a public client
//!   when it has `isFallbackPublicClient` or redirect URIs on the "Mobile and
//!   desktop" platform (`publicClient.redirectUris`). It may then sign users in
//!   at `/authorize` with those redirect URIs (loopback ones with any port) and
//!   redeem codes and refresh tokens without a credential. Its delegated
//!   permissions are only what has been consented to it (`oidc::consent`): no
//!   admin consent until someone grants it. Its web and SPA redirect URIs are
//!   not served. A client that presents a secret or an assertion is judged as
//!   a confidential one instead (Entra decides by the redirect URI's platform;
//!   the demo accepts a client that authenticates anyway), and
//!   `client_credentials` is always confidential.
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
use crate::inventory::{Application, PasswordCred};
use crate::oidc::errors::{self, AadError};
use crate::oidc::permissions;
use crate::oidc::scopes::GRAPH_APP_ID;
use crate::state::AppState;
use sha2::{Digest, Sha256};

/// The inventory application with appId `client_id` as a client, if there is one (`None`: no
/// such live application; the caller answers AADSTS700016). `public` says whether it is a public
/// client (see the module documentation); `Err` is AADSTS7000229, no service principal.
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
        public: app.is_fallback_public_client || !app.redirects.public_client.is_empty(),
        redirect_uris: app.redirects.public_client.clone(),
        secrets: Vec::new(),
        certificates: Vec::new(),
        delegated: static_delegated(app),
        admin_consented: false,
        app_roles: app.graph_app_roles(),
    }))
}

/// The Graph delegated permissions an application lists (`requiredResourceAccess` entries of type
/// `Scope` on Graph) that the demo tenant knows, in the order listed.
fn static_delegated(app: &Application) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let graph = app.required_resource_access.iter().filter(|(resource, _)| resource.eq_ignore_ascii_case(GRAPH_APP_ID));
    for (id, kind) in graph.flat_map(|(_, access)| access.iter()) {
        if *kind == "Scope" {
            if let Some(p) = permissions::by_id(id).filter(|p| !out.contains(&p.value)) {
                out.push(p.value);
            }
        }
    }
    out
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
