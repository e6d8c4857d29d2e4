//! `entractl` where there is no OS keychain at all (a CI runner, a container: no D-Bus session,
//! so no Secret Service): app-only sign-in with the secret in ENTRA_CLIENT_SECRET uses it for
//! the command and never needs the keychain, for `expiry`, `groups sync` and `lease`; only
//! `login --app-only`, whose secret must outlive the process, needs it, and says so.
//!
//! The tests run under scripts/with-keyring.sh, which gives them a D-Bus session: each child
//! here is started without it (the variable removed, then pointed at nothing to be sure).

mod common;

use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY", "ENTRA_METADATA_ADDRESS", "ENTRA_ISSUER", "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_CONNECTION_STRING", "ENTRA_CLIENT_SECRET", "ENTRA_DESK_FAULT",
    "ENTRA_LEASE_CLIENT_SECRET",
];

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `entractl ARGS --authority … --client-id …` with ENTRA_CLIENT_SECRET and no D-Bus session.
async fn without_dbus(cli: &common::Cli, args: &[&str]) -> Run {
    let info = cli.tenant.info();
    let ca = info.ca_cert.as_ref().unwrap().to_string_lossy().into_owned();
    let sign_in = ["--authority", &info.authority, "--graph-url", &info.graph, "--client-id", &info.confidential_client.client_id, "--ca-cert", &ca];
    let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
    for var in CONFIG_VARS {
        c.env_remove(var);
    }
    c.env_remove("DBUS_SESSION_BUS_ADDRESS").env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/entra-desk-test-bus");
    c.env("ENTRA_DESK_DATA_DIR", cli.dir.path()).env("ENTRA_CLIENT_SECRET", &info.confidential_client.client_secret);
    c.args(args).args(sign_in).stdin(Stdio::null()).kill_on_drop(true);
    let out = c.output().await.unwrap();
    Run { code: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

#[track_caller]
fn no_keychain_error(what: &str, run: &Run, codes: &[i32]) {
    assert!(run.code.is_some_and(|c| codes.contains(&c)), "{what}: exit {:?}\nstdout: {}\nstderr: {}", run.code, run.stdout, run.stderr);
    assert!(!run.stderr.contains("error[keychain]"), "{what} needed the keychain: {}", run.stderr);
}

#[tokio::test]
async fn app_only_commands_sign_in_from_the_environment_without_a_keychain() {
    let cli = common::start(411, Duration::ZERO).await;
    let secret = cli.tenant.info().confidential_client.client_secret.clone();

    // The gate: 0 when nothing is due, 1 when something is (the demo tenant has both).
    let expiry = without_dbus(&cli, &["expiry", "--fail-on-expiring", "--within", "30d"]).await;
    no_keychain_error("expiry --fail-on-expiring", &expiry, &[0, 1]);
    assert!(serde_json::from_str::<serde_json::Value>(&expiry.stdout).is_ok_and(|v| v.is_array()), "{}", expiry.stdout);
    // Storing the secret for later is best effort: a warning that says what it means.
    assert!(expiry.stderr.contains("WARN") && expiry.stderr.contains("used by this command only"), "{}", expiry.stderr);

    let sync = without_dbus(&cli, &["groups", "sync"]).await;
    no_keychain_error("groups sync", &sync, &[0]);

    let target = cli.target();
    let define = without_dbus(&cli, &["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"]).await;
    no_keychain_error("lease define", &define, &[0]);
    let issue = without_dbus(&cli, &["lease", "issue", "ci", "--format", "json"]).await;
    no_keychain_error("lease issue", &issue, &[0]);
    let issued: serde_json::Value = serde_json::from_str(&issue.stdout).unwrap();
    assert_eq!(issued["lease"]["status"], "active", "{issued}");
    assert!(issued["secret"].as_str().is_some_and(|s| !s.is_empty()), "{issued}");

    // The secret given in the environment was written nowhere: not in the data folder, not on stderr.
    for run in [&expiry, &sync, &define, &issue] {
        assert!(!run.stderr.contains(&secret) && !run.stdout.contains(&secret), "the client secret was printed");
    }
    entra_testkit::assert_nothing_secret_under(cli.dir.path(), &[entra_testkit::Needle::new("the client secret", &secret)]);
    cli.tenant.shutdown().await;
}

/// A pipeline whose connection string carries the secret (`ClientSecret=`), no ENTRA_CLIENT_SECRET
/// and no --client-id: signed in app-only for this command, no keychain needed.
#[tokio::test]
async fn a_connection_strings_secret_signs_in_app_only_without_a_keychain() {
    let cli = common::start(413, Duration::ZERO).await;
    let info = cli.tenant.info();
    let ca = info.ca_cert.as_ref().unwrap().to_string_lossy().into_owned();
    let secret = info.confidential_client.client_secret.clone();
    let connection = format!("ClientId={};ClientSecret=\"{secret}\"", info.confidential_client.client_id);
    let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
    for var in CONFIG_VARS {
        c.env_remove(var);
    }
    c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/entra-desk-test-bus").env("ENTRA_DESK_DATA_DIR", cli.dir.path());
    c.env("ENTRA_CONNECTION_STRING", &connection);
    c.args(["expiry", "--fail-on-expiring", "--within", "30d", "--authority", &info.authority, "--graph-url", &info.graph, "--ca-cert", &ca]);
    let out = c.stdin(Stdio::null()).kill_on_drop(true).output().await.unwrap();
    let run = Run { code: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() };
    no_keychain_error("expiry with the secret in ENTRA_CONNECTION_STRING", &run, &[0, 1]);
    assert!(serde_json::from_str::<serde_json::Value>(&run.stdout).is_ok_and(|v| v.is_array()), "{}", run.stdout);
    assert!(!run.stderr.contains(&secret) && !run.stdout.contains(&secret), "the client secret was printed");
    entra_testkit::assert_nothing_secret_under(cli.dir.path(), &[entra_testkit::Needle::new("the client secret", &secret)]);
    cli.tenant.shutdown().await;
}

#[tokio::test]
async fn login_app_only_must_keep_the_secret_and_says_so_when_the_keychain_cannot() {
    let cli = common::start(412, Duration::ZERO).await;
    let login = without_dbus(&cli, &["login", "--app-only"]).await;
    assert_ne!(login.code, Some(0), "login must keep the secret for later sessions: {}", login.stdout);
    assert!(login.stderr.contains("error[keychain]"), "{}", login.stderr);
    assert!(login.stderr.contains("must be kept for later sessions"), "{}", login.stderr);
    cli.tenant.shutdown().await;
}

/// A keychain that is there but locked, and no display for its unlock prompt (a runner whose
/// login keyring was never unlocked, or whose daemon was restarted). gnome-keyring's prompter
/// cannot start: the first unlock is dismissed, and the ones asked meanwhile are never answered
/// (dbus-secret-service waits a year for them). Three commands at once, as a pipeline's steps or
/// the lease daemons run: each gives up within seconds and says how to unlock it.
#[tokio::test]
async fn a_locked_keychain_with_no_display_is_an_error_within_seconds_not_a_hang() {
    let cli = common::start(414, Duration::ZERO).await;
    let info = cli.tenant.info();
    let ca = info.ca_cert.as_ref().unwrap().to_string_lossy().into_owned();
    let secret = info.confidential_client.client_secret.clone();
    // A keyring session of its own (not the one the other tests share), locked before entractl runs.
    let mut c = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/with-keyring.sh"));
    for var in CONFIG_VARS.iter().chain(&["ENTRA_KEYRING_INNER", "DISPLAY", "WAYLAND_DISPLAY"]) {
        c.env_remove(var);
    }
    c.env("ENTRA_CLIENT_SECRET", &secret).env("DATA", cli.dir.path());
    c.args([
        "bash",
        "-c",
        "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
         org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login > /dev/null || exit 99
         for i in 1 2 3; do ENTRA_DESK_DATA_DIR=\"$DATA/$i\" \"$@\" 2> \"$DATA/$i.err\" & done
         for p in $(jobs -p); do wait \"$p\"; echo \"exit $?\" >&2; done
         cat \"$DATA\"/*.err >&2",
        "locked-keychain",
        env!("CARGO_BIN_EXE_entractl"),
        "login",
        "--app-only",
        "--authority",
        &info.authority,
        "--graph-url",
        &info.graph,
        "--client-id",
        &info.confidential_client.client_id,
        "--ca-cert",
        &ca,
    ]);
    c.stdin(Stdio::null()).kill_on_drop(true);
    let started = std::time::Instant::now();
    let out = tokio::time::timeout(Duration::from_secs(120), c.output())
        .await
        .expect("entractl waited on the locked keychain instead of giving up")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    let exits: Vec<&str> = stderr.lines().filter_map(|l| l.strip_prefix("exit ")).collect();
    assert!(exits.len() == 3 && exits.iter().all(|e| *e != "0"), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error[keychain]")).collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    for e in errors {
        assert!(e.contains("unlock"), "{e}");
        // The ones left waiting: given up, and why.
        assert!(!e.contains("did not answer") || e.contains("within 10 s") && e.contains("cannot show without a display"), "{e}");
    }
    assert!(!stderr.contains(&secret) && !String::from_utf8_lossy(&out.stdout).contains(&secret), "the client secret was printed");
    cli.tenant.shutdown().await;
}
