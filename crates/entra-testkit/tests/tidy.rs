//! Tidy checks of the repository as a whole (like rust-analyzer's `tidy.rs`): file sizes,
//! ARCHITECTURE.md's code map against the workspace and the screens, and this crate staying a
//! dev-only dependency. The checks about the IPC boundary and the module graph are in
//! `crates/entra-ipc/tests/architecture.rs`; README's `entractl` synopsis is checked by
//! `crates/entractl/tests/readme_synopsis.rs` (it needs the built binary).

use entra_testkit::files_under_except;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The longest a source file may be, in lines.
const MAX_LINES: usize = 500;

/// Source files allowed over [`MAX_LINES`], each with the reason. Keep it short: split a long
/// file by job instead of listing it. An entry that is no longer over the limit fails the check,
/// so the list only shrinks.
const OVER_THE_LIMIT: &[(&str, &str)] = &[];

/// Folders whose files the size rule does not cover: tests, examples, benchmarks and fuzz
/// targets (long tables of cases read better whole), and what is built or installed. Hidden
/// folders (`.git`, …) are skipped too.
const NOT_SOURCE: &[&str] = &["tests", "examples", "benches", "fuzz", "target", "node_modules"];

/// Generated files, committed but never edited by hand.
const GENERATED: &[&str] = &["ui/src/lib/bindings.ts"];

/// The workspace's `.rs`, `.ts` and `.svelte` files the size rule covers, relative to the root.
fn source_files(root: &Path) -> Vec<String> {
    let skip = |dir: &Path| {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        name.starts_with('.') || NOT_SOURCE.contains(&name.as_ref())
    };
    files_under_except(root, skip)
        .into_iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .filter(|p| [".rs", ".ts", ".svelte"].iter().any(|ext| p.ends_with(ext)))
        // Colocated UI tests (`apps.test.ts`) are tests too.
        .filter(|p| !p.ends_with(".test.ts") && !GENERATED.contains(&p.as_str()))
        .collect()
}

#[test]
fn no_source_file_is_over_500_lines() {
    let root = workspace_root();
    let files = source_files(&root);
    // The walk saw each kind of source, so an empty walk cannot pass.
    for expected in ["crates/entra-core/src/lib.rs", "src-tauri/src/main.rs", "ui/src/App.svelte", "ui/src/lib/apps.ts"] {
        assert!(files.iter().any(|f| f == expected), "the size check did not see {expected}");
    }
    assert!(!files.iter().any(|f| f.contains("/tests/") || f.starts_with("tests/") || f.ends_with("bindings.ts")));
    let mut over: Vec<(usize, &str)> = files
        .iter()
        .map(|f| (read(&root.join(f)).lines().count(), f.as_str()))
        .filter(|(lines, f)| *lines > MAX_LINES && !OVER_THE_LIMIT.iter().any(|(e, _)| e == f))
        .collect();
    over.sort_by(|a, b| b.cmp(a));
    let list: String = over.iter().map(|(lines, f)| format!("\n  {f}: {lines} lines")).collect();
    assert!(
        over.is_empty(),
        "files over {MAX_LINES} lines (split them by job, see ARCHITECTURE.md; or, with a reason, list them in OVER_THE_LIMIT):{list}"
    );
    for (file, why) in OVER_THE_LIMIT {
        assert!(!why.is_empty(), "{file} is listed without a reason");
        let path = root.join(file);
        assert!(path.exists(), "{file} is listed in OVER_THE_LIMIT but does not exist: remove the entry");
        let lines = read(&path).lines().count();
        assert!(lines > MAX_LINES, "{file} is listed in OVER_THE_LIMIT but has only {lines} lines: remove the entry");
    }
}

