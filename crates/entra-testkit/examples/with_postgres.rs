//! Runs a command with a throwaway PostgreSQL cluster beside it, for the test suite's second
//! pass of the lease tests against the team store:
//!
//! ```text
//! cargo run -q -p entra-testkit --example with_postgres -- scripts/with-keyring.sh cargo test …
//! ```
//!
//! The command sees `ENTRA_TEST_TEAM_STORE` = the cluster's superuser URL over loopback; the
//! tests then make a database of their own in it for each store. The cluster is stopped and
//! removed when the command ends; the command's exit status is this program's.

use entra_testkit::postgres::Cluster;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: with_postgres COMMAND [ARGS…]");
        return ExitCode::from(2);
    };
    let cluster = match Cluster::start() {
        Ok(cluster) => cluster,
        Err(e) => {
            eprintln!("with_postgres: cannot start a PostgreSQL cluster: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!("with_postgres: a throwaway cluster on 127.0.0.1:{}", cluster.port());
    let status = Command::new(program).args(rest).env("ENTRA_TEST_TEAM_STORE", cluster.superuser_url()).status();
    drop(cluster);
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("with_postgres: cannot run {program}: {e}");
            ExitCode::from(2)
        }
    }
}
