//! Every way `entractl` writes a result: pretty JSON (the core's own serde
//! shape, camelCase like Graph), aligned tables for people, and failures on
//! stderr. Commands build their rows; this module owns how they look, so a table
//! or a JSON document reads the same whichever command printed it. CSV is the
//! core's export (`expiry --format csv`, `lease audit --format csv`), the same
//! bytes the app's screens save, so there is no second CSV writer here.

use entra_core::Error;
use serde::Serialize;
use std::process::ExitCode;

/// The value as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) -> Result<(), Error> {
    println!("{}", json(value)?);
    Ok(())
}

/// The value as pretty JSON text.
pub fn json(value: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|e| Error::internal(format!("Cannot write JSON: {e}")))
}

/// The value as one line of compact JSON (for `demo serve`'s ready line, read line by line).
pub fn json_line(value: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("Cannot write JSON: {e}")))
}

/// A command's answer as pretty JSON and exit 0, or its failure as [`fail`] reports it.
pub fn print_json_or_fail(result: Result<impl Serialize, Error>) -> ExitCode {
    match result.and_then(|value| print_json(&value)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// A failure as every entractl command reports it: `error[code]: message` on stderr, exit 2.
/// A claims challenge's claims request follows on a line of its own, quoted for the shell, for
/// `entractl login --claims` (the message only says there is one).
pub fn fail(err: &Error) -> ExitCode {
    eprintln!("error[{}]: {}", err.code(), err.message());
    if let Some(claims) = err.claims_challenge() {
        eprintln!("claims request: {}", shell_word(claims));
    }
    ExitCode::from(2)
}

/// A failure of a command that works offline and has no error code (`jwt`, `demo`):
/// `error: message` on stderr, exit 2.
pub fn fail_plain(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// `word` as a POSIX shell reads it back: as is when it is made of characters no shell treats
/// specially, else in single quotes (a quote inside written `'\''`). For commands we print for
/// people to paste (`entractl setup`'s sign-in line).
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Rows as left-aligned columns, two spaces apart, under a header; the last column is not padded
/// and no line ends in spaces. Control characters in cells become spaces, so a display name cannot
/// break a line.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let clean = |cell: &str| -> String { cell.chars().map(|c| if c.is_control() { ' ' } else { c }).collect() };
    let header: Vec<String> = header.iter().map(|h| clean(h)).collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            } else {
                widths.push(cell.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i != last {
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_do_not_pad_the_last_column() {
        let out = table(&["ID", "NAME"], &[vec!["1".into(), "short".into()], vec!["1234".into(), "x".into()]]);
        assert_eq!(out, "ID    NAME\n1     short\n1234  x\n");
    }

    #[test]
    fn shell_words_are_quoted_only_when_a_shell_would_read_them_otherwise() {
        assert_eq!(shell_word("https://127.0.0.1:4000/t-1"), "https://127.0.0.1:4000/t-1");
        assert_eq!(shell_word("/tmp/my ca.pem"), "'/tmp/my ca.pem'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn a_line_break_in_a_cell_does_not_break_the_table() {
        let out = table(&["A", "B"], &[vec!["x\ny".into(), "z".into()]]);
        assert_eq!(out.lines().count(), 2, "{out}");
    }
}
