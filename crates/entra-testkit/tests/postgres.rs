//! The throwaway PostgreSQL cluster: it starts (and how long that takes), runs SQL, signs a role
//! in with its password and only with it, keeps its data over a stop, takes the caller's settings,
//! and leaves nothing behind, neither server nor folder.
#![cfg(unix)]

use entra_testkit::postgres::Cluster;
use std::process::Command;
use std::time::Instant;

/// A cluster, or a failure that says how to install PostgreSQL: never a skip, since
/// `scripts/setup.sh --for-tests` installs it and a skipped test would pass having checked nothing.
fn start_with(conf: &[&str], hba: &[&str]) -> Cluster {
    assert!(
        Cluster::available(),
        "PostgreSQL's server programs are not installed: run scripts/setup.sh --for-tests (Debian's postgresql package)"
    );
    Cluster::start_with(conf, hba).unwrap_or_else(|e| panic!("the cluster did not start: {e}"))
}

/// Signs `role` in to `database` over 127.0.0.1 with `password`, as a client would (psql as the
/// current user, `PGPASSWORD`, never prompting): `current_user`, or psql's error.
fn sign_in(cluster: &Cluster, role: &str, password: &str, database: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args(["-X", "-At", "-w", "-h", "127.0.0.1", "-p", &cluster.port().to_string(), "-U", role, "-d", database])
        .args(["-c", "select current_user"])
        .env("PGPASSWORD", password)
        .env_remove("PGPASSFILE")
        .output()
        .expect("psql runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn count(cluster: &Cluster) -> Result<String, String> {
    cluster.sql_in("leases", "select count(*) from lease")
}

#[test]
fn a_cluster_starts_signs_in_by_password_keeps_its_data_and_leaves_nothing_behind() {
    let started = Instant::now();
    let cluster = start_with(&[], &[]);
    println!("Cluster::start took {:?}", started.elapsed());

    assert_eq!(cluster.sql("select 1").unwrap(), "1");
    assert_eq!(cluster.sql("show fsync; show max_connections").unwrap(), "off\n200");
    assert_eq!(cluster.superuser_url(), format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port()));
    let socket = cluster.socket_dir().join(format!(".s.PGSQL.{}", cluster.port()));
    assert!(socket.exists(), "{} exists", socket.display());
    assert!(cluster.dir().to_string_lossy().len() < 60, "a short path: {}", cluster.dir().display());
    // A failing statement is an error, and stops the script there.
    let e = cluster.sql("select 1; select nonsense; select 2").unwrap_err();
    assert!(e.contains("nonsense"), "{e}");

    // The superuser needs no password over TCP.
    assert_eq!(sign_in(&cluster, "postgres", "", "postgres").unwrap(), "postgres");

    // A role signs in with its password (a quote and a backslash in it), and only with it.
    let password = r"it's a \secret";
    cluster.create_database("leases").unwrap();
    cluster.create_role("lease_user", password).unwrap();
    assert_eq!(sign_in(&cluster, "lease_user", password, "leases").unwrap(), "lease_user");
    let wrong = sign_in(&cluster, "lease_user", "it's a \\secreT", "leases").unwrap_err();
    assert!(wrong.contains("password authentication failed for user \"lease_user\""), "{wrong}");
    assert!(sign_in(&cluster, "lease_user", "", "leases").is_err());
    // An error creating a role never holds its password.
    let e = cluster.create_role("lease_user", password).unwrap_err();
    assert!(e.contains("already exists") && !e.contains("secret"), "{e}");
    let e = cluster.create_role("pg_reserved", password).unwrap_err();
    assert!(e.contains("reserved") && !e.contains("secret"), "{e}");

    // The rows outlive a stop, and nothing answers while stopped.
    cluster
        .sql_in("leases", "create table lease (id int primary key); insert into lease select generate_series(1, 3)")
        .unwrap();
    cluster.stop().unwrap();
    assert!(count(&cluster).is_err(), "the server is stopped");
    cluster.start_again().unwrap();
    assert_eq!(count(&cluster).unwrap(), "3");
    cluster.restart().unwrap();
    assert_eq!(count(&cluster).unwrap(), "3");

    // The drop stops the server and removes the folder.
    let (dir, port) = (cluster.dir().to_path_buf(), cluster.port());
    assert!(dir.join("data/PG_VERSION").is_file());
    drop(cluster);
    assert!(!dir.exists(), "{} was removed", dir.display());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the server is stopped");
}

#[test]
fn the_callers_settings_and_rules_come_first_and_files_can_be_added() {
    // The caller's rule rejects a role the harness's rules would let in with its password.
    let cluster = start_with(&["work_mem = '8MB'"], &["host all blocked 127.0.0.1/32 reject"]);
    assert_eq!(cluster.sql("show work_mem").unwrap(), "8MB");
    cluster.create_role("blocked", "pw").unwrap();
    cluster.create_role("allowed", "pw").unwrap();
    assert_eq!(sign_in(&cluster, "allowed", "pw", "postgres").unwrap(), "allowed");
    let e = sign_in(&cluster, "blocked", "pw", "postgres").unwrap_err();
    assert!(e.contains("rejects connection"), "{e}");

    // A file written for the server is the server's to read (root's files are not, as root).
    let path = cluster.write_file("note.txt", b"for the server").unwrap();
    let read = format!("select pg_read_file('{}')", path.display());
    assert_eq!(cluster.sql(&read).unwrap(), "for the server");
    assert!(cluster.write_file("../escape", b"").is_err());

    // Settings and rules added later take effect, the new rules first.
    cluster.configure(&["work_mem = '16MB'"], &["host all allowed 127.0.0.1/32 reject"]).unwrap();
    assert_eq!(cluster.sql("show work_mem").unwrap(), "16MB");
    assert!(sign_in(&cluster, "allowed", "pw", "postgres").unwrap_err().contains("rejects connection"));
}

#[test]
fn a_server_that_does_not_start_says_why_and_leaves_nothing_behind() {
    assert!(Cluster::available(), "PostgreSQL's server programs are not installed: run scripts/setup.sh --for-tests");
    let e = Cluster::start_with(&["no_such_setting = 1"], &[]).unwrap_err();
    assert!(e.contains("unrecognized configuration parameter \"no_such_setting\""), "the server's log is quoted: {e}");
    let log = e.split_whitespace().find(|w| w.ends_with("/server.log")).unwrap_or_else(|| panic!("names its log: {e}"));
    let dir = std::path::Path::new(log).parent().unwrap();
    assert!(dir.to_string_lossy().contains("entra-pg-") && !dir.exists(), "{} was removed", dir.display());
}
