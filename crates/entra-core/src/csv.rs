//! CSV cells as every export writes them (RFC 4180 quoting), defused against spreadsheet
//! formulas: the one helper of the credential export and the leases audit log, so a fix to
//! either reaches both.

/// The characters a spreadsheet may take as the start of a formula (OWASP's list: `=`, `+`,
/// `-`, `@`, and tab and carriage return, which some spreadsheets skip before reading one).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One cell, quoted when it holds a comma, a quote or a line break (quotes doubled). For
/// values we produce (IDs, times, numbers), which never start a formula.
pub fn cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A cell of text someone else controls (display names, details): a leading `'` when a
/// spreadsheet would run it as a formula, so it shows the text instead; then quoted as [`cell`].
pub fn text_cell(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        cell(&format!("'{value}"))
    } else {
        cell(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_as_rfc_4180_says() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\"\nthere"), "\"say \"\"hi\"\"\nthere\"");
    }

    #[test]
    fn text_cells_never_start_a_formula() {
        assert_eq!(text_cell("plain"), "plain");
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-1"), "'-1");
        assert_eq!(text_cell("@sum"), "'@sum");
        // Tab and carriage return: spreadsheets skip them and read the formula after.
        assert_eq!(text_cell("\t=1+1"), "'\t=1+1");
        assert_eq!(text_cell("\r=1"), "\"'\r=1\"");
        assert_eq!(text_cell("a=1"), "a=1");
    }
}
