//! [`DatabasePassword`]: where a new connection's password comes from. It is asked again for
//! every new connection, never kept by the pool: an Entra access token expires within the hour,
//! so Azure's documented flow mints one just before connecting, and a password changed in the
//! keychain takes effect on the next connection.

use crate::address::TeamStoreAddress;
use entra_core::secret::SecretString;
use entra_core::{Desk, Result};

/// The scope of an access token that Azure Database for PostgreSQL accepts as a password.
pub const ENTRA_DATABASE_SCOPE: &str = "https://ossrdbms-aad.database.windows.net/.default";

/// Where a new connection's password comes from (see the module doc).
#[derive(Clone)]
pub enum DatabasePassword {
    /// No password: the server trusts the connection (a unix socket's `peer`, a test cluster).
    None,
    /// Given for this run (`ENTRA_DESK_LEASE_STORE_PASSWORD`, headless).
    Given(SecretString),
    /// Kept in this desk's keychain under the address's [`keychain_name`](TeamStoreAddress::keychain_name).
    Keychain(Desk),
    /// A Microsoft Entra access token of the account, for [`ENTRA_DATABASE_SCOPE`] (`auth=entra`).
    EntraToken {
        /// The desk that holds the account's tokens.
        desk: Desk,
        /// The signed-in account whose token signs in.
        account_id: String,
    },
}

impl std::fmt::Debug for DatabasePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabasePassword::None => f.write_str("DatabasePassword::None"),
            DatabasePassword::Given(_) => f.write_str("DatabasePassword::Given([redacted])"),
            DatabasePassword::Keychain(_) => f.write_str("DatabasePassword::Keychain"),
            DatabasePassword::EntraToken { account_id, .. } => {
                f.debug_struct("DatabasePassword::EntraToken").field("account_id", account_id).finish_non_exhaustive()
            }
        }
    }
}

impl DatabasePassword {
    /// The password for one new connection to `address`: `None` when there is none to give (the
    /// server may not ask; if it does, the connection error says where to keep one).
    pub(crate) async fn for_connection(&self, address: &TeamStoreAddress) -> Result<Option<SecretString>> {
        match self {
            DatabasePassword::None => Ok(None),
            DatabasePassword::Given(secret) => Ok(Some(secret.clone())),
            DatabasePassword::Keychain(desk) => desk.async_keychain().lease_store_password(&address.keychain_name()).await,
            DatabasePassword::EntraToken { desk, account_id } => {
                let token = desk.access_token(account_id, Some(&[ENTRA_DATABASE_SCOPE.to_string()])).await.map_err(|e| {
                    let message = format!(
                        "Cannot get a Microsoft Entra token to sign in to the team lease store at {}: {}",
                        address.location(),
                        e.message()
                    );
                    e.reworded(message)
                })?;
                Ok(Some(SecretString::new(token.expose())))
            }
        }
    }

    /// Where the password was looked for, in words for an authentication error.
    pub(crate) fn source_words(&self, address: &TeamStoreAddress) -> String {
        match self {
            DatabasePassword::None => "no password was given: keep it in the keychain, or set ENTRA_DESK_LEASE_STORE_PASSWORD".into(),
            DatabasePassword::Given(_) => "the password came from ENTRA_DESK_LEASE_STORE_PASSWORD: check it".into(),
            DatabasePassword::Keychain(_) => format!(
                "the password came from the keychain entry for {}: enter it again (or set ENTRA_DESK_LEASE_STORE_PASSWORD for a headless run)",
                address.keychain_name()
            ),
            DatabasePassword::EntraToken { .. } => format!(
                "the password was the signed-in account's Entra token: check that {} is an Entra principal the server knows \
                 (Azure: pgaadauth_create_principal, or the server's Entra admin) and that the account is the one it names",
                address.user()
            ),
        }
    }
}
