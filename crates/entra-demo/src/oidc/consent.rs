//! Consent: which delegated Microsoft Graph permissions a client holds for a user, when
//! `/authorize` must ask for more, and which permissions a token carries.
//!
//! What Entra does, and what the demo tenant does with it:
//! - **Grants.** A client holds a permission for a user through tenant-wide admin consent
//!   (`AllPrincipals`) or through that user's own consent (`Principal`). The directory's demo
//!   clients come with admin consent for their listed permissions (`directory::App::delegated`)
//!   and for the OpenID Connect scopes, so their usual sign-ins show no consent page; an
//!   application registered at run time holds nothing until someone consents. Grants made at run
//!   time are kept by [`crate::store::Store`] (and in the state folder, beside refresh grants).
//! - **When to ask** (consent-types-developer.md, scopes-oidc.md): after sign-in, when the request
//!   names a permission not yet granted ("they get a prompt to consent only to the new
//!   permissions"), or with `prompt=consent`. `/.default` asks only if nothing of Graph is granted
//!   yet, and then for the registration's listed permissions. A first consent also includes
//!   `User.Read` and `offline_access` ("automatically included in the initial consent").
//! - **Who may grant** (application-consent-experience.md, scopes-oidc.md): a permission whose
//!   Graph `type` is `Admin` needs an administrator. A user without a role gets "Need admin
//!   approval" instead of the consent page; the administrator (the demo admin, the one user with a
//!   role) sees a box "Consent on behalf of your organization", unchecked by default: checked, the
//!   grant is tenant-wide; unchecked, it is for the administrator only. With `prompt=consent`
//!   everything asked must be consented again, so a user without a role gets "Need admin approval"
//!   for an admin-only permission even when an administrator granted it for everyone (our reading
//!   of "prompt=consent triggers consent"; Microsoft does not spell this case out).
//! - **What a token carries** (consent-types-developer.md, "Using permissions after consent":
//!   "encoded inside the access token is every permission that your application is granted for
//!   that resource"; scopes-oidc.md's `.default` examples): `scp` and the response `scope` list
//!   every Graph permission the client holds for the user, not only those requested, sorted by name
//!   (case-insensitively; Entra's order is not documented), then the OpenID Connect scopes asked
//!   for, as before. A token request (code redemption, refresh) that names a permission or OpenID
//!   Connect scope not consented fails with `invalid_grant` AADSTS65001, `suberror:
//!   consent_required`.

use crate::directory::App;
use crate::oidc::errors::{self, AadError};
use crate::oidc::permissions::{self, OIDC};
use crate::oidc::scopes::Delegated;
use crate::state::AppState;
use crate::store::ConsentFor;
use std::collections::BTreeSet;

/// Everything `app` holds for the user `user_oid`: the seed's admin consent and the grants made
/// since (tenant-wide and the user's own), as canonical permission values.
pub fn granted(state: &AppState, app: &App, user_oid: &str) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    if app.admin_consented {
        out.extend(app.delegated.iter().copied());
        out.extend(OIDC.iter().copied());
    }
    // Names come back from the store (or its file) as text: keep only those the tenant knows.
    out.extend(state.store.consented(&app.app_id, user_oid).iter().filter_map(|name| permissions::find(name)).map(|p| p.value));
    out
}

/// The Graph permissions (not the OpenID Connect scopes) among `granted`, sorted by name.
fn graph_part(granted: &BTreeSet<&'static str>) -> Vec<&'static str> {
    let mut graph: Vec<&'static str> = granted.iter().copied().filter(|p| !permissions::is_oidc(p)).collect();
    graph.sort_by_key(|p| p.to_ascii_lowercase());
    graph
}

/// What the consent page is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The permissions listed, in order: Graph's, then the OpenID Connect scopes.
    pub asked: Vec<&'static str>,
    /// Those of `asked` the client does not hold for the user yet.
    pub new: Vec<&'static str>,
    /// The user is an administrator: may consent to admin-only permissions, and for everyone.
    pub admin: bool,
}

/// The outcome of checking a sign-in's request against what is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to ask: issue the code.
    Granted,
    /// Show the consent page.
    Ask(Prompt),
    /// An admin-only permission must be consented and the user is no administrator.
    NeedsAdmin(Prompt),
}

/// The permissions a request asks consent for (see the module documentation).
fn asked(app: &App, scopes: &Delegated, granted: &BTreeSet<&'static str>, prompt_consent: bool) -> Vec<&'static str> {
    let holds_graph = granted.iter().any(|p| !permissions::is_oidc(p));
    let mut out: Vec<&'static str> = Vec::new();
    let mut add = |p: &'static str| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    if scopes.graph_default {
        if !holds_graph || prompt_consent {
            app.delegated.iter().for_each(|p| add(p));
        }
    } else {
        scopes.graph.iter().for_each(|p| add(p));
    }
    if !holds_graph {
        add("User.Read");
    }
    scopes.oidc().into_iter().for_each(&mut add);
    if !holds_graph {
        add("offline_access");
    }
    out
}

