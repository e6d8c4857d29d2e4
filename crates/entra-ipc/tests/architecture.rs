//! Architecture invariants checked as ordinary tests (like rust-analyzer's tidy).

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Names of the dependencies a manifest declares, in any dependency table.
fn dependency_names(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line.contains("dependencies");
            // `[dependencies.tauri]` style tables name the dependency in the header.
            if let Some(name) = line.trim_matches(|c| c == '[' || c == ']').split("dependencies.").nth(1) {
                names.push(name.to_string());
            }
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once('=') {
                names.push(name.trim().trim_matches('"').to_string());
            }
        }
    }
    names
}

#[test]
fn only_the_shell_depends_on_tauri() {
    let root = workspace_root();
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .expect("crates/ exists")
        .flatten()
        .map(|entry| entry.path().join("Cargo.toml"))
        .filter(|path| path.exists())
        .collect();
    manifests.push(root.join("tests/e2e/Cargo.toml"));
    assert!(manifests.len() >= 5, "found the library crates");
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap();
        let tauri: Vec<_> = dependency_names(&text).into_iter().filter(|n| n == "tauri" || n.starts_with("tauri-")).collect();
        assert!(tauri.is_empty(), "{} depends on {tauri:?}: only src-tauri may depend on Tauri", manifest.display());
    }
    let shell = std::fs::read_to_string(root.join("src-tauri/Cargo.toml")).unwrap();
    assert!(dependency_names(&shell).iter().any(|n| n == "tauri"), "the check sees the shell's own tauri dependency");
}

#[test]
fn the_webview_csp_allows_no_remote_origin() {
    let conf = std::fs::read_to_string(workspace_root().join("src-tauri/tauri.conf.json")).unwrap();
    let conf: serde_json::Value = serde_json::from_str(&conf).unwrap();
    let csp = conf["app"]["security"]["csp"].as_object().expect("a CSP is set");
    for (directive, sources) in csp {
        let sources = sources.as_str().unwrap_or_default();
        for source in sources.split_whitespace() {
            let remote = (source.starts_with("http") && source != "http://ipc.localhost") || source.starts_with("ws") || source == "*";
            assert!(!remote, "CSP {directive} allows the remote origin {source}: all network traffic belongs in Rust");
        }
    }
}

#[test]
fn every_command_is_registered_granted_and_typed() {
    let root = workspace_root();
    let build = std::fs::read_to_string(root.join("src-tauri/build.rs")).unwrap();
    let app = std::fs::read_to_string(root.join("src-tauri/src/app.rs")).unwrap();
    let capabilities = std::fs::read_to_string(root.join("src-tauri/capabilities/default.json")).unwrap();
    let ipc_ts = std::fs::read_to_string(root.join("ui/src/lib/api/ipc.ts")).unwrap();
    let list = build.split("COMMANDS: &[&str] = &[").nth(1).and_then(|s| s.split(']').next()).expect("COMMANDS in build.rs");
    let commands: Vec<&str> = list.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
    assert!(!commands.is_empty());
    for command in commands {
        assert!(app.contains(&format!("::{command},")), "{command} is not in app.rs's generate_handler!");
        let permission = format!("\"allow-{}\"", command.replace('_', "-"));
        assert!(capabilities.contains(&permission), "{command} is not granted in capabilities/default.json ({permission})");
        assert!(ipc_ts.contains(&format!("  {command}: {{")), "{command} has no typed entry in ui/src/lib/api/ipc.ts");
    }
}
