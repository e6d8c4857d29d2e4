//! The "nothing secret on disk" search: every file under a folder ([`files_under`]) read as
//! bytes and searched for the secrets a test used (each a [`Needle`] with a name) and for
//! anything shaped like a JWT. A failure names the file, the needle's name and where it was
//! found, never the secret itself: the report of a leak must not be a leak.
//!
//! Read as bytes, not as text: SQLite files and their WAL are not UTF-8, and a search that reads
//! them as text skips them (the defect this crate replaced). Each needle and the JWT shape are
//! looked for in UTF-8 and in UTF-16LE, the encoding WebKit's storage (local storage, IndexedDB)
//! keeps strings in.

use crate::walk::files_under;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a JWT-shaped finding is called in a report.
pub const JWT: &str = "a JWT-shaped string (eyJ…)";

/// The shortest base64url header [`find_jwt`] accepts: `{"a":1}` encodes to 10 characters;
/// real headers (`{"alg":…}`) are longer.
const MIN_HEADER: usize = 10;

/// A secret to look for, with the name a failure reports in its place.
#[derive(Clone)]
pub struct Needle<'a> {
    kind: String,
    value: &'a str,
}

impl<'a> Needle<'a> {
    /// `kind` names the secret in a report ("the refresh token"); `value` is never printed.
    ///
    /// Panics when `value` is shorter than 8 bytes: an empty needle is in every file, and a
    /// short one is found by chance; no secret or token a test holds is that short.
    pub fn new(kind: impl Into<String>, value: &'a str) -> Needle<'a> {
        let kind = kind.into();
        assert!(value.len() >= 8, "the needle `{kind}` is {} bytes long: too short to search for (it would match by chance)", value.len());
        Needle { kind, value }
    }

    /// Needles named by their position ("secret 1 of 3"), for callers that hold only values.
    pub fn numbered(values: &[&'a str]) -> Vec<Needle<'a>> {
        let n = values.len();
        values.iter().enumerate().map(|(i, value)| Needle::new(format!("secret {} of {n}", i + 1), value)).collect()
    }

    /// The name a report uses.
    pub fn kind(&self) -> &str {
        &self.kind
    }
}

impl fmt::Debug for Needle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The value never appears, not even in a test's debug output.
        write!(f, "Needle({:?}, {} bytes)", self.kind, self.value.len())
    }
}

/// How a finding was encoded in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (for a token, ASCII): text files, SQLite's text and blob values.
    Utf8,
    /// UTF-16, little-endian: WebKit's local storage and IndexedDB.
    Utf16Le,
}

/// One file holding one kind of secret (its first occurrence, per encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub file: PathBuf,
    /// The needle's name, or [`JWT`].
    pub what: String,
    /// Where in the file, in bytes.
    pub offset: usize,
    /// How it was encoded.
    pub encoding: Encoding,
}

/// What a search read and found.
#[derive(Debug)]
pub struct Scan {
    /// The folder searched.
    pub root: PathBuf,
    /// Every file read, sorted.
    pub files: Vec<PathBuf>,
    /// The bytes read, all files together.
    pub bytes: u64,
    /// What was found, in file order.
    pub findings: Vec<Finding>,
}

impl Scan {
    /// Whether a file named exactly `name` (its last path component) was read, e.g. `cache.sqlite`.
    pub fn has_file(&self, name: &str) -> bool {
        self.files.iter().any(|f| f.file_name().is_some_and(|n| n == name))
    }

