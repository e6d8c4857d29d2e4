//! Bringing a registration made by an earlier version up to date: what it lacks of what this
//! version registers, and the `PATCH /applications/{id}` that adds just that.
//!
//! [`crate::permissions::ALL_DELEGATED`] grows as screens are added, so a registration made
//! before may lack a permission a screen now needs (its "Grant access" would ask for a scope the
//! registration does not list: fine for a person's own consent, but not what an administrator
//! reviews and grants for the organisation). It is compared with what [`super::Setup::register`]
//! creates:
//! - every scope's id (as Graph's service principal gives it: [`super::scopes::defined`]) among
//!   the `type: Scope` entries of Microsoft Graph's `requiredResourceAccess`;
//! - `http://localhost` among the public-client redirect URIs;
//! - public client flows on (`isFallbackPublicClient`).
//!
//! Only what is missing is added, and nothing is removed: Graph replaces a collection a PATCH
//! names whole, so the patch carries the registration's own entries (any permission an
//! administrator added, for Graph or another API, and other redirect URIs) with ours appended.
//! Properties that need nothing are left out of the patch. What was added is named for the
//! admin ([`super::Registration::updated`]): permissions by their `value`, which the next
//! sign-in asking for them asks consent for.

use crate::graph::models::{Application, ApplicationPatch, RedirectUris, RequiredResourceAccess, ResourceAccess};
use entra_graph::resources::GRAPH_APP_ID;

/// What [`Lacking::added`] says when the redirect URI was added.
pub const ADDED_REDIRECT_URI: &str = "the public-client redirect URI http://localhost";
/// What [`Lacking::added`] says when public client flows were turned on.
pub const ADDED_PUBLIC_CLIENT_FLOWS: &str = "public client flows (isFallbackPublicClient)";

/// What a registration lacks, and the update that adds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lacking {
    /// What is added, for people: permissions by their `value`, then the redirect URI and
    /// public client flows ([`ADDED_REDIRECT_URI`], [`ADDED_PUBLIC_CLIENT_FLOWS`]).
    pub added: Vec<String>,
    /// The PATCH: only the properties that change, each whole, keeping what else they held.
    pub patch: ApplicationPatch,
}

impl Lacking {
    /// True when the registration holds everything already.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
    }
}

