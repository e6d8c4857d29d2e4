//! README.md's `entractl` synopsis is generated from the built binary's own help, so it cannot
//! drift from the clap definitions: the test runs `entractl <command> -h` for every command,
//! recursively, and builds one usage line per command (required arguments as clap prints them,
//! then every optional flag, a flag's possible values spelled out). The block between
//! `<!-- entractl-synopsis:start -->` and `<!-- entractl-synopsis:end -->` in README.md must
//! equal it; `UPDATE_README=1 cargo test -p entractl --test readme_synopsis` rewrites the block.
//!
//! Options under a help heading of their own (`#[command(next_help_heading = "…")]`) are
//! written once, under that heading's name, and referred to as `[<heading>]` in each line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const START: &str = "<!-- entractl-synopsis:start -->";
const END: &str = "<!-- entractl-synopsis:end -->";
/// The widest a synopsis line may be (README's code blocks are read in a browser and a terminal).
const WIDTH: usize = 116;

/// One flag or argument of a command's help.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// As help prints it: `--ttl <DURATION>`, `-f, --file <FILE>`, `<USER_ID>`.
    spec: String,
    /// `[possible values: a, b]`, if any.
    values: Vec<String>,
}

impl Entry {
    /// The long flag (`--ttl`), or the spec of a positional argument.
    fn name(&self) -> &str {
        self.spec.split_whitespace().find(|t| t.starts_with("--")).map_or(self.spec.as_str(), |t| t.trim_end_matches(','))
    }

    /// The spec with `, ` between a short and a long flag as `|`, and its value placeholder
    /// replaced by the possible values: `--format table|json`.
    fn synopsis(&self) -> String {
        let spec = self.spec.replace(", ", "|");
        if self.values.is_empty() {
            return spec;
        }
        let values = self.values.join("|");
        match spec.find('<') {
            Some(at) => format!("{}{values}", &spec[..at]),
            None => values,
        }
    }
}

/// What one `-h` output says.
#[derive(Debug, Default, PartialEq, Eq)]
struct Help {
    /// The usage after the command's own path: `[OPTIONS] --kind <KIND> <NAME>`.
    usage: String,
    /// Subcommands (without `help`).
    commands: Vec<String>,
    /// Entries by section title (`Options`, `Arguments`, or a heading of the program's own).
    sections: Vec<(String, Vec<Entry>)>,
}