    /// Panics with a report of every finding (file, name, offset, encoding; never a value),
    /// or when no file was read, since then nothing was checked.
    #[track_caller]
    pub fn assert_clean(&self) {
        assert!(!self.files.is_empty(), "no file under {} was read: a check for secrets on disk would pass without reading anything", self.root.display());
        if self.findings.is_empty() {
            return;
        }
        let lines: String = self
            .findings
            .iter()
            .map(|f| {
                let file = f.file.strip_prefix(&self.root).unwrap_or(&f.file);
                let encoding = match f.encoding {
                    Encoding::Utf8 => "UTF-8",
                    Encoding::Utf16Le => "UTF-16LE",
                };
                format!("\n  - {} is in {} (byte {}, {encoding})", f.what, file.display(), f.offset)
            })
            .collect();
        panic!(
            "secrets on disk under {}:{lines}\n(values not shown; secrets and tokens belong in the OS keychain or in memory)",
            self.root.display()
        );
    }
}

/// Reads every file under `dir` ([`files_under`]) as bytes and reports which hold a needle or a
/// JWT-shaped string.
pub fn scan(dir: &Path, needles: &[Needle]) -> Scan {
    let files = files_under(dir);
    let mut bytes = 0u64;
    let mut findings = Vec::new();
    for file in &files {
        let content = match std::fs::read(file) {
            Ok(content) => content,
            // Gone since the walk (a `-wal` after the last connection closed): nothing to read.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("cannot read {}: {e}", file.display()),
        };
        bytes += content.len() as u64;
        findings.extend(
            search(&content, needles).into_iter().map(|(what, offset, encoding)| Finding { file: file.clone(), what, offset, encoding }),
        );
    }
    Scan { root: dir.to_path_buf(), files, bytes, findings }
}

/// [`scan`], then [`Scan::assert_clean`]: fails naming each file that holds a needle (by its
/// name) or a JWT-shaped string, or when the folder holds no file. Returns the scan, so the
/// caller can check that the files it expects (a SQLite cache, say) were among those read.
#[track_caller]
pub fn assert_nothing_secret_under(dir: &Path, needles: &[Needle]) -> Scan {
    let scan = scan(dir, needles);
    scan.assert_clean();
    scan
}

/// Every needle and JWT shape in `bytes`: (name, offset, encoding), the first occurrence of each
/// per encoding.
pub fn search(bytes: &[u8], needles: &[Needle]) -> Vec<(String, usize, Encoding)> {
    let mut out = Vec::new();
    for needle in needles {
        if let Some(at) = find(bytes, needle.value.as_bytes()) {
            out.push((needle.kind.clone(), at, Encoding::Utf8));
        }
        let wide: Vec<u8> = needle.value.encode_utf16().flat_map(u16::to_le_bytes).collect();
        if let Some(at) = find(bytes, &wide) {
            out.push((needle.kind.clone(), at, Encoding::Utf16Le));
        }
    }
    if let Some(at) = find_jwt(bytes) {
        out.push((JWT.to_string(), at, Encoding::Utf8));
    }
    if let Some(at) = find_jwt_utf16le(bytes) {
        out.push((JWT.to_string(), at, Encoding::Utf16Le));
    }
    out
}

/// Whether `bytes` hold a JWT-shaped string in UTF-8 or UTF-16LE (see [`find_jwt`]).
pub fn holds_a_jwt(bytes: &[u8]) -> bool {
    find_jwt(bytes).is_some() || find_jwt_utf16le(bytes).is_some()
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn base64url_run(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| base64url(**b)).count()
}

/// The offset of the first JWT-shaped string in `bytes`: a base64url header that starts with
/// `eyJ` (the encoding of `{"`) and is at least 10 characters long, a dot, and a payload of at
/// least 2 base64url characters that either starts with `eyJ` too or is followed by the dot
/// before a signature (three segments; the signature may be empty, as in an `alg: none` token).
/// A lone `eyJ…` (base64 of any JSON object) is not a token.
pub fn find_jwt(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = find(&bytes[from..], b"eyJ") {
        let start = from + k;
        let header = base64url_run(&bytes[start..]);
        let dot = start + header;
        if header >= MIN_HEADER && bytes.get(dot) == Some(&b'.') {
            let payload_at = dot + 1;
            let payload = base64url_run(&bytes[payload_at..]);
            let three_segments = bytes.get(payload_at + payload) == Some(&b'.');
            if payload >= 2 && (three_segments || bytes[payload_at..].starts_with(b"eyJ")) {
                return Some(start);
            }
        }
        // `eyJ` cannot overlap itself.
        from = start + 3;
    }
    None
}

