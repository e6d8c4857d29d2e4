//! The audit log's hash chain: what each line's `hash` is, how an adapter computes it when it
//! appends a line, and the one verifier every adapter shares ([`verify`], behind
//! `Leases::verify_audit` and `entractl lease audit --verify`).
//!
//! # What the chain is
//! Each line's hash is SHA-256 over the previous line's hash and this line's fields as stored
//! (seq, at, action, lease ID, definition, target, actor, detail, request ID), encoded without
//! ambiguity: a version tag first, then each field as "absent" or "present, its length, its
//! bytes" ([`ChainedLine::expected_hash`]), so no two different lines encode alike (plain
//! concatenation would make `("ab", "c")` and `("a", "bc")` one line). The first chained line has
//! no previous hash. Seq numbers are 1, 2, 3… with no gap: the adapter gives each new line the
//! last line's seq + 1 and its hash in the same transaction as it reads that last line.
//! It is defined here, on plain text, and not in SQL, so that every adapter (SQLite today, a
//! shared PostgreSQL store later) writes and checks exactly the same chain, and a log copied
//! from one to the other still verifies.
//!
//! # What it proves, and what it does not
//! - It catches a line changed in place, a line removed, a line inserted between two others,
//!   and lines reordered: the first line that no longer follows from the one before is named
//!   ([`ChainBreak`]), whether the file was edited with `sqlite3`, its triggers dropped, or its
//!   pages patched.
//! - It is not a signature: there is no key. Someone who can rewrite the whole file can also
//!   recompute every hash after their edit, and the chain will verify. Nor does it show that the
//!   newest lines were cut off (the chain just ends earlier). Both are caught only against a
//!   copy kept elsewhere: write down the head (the last line's seq and hash, which
//!   [`AuditVerification`] reports) or keep an export, and check later that the line with that
//!   seq still has that hash. That anchor is what turns "consistent" into "unchanged".
//! - Lines written before the chain began (lease files older than migration `0005_audit_chain`)
//!   have no hash and are covered by nothing: they are reported as unchained legacy lines, not
//!   as a break. A line without a hash after the first chained one is a break.

use crate::leases::types::AuditLine;
use entra_store::leases::time_text;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What every hash covers first: a name and version of this encoding, so a later one can never
/// be read as this one.
const DOMAIN: &[u8] = b"entra-desk/lease-audit-chain/v1";

/// One audit line as the store holds it: every field as the stored text (a time as
/// `time_text` writes it, an action by its kebab-case name), and its hash, `None` for a line
/// written before the chain began. Text, not the parsed types, so that a line this version
/// cannot read (an action a newer version wrote) still verifies, and nothing is re-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedLine {
    /// Its position: 1, 2, 3… with no gap.
    pub seq: i64,
    /// When, as stored: RFC 3339, UTC, milliseconds, `Z`.
    pub at: String,
    /// The action's stored name (`issue-failed`).
    pub action: String,
    /// The lease, if any.
    pub lease_id: Option<String>,
    /// The definition, if any.
    pub definition: Option<String>,
    /// The target, if any.
    pub target: Option<String>,
    /// Who.
    pub actor: String,
    /// What happened, in words.
    pub detail: String,
    /// Graph's request ID, if any.
    pub request_id: Option<String>,
    /// SHA-256 in 64 lowercase hex digits; `None` on an unchained legacy line.
    pub hash: Option<String>,
}

impl ChainedLine {
    /// `line` as the log's line `seq`, after a line whose hash is `previous` (`None`: the log is
    /// empty or its last line is unchained), with its hash: what an adapter inserts, in the same
    /// transaction in which it read the last line's seq and hash.
    pub fn next(seq: i64, previous: Option<&str>, line: &AuditLine) -> ChainedLine {
        let mut chained = ChainedLine {
            seq,
            at: time_text(&line.at),
            action: line.action.as_str().to_string(),
            lease_id: line.lease_id.clone(),
            definition: line.definition.clone(),
            target: line.target.clone(),
            actor: line.actor.clone(),
            detail: line.detail.clone(),
            request_id: line.request_id.clone(),
            hash: None,
        };
        chained.hash = Some(chained.expected_hash(previous));
        chained
    }

    /// The hash this line must have after a line whose hash is `previous` (its own `hash` is not
    /// read): SHA-256 over the encoding the module doc describes, as lowercase hex.
    pub fn expected_hash(&self, previous: Option<&str>) -> String {
        let mut sha = Sha256::new();
        field(&mut sha, Some(DOMAIN));
        field(&mut sha, previous.map(str::as_bytes));
        field(&mut sha, Some(&self.seq.to_be_bytes()));
        let texts = [Some(&self.at), Some(&self.action), self.lease_id.as_ref(), self.definition.as_ref(), self.target.as_ref()];
        let more = [Some(&self.actor), Some(&self.detail), self.request_id.as_ref()];
        for text in texts.into_iter().chain(more) {
            field(&mut sha, text.map(|t| t.as_bytes()));
        }
        hex::encode(sha.finalize())
    }
}