fn possible_values(text: &str) -> Vec<String> {
    text.split("[possible values: ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|list| list.split(',').map(|v| v.trim().to_string()).collect())
        .unwrap_or_default()
}

/// Parses clap's help for the command `path` (e.g. `entractl lease issue`).
fn parse_help(path: &str, text: &str) -> Help {
    let mut help = Help::default();
    let mut section = String::new();
    // The entry being read and its description so far.
    let mut current: Option<(String, String)> = None;
    let close = |section: &str, current: &mut Option<(String, String)>, help: &mut Help| {
        if let Some((spec, description)) = current.take() {
            let entry = Entry { spec, values: possible_values(&description) };
            match help.sections.iter_mut().find(|(title, _)| title == section) {
                Some((_, entries)) => entries.push(entry),
                None => help.sections.push((section.to_string(), vec![entry])),
            }
        }
    };
    for line in text.lines() {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            help.usage = usage.strip_prefix(path).unwrap_or_else(|| panic!("the usage `{usage}` names `{path}`")).trim().to_string();
            continue;
        }
        if !line.starts_with(' ') && line.ends_with(':') {
            close(&section, &mut current, &mut help);
            section = line.trim_end_matches(':').to_string();
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if section == "Commands" {
            if indent == 2 {
                let name = trimmed.split_whitespace().next().unwrap_or_default();
                if name != "help" {
                    help.commands.push(name.to_string());
                }
            }
            continue;
        }
        if section.is_empty() || trimmed.is_empty() {
            continue;
        }
        let starts_entry = indent <= 6 && (trimmed.starts_with('-') || trimmed.starts_with('<') || trimmed.starts_with('['));
        if starts_entry {
            close(&section, &mut current, &mut help);
            let (spec, description) = trimmed.split_once("  ").unwrap_or((trimmed, ""));
            current = Some((spec.trim().to_string(), description.trim().to_string()));
        } else if let Some((_, description)) = current.as_mut() {
            description.push(' ');
            description.push_str(trimmed);
        }
    }
    close(&section, &mut current, &mut help);
    help
}

/// Splits a usage into its words, keeping `[…]` groups and `--flag <VALUE>` pairs whole.
fn usage_words(usage: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut depth = 0i32;
    let mut word = String::new();
    for c in usage.chars() {
        match c {
            '[' | '<' => depth += 1,
            ']' | '>' => depth -= 1,
            _ => {}
        }
        if c == ' ' && depth == 0 {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    // `--kind <KIND>` is one word.
    let mut joined: Vec<String> = Vec::new();
    for w in words {
        match joined.last_mut() {
            Some(last) if last.starts_with('-') && !last.contains(' ') && w.starts_with('<') => {
                last.push(' ');
                last.push_str(&w);
            }
            _ => joined.push(w),
        }
    }
    joined
}

/// The synopsis of `path`'s help: one line per command (wrapped), and the options under headings of
/// the program's own, collected into `groups`.
fn command_line(path: &str, help: &Help, groups: &mut BTreeMap<String, Vec<String>>) -> String {
    let all: Vec<&Entry> = help.sections.iter().flat_map(|(_, e)| e).collect();
    let mut words: Vec<String> = path.split(' ').map(str::to_string).collect();
    let command_words = words.len();
    for word in usage_words(&help.usage) {
        if word == "[OPTIONS]" {
            continue;
        }
        // A required flag or argument with possible values: spell them out.
        let entry = all.iter().find(|e| e.spec == word || word.starts_with(&format!("{} ", e.name())));
        words.push(entry.filter(|e| !e.values.is_empty()).map_or(word.clone(), |e| e.synopsis()));
    }
    let in_usage = |e: &Entry| help.usage.split_whitespace().any(|w| w == e.name());
    for (title, entries) in &help.sections {
        let optional: Vec<String> = entries
            .iter()
            .filter(|e| e.name().starts_with("--") && !["--help", "--version"].contains(&e.name()) && !in_usage(e))
            .map(|e| format!("[{}]", e.synopsis()))
            .collect();
        if optional.is_empty() || title == "Arguments" {
            continue;
        }
        if title == "Options" {
            words.extend(optional);
        } else {
            words.push(format!("[{title}]"));
            let group = groups.entry(title.clone()).or_default();
            for o in optional {
                if !group.contains(&o) {
                    group.push(o);
                }
            }
        }
    }
    wrap(&words, command_words)
}

/// Joins `words` into lines of at most [`WIDTH`] characters; continuation lines are indented to the
/// first word after the command's path (or 4 when that is far in).
fn wrap(words: &[String], command_words: usize) -> String {
    let head = words[..command_words.min(words.len())].join(" ");
    let indent = if head.len() < 40 { head.len() + 1 } else { 4 };
    let mut out = head;
    let mut line_len = out.len();
    for word in &words[command_words.min(words.len())..] {
        if line_len + 1 + word.len() > WIDTH && line_len > indent {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push_str(word);
            line_len = indent + word.len();
        } else {
            out.push(' ');
            out.push_str(word);
            line_len += 1 + word.len();
        }
    }
    out
}

fn help_of(path: &str) -> String {
    let args: Vec<&str> = path.split(' ').skip(1).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_entractl")).args(&args).arg("-h").env("NO_COLOR", "1").output().unwrap();
    assert!(out.status.success(), "`{path} -h` failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The whole synopsis block, markers included, from the binary's help.
fn synopsis() -> String {
    let mut lines = Vec::new();
    let mut groups = BTreeMap::new();
    let mut pending = vec!["entractl".to_string()];
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        let help = parse_help(&path, &help_of(&path));
        seen += 1;
        let own_options = help.sections.iter().flat_map(|(_, e)| e).any(|e| !["--help", "--version"].contains(&e.name()));
        if help.commands.is_empty() || own_options {
            lines.push(command_line(&path, &help, &mut groups));
        }
        // Depth first, in the order help lists them.
        pending.extend(help.commands.iter().rev().map(|c| format!("{path} {c}")));
    }
    assert!(seen >= 20, "the walk saw the commands ({seen})");
    let mut block = format!("{START}\n```sh\n{}\n", lines.join("\n"));
    for (title, options) in groups {
        block.push_str(&format!("\n{}\n", wrap(&[vec![format!("[{title}]:")], options].concat(), 1)));
    }
    block.push_str(&format!("```\n{END}"));
    block
}

fn readme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")
}

#[test]
fn the_readme_synopsis_matches_entractl_help() {
    let expected = synopsis();
    let text = std::fs::read_to_string(readme()).unwrap();
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        panic!("README.md has no `{START}` … `{END}` block: add the two markers, then run UPDATE_README=1 cargo test -p entractl --test readme_synopsis");
    };
    let current = &text[start..end + END.len()];
    if std::env::var_os("UPDATE_README").is_some_and(|v| v == "1") {
        if current != expected {
            std::fs::write(readme(), format!("{}{expected}{}", &text[..start], &text[end + END.len()..])).unwrap();
        }
        return;
    }
    let drift: Vec<String> = current
        .lines()
        .zip(expected.lines())
        .filter(|(a, b)| a != b)
        .take(3)
        .map(|(a, b)| format!("README:  {a}\nhelp:    {b}"))
        .chain((current.lines().count() != expected.lines().count()).then(|| "(and the number of lines differs)".to_string()))
        .collect();
    assert!(
        current == expected,
        "README.md's entractl synopsis differs from `entractl --help`; rewrite it with UPDATE_README=1 cargo test -p entractl --test readme_synopsis\n{}",
        drift.join("\n")
    );
}

#[test]
fn the_help_reader_reads_both_of_clap_layouts() {
    let short = "Issue a lease\n\nUsage: entractl lease issue [OPTIONS] --kind <KIND> <DEFINITION>\n\nArguments:\n  <DEFINITION>  The definition's name\n\n\
                 Options:\n      --kind <KIND>      What [possible values: app-secret, user-password]\n      --wait             Wait\n  \
                 -f, --format <FORMAT>  [default: table] [possible values: table, json]\n  -h, --help             Print help\n\n\
                 Sign-in options:\n      --account <ID>  Account ID\n";
    let help = parse_help("entractl lease issue", short);
    assert_eq!(help.usage, "[OPTIONS] --kind <KIND> <DEFINITION>");
    let mut groups = BTreeMap::new();
    let line = command_line("entractl lease issue", &help, &mut groups);
    assert_eq!(
        line,
        "entractl lease issue --kind app-secret|user-password <DEFINITION> [--wait] [-f|--format table|json]\n                     [Sign-in options]"
    );
    assert_eq!(groups["Sign-in options"], ["[--account <ID>]"]);

    // The layout clap switches to when a line would be too long: descriptions on the next lines.
    let long = "Usage: entractl groups sync [OPTIONS]\n\nCommands:\n  run   Run\n  help  Print this message\n\nOptions:\n      \
                --scopes <SCOPE>...\n          Scopes to request\n          [possible values: a, b]\n      --full\n          Read everything again\n";
    let help = parse_help("entractl groups sync", long);
    assert_eq!(help.commands, ["run"]);
    assert_eq!(help.sections[0].1, [Entry { spec: "--scopes <SCOPE>...".into(), values: vec!["a".into(), "b".into()] }, Entry { spec: "--full".into(), values: vec![] }]);
    let words: Vec<String> = (0..30).map(|i| format!("[--flag-{i}]")).collect();
    let wrapped = wrap(&[vec!["entractl".to_string(), "x".to_string()], words].concat(), 2);
    let indent = " ".repeat("entractl x ".len());
    assert!(wrapped.lines().count() > 1, "{wrapped}");
    assert!(wrapped.lines().all(|l| l.len() <= WIDTH) && wrapped.lines().skip(1).all(|l| l.starts_with(&format!("{indent}["))), "{wrapped}");
}
