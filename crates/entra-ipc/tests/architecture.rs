//! Architecture invariants checked as ordinary tests (like rust-analyzer's tidy). The checks of
//! the repository as a whole (file sizes, ARCHITECTURE.md's code map) are in
//! `crates/entra-testkit/tests/tidy.rs`; README's `entractl` synopsis in
//! `crates/entractl/tests/readme_synopsis.rs`.

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
fn the_version_lives_only_in_the_workspace_manifest() {
    let root = workspace_root();
    // tauri.conf.json's `version` would override the crate's for the app and the packages; the UI's package.json
    // is never shipped, and a version there would only drift (the UI shows the one the shell reports).
    for file in ["src-tauri/tauri.conf.json", "ui/package.json"] {
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        assert!(json.get("version").is_none(), "{file} has a version of its own: the only one is [workspace.package] in Cargo.toml");
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let version = manifest
        .split("[workspace.package]")
        .nth(1)
        .and_then(|section| section.lines().find_map(|l| l.trim().strip_prefix("version = ")))
        .expect("[workspace.package] sets a version")
        .trim_matches('"');
    for shipped in ["src-tauri/Cargo.toml", "crates/entractl/Cargo.toml"] {
        let crate_manifest = std::fs::read_to_string(root.join(shipped)).unwrap();
        assert!(crate_manifest.contains("version.workspace = true"), "{shipped} inherits the workspace's version");
    }
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.contains("## [Unreleased]") || changelog.contains(&format!("## [{version}]")),
        "CHANGELOG.md has an [Unreleased] or a [{version}] section"
    );
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

/// The modules of a crate's `src/`, by path (`""` for lib.rs, `config::resolve` for src/config/resolve.rs), with their text
/// (test modules and comments cut off: they are not part of the module graph).
fn modules_of(src: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in entra_testkit::files_under(src) {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
            parts.pop();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        out.push((parts.join("::"), code));
    }
    out
}

/// The modules `code` (in module `module`) refers to through `crate::` or `super::` paths, resolved to the longest
/// known module; names re-exported at the crate root resolve to the module they come from.
fn imports_of(module: &str, code: &str, known: &[String], reexports: &std::collections::HashMap<String, String>) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    let resolve = |path: &str| -> Option<String> {
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        for n in (1..=segments.len()).rev() {
            let candidate = segments[..n].join("::");
            if known.contains(&candidate) {
                return Some(candidate);
            }
        }
        segments.first().and_then(|first| reexports.get(*first).cloned())
    };
    let parent = module.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    for (prefix, base) in [("crate::", ""), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let full = if base.is_empty() { path.clone() } else { format!("{base}::{path}") };
            let mut targets = vec![full.clone()];
            // `crate::{a, b::c}` and `crate::x::{y, z}`: every item of the brace list.
            if rest[path.len()..].starts_with('{') {
                let list = rest[path.len() + 1..].split('}').next().unwrap_or_default();
                targets = list.split(',').map(|item| format!("{full}{}", item.trim().split(" as ").next().unwrap_or_default())).collect();
            }
            for target in targets {
                if let Some(m) = resolve(&target) {
                    if m != module {
                        found.insert(m);
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let root = workspace_root();
    let mut checked = 0;
    let mut cycles = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        let modules = modules_of(&src);
        let known: Vec<String> = modules.iter().map(|(m, _)| m.clone()).collect();
        // `pub use desk::{Desk, DeskOptions};` at the root: `crate::Desk` belongs to `desk`.
        let mut reexports = std::collections::HashMap::new();
        if let Some((_, lib)) = modules.iter().find(|(m, _)| m.is_empty()) {
            for line in lib.lines().filter(|l| l.starts_with("pub use ")) {
                let body = line.trim_start_matches("pub use ").trim_end_matches(';');
                let (path, names) = match body.split_once("::{") {
                    Some((path, names)) => (path, names.trim_end_matches('}').split(',').map(|n| n.trim().to_string()).collect::<Vec<_>>()),
                    None => (body.rsplit_once("::").map(|(p, _)| p).unwrap_or(body), vec![body.rsplit("::").next().unwrap_or(body).to_string()]),
                };
                for name in names {
                    let name = name.split(" as ").last().unwrap_or_default().trim().to_string();
                    let target = path.split("::").take_while(|s| known.iter().any(|k| k == s || k.starts_with(&format!("{s}::")))).collect::<Vec<_>>().join("::");
                    if !target.is_empty() {
                        reexports.insert(name, target);
                    }
                }
            }
        }
        let graph: std::collections::HashMap<&str, std::collections::BTreeSet<String>> =
            modules.iter().map(|(m, code)| (m.as_str(), imports_of(m, code, &known, &reexports))).collect();
        for (a, targets) in &graph {
            for b in targets {
                let back = graph.get(b.as_str()).is_some_and(|t| t.contains(*a));
                let nested = a.is_empty() || b.starts_with(&format!("{a}::")) || a.starts_with(&format!("{b}::"));
                if back && !nested && a < &b.as_str() {
                    cycles.push(format!("{}: `{a}` ↔ `{b}`", entry.file_name().to_string_lossy()));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 6, "the check saw the crates");
    cycles.sort();
    assert!(cycles.is_empty(), "modules that import each other (move what both need into a third module):\n{}", cycles.join("\n"));
}

#[test]
fn the_import_reader_sees_crate_super_and_brace_lists() {
    let known = vec!["config".to_string(), "config::store".to_string(), "keychain".to_string(), "desk".to_string()];
    let reexports = std::collections::HashMap::from([("Desk".to_string(), "desk".to_string())]);
    let code = "use crate::{keychain::AsyncKeychain, Desk};\nuse super::store::SettingsStore;";
    let found = imports_of("config::resolve", code, &known, &reexports);
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["config::store", "desk", "keychain"]);
}
