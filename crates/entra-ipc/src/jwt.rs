//! Types of the JWT inspector screen. The inspection itself is
//! `entra_jwt::Inspection` (its TypeScript comes from the `ts` feature).

use entra_jwt::Inspection;
use serde::Serialize;
use ts_rs::TS;

/// The signed-in account's current access token and its inspection, returned
/// only when the user explicitly asks to inspect their own token.
#[derive(Clone, Serialize, TS)]
pub struct CurrentTokenInspection {
    /// The access token, shown in the inspector's paste area.
    pub token: String,
    /// Its inspection with the chosen profile.
    pub inspection: Inspection,
}

/// Redacted: the token never reaches a log through `Debug`.
impl std::fmt::Debug for CurrentTokenInspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentTokenInspection").field("token", &"[redacted]").field("inspection", &self.inspection).finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_sent_to_the_webview_do_not_print_in_debug() {
        let rotated = crate::credentials::RotatedSecret {
            key_id: "k".into(),
            secret_text: "abc8Q~very-secret".into(),
            end: "2027-01-01T00:00:00Z".into(),
            hint: Some("abc".into()),
            warning: None,
        };
        let printed = format!("{rotated:?}");
        assert!(!printed.contains("very-secret") && printed.contains("[redacted]"), "{printed}");
    }
}
