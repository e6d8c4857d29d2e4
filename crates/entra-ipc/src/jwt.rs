//! The JWT inspector screen's one wire type: the signed-in account's own token with its
//! inspection, which carries a token and so is defined here. The inspection itself, profiles
//! and import reports are `entra_jwt`'s types (their TypeScript comes from its `ts` feature).

use entra_jwt::Inspection;
use serde::Serialize;
use ts_rs::TS;

/// The signed-in account's current access token and its inspection, returned
/// only when the user explicitly asks to inspect their own token.
#[derive(Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
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
