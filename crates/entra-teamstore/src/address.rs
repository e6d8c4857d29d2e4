//! [`TeamStoreAddress`]: where a team store is, read from the URL an admin writes
//! (`postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…&sslrootcert=…&auth=…&host=…]`), and the
//! names it goes by: its location on the screen, its keychain entry, its canonical URL.
//!
//! The transport policy is decided here, once, so no caller can weaken it: a host on the network
//! is reached only over TLS with the certificate chain and the host name verified (`verify-full`,
//! which Azure Database for PostgreSQL supports); a URL that asks for less there is refused
//! rather than quietly upgraded or downgraded. Only a unix socket or a loopback address (where
//! nothing crosses a network) may use plain TCP, unless its URL asks for `verify-full`.
//! A password in the URL is refused: URLs end up in settings, shell history and messages.

use entra_core::{Error, Result};
use std::net::IpAddr;
use std::path::PathBuf;
use url::{Host, Url};

/// PostgreSQL's port when the URL names none.
const DEFAULT_PORT: u16 = 5432;

/// The query parameters a team store URL may carry.
const PARAMETERS: &str = "sslmode, sslrootcert, auth and host";

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// A host name or address (IPv6 without brackets) and a port.
    Tcp { host: String, port: u16 },
    /// A unix socket folder (the socket is `.s.PGSQL.<port>` in it).
    Socket { dir: PathBuf, port: u16 },
}

/// How the store's database user signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// A password (or none, where the server trusts the connection).
    Password,
    /// A Microsoft Entra access token as the password (Azure Database for PostgreSQL).
    Entra,
}

/// A team store's address, parsed from a URL:
/// `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=verify-full|disable&sslrootcert=PATH&auth=password|entra&host=/unix/socket/dir]`.
///
/// It holds no secret: a URL with a password is refused by [`TeamStoreAddress::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamStoreAddress {
    user: String,
    endpoint: Endpoint,
    database: String,
    tls: bool,
    /// `sslmode` as the URL gave it (kept in the canonical URL), `None` when absent.
    sslmode: Option<String>,
    root_cert: Option<PathBuf>,
    auth: Auth,
}

impl TeamStoreAddress {
    /// Reads a team store URL; a [`Config`](entra_core::ErrorCode::Config) error names what is
    /// wrong with it and how to write it (never quoting the URL, which may hold a password).
    pub fn parse(url: &str) -> Result<TeamStoreAddress> {
        let parsed = Url::parse(url.trim()).map_err(|e| {
            bad(format!(
                "it is not a URL ({e}): write it as postgres://USER@HOST:PORT/DATABASE, with special characters in the user \
                 name percent-encoded (@ as %40)"
            ))
        })?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(bad(format!("its scheme is {}: write it as postgres://USER@HOST:PORT/DATABASE", parsed.scheme())));
        }
        if parsed.password().is_some() {
            return Err(password_in_url());
        }
        let user = decode(parsed.username(), "user name")?;
        if user.is_empty() {
            return Err(bad("it names no database user: write it as postgres://USER@HOST:PORT/DATABASE".into()));
        }
        let database = decode(parsed.path().trim_start_matches('/'), "database name")?;
        if database.is_empty() || database.contains('/') {
            return Err(bad("it names no database (or more than one path segment): end it with /DATABASE".into()));
        }
        if parsed.fragment().is_some() {
            return Err(bad("it has a #fragment, which means nothing here: remove it".into()));
        }
        let port = parsed.port().unwrap_or(DEFAULT_PORT);
        let host = match parsed.host() {
            Some(Host::Ipv6(ip)) => ip.to_string(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Domain(d)) => decode(d, "host")?.to_ascii_lowercase(),
            None => String::new(),
        };

        let (mut sslmode, mut root_cert, mut auth, mut socket) = (None, None, Auth::Password, None);
        for (key, value) in parsed.query_pairs() {
            let value = value.into_owned();
            match key.as_ref() {
                "sslmode" => sslmode = Some(value),
                "sslrootcert" if !value.is_empty() => root_cert = Some(PathBuf::from(value)),
                "auth" => {
                    auth = match value.as_str() {
                        "password" => Auth::Password,
                        "entra" => Auth::Entra,
                        _ => return Err(bad(format!("auth={value} is not known: give auth=password (the default) or auth=entra"))),
                    }
                }
                "host" if value.starts_with('/') => socket = Some(PathBuf::from(value)),
                "host" => {
                    return Err(bad(
                        "its host parameter is not a unix socket folder (an absolute path): give a network host in the URL itself".into(),
                    ))
                }
                "password" => return Err(password_in_url()),
                other => return Err(bad(format!("it has the parameter {other:?}, which is not known: give only {PARAMETERS}"))),
            }
        }