/// Decides whether a sign-in of `user_oid` to `app` for `scopes` needs the consent page.
pub fn evaluate(state: &AppState, app: &App, user_oid: &str, scopes: &Delegated, prompt_consent: bool) -> Verdict {
    let granted = granted(state, app, user_oid);
    let asked = asked(app, scopes, &granted, prompt_consent);
    let new: Vec<&'static str> = asked.iter().copied().filter(|p| !granted.contains(p)).collect();
    if new.is_empty() && !prompt_consent {
        return Verdict::Granted;
    }
    let admin = state.dir.is_admin(user_oid);
    let to_consent = if prompt_consent { &asked } else { &new };
    let blocked = !admin && to_consent.iter().any(|p| permissions::find(p).is_some_and(|p| p.admin_only));
    let prompt = Prompt { asked, new, admin };
    if blocked {
        Verdict::NeedsAdmin(prompt)
    } else {
        Verdict::Ask(prompt)
    }
}

/// Records the user's Accept: for everyone when an administrator ticked the box, else for the
/// user alone (admin-only permissions only when the user is an administrator).
pub fn record(state: &AppState, app: &App, user_oid: &str, prompt: &Prompt, for_organization: bool) {
    if for_organization && prompt.admin {
        state.store.grant_consent(&app.app_id, ConsentFor::Organization, prompt.asked.iter().copied());
        return;
    }
    let allowed = prompt.asked.iter().copied().filter(|p| prompt.admin || permissions::find(p).is_some_and(|p| !p.admin_only));
    state.store.grant_consent(&app.app_id, ConsentFor::User(user_oid), allowed);
}

/// The Graph permissions a delegated token for `scopes` carries, or AADSTS65001 when the request
/// names something not consented (or nothing of Graph is).
pub fn token_permissions(state: &AppState, app: &App, user_oid: &str, scopes: &Delegated) -> Result<Vec<&'static str>, AadError> {
    let granted = granted(state, app, user_oid);
    let graph = graph_part(&granted);
    let unconsented = scopes.graph.iter().copied().chain(scopes.oidc()).any(|p| !granted.contains(p));
    if unconsented || graph.is_empty() {
        return Err(errors::consent_missing(&app.app_id, &app.display_name));
    }
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::scopes::parse_delegated;

    fn app(delegated: &[&'static str], admin_consented: bool) -> App {
        App {
            app_id: "app".into(),
            object_id: "o".into(),
            sp_object_id: "s".into(),
            display_name: "App".into(),
            public: true,
            redirect_uris: Vec::new(),
            secrets: Vec::new(),
            certificates: Vec::new(),
            delegated: delegated.to_vec(),
            admin_consented,
            app_roles: Vec::new(),
        }
    }

    fn set(items: &[&'static str]) -> BTreeSet<&'static str> {
        items.iter().copied().collect()
    }

    #[test]
    fn a_first_consent_adds_user_read_and_offline_access() {
        let scopes = parse_delegated("openid Mail.Read").unwrap();
        assert_eq!(asked(&app(&[], false), &scopes, &set(&[]), false), ["Mail.Read", "User.Read", "openid", "offline_access"]);
        // Once something of Graph is held, only what is named.
        assert_eq!(asked(&app(&[], false), &scopes, &set(&["User.Read"]), false), ["Mail.Read", "openid"]);
    }

    #[test]
    fn default_asks_for_the_listed_permissions_only_when_nothing_is_held() {
        let listed = app(&["User.Read", "Group.Read.All"], false);
        let scopes = parse_delegated("https://graph.microsoft.com/.default openid").unwrap();
        assert_eq!(asked(&listed, &scopes, &set(&[]), false), ["User.Read", "Group.Read.All", "openid", "offline_access"]);
        assert_eq!(asked(&listed, &scopes, &set(&["Mail.Read", "openid"]), false), ["openid"]);
        assert_eq!(asked(&listed, &scopes, &set(&["Mail.Read", "openid"]), true), ["User.Read", "Group.Read.All", "openid"]);
    }

    #[test]
    fn the_token_part_is_sorted_without_oidc_scopes() {
        assert_eq!(graph_part(&set(&["openid", "User.Read", "Application.ReadWrite.All", "GroupMember.Read.All", "Group.Read.All"])), [
            "Application.ReadWrite.All",
            "Group.Read.All",
            "GroupMember.Read.All",
            "User.Read"
        ]);
    }
}
