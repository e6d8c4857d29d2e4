//! The marker an app-secret lease writes into its credential's `displayName`:
//! `entra-desk:<store-id>:<lease-id>`. It tells anyone reading the app registration where the
//! secret came from, and tells reconciliation which credentials are ours to remove: only those
//! whose marker names *this* store. Anything else — people's secrets, other tools', another
//! Entra Desk store's — is left alone.

/// The fixed prefix of every marker.
pub const MARKER_PREFIX: &str = "entra-desk:";

/// The marker of lease `lease_id` in store `store_id`.
pub fn marker(store_id: &str, lease_id: &str) -> String {
    format!("{MARKER_PREFIX}{store_id}:{lease_id}")
}

/// The lease ID in `display_name` when it is a marker of store `store_id`; `None` for any
/// other credential (including another store's markers).
pub fn lease_id_of<'a>(display_name: Option<&'a str>, store_id: &str) -> Option<&'a str> {
    let rest = display_name?.strip_prefix(MARKER_PREFIX)?;
    let (store, lease) = rest.split_once(':')?;
    (store == store_id && is_lease_id(lease)).then_some(lease)
}

/// A lease ID is a hyphenated lowercase UUID; anything else after a matching store ID was
/// not written by us.
fn is_lease_id(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::parse_str(text).is_ok_and(|u| u.hyphenated().to_string() == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORE: &str = "0123456789abcdef0123456789abcdef";
    const LEASE: &str = "6f1c1a0e-8a3b-4c55-9f57-2a4b1d9e7c10";

    #[test]
    fn only_this_stores_markers_are_ours() {
        let ours = marker(STORE, LEASE);
        assert_eq!(lease_id_of(Some(&ours), STORE), Some(LEASE));
        let other_store = marker("ffffffffffffffffffffffffffffffff", LEASE);
        assert_eq!(lease_id_of(Some(&other_store), STORE), None);
        for foreign in [
            None,
            Some("CI secret"),
            Some("entra-desk:"),
            Some("Rotated by Entra Desk 2026-12-01"),
            Some("entra-desk:0123456789abcdef0123456789abcdef:"),
            Some("entra-desk:0123456789abcdef0123456789abcdef:not-a-uuid"),
            Some("entra-desk:0123456789abcdef0123456789abcdef:6F1C1A0E-8A3B-4C55-9F57-2A4B1D9E7C10"),
            Some("xentra-desk:0123456789abcdef0123456789abcdef:6f1c1a0e-8a3b-4c55-9f57-2a4b1d9e7c10"),
        ] {
            assert_eq!(lease_id_of(foreign, STORE), None, "{foreign:?}");
        }
    }
}