/// What `app` lacks of `wanted` (each permission's name and its Graph id, as
/// [`super::scopes::defined`] gives them), the redirect URI `redirect_uri`, and public client flows.
pub fn lacking(app: &Application, wanted: &[(&str, ResourceAccess)], redirect_uri: &str) -> Lacking {
    let mut out = Lacking::default();
    let is_graph = |r: &RequiredResourceAccess| r.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID);
    let listed = |id: &str| {
        app.required_resource_access
            .iter()
            .filter(|r| is_graph(r))
            .flat_map(|r| &r.resource_access)
            .any(|a| a.id.eq_ignore_ascii_case(id) && a.access_type.eq_ignore_ascii_case("Scope"))
    };
    let missing: Vec<&(&str, ResourceAccess)> = wanted.iter().filter(|(_, access)| !listed(&access.id)).collect();
    if !missing.is_empty() {
        let mut access = app.required_resource_access.clone();
        let ours = missing.iter().map(|(_, a)| a.clone());
        match access.iter_mut().find(|r| is_graph(r)) {
            Some(graph) => graph.resource_access.extend(ours),
            None => access.push(RequiredResourceAccess { resource_app_id: GRAPH_APP_ID.into(), resource_access: ours.collect() }),
        }
        out.added.extend(missing.iter().map(|(name, _)| name.to_string()));
        out.patch.required_resource_access = Some(access);
    }
    let uris = app.public_client.as_ref().map(|p| p.redirect_uris.clone()).unwrap_or_default();
    if !uris.iter().any(|u| u.eq_ignore_ascii_case(redirect_uri)) {
        let mut uris = uris;
        uris.push(redirect_uri.to_string());
        out.patch.public_client = Some(RedirectUris { redirect_uris: uris });
        out.added.push(ADDED_REDIRECT_URI.into());
    }
    if app.is_fallback_public_client != Some(true) {
        out.patch.is_fallback_public_client = Some(true);
        out.added.push(ADDED_PUBLIC_CLIENT_FLOWS.into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER_READ: &str = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
    const APP_READ: &str = "c79f8feb-a9db-4090-85f9-90d820caa0eb";
    const OTHER_API: &str = "00000003-0000-0ff1-ce00-000000000000";

    fn scope(id: &str) -> ResourceAccess {
        ResourceAccess { id: id.into(), access_type: "Scope".into() }
    }

    fn wanted() -> Vec<(&'static str, ResourceAccess)> {
        vec![("User.Read", scope(USER_READ)), ("Application.Read.All", scope(APP_READ))]
    }

    /// A registration as an earlier version made it, with what an admin added since.
    fn older() -> Application {
        serde_json::from_value(serde_json::json!({
            "id": "7b1a3c9d-5e2f-4a6b-8c0d-1e2f3a4b5c6d",
            "publicClient": {"redirectUris": ["https://login.microsoftonline.com/common/oauth2/nativeclient"]},
            "isFallbackPublicClient": null,
            "requiredResourceAccess": [
                {"resourceAppId": OTHER_API, "resourceAccess": [{"id": "0b8f7c6e-1111-4222-8333-944445555666", "type": "Scope"}]},
                {"resourceAppId": GRAPH_APP_ID, "resourceAccess": [
                    {"id": USER_READ.to_ascii_uppercase(), "type": "Scope"},
                    {"id": "df021288-bdef-4463-88db-98f22de89214", "type": "Role"}]}
            ],
            "tags": ["EntraDesk:setup"]
        }))
        .unwrap()
    }

    #[test]
    fn only_what_is_missing_is_added_and_the_admins_entries_are_kept() {
        let l = lacking(&older(), &wanted(), "http://localhost");
        assert_eq!(l.added, ["Application.Read.All", ADDED_REDIRECT_URI, ADDED_PUBLIC_CLIENT_FLOWS]);
        let access = l.patch.required_resource_access.as_ref().unwrap();
        assert_eq!(access[0], older().required_resource_access[0], "another API's entry, untouched");
        let graph: Vec<(&str, &str)> = access[1].resource_access.iter().map(|a| (a.id.as_str(), a.access_type.as_str())).collect();
        assert_eq!(graph, [(USER_READ.to_ascii_uppercase().as_str(), "Scope"), ("df021288-bdef-4463-88db-98f22de89214", "Role"), (APP_READ, "Scope")]);
        assert_eq!(l.patch.public_client.unwrap().redirect_uris, ["https://login.microsoftonline.com/common/oauth2/nativeclient", "http://localhost"]);
        assert_eq!(l.patch.is_fallback_public_client, Some(true));
        assert_eq!((l.patch.display_name, l.patch.tags, l.patch.notes), (None, None, None), "nothing else is sent");
    }

    #[test]
    fn an_up_to_date_registration_needs_nothing_and_a_partial_one_only_its_part() {
        let mut app = older();
        app.public_client = Some(RedirectUris { redirect_uris: vec!["HTTP://LOCALHOST".into()] });
        app.is_fallback_public_client = Some(true);
        app.required_resource_access[1].resource_access.push(scope(APP_READ));
        let l = lacking(&app, &wanted(), "http://localhost");
        assert!(l.is_empty() && l.patch.is_empty(), "{l:?}");

        // A role with a scope's id is not the scope.
        let role = ResourceAccess { id: APP_READ.into(), access_type: "Role".into() };
        app.required_resource_access = vec![RequiredResourceAccess { resource_app_id: GRAPH_APP_ID.into(), resource_access: vec![role.clone(), scope(USER_READ)] }];
        let l = lacking(&app, &wanted(), "http://localhost");
        assert_eq!(l.added, ["Application.Read.All"]);
        assert_eq!(l.patch.required_resource_access.unwrap()[0].resource_access, [role, scope(USER_READ), scope(APP_READ)]);

        // Without a Graph entry, one is added after the others.
        app.required_resource_access = vec![RequiredResourceAccess { resource_app_id: OTHER_API.into(), resource_access: vec![scope("0b8f7c6e-1111-4222-8333-944445555666")] }];
        let l = lacking(&app, &wanted(), "http://localhost");
        assert_eq!(l.added, ["User.Read", "Application.Read.All"]);
        let access = l.patch.required_resource_access.unwrap();
        assert_eq!(access.len(), 2);
        assert_eq!(access[1], RequiredResourceAccess { resource_app_id: GRAPH_APP_ID.into(), resource_access: vec![scope(USER_READ), scope(APP_READ)] });
        assert_eq!((l.patch.public_client, l.patch.is_fallback_public_client), (None, None));
    }
}