/// [`find_jwt`] over the UTF-16LE text in `bytes`, at either byte alignment.
fn find_jwt_utf16le(bytes: &[u8]) -> Option<usize> {
    // Most files hold no wide `eyJ` at all: look for it before building the narrowed copies.
    find(bytes, b"e\0y\0J\0")?;
    (0..2).find_map(|align| {
        let narrow: Vec<u8> =
            bytes.get(align..).unwrap_or_default().chunks_exact(2).map(|c| if c[1] == 0 { c[0] } else { 0 }).collect();
        find_jwt(&narrow).map(|at| align + 2 * at)
    })
}

/// The offset of the first occurrence of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last_start {
        let at = i + haystack[i..=last_start].iter().position(|&b| b == first)?;
        if &haystack[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ4IiwiYXVkIjoieSJ9.c2lnbmF0dXJl";

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn find_is_a_plain_substring_search() {
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"abc", b"abc"), Some(0));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"aaaa", b"ab"), None);
        assert_eq!(find(b"xyz", b""), None);
    }

    #[test]
    fn a_jwt_is_found_in_text_and_in_binary_in_both_encodings() {
        assert_eq!(find_jwt(TOKEN.as_bytes()), Some(0));
        let mut binary = vec![0u8, 0xff, 0x13, 0x00];
        binary.extend_from_slice(TOKEN.as_bytes());
        binary.extend_from_slice(&[0xfe, 0x00]);
        assert_eq!(find_jwt(&binary), Some(4));
        // At an odd offset, as in a blob of WebKit's local storage.
        let mut wide = vec![0x07u8];
        wide.extend(utf16le(&format!("token={TOKEN}")));
        assert_eq!(find_jwt(&wide), None, "not visible to a plain byte search");
        assert_eq!(find_jwt_utf16le(&wide), Some(1 + 2 * "token=".len()));
        assert!(holds_a_jwt(&wide));
        // Header and payload only, and an unsigned token.
        assert!(holds_a_jwt(b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0"));
        assert!(holds_a_jwt(b"eyJhbGciOiJub25lIn0.e30."));
    }

    #[test]
    fn what_is_not_a_jwt() {
        for text in [
            &b"eyJ is how base64 of {\" starts"[..],
            b"eyJhbGciOiJSUzI1NiJ9 and nothing after",
            b"eyJhbGciOiJSUzI1NiJ9.e",
            b"eyJhbGciOiJSUzI1NiJ9.e30 but no second dot",
            b"eyJhIjox.eyJ short header",
            b"a.b.c",
        ] {
            assert!(!holds_a_jwt(text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn needles_are_found_in_both_encodings_and_reported_by_name() {
        let secret = "xyz8Q~not-really-a-secret";
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend(utf16le(secret));
        let found = search(&bytes, &[Needle::new("the client secret", secret)]);
        assert_eq!(found, [("the client secret".to_string(), 16, Encoding::Utf16Le)]);
        let found = search(format!("{{\"s\":\"{secret}\"}}").as_bytes(), &Needle::numbered(&[secret, "another-secret"]));
        assert_eq!(found, [("secret 1 of 2".to_string(), 6, Encoding::Utf8)]);
    }

    #[test]
    #[should_panic(expected = "too short")]
    fn an_empty_needle_is_refused() {
        Needle::new("nothing", "");
    }

    #[test]
    fn a_needle_debugs_without_its_value() {
        let debug = format!("{:?}", Needle::new("the refresh token", "0.AAAA-refresh-token-value"));
        assert_eq!(debug, "Needle(\"the refresh token\", 26 bytes)");
    }
}
