//! Object IDs as they enter the core: Entra object IDs are GUIDs, and one goes into a Graph URL
//! path, so anything else (`..`, `%2E%2E`, `a/b`) is refused here with
//! [`ErrorCode::InvalidInput`](crate::ErrorCode::InvalidInput) before any request is sent.
//! (entra-graph's `path_segment` keeps a hostile ID to one literal segment as well: this check
//! is the readable error, that one the last line of defence.)

use crate::{Error, Result};

/// Whether `text` is a GUID in its usual 36-character form (`8-4-4-4-12` hexadecimal digits).
pub fn is_guid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::parse_str(text).is_ok()
}

/// `Ok` when `id` is an object ID (a GUID); otherwise an `InvalidInput` error naming `what`
/// (e.g. `app registration or service principal`) and the fix.
pub fn check_object_id(id: &str, what: &str) -> Result<()> {
    if is_guid(id) {
        return Ok(());
    }
    let shown: String = id.chars().take(64).flat_map(char::escape_default).collect();
    Err(Error::invalid_input(format!(
        "'{shown}' is not the object ID of the {what}: object IDs are GUIDs like 00000000-0000-0000-0000-000000000000; \
         copy the ID from the list. Nothing was sent to Microsoft Graph"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn only_guids_are_object_ids() {
        assert!(check_object_id("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "group").is_ok());
        for bad in ["", "..", ".", "%2E%2E", "a/b", "3f2504e04f8911d39a0c0305e82c3301", "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}"] {
            let err = check_object_id(bad, "group").unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
            assert!(err.message().contains("GUID") && err.message().contains("group"), "{}", err.message());
        }
        let err = check_object_id("a\nb", "group").unwrap_err();
        assert!(err.message().contains("'a\\nb'"), "control characters are shown escaped: {}", err.message());
    }
}
