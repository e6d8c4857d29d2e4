//! The TLS client every connection to a team store uses: rustls with ring (the workspace's one
//! crypto provider), the certificate chain verified against Mozilla's roots (`webpki-roots`)
//! plus the URL's `sslrootcert` if given, and the host name checked: libpq's `verify-full`.
//! There is no weaker mode to choose (the address refuses asking for one on the network).

use crate::address::TeamStoreAddress;
use entra_core::{Error, Result};
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The connector for `address`. Every connection goes through it, TLS or not, so that plain and
/// TLS connections have one stream type; a plain one (`sslmode=disable`) never calls it.
pub(crate) fn connector(address: &TeamStoreAddress) -> Result<MakeRustlsConnect> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = address.root_cert().filter(|_| address.tls()) {
        for cert in read_roots(path)? {
            roots.add(cert).map_err(|e| {
                Error::config(format!(
                    "The CA certificate in {} (sslrootcert) cannot be used ({e}): give the PEM file of the CA that signed the server's certificate",
                    path.display()
                ))
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("Cannot set up TLS for the team lease store ({e}); this is a bug: please report it")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The certificates of a PEM file.
fn read_roots(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>> {
    let unreadable = |why: String| {
        Error::config(format!(
            "Cannot read the CA certificates in {} (sslrootcert): {why}: give the path of a PEM file holding the CA that signed \
             the server's certificate",
            path.display()
        ))
    };
    let pem = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    let certs =
        rustls_pemfile::certs(&mut pem.as_slice()).collect::<std::result::Result<Vec<_>, _>>().map_err(|e| unreadable(e.to_string()))?;
    if certs.is_empty() {
        return Err(unreadable("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into()));
    }
    Ok(certs)
}