/// One field: absent is a single 0 byte; present is 1, its length (8 bytes, big-endian), its bytes.
fn field(sha: &mut Sha256, value: Option<&[u8]>) {
    match value {
        None => sha.update([0u8]),
        Some(bytes) => {
            sha.update([1u8]);
            sha.update((bytes.len() as u64).to_be_bytes());
            sha.update(bytes);
        }
    }
}

/// What checking the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    /// Lines in the log.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub lines: u64,
    /// Chained lines whose hash was recomputed and matched (up to the first break).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub checked: u64,
    /// Unchained legacy lines: written before the chain began, at the start of the log. Nothing
    /// covers them.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub legacy: u64,
    /// The last line that verified (the log's last line when nothing is broken), `None` when no
    /// line is chained.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub head_seq: Option<i64>,
    /// Its hash: write it down, or keep it with an export, to show later that nothing up to that
    /// line was rewritten (see the module doc).
    pub head_hash: Option<String>,
    /// The first line that does not follow from the chain; `None` when the chain is intact.
    pub first_break: Option<ChainBreak>,
}

impl AuditVerification {
    /// Whether every line after the legacy ones follows from the chain.
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Where, and how, the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChainBreak {
    /// The first line that does not follow from the one before it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// The line before it in the log, `None` when it is the first.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub after_seq: Option<i64>,
    /// What is wrong.
    pub problem: ChainProblem,
    /// The same, in words.
    pub message: String,
}

/// What is wrong at a [`ChainBreak`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ChainProblem {
    /// The line's hash is not the one its fields and the previous hash give: it (or the hash
    /// before it) was changed, or the line before it was removed or replaced.
    HashMismatch,
    /// Seq numbers jump: lines between the two were removed.
    MissingLines,
    /// A seq at or below the one before it: the log was reordered or a line duplicated.
    OutOfOrder,
    /// A line without a hash after the chain began: written by something other than Entra Desk,
    /// or its hash was removed.
    Unchained,
}

impl ChainBreak {
    fn new(seq: i64, after: i64, problem: ChainProblem) -> ChainBreak {
        let after_seq = (after > 0).then_some(after);
        let before = after_seq.map_or("the start of the log".to_string(), |a| format!("line {a}"));
        let message = match problem {
            ChainProblem::HashMismatch => format!(
                "line {seq} does not match its hash: it was changed after it was written, or {before} was changed, removed or replaced"
            ),
            ChainProblem::MissingLines if seq == after + 2 => format!("line {} is missing: {before} is followed by line {seq}", after + 1),
            ChainProblem::MissingLines => format!("lines {} to {} are missing: {before} is followed by line {seq}", after + 1, seq - 1),
            ChainProblem::OutOfOrder => format!("line {seq} comes after {before}: the log was reordered or a line was duplicated"),
            ChainProblem::Unchained => format!(
                "line {seq} has no hash although the chain began before it: it was added by something other than Entra Desk, or its hash was removed"
            ),
        };
        ChainBreak { seq, after_seq, problem, message }
    }
}

