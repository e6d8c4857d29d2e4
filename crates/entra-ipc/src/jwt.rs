//! Types of the JWT inspector screen. The inspection itself is
//! `entra_jwt::Inspection` (its TypeScript comes from the `ts` feature).

use entra_jwt::Inspection;
use serde::Serialize;
use ts_rs::TS;

/// The signed-in account's current access token and its inspection, returned
/// only when the user explicitly asks to inspect their own token.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CurrentTokenInspection {
    /// The access token, shown in the inspector's paste area.
    pub token: String,
    /// Its inspection with the chosen profile.
    pub inspection: Inspection,
}
