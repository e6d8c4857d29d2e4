//! TLS as `verify-full`: a server whose certificate for `localhost` a test CA signed is reached
//! with `sslmode=verify-full&sslrootcert=ca.pem` (the connection is TLS, as the server sees it);
//! with another CA, or by an address the certificate does not name, the connection fails with
//! a TLS error that says what to check. A host on the network is never reached with less.

mod common;

use entra_core::ErrorCode;
use entra_teamstore::{init, DatabasePassword, PgLeaseStore, TeamStoreAddress};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

/// A CA: its certificate (PEM), its certificate and its key.
fn ca(name: &str) -> (String, rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert, key)
}

#[tokio::test]
async fn verify_full_connects_with_the_right_ca_and_fails_with_another_or_another_name() {
    let cluster = common::cluster();
    let (ca_pem, ca_cert, ca_key) = ca("Entra Desk test CA");
    let server_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "localhost");
    let server_cert = params.signed_by(&server_key, &ca_cert, &ca_key).unwrap();
    let cert = cluster.write_file("server.crt", server_cert.pem().as_bytes()).unwrap();
    let key = cluster.write_file("server.key", server_key.serialize_pem().as_bytes()).unwrap();
    let conf = ["ssl = on".to_string(), format!("ssl_cert_file = '{}'", cert.display()), format!("ssl_key_file = '{}'", key.display())];
    cluster.configure(&conf.iter().map(String::as_str).collect::<Vec<_>>(), &[]).unwrap();
    cluster.create_database("team").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let other_file = dir.path().join("other.pem");
    std::fs::write(&other_file, ca("Someone else's CA").0).unwrap();
    let url = |host: &str, root: &std::path::Path| {
        format!("postgres://postgres@{host}:{}/team?sslmode=verify-full&sslrootcert={}", cluster.port(), root.display())
    };

    // The right CA and name: init and connect over TLS.
    let address = TeamStoreAddress::parse(&url("localhost", &ca_file)).unwrap();
    assert_eq!(TeamStoreAddress::parse(&address.url()).unwrap(), address);
    init(&address, DatabasePassword::None, &[]).await.unwrap();
    let store = PgLeaseStore::connect(&address, DatabasePassword::None).await.unwrap();
    let check = store.check().await.unwrap();
    assert!(check.tls, "{check:?}");
    assert_eq!(check.location, format!("localhost:{}/team", cluster.port()));

    // Another CA: the chain does not verify.
    let other = TeamStoreAddress::parse(&url("localhost", &other_file)).unwrap();
    let err = PgLeaseStore::connect(&other, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network);
    assert!(err.message().contains("securely: the TLS connection failed"), "{}", err.message());
    assert!(err.message().contains("UnknownIssuer") && err.message().contains("sslrootcert"), "{}", err.message());

    // The right CA, but an address the certificate does not name: the host name does not verify.
    let by_ip = TeamStoreAddress::parse(&url("127.0.0.1", &ca_file)).unwrap();
    let err = PgLeaseStore::connect(&by_ip, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network);
    assert!(err.message().contains("TLS connection failed") && err.message().contains("not valid for name"), "{}", err.message());

    // Loopback without sslmode stays plain TCP (the server offers both).
    let plain = common::connect(&cluster, "team").await;
    assert!(!plain.check().await.unwrap().tls);

    // A host on the network is never asked for less than verify-full.
    for mode in ["disable", "require", "prefer", "verify-ca", "allow"] {
        let err = TeamStoreAddress::parse(&format!("postgres://desk@db.contoso.test/leases?sslmode={mode}")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Config);
        assert!(
            err.message().contains(&format!("sslmode={mode} to db.contoso.test")) && err.message().contains("verify-full"),
            "{}",
            err.message()
        );
    }
}

#[tokio::test]
async fn a_server_without_tls_is_not_used_when_verify_full_is_asked() {
    let cluster = common::cluster();
    let address =
        TeamStoreAddress::parse(&format!("postgres://postgres@localhost:{}/postgres?sslmode=verify-full", cluster.port())).unwrap();
    let err = PgLeaseStore::connect(&address, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network);
    assert!(err.message().contains("does not offer TLS (server does not support TLS)"), "{}", err.message());
    assert!(err.message().contains("turn TLS on at the server"), "{}", err.message());
}
