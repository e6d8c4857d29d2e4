//! `entractl demo serve`: the JSON line, and the warning when it listens beyond this machine.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// Starts `demo serve` with `args`, returns (the JSON line, stderr up to that point) and stops it.
fn serve(args: &[&str]) -> (serde_json::Value, String) {
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_entractl"))
        .args(["demo", "serve", "--apps", "5", "--groups", "20", "--users", "50", "--state-dir"])
        .arg(state.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?} / {stderr}")), stderr)
}

#[test]
fn a_non_loopback_address_is_warned_about_and_loopback_is_not() {
    let (info, stderr) = serve(&["--addr", "127.0.0.1:0"]);
    assert!(info["authority"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(!stderr.contains("warning"), "{stderr}");

    let (_, stderr) = serve(&["--addr", "0.0.0.0:0"]);
    assert!(stderr.contains("warning") && stderr.contains("no real authentication"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn the_state_folder_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("demo-state");
    let mut child = Command::new(env!("CARGO_BIN_EXE_entractl"))
        .args(["demo", "serve", "--apps", "5", "--groups", "20", "--users", "50", "--state-dir"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::metadata(&state).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in std::fs::read_dir(&state).unwrap() {
        let entry = entry.unwrap();
        assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o077, 0, "{:?} is readable by others", entry.path());
    }
}
