//! The app registrations the set-up assistant made ([`SavedRegistration`]), kept per tenant in
//! the settings file under `registrations`, and which one a sign-in to a tenant uses.
//!
//! Why the settings file, keyed by tenant: a client ID is configuration, not a secret nor a
//! preference (`ui-preferences.json` may be lost without harm; losing this would send the admin
//! back to the assistant), and it belongs to a tenant, not to one account (`accounts.json` holds
//! who signed in, and an account exists only after the sign-in this makes possible). One file
//! may name several tenants: an admin of two tenants registers in each. A saved registration is
//! the *lowest* source of a client ID — flags, the environment, a connection string and the
//! settings file's own `clientId` all win — so it never overrides what an admin wrote, and it
//! only applies to the tenant it was made in: [`client_id_for`] matches the tenant a profile
//! resolves to by its ID or by one of its verified domains.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One registration the set-up assistant made (or found) in a tenant. Nothing secret: a
/// public client has no secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedRegistration {
    /// Application (client) ID: what a sign-in to the tenant uses.
    pub client_id: String,
    /// The application object's ID (to remove it later).
    #[serde(default)]
    pub object_id: String,
    /// The tenant's verified domains when it was saved, so `--tenant-id contoso.onmicrosoft.com`
    /// finds it too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}

/// Saved registrations by tenant ID (a GUID, lower case).
pub type Registrations = BTreeMap<String, SavedRegistration>;

/// The saved registration for `tenant` (a tenant ID or a domain, any case), if any.
pub fn registration_for<'a>(registrations: &'a Registrations, tenant: &str) -> Option<(&'a str, &'a SavedRegistration)> {
    registrations
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(tenant))
        .or_else(|| registrations.iter().find(|(_, r)| r.domains.iter().any(|d| d.eq_ignore_ascii_case(tenant))))
        .map(|(id, r)| (id.as_str(), r))
}

/// The client ID saved for `tenant`, if any (see [`registration_for`]).
pub fn client_id_for<'a>(registrations: &'a Registrations, tenant: &str) -> Option<&'a str> {
    registration_for(registrations, tenant).map(|(_, r)| r.client_id.as_str()).filter(|c| !c.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_is_found_by_id_or_verified_domain_in_any_case() {
        let mut saved = Registrations::new();
        saved.insert(
            "4a7c0b1e-0000-4000-8000-000000000001".into(),
            SavedRegistration { client_id: "c-1".into(), object_id: "o-1".into(), domains: vec!["contoso.onmicrosoft.com".into()] },
        );
        saved.insert("4a7c0b1e-0000-4000-8000-000000000002".into(), SavedRegistration { client_id: "c-2".into(), ..Default::default() });
        assert_eq!(client_id_for(&saved, "4A7C0B1E-0000-4000-8000-000000000001"), Some("c-1"));
        assert_eq!(client_id_for(&saved, "Contoso.onmicrosoft.com"), Some("c-1"));
        assert_eq!(client_id_for(&saved, "4a7c0b1e-0000-4000-8000-000000000002"), Some("c-2"));
        assert_eq!(client_id_for(&saved, "organizations"), None);
        let json = serde_json::to_string(&saved).unwrap();
        assert!(json.contains(r#""clientId":"c-1","objectId":"o-1","domains":["contoso.onmicrosoft.com"]"#), "{json}");
        assert!(!json.contains(r#""domains":[]"#), "{json}");
    }
}
