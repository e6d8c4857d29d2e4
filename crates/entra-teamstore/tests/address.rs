//! Reading a team store URL: what each part becomes (location, keychain name, user, Entra
//! sign-in, the canonical URL that reads back the same), the transport policy (verify-full on
//! the network; plain only on loopback or a socket), and the refusals, each a Config error that
//! says how to write it, none quoting a password.

use entra_core::ErrorCode;
use entra_teamstore::TeamStoreAddress;

fn parse(url: &str) -> TeamStoreAddress {
    TeamStoreAddress::parse(url).unwrap_or_else(|e| panic!("{url}: {}", e.message()))
}

fn refused(url: &str) -> String {
    let err = TeamStoreAddress::parse(url).expect_err(url);
    assert_eq!(err.code(), ErrorCode::Config, "{url}");
    assert!(err.message().starts_with("The team lease store URL"), "{}", err.message());
    err.message().to_string()
}

#[test]
fn each_part_is_read_and_named() {
    let a = parse("postgres://desk@db.contoso.test/leases");
    assert_eq!(a.location(), "db.contoso.test:5432/leases");
    assert_eq!(a.keychain_name(), "desk@db.contoso.test:5432/leases");
    assert_eq!(a.user(), "desk");
    assert!(!a.uses_entra());
    assert_eq!(a.url(), "postgres://desk@db.contoso.test:5432/leases");

    // Azure with Entra: a user name with @ (percent-encoded), TLS implied, the scheme's long form.
    let azure = parse("postgresql://ada%40contoso.com@Contoso-PG.postgres.database.azure.com:6432/leases?sslmode=verify-full&auth=entra");
    assert_eq!(azure.user(), "ada@contoso.com");
    assert!(azure.uses_entra());
    assert_eq!(azure.location(), "contoso-pg.postgres.database.azure.com:6432/leases");
    assert_eq!(azure.keychain_name(), "ada@contoso.com@contoso-pg.postgres.database.azure.com:6432/leases");
    assert_eq!(
        azure.url(),
        "postgres://ada%40contoso.com@contoso-pg.postgres.database.azure.com:6432/leases?sslmode=verify-full&auth=entra"
    );

    let v6 = parse("postgres://desk@[::1]:5433/leases");
    assert_eq!(v6.location(), "[::1]:5433/leases");
    let socket = parse("postgres://desk@localhost/leases?host=/var/run/postgresql");
    assert_eq!(socket.location(), "/var/run/postgresql/leases");
    assert_eq!(parse("postgres://desk@localhost:5433/leases?host=/tmp/pg").location(), "/tmp/pg:5433/leases");
    let rooted = parse("postgres://desk@db.contoso.test/leases?sslrootcert=/etc/ssl/private%20ca.pem");
    assert_eq!(rooted.url(), "postgres://desk@db.contoso.test:5432/leases?sslrootcert=/etc/ssl/private%20ca.pem");

    // The canonical URL reads back as the same address.
    for a in [a, azure, v6, socket, rooted, parse("postgres://desk@127.0.0.1:5432/leases?sslmode=disable")] {
        assert_eq!(parse(&a.url()), a, "{}", a.url());
    }
}

#[test]
fn the_network_gets_verify_full_and_only_loopback_or_a_socket_may_go_without() {
    for url in [
        "postgres://desk@127.0.0.1/leases",
        "postgres://desk@127.8.9.10/leases?sslmode=disable",
        "postgres://desk@localhost/leases",
        "postgres://desk@[::1]/leases",
        "postgres://desk@localhost/leases?host=/run/postgresql",
        "postgres://desk@db.contoso.test/leases",
        "postgres://desk@localhost/leases?sslmode=verify-full",
        "postgres://desk@10.0.0.5/leases?sslmode=verify-full",
    ] {
        parse(url);
    }
    for mode in ["disable", "require", "prefer", "allow", "verify-ca"] {
        let message = refused(&format!("postgres://desk@10.0.0.5/leases?sslmode={mode}"));
        assert!(message.contains("verify-full") && message.contains("Azure Database for PostgreSQL supports it"), "{message}");
    }
    let message = refused("postgres://desk@localhost/leases?sslmode=require");
    assert!(message.contains("sslmode=verify-full") && message.contains("sslmode=disable"), "{message}");
    let message = refused("postgres://desk@localhost/leases?host=/run/postgresql&sslmode=verify-full");
    assert!(message.contains("unix socket"), "{message}");
    let message = refused("postgres://desk@127.0.0.1/leases?sslrootcert=/ca.pem");
    assert!(message.contains("add sslmode=verify-full"), "{message}");
}

#[test]
fn what_cannot_be_used_is_refused_with_the_fix_and_never_shows_a_password() {
    let message = refused("postgres://desk:hunter2-secret@db.contoso.test/leases");
    assert!(message.contains("keep the password out of the URL") && message.contains("ENTRA_DESK_LEASE_STORE_PASSWORD"), "{message}");
    assert!(message.contains("keychain") && !message.contains("hunter2"), "{message}");
    let message = refused("postgres://desk@db.contoso.test/leases?password=hunter2-secret");
    assert!(message.contains("keep the password out of the URL") && !message.contains("hunter2"), "{message}");
    // A URL that is not one is not quoted either (it may hold a password).
    let message = refused("desk:hunter2-secret@db.contoso.test:port/leases");
    assert!(!message.contains("hunter2"), "{message}");

    for (url, words) in [
        ("mysql://desk@db.contoso.test/leases", "scheme is mysql"),
        ("postgres://db.contoso.test/leases", "names no database user"),
        ("postgres://desk@db.contoso.test", "names no database"),
        ("postgres://desk@db.contoso.test/", "names no database"),
        ("postgres://desk@db.contoso.test/a/b", "more than one path segment"),
        ("postgres://desk@db.contoso.test/leases?auth=kerberos", "auth=kerberos is not known"),
        ("postgres://desk@db.contoso.test/leases?application_name=x", "\"application_name\", which is not known"),
        ("postgres://desk@db.contoso.test/leases?host=other.host", "not a unix socket folder"),
        ("postgres://desk@db.contoso.test/leases?host=/run/postgresql", "keep one"),
        ("postgres://de%zzsk@db.contoso.test/leases", "% not followed by two hex digits"),
        ("postgres://desk@db.contoso.test/leases#x", "#fragment"),
    ] {
        let message = refused(url);
        assert!(message.contains(words), "{url}: {message}");
    }
}

#[test]
fn debug_output_holds_no_secret() {
    let a = parse("postgres://desk@db.contoso.test/leases?auth=entra");
    let debug = format!("{a:?}");
    assert!(debug.contains("desk") && debug.contains("db.contoso.test"), "{debug}");
    let given = entra_teamstore::DatabasePassword::Given(entra_core::secret::SecretString::new("s3cr3t-value"));
    let debug = format!("{given:?}");
    assert_eq!(debug, "DatabasePassword::Given([redacted])");
}