/// Checks `lines`, the whole log oldest first as the store holds it ([`super::LeaseStore::audit_chain`]),
/// and stops at the first break. Leading lines without a hash are legacy; from the first
/// chained line on, each line must carry the seq after the one before and the hash its fields
/// and the previous hash give.
pub fn verify(lines: &[ChainedLine]) -> AuditVerification {
    let mut found = AuditVerification {
        lines: lines.len() as u64,
        checked: 0,
        legacy: 0,
        head_seq: None,
        head_hash: None,
        first_break: None,
    };
    // The log starts at seq 1; 0 stands for "nothing before".
    let mut previous_seq: i64 = 0;
    for line in lines {
        let began = found.head_hash.is_some();
        if began || line.hash.is_some() {
            if line.seq > previous_seq.saturating_add(1) {
                found.first_break = Some(ChainBreak::new(line.seq, previous_seq, ChainProblem::MissingLines));
            } else if line.seq <= previous_seq {
                found.first_break = Some(ChainBreak::new(line.seq, previous_seq, ChainProblem::OutOfOrder));
            }
        }
        if found.first_break.is_some() {
            break;
        }
        match &line.hash {
            None if !began => found.legacy += 1,
            None => {
                found.first_break = Some(ChainBreak::new(line.seq, previous_seq, ChainProblem::Unchained));
                break;
            }
            Some(hash) if *hash == line.expected_hash(found.head_hash.as_deref()) => {
                found.checked += 1;
                found.head_seq = Some(line.seq);
                found.head_hash = Some(hash.clone());
            }
            Some(_) => {
                found.first_break = Some(ChainBreak::new(line.seq, previous_seq, ChainProblem::HashMismatch));
                break;
            }
        }
        previous_seq = line.seq;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leases::types::AuditAction;
    use chrono::{TimeZone, Utc};

    fn line(detail: &str) -> AuditLine {
        AuditLine {
            at: Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap(),
            action: AuditAction::Issued,
            lease_id: Some("l1".into()),
            definition: Some("ci".into()),
            target: None,
            actor: "admin".into(),
            detail: detail.into(),
            request_id: None,
        }
    }

    /// `legacy` unchained lines, then `chained` chained ones.
    fn log(legacy: usize, chained: usize) -> Vec<ChainedLine> {
        let mut lines: Vec<ChainedLine> = Vec::new();
        for i in 0..legacy + chained {
            let previous = lines.last().and_then(|l| l.hash.clone());
            let mut next = ChainedLine::next(i as i64 + 1, previous.as_deref(), &line(&format!("line {i}")));
            if i < legacy {
                next.hash = None;
            }
            lines.push(next);
        }
        lines
    }

    #[test]
    fn an_untouched_log_verifies_and_reports_its_head_and_legacy_lines() {
        let lines = log(2, 3);
        let found = verify(&lines);
        assert!(found.is_intact(), "{found:?}");
        assert_eq!((found.lines, found.checked, found.legacy, found.head_seq), (5, 3, 2, Some(5)));
        assert_eq!(found.head_hash, lines[4].hash);
        assert_eq!(found.head_hash.as_ref().map(String::len), Some(64));
        let empty = verify(&[]);
        assert!(empty.is_intact() && empty.head_hash.is_none());
        assert_eq!(verify(&log(3, 0)).legacy, 3);
    }

    #[test]
    fn the_encoding_is_unambiguous_and_covers_every_field() {
        let a = ChainedLine::next(1, None, &line("x"));
        // Moving text from one field to the next, or an absent field for an empty one, changes the hash.
        let mut moved = a.clone();
        moved.actor = "admi".into();
        moved.detail = "nx".into();
        assert_ne!(moved.expected_hash(None), a.expected_hash(None));
        let mut empty = a.clone();
        empty.target = Some(String::new());
        assert_ne!(empty.expected_hash(None), a.expected_hash(None));
        assert_ne!(a.expected_hash(Some("0".repeat(64).as_str())), a.expected_hash(None));
        let mut other_seq = a.clone();
        other_seq.seq = 2;
        assert_ne!(other_seq.expected_hash(None), a.expected_hash(None));
        // A fixed vector, computed apart from this code (Python's hashlib over the encoding the
        // module doc describes): an adapter in another crate, or a script, must get exactly this.
        assert_eq!(a.at, "2026-12-02T10:00:00.000Z");
        assert_eq!(a.hash.as_deref(), Some("06a6f85ccfab4374d1bde4aec681e4920d5dc4a521819a2cfd3b6ed6b9389c1d"));
    }

    #[test]
    fn each_kind_of_tampering_is_named_at_its_line() {
        let lines = log(1, 5);
        let mut edited = lines.clone();
        edited[3].detail = "rewritten".into();
        let b = verify(&edited).first_break.unwrap();
        assert_eq!((b.seq, b.after_seq, b.problem), (4, Some(3), ChainProblem::HashMismatch));
        assert_eq!(verify(&edited).checked, 2, "the lines before it verified");

        let mut removed = lines.clone();
        removed.remove(2);
        let b = verify(&removed).first_break.unwrap();
        assert_eq!((b.seq, b.problem), (4, ChainProblem::MissingLines));
        assert!(b.message.contains("line 3 is missing"), "{}", b.message);

        // Two lines swapped, renumbered to hide it: the hashes no longer follow.
        let mut swapped = lines.clone();
        swapped.swap(2, 3);
        (swapped[2].seq, swapped[3].seq) = (3, 4);
        assert_eq!(verify(&swapped).first_break.unwrap().problem, ChainProblem::HashMismatch);
        let mut unsorted = lines.clone();
        unsorted.swap(2, 3);
        assert_eq!(verify(&unsorted).first_break.unwrap().problem, ChainProblem::MissingLines);

        let mut unchained = lines.clone();
        unchained[4].hash = None;
        let b = verify(&unchained).first_break.unwrap();
        assert_eq!((b.seq, b.problem), (5, ChainProblem::Unchained));

        // The first lines of a fully chained log removed: line 1 is missing.
        let whole = log(0, 3);
        let b = verify(&whole[1..]).first_break.unwrap();
        assert_eq!((b.seq, b.after_seq, b.problem), (2, None, ChainProblem::MissingLines));
        assert!(b.message.contains("the start of the log"), "{}", b.message);
    }
}
