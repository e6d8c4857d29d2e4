//! The app's managed state: the core's identity facade ([`Desk`]) and one
//! service per screen, each named as its screen is in every layer.

use crate::maintenance::SignedInAccount;
use entra_core::apps::Apps;
use entra_core::credentials::Credentials;
use entra_core::groups::Groups;
use entra_core::jwt::JwtWorkspace;
use entra_core::signin::SignIn;
use entra_core::Desk;
use entra_teamstore::host::LeasesHost;
use std::path::PathBuf;

/// Everything the commands share. Cheap to reach through `tauri::State`.
pub struct AppState {
    /// Identity: accounts, tokens, sign-in, Graph clients.
    pub desk: Desk,
    /// The sign-in screen (and the embedded demo tenant behind it).
    pub signin: SignIn,
    /// App registrations: the inventory cache and its refresh.
    pub apps: Apps,
    /// Credential expiry: the report, exports, rotation.
    pub credentials: Credentials,
    /// Group caches: groups and memberships synced with Graph's delta query, the cache policy.
    pub groups: Groups,
    /// Leases: dynamic secrets with a TTL, their definitions, the audit log, maintenance,
    /// over the chosen store (this desktop's, or a team store).
    pub leases: LeasesHost,
    /// The account the webview is signed in as (told by the sign-in commands), for the lease maintenance task.
    pub signed_in: SignedInAccount,
    /// The JWT inspector's profiles and key cache.
    pub jwt: JwtWorkspace,
    /// The data folder (the UI's preferences live here too).
    pub data_dir: PathBuf,
}