/// The members of the workspace, as listed in the root `Cargo.toml` (`crates/entra-core`, `src-tauri`, …).
fn workspace_members(manifest: &str) -> Vec<String> {
    let list = manifest.split("\nmembers = [").nth(1).expect("a members list").split(']').next().unwrap();
    list.lines()
        .map(|l| l.split('#').next().unwrap().trim().trim_end_matches(',').trim_matches('"').to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The part of `doc` under the heading `heading` (a whole line, e.g. `## Code map`), up to the next
/// heading of the same or a higher level.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let start = doc.find(&format!("\n{heading}\n")).unwrap_or_else(|| panic!("no `{heading}` heading")) + heading.len() + 2;
    let rest = &doc[start..];
    let end = rest
        .match_indices("\n#")
        .find(|(at, _)| {
            let hashes = rest[at + 1..].chars().take_while(|c| *c == '#').count();
            hashes <= level && rest[at + 1 + hashes..].starts_with(' ')
        })
        .map_or(rest.len(), |(at, _)| at);
    &rest[..end]
}

#[test]
fn the_code_map_names_every_crate_and_every_screen() {
    let root = workspace_root();
    let members = workspace_members(&read(&root.join("Cargo.toml")));
    assert!(members.len() >= 10 && members.iter().any(|m| m == "crates/entra-testkit"), "{members:?}");
    let doc = read(&root.join("ARCHITECTURE.md"));
    let map = section(&doc, "## Code map");

    let missing: Vec<&String> = members.iter().filter(|m| !map.contains(&format!("`{m}`"))).collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map does not name the workspace members {missing:?}: give each a `### `path`` section (or a line under `tests`)");

    // Each `### `path`` section names a member, or the two parts that are not crates.
    let stale: Vec<&str> = map
        .lines()
        .filter_map(|l| l.strip_prefix("### `")?.strip_suffix('`'))
        .filter(|name| !members.iter().any(|m| m == name) && !["ui", "tests"].contains(name))
        .collect();
    assert!(stale.is_empty(), "ARCHITECTURE.md's code map has sections for {stale:?}, which are not workspace members");

    let ui = section(map, "### `ui`");
    let mut screens: Vec<String> = std::fs::read_dir(root.join("ui/src/screens"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    screens.sort();
    assert!(screens.len() >= 6, "{screens:?}");
    let unnamed: Vec<&String> = screens.iter().filter(|s| !ui.contains(&format!("`{s}/`"))).collect();
    assert!(unnamed.is_empty(), "ARCHITECTURE.md's `ui` section does not name the screens {unnamed:?} (as `name/`, one per ui/src/screens/ folder)");
}

#[test]
fn the_section_reader_stops_at_the_next_heading_of_its_level() {
    let doc = "# A\n\n## Code map\n\n### `x`\nabout x\n#### deeper\nmore\n### `y`\nabout y\n## Next\nafter\n";
    assert_eq!(section(doc, "## Code map"), "\n### `x`\nabout x\n#### deeper\nmore\n### `y`\nabout y");
    assert_eq!(section(doc, "### `x`"), "about x\n#### deeper\nmore");
    let manifest = "[workspace]\nmembers = [\n    # a comment\n    \"crates/a\",\n    \"src-tauri\", # why\n]\ndefault-members = [\"x\"]\n";
    assert_eq!(workspace_members(manifest), ["crates/a", "src-tauri"]);
}

/// The tables of a manifest that name `dependency`: `dependencies`, `dev-dependencies`, `target.'cfg(…)'.dependencies`, …
fn tables_naming(manifest: &str, dependency: &str) -> Vec<String> {
    let mut table = String::new();
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = header.to_string();
            // `[dependencies.entra-testkit]`
            if let Some((t, name)) = header.rsplit_once('.') {
                if name == dependency {
                    found.push(t.to_string());
                }
            }
        } else if line.split(['=', ' ', '.']).next() == Some(dependency) {
            found.push(table.clone());
        }
    }
    found
}

#[test]
fn the_testkit_is_only_ever_a_dev_dependency() {
    let root = workspace_root();
    let members = workspace_members(&read(&root.join("Cargo.toml")));
    let mut users = 0;
    for member in &members {
        // The end-to-end harness is itself a test crate (never built into what ships).
        if member == "crates/entra-testkit" || member == "tests/e2e" {
            continue;
        }
        for table in tables_naming(&read(&root.join(member).join("Cargo.toml")), "entra-testkit") {
            assert!(table.ends_with("dev-dependencies"), "{member} names entra-testkit in [{table}]: it may only be a dev-dependency");
            users += 1;
        }
    }
    assert!(users >= 2, "the check found the crates that use the testkit");
    assert_eq!(tables_naming("[dependencies]\nentra-testkit.workspace = true\n[dev-dependencies.entra-testkit]\npath = \"x\"", "entra-testkit"), [
        "dependencies",
        "dev-dependencies"
    ]);
}
