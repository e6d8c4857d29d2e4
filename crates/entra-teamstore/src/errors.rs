//! The team store's failures in the core's words: each with a stable code (Config for what the
//! admin must correct, Network for a server not reached or a connection lost, Storage for a
//! statement the database refused) and a message naming the problem and the fix.
//!
//! tokio-postgres' errors carry no secret (the server never echoes a password), but they are
//! never shown whole where a server message will do, and the URL is never quoted: its location
//! and user are.

use crate::address::TeamStoreAddress;
use crate::password::DatabasePassword;
use entra_core::{Error, ErrorCode};
use tokio_postgres::error::SqlState;

/// What `init` is called as from the command line, for messages that send the admin there.
pub(crate) fn init_command(address: &TeamStoreAddress) -> String {
    format!("entractl lease store init {} --apply", address.url())
}

/// A failure to open a connection to `address`.
pub(crate) fn connect_error(e: tokio_postgres::Error, address: &TeamStoreAddress, password: &DatabasePassword) -> Error {
    let (at, user, database) = (address.location(), address.user(), address.database());
    let (code, message) = if let Some(db) = e.as_db_error() {
        let said = db.message();
        match *db.code() {
            SqlState::INVALID_PASSWORD => (
                ErrorCode::Config,
                format!(
                    "The team lease store at {at} refused to sign in {user}: authentication failed ({said}); {}",
                    password.source_words(address)
                ),
            ),
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION => (
                ErrorCode::Config,
                format!(
                    "The team lease store at {at} does not let {user} sign in from here: authentication was refused ({said}): ask \
                     the server's admin to allow this user from this address (pg_hba.conf, or the Azure server's firewall and \
                     Microsoft Entra settings)"
                ),
            ),
            SqlState::UNDEFINED_DATABASE => (
                ErrorCode::Config,
                format!("The database {database} does not exist on the server of {at}: create it, or correct the URL's /DATABASE"),
            ),
            SqlState::INSUFFICIENT_PRIVILEGE => (
                ErrorCode::Config,
                format!("{user} may not connect to the database of {at} ({said}): ask its owner to GRANT CONNECT ON DATABASE {database} TO {user}"),
            ),
            SqlState::TOO_MANY_CONNECTIONS => (
                ErrorCode::Network,
                format!("The server of {at} has no connection left for {user} ({said}): try again in a moment, or ask its admin to raise the limit"),
            ),
            SqlState::CANNOT_CONNECT_NOW | SqlState::ADMIN_SHUTDOWN => (
                ErrorCode::Network,
                format!("The server of {at} is starting or stopping ({said}): try again in a moment"),
            ),
            _ => (ErrorCode::Network, format!("The server of {at} refused the connection ({said}): check the URL and the server")),
        }
    } else if let Some(tls) = tls_problem(&e).filter(|t| t.contains("does not support TLS")) {
        (
            ErrorCode::Network,
            format!(
                "The server of {at} does not offer TLS ({tls}), and Entra Desk connects to it only with sslmode=verify-full: turn \
                 TLS on at the server (ssl = on, with a certificate for its host name; Azure Database for PostgreSQL always offers \
                 it){}",
                if loopback(address) { ", or, as this is a loopback address, give sslmode=disable" } else { "" }
            ),
        )
    } else if let Some(tls) = tls_problem(&e) {
        (
            ErrorCode::Network,
            format!(
                "Cannot connect to the team lease store at {at} securely: the TLS connection failed ({tls}): check that the URL's \
                 host is the name on the server's certificate, and give the PEM file of the CA that signed it with \
                 sslrootcert=PATH when it is a private CA (Azure's certificates chain to public roots, which are built in)"
            ),
        )
    } else if sources(&e).any(|s| s.to_string() == "password missing") {
        (
            ErrorCode::Config,
            format!("The team lease store at {at} asks {user} for a password and there is none: {}", password.source_words(address)),
        )
    } else {
        (ErrorCode::Network, unreachable(&e, address))
    };
    Error::new(code, message).with_source(e)
}

/// Whether `address` is a loopback host (where plain TCP may be asked for).
fn loopback(address: &TeamStoreAddress) -> bool {
    matches!(address.endpoint(), crate::address::Endpoint::Tcp { host, .. } if crate::address::is_loopback(host))
}