        let endpoint = match socket {
            Some(dir) if host.is_empty() || is_loopback(&host) => Endpoint::Socket { dir, port },
            Some(_) => {
                return Err(bad(format!(
                "it names the network host {host} and a unix socket folder (host=…): keep one; with a socket, write the host as localhost"
            )))
            }
            None if host.is_empty() => return Err(bad("it names no host: write it as postgres://USER@HOST:PORT/DATABASE".into())),
            None => Endpoint::Tcp { host, port },
        };
        let tls = transport(&endpoint, sslmode.as_deref())?;
        if root_cert.is_some() && !tls {
            return Err(bad("it gives sslrootcert, but the connection is not TLS: add sslmode=verify-full, or remove sslrootcert".into()));
        }
        Ok(TeamStoreAddress { user, endpoint, database, tls, sslmode, root_cert, auth })
    }

    /// `host:port/database`, or `socket-dir/database` (with `:port` when it is not 5432): what the
    /// screen shows.
    pub fn location(&self) -> String {
        match &self.endpoint {
            Endpoint::Tcp { host, port } if host.contains(':') => format!("[{host}]:{port}/{}", self.database),
            Endpoint::Tcp { host, port } => format!("{host}:{port}/{}", self.database),
            Endpoint::Socket { dir, port } if *port == DEFAULT_PORT => format!("{}/{}", dir.display(), self.database),
            Endpoint::Socket { dir, port } => format!("{}:{port}/{}", dir.display(), self.database),
        }
    }

    /// `user@location`: the name of the keychain entry that keeps this user's password.
    pub fn keychain_name(&self) -> String {
        format!("{}@{}", self.user, self.location())
    }

    /// The database user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Whether the user signs in with a Microsoft Entra token (`auth=entra`).
    pub fn uses_entra(&self) -> bool {
        self.auth == Auth::Entra
    }

    /// The canonical URL (never a password): for settings and messages. Parsing it gives this address.
    pub fn url(&self) -> String {
        let (host, port, socket) = match &self.endpoint {
            Endpoint::Tcp { host, port } if host.contains(':') => (format!("[{host}]"), *port, None),
            Endpoint::Tcp { host, port } => (host.clone(), *port, None),
            Endpoint::Socket { dir, port } => ("localhost".to_string(), *port, Some(dir.display().to_string())),
        };
        let mut query = Vec::new();
        if let Some(dir) = socket {
            query.push(format!("host={}", encode(&dir, true)));
        }
        if let Some(mode) = &self.sslmode {
            query.push(format!("sslmode={}", encode(mode, false)));
        }
        if let Some(path) = &self.root_cert {
            query.push(format!("sslrootcert={}", encode(&path.display().to_string(), true)));
        }
        if self.uses_entra() {
            query.push("auth=entra".to_string());
        }
        let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        format!("postgres://{}@{host}:{port}/{}{query}", encode(&self.user, false), encode(&self.database, false))
    }

    /// Where the server is.
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The database's name.
    pub(crate) fn database(&self) -> &str {
        &self.database
    }

    /// Whether connections use TLS (always `verify-full`).
    pub(crate) fn tls(&self) -> bool {
        self.tls
    }

    /// The extra CA certificates (`sslrootcert`), if given.
    pub(crate) fn root_cert(&self) -> Option<&std::path::Path> {
        self.root_cert.as_deref()
    }
}

/// Whether the connection uses TLS, by the policy in the module doc.
fn transport(endpoint: &Endpoint, sslmode: Option<&str>) -> Result<bool> {
    match (endpoint, sslmode) {
        (Endpoint::Socket { .. }, None | Some("disable")) => Ok(false),
        (Endpoint::Socket { .. }, Some(mode)) => Err(bad(format!(
            "it asks for sslmode={mode} over a unix socket, where PostgreSQL offers no TLS (and nothing crosses a network): \
             remove sslmode, or give the server's network host instead of host=…"
        ))),
        (Endpoint::Tcp { .. }, Some("verify-full")) => Ok(true),
        (Endpoint::Tcp { host, .. }, None | Some("disable")) if is_loopback(host) => Ok(false),
        // A host on the network without sslmode: verify-full, the only mode offered there.
        (Endpoint::Tcp { .. }, None) => Ok(true),
        (Endpoint::Tcp { host, .. }, Some(mode)) if is_loopback(host) => Err(bad(format!(
            "sslmode={mode} is not offered: give sslmode=verify-full (TLS with the certificate and host name checked) or, \
             on this loopback address, sslmode=disable"
        ))),
        (Endpoint::Tcp { host, .. }, Some(mode)) => Err(bad(format!(
            "it asks for sslmode={mode} to {host}, a host on the network, where Entra Desk connects only with sslmode=verify-full \
             (TLS, the certificate chain and host name checked; Azure Database for PostgreSQL supports it): remove sslmode or give \
             sslmode=verify-full, and sslrootcert=PATH if the server's CA is a private one"
        ))),
    }
}

/// 127.0.0.0/8, ::1 or `localhost`.
pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn bad(why: String) -> Error {
    Error::config(format!("The team lease store URL cannot be used: {why}"))
}

fn password_in_url() -> Error {
    Error::config(
        "The team lease store URL holds a password: keep the password out of the URL: keep it in the keychain \
         (Entra Desk asks for it and stores it under the store's address) or, for a headless run, in \
         ENTRA_DESK_LEASE_STORE_PASSWORD; then give the URL without it (postgres://USER@HOST:PORT/DATABASE)",
    )
}

/// Percent-decodes a URL component as UTF-8.
fn decode(text: &str, what: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = byte else {
                return Err(bad(format!("its {what} has a % not followed by two hex digits: write a % itself as %25")));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad(format!("its {what} is not UTF-8 once percent-decoded")))
}

/// Percent-encodes everything but RFC 3986's unreserved characters (and `/` when `keep_slash`).
fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || (keep_slash && byte == b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
