//! SQL pieces the paged reads (`page`, `report`) share: a case-insensitive "contains" that
//! also folds letters outside ASCII ([`Contains`]), and the test for "this credential row is the
//! one a person sees" (certificate twins counted once, [`listed_once`]).

/// "Contains this text, ignoring case", for any column: [`Contains::on`] writes the condition,
/// [`Contains::pattern`] is its one argument.
///
/// Text in ASCII uses `LIKE` (SQLite folds ASCII letters), with `%`, `_` and `\` escaped. Text
/// with a letter outside ASCII uses `GLOB`, because `LIKE` (and `lower()`, `NOCASE`) would not
/// fold it ("über" would not find "Über"): each letter with a case becomes a class of its forms
/// (`[üÜ]`) and GLOB's wildcards are escaped as classes (`[*]`). `LIKE` is the common case
/// because it is about three times faster than a GLOB of classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Contains {
    /// The `LIKE` or `GLOB` pattern.
    pub pattern: String,
    glob: bool,
}

impl Contains {
    /// Text containing `needle`, ignoring case.
    pub fn new(needle: &str) -> Contains {
        if needle.is_ascii() {
            let mut pattern = String::with_capacity(needle.len() + 4);
            pattern.push('%');
            for c in needle.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            return Contains { pattern, glob: false };
        }
        Contains { pattern: contains_glob(needle), glob: true }
    }

    /// The condition on `column`, with one `?` for [`Contains::pattern`].
    pub fn on(&self, column: &str) -> String {
        if self.glob {
            format!("{column} GLOB ?")
        } else {
            format!("{column} LIKE ? ESCAPE '\\'")
        }
    }
}

/// A `GLOB` pattern matching text that contains `needle`, ignoring case (see [`Contains`]).
fn contains_glob(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() * 4 + 2);
    out.push('*');
    for c in needle.chars() {
        if matches!(c, '*' | '?' | '[') {
            out.extend(['[', c, ']']);
            continue;
        }
        let mut forms: Vec<char> = vec![c];
        for other in [single(c.to_lowercase()), single(c.to_uppercase())].into_iter().flatten() {
            if !forms.contains(&other) {
                forms.push(other);
            }
        }
        if forms.len() == 1 {
            out.push(c);
        } else {
            out.push('[');
            out.extend(forms);
            out.push(']');
        }
    }
    out.push('*');
    out
}

/// The one character a case mapping gives, or `None` when it gives several (`ß` → `SS`).
fn single(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    let first = mapped.next()?;
    mapped.next().is_none().then_some(first)
}

/// A condition true for the row `{c}` of `credentials` that a person sees as a credential of
/// its own: every row but the certificate twins merged into an earlier one.
///
/// This is `entra_core::cache::twins::merge_twins` in SQL (which must agree with it): rows
/// are taken in the order `Sign` certificate, other certificate, password, then key id; a
/// row joins an earlier **certificate** of the same object with the same non-empty
/// `customKeyIdentifier` (thumbprint) and the same end. So a row is listed unless such an
/// earlier certificate exists. The lookup runs on the index `credentials_by_object` (migration
/// `0006_apps_listing`), only for rows that have a thumbprint and an end.
pub(super) fn listed_once(c: &str) -> String {
    format!(
        "NOT (coalesce({c}.custom_key_identifier, '') <> '' AND {c}.end_date_time IS NOT NULL AND EXISTS (
             SELECT 1 FROM credentials twin
             WHERE twin.object_id = {c}.object_id AND twin.credential_type = 'certificate'
               AND twin.custom_key_identifier = {c}.custom_key_identifier
               AND twin.end_date_time = {c}.end_date_time
               AND ({twin_rank}, twin.key_id, twin.usage) < ({c_rank}, {c}.key_id, {c}.usage)))",
        twin_rank = rank("twin"),
        c_rank = rank(c),
    )
}

/// The order twins are taken in (see [`listed_once`]): 0 a `Sign` certificate, 1 another
/// certificate, 2 a password. `lower()` folds ASCII only, as `eq_ignore_ascii_case` does.
fn rank(c: &str) -> String {
    format!(
        "(CASE WHEN {c}.credential_type = 'password' THEN 2 WHEN lower({c}.usage) = 'sign' THEN 0 ELSE 1 END)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_needles_are_a_like_with_its_wildcards_escaped() {
        let c = Contains::new("50%_a\\b");
        assert_eq!(c.pattern, "%50\\%\\_a\\\\b%");
        assert_eq!(c.on("o.app_id"), "o.app_id LIKE ? ESCAPE '\\'");
        assert_eq!(Contains::new("Über").on("x"), "x GLOB ?");
    }

    #[test]
    fn a_needle_becomes_a_case_folding_glob_with_its_wildcards_escaped() {
        assert_eq!(contains_glob("Ab1"), "*[Aa][bB]1*");
        assert_eq!(contains_glob("ü*?[]%_"), "*[üÜ][*][?][[]]%_*");
        assert_eq!(contains_glob("ß"), "*ß*", "no single-letter upper case: kept as it is");
        assert_eq!(contains_glob(""), "**");
    }
}
