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

/// The parameter names of `fn name(...)` in `source`, without the ones Tauri injects (state, app handle, window).
fn command_params(source: &str, name: &str) -> Option<Vec<String>> {
    let start = [format!("pub async fn {name}("), format!("pub fn {name}(")].iter().find_map(|sig| source.find(sig.as_str()).map(|at| at + sig.len()))?;
    let mut depth = 1;
    let mut end = start;
    for (offset, c) in source[start..].char_indices() {
        match c {
            '(' | '<' => depth += 1,
            ')' | '>' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            end = start + offset;
            break;
        }
    }
    let mut params = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for c in source[start..end].chars() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                params.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    params.push(current);
    let injected = ["State<", "AppHandle", "Window", "WebviewWindow"];
    Some(
        params
            .iter()
            .filter_map(|p| p.split_once(':'))
            .filter(|(_, ty)| !injected.iter().any(|i| ty.trim().starts_with(i)))
            .map(|(n, _)| n.trim().to_string())
            .collect(),
    )
}

#[test]
fn every_command_is_declared_registered_granted_and_takes_its_declared_arguments() {
    let root = workspace_root();
    let build = std::fs::read_to_string(root.join("src-tauri/build.rs")).unwrap();
    let app = std::fs::read_to_string(root.join("src-tauri/src/app.rs")).unwrap();
    let capabilities = std::fs::read_to_string(root.join("src-tauri/capabilities/default.json")).unwrap();
    let list = build.split("COMMANDS: &[&str] = &[").nth(1).and_then(|s| s.split(']').next()).expect("COMMANDS in build.rs");
    let mut registered: Vec<&str> = list.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
    let mut declared = entra_ipc::commands::NAMES.to_vec();
    registered.sort();
    declared.sort();
    assert_eq!(registered, declared, "build.rs's COMMANDS must be exactly the commands declared in entra_ipc::commands");
    for command in entra_ipc::commands::all(&ts_rs::Config::default()) {
        let name = command.name;
        assert!(app.contains(&format!("commands::{}::{name},", command.group)), "{name} is not in app.rs's generate_handler! as commands::{}::{name}", command.group);
        let permission = format!("\"allow-{}\"", name.replace('_', "-"));
        assert!(capabilities.contains(&permission), "{name} is not granted in capabilities/default.json ({permission})");
        let file = root.join(format!("src-tauri/src/commands/{}.rs", command.group));
        let source = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{} exists for the {} screen", file.display(), command.group));
        let params = command_params(&source, name).unwrap_or_else(|| panic!("{name} is not defined in {}", file.display()));
        let expected: Vec<String> = command.args.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(params, expected, "{name} in {} takes other arguments than entra_ipc::commands declares", file.display());
    }
}

#[test]
fn the_ui_uses_the_generated_command_map() {
    let ipc_ts = std::fs::read_to_string(workspace_root().join("ui/src/lib/api/ipc.ts")).unwrap();
    assert!(!ipc_ts.contains("interface Commands"), "ui/src/lib/api/ipc.ts must import Commands from the generated bindings, not declare its own");
    assert!(ipc_ts.contains("Commands") && ipc_ts.contains("../bindings"), "ipc.ts types `call` with the generated Commands map");
}

#[test]
fn the_argument_reader_sees_what_the_shell_declares() {
    let source = "pub async fn sign_in(\n    app: AppHandle,\n    state: State<'_, AppState>,\n    target: SignInTarget,\n    on_progress: Channel<SignInProgress>,\n) -> Result<X, IpcError> {";
    assert_eq!(command_params(source, "sign_in").unwrap(), ["target", "on_progress"]);
    assert_eq!(command_params("pub fn cancel_sign_in(state: State<'_, AppState>) -> bool {", "cancel_sign_in").unwrap(), Vec::<String>::new());
    assert!(command_params("pub fn other() {}", "missing").is_none());
}
