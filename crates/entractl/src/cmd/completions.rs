//! `entractl completions <SHELL>` and `entractl man`: shell completions and
//! man pages generated from the clap definitions themselves (`clap_complete`,
//! `clap_mangen`), so they never drift from the real options. They exist for
//! packagers (`scripts/package.sh` ships their output in the .deb and .rpm), not
//! for day-to-day use, so they are kept out of the main command tree: `main`
//! hands them the tree ([`run_if_asked`]) before parsing, and neither `--help`,
//! the completions nor the man pages mention them.
//!
//! - `entractl completions bash|zsh|fish|elvish|powershell` prints the script on stdout.
//! - `entractl man` prints the roff source of `entractl(1)` on stdout;
//!   `entractl man --out-dir DIR` writes one page per visible command
//!   (`entractl.1`, `entractl-login.1`, `entractl-jwt-inspect.1`, …) into DIR
//!   and prints their paths.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The packagers' commands, parsed on their own.
#[derive(Debug, clap::Parser)]
#[command(name = "entractl", about = "entractl's packaging helpers")]
enum Packaging {
    /// Print shell completions generated from entractl's command-line definitions.
    Completions(CompletionsArgs),
    /// Print entractl(1), or write one page per command with --out-dir.
    Man(ManArgs),
}

/// When the process was started as `entractl completions …` or `entractl man …`, runs that
/// over the command tree `cli` builds and returns the exit code; otherwise `None`, and `main`
/// goes on with its own parsing.
pub fn run_if_asked(cli: impl FnOnce() -> clap::Command) -> Option<ExitCode> {
    run_from(std::env::args_os().collect(), cli)
}

fn run_from(args: Vec<OsString>, cli: impl FnOnce() -> clap::Command) -> Option<ExitCode> {
    match args.get(1).and_then(|a| a.to_str()) {
        Some("completions" | "man") => {}
        _ => return None,
    }
    let parsed = match <Packaging as clap::Parser>::try_parse_from(args) {
        Ok(parsed) => parsed,
        Err(err) => {
            let _ = err.print();
            return Some(if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS });
        }
    };
    Some(match parsed {
        Packaging::Completions(args) => completions(args, cli()),
        Packaging::Man(args) => man(args, cli()),
    })
}

#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
struct ManArgs {
    /// Write one page per command (entractl.1, entractl-SUBCOMMAND.1, …) into this folder
    /// instead of printing entractl(1) on stdout.
    #[arg(long)]
    out_dir: Option<PathBuf>,
}

/// Prints the completion script of `cmd` (the whole `entractl` command tree) for `args.shell`.
fn completions(args: CompletionsArgs, mut cmd: clap::Command) -> ExitCode {
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, name, &mut out);
    write_stdout(&out)
}

/// Prints `entractl(1)`, or writes every visible command's page into `--out-dir`.
fn man(args: ManArgs, cmd: clap::Command) -> ExitCode {
    match args.out_dir {
        None => {
            let mut out = Vec::new();
            if let Err(err) = clap_mangen::Man::new(cmd).render(&mut out) {
                eprintln!("error: cannot render the man page: {err}");
                return ExitCode::from(2);
            }
            write_stdout(&out)
        }
        Some(dir) => {
            if let Err(err) = std::fs::create_dir_all(&dir).and_then(|()| clap_mangen::generate_to(cmd, &dir)) {
                eprintln!("error: cannot write the man pages to {}: {err}", dir.display());
                return ExitCode::from(2);
            }
            let mut pages: Vec<PathBuf> = match std::fs::read_dir(&dir) {
                Ok(entries) => entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "1")).collect(),
                Err(err) => {
                    eprintln!("error: cannot list {}: {err}", dir.display());
                    return ExitCode::from(2);
                }
            };
            pages.sort();
            let listing: String = pages.iter().map(|p| format!("{}\n", p.display())).collect();
            write_stdout(listing.as_bytes())
        }
    }
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`entractl man | head`) is not worth an error message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write to stdout: {err}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> clap::Command {
        clap::Command::new("entractl")
            .version("9.9.9")
            .about("sample")
            .subcommand(clap::Command::new("login").about("Sign in").arg(clap::Arg::new("authority").long("authority")))
            .subcommand(clap::Command::new("groups").about("Groups").subcommand(clap::Command::new("sync")))
    }

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn other_commands_are_left_to_main() {
        assert!(run_from(args(&["entractl", "login"]), sample).is_none());
        assert!(run_from(args(&["entractl"]), sample).is_none());
        assert!(run_from(args(&["entractl", "--help"]), sample).is_none());
    }

    #[test]
    fn a_bad_shell_is_a_usage_error() {
        assert_eq!(run_from(args(&["entractl", "completions", "tcsh"]), sample), Some(ExitCode::from(2)));
    }

    #[test]
    fn bash_completion_knows_subcommands_and_options_but_not_the_packaging_commands() {
        let mut out = Vec::new();
        clap_complete::generate(clap_complete::Shell::Bash, &mut sample(), "entractl", &mut out);
        let script = String::from_utf8(out).unwrap();
        assert!(script.contains("complete -F _entractl") || script.contains("-F _entractl"), "{script}");
        assert!(script.contains("--authority"));
        assert!(script.contains("groups"));
        assert!(!script.contains("completions"), "{script}");
    }

    #[test]
    fn man_pages_cover_every_command() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().to_str().unwrap().to_string();
        assert_eq!(run_from(args(&["entractl", "man", "--out-dir", &out_dir]), sample), Some(ExitCode::SUCCESS));
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["entractl-groups-sync.1", "entractl-groups.1", "entractl-login.1", "entractl.1"]);
        let page = std::fs::read_to_string(dir.path().join("entractl.1")).unwrap();
        assert!(page.contains(".TH entractl 1"), "{page}");
        assert!(page.contains("9.9.9"), "the version is in the page: {page}");
    }
}