/// Why the server was not reached, from the I/O error under `e`.
fn unreachable(e: &tokio_postgres::Error, address: &TeamStoreAddress) -> String {
    let at = address.location();
    let io = sources(e).find_map(|s| s.downcast_ref::<std::io::Error>());
    match io.map(|io| io.kind()) {
        Some(std::io::ErrorKind::ConnectionRefused) => {
            format!("Cannot reach the team lease store at {at}: the connection was refused: check that the server runs and listens on that host and port")
        }
        Some(std::io::ErrorKind::TimedOut) => format!(
            "Cannot reach the team lease store at {at}: the connection timed out: check the host and port, and that a firewall \
             (Azure: the server's networking rules) lets this machine in"
        ),
        Some(std::io::ErrorKind::NotFound) => {
            format!("Cannot reach the team lease store at {at}: its socket folder or file does not exist: check host=… and the port")
        }
        _ => format!("Cannot reach the team lease store at {at} ({e}): check the host name, the port and the network"),
    }
}

/// The TLS failure under `e`, in rustls' words, if the failure is one.
fn tls_problem(e: &tokio_postgres::Error) -> Option<String> {
    for source in sources(e) {
        if let Some(tls) = source.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        if let Some(tls) =
            source.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            return Some(tls.to_string());
        }
    }
    // tokio-postgres' own TLS failures ("server does not support TLS") carry no rustls error.
    let tls = e.to_string().starts_with("error performing TLS handshake");
    tls.then(|| std::error::Error::source(e).map_or_else(|| "the handshake failed".to_string(), |s| s.to_string()))
}

fn sources<'a>(e: &'a (dyn std::error::Error + 'static)) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |s| s.source())
}

/// A statement the store's database refused, or a connection lost during one.
pub(crate) fn query_error(e: tokio_postgres::Error, address: &TeamStoreAddress) -> Error {
    let (at, user) = (address.location(), address.user());
    let Some(db) = e.as_db_error() else {
        let message = if e.is_closed() || sources(&e).any(|s| s.is::<std::io::Error>()) {
            format!("The connection to the team lease store at {at} was lost: check the network and that the server runs, then try again")
        } else {
            format!("The team lease store at {at} could not be read or written ({e}): try again; if it keeps failing, report it")
        };
        return Error::network(message).with_source(e);
    };
    let said = db.message();
    let message = match *db.code() {
        SqlState::INSUFFICIENT_PRIVILEGE => format!(
            "{user} may not do this in the team lease store at {at} ({said}): ask the store's owner to make {user} a member \
             (`entractl lease store init URL --apply`, with the owner's URL, and {user} among the members)"
        ),
        SqlState::UNDEFINED_TABLE | SqlState::INVALID_SCHEMA_NAME | SqlState::UNDEFINED_FUNCTION => {
            format!("The team lease store at {at} lacks part of its schema ({said}): have its owner run `{}`", init_command(address))
        }
        SqlState::UNIQUE_VIOLATION => format!("The team lease store at {at} already holds this ({said}): read it again before writing"),
        SqlState::T_R_SERIALIZATION_FAILURE | SqlState::T_R_DEADLOCK_DETECTED => {
            format!("The team lease store at {at} was busy with another member's write ({said}): try again")
        }
        SqlState::ADMIN_SHUTDOWN | SqlState::CANNOT_CONNECT_NOW | SqlState::QUERY_CANCELED => {
            return Error::network(format!("The team lease store at {at} stopped the statement ({said}): try again in a moment"))
                .with_source(e)
        }
        _ => format!(
            "The team lease store at {at} refused a statement ({said}): try again; if it keeps failing, report it (the server's log \
             names the statement)"
        ),
    };
    Error::new(ErrorCode::Storage, message).with_source(e)
}

/// A value in the store this version cannot read: written by a newer Entra Desk, or by hand.
pub(crate) fn unknown(what: &str) -> Error {
    Error::storage(format!(
        "The team lease store holds a {what} this version of Entra Desk does not know: update Entra Desk (the store was not changed)"
    ))
}
