//! The group cache's derived rows (migration `0004_groups_search`): the search index —
//! `search_text`, a contentless FTS5 table of words (unicode61 without diacritics, prefix
//! indexes of 1–3 characters), whose rows `search_rows` names: negative for a group (its name
//! and mail), positive for a user, service principal or device (name, user principal name, and
//! mail when it differs) — and each group's `direct_members` count.
//!
//! The write functions keep them current row by row ([`reindex`], [`recount`]); a bulk load
//! calls [`rebuild_search`] once. What a search matches: every word of the text as the prefix
//! of a word of the object ([`Search`]), or the object's ID — exactly, or by a prefix of at
//! least [`ID_PREFIX_MIN`] characters that reads like the start of a GUID (so typing "a" does
//! not list every ID that starts with it).

use super::GroupName;
use super::ObjectRecord;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// The words of a group, as `search_text` holds them (`g`: the `groups` row).
const GROUP_WORDS: &str = "concat_ws(' ', g.display_name, g.mail)";
/// The words of a named object (`n`: the `directory_names` row); a mail equal to the user
/// principal name (as it mostly is) is not indexed twice.
const NAME_WORDS: &str =
    "concat_ws(' ', n.display_name, n.user_principal_name, CASE WHEN lower(n.mail) = lower(n.user_principal_name) THEN NULL ELSE n.mail END)";

/// The shortest text searched as the prefix of an ID.
pub const ID_PREFIX_MIN: usize = 8;

/// How many matches [`search_users`] reads from the index, in its order, for each user it
/// returns (at least 100, at most 2,000), before it sorts them by name: a keystroke costs the
/// same in a tenant of a million users as in one of a thousand.
pub const USER_CANDIDATES: u32 = 4;

/// Rebuilds the derived rows from the tables: every group's `direct_members`, and the search
/// index (groups, then named objects, numbered in name order — the same order twice, so
/// `search_text` is filled without looking each row up — then merged into one segment). Call
/// it after writing `groups`, `group_members` or `directory_names` other than through this
/// module's writes (a bulk load), in the same transaction.
pub fn rebuild_search(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(&format!(
        "DELETE FROM search_rows;
         INSERT INTO search_text (search_text) VALUES ('delete-all');
         UPDATE groups SET direct_members = 0 WHERE direct_members <> 0;
         UPDATE groups SET direct_members = c.n
             FROM (SELECT group_id, count(*) AS n FROM group_members GROUP BY group_id) AS c
             WHERE c.group_id = groups.id;
         INSERT INTO search_rows (fts_rowid, id, is_group, in_order)
             SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), id, 1, 1 FROM groups;
         INSERT INTO search_rows (fts_rowid, id, is_group, in_order)
             SELECT row_number() OVER (ORDER BY display_name COLLATE NOCASE, id), id, 0, 1 FROM directory_names;
         INSERT INTO search_text (rowid, words)
             SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), {GROUP_WORDS} FROM groups AS g;
         INSERT INTO search_text (rowid, words)
             SELECT row_number() OVER (ORDER BY display_name COLLATE NOCASE, id), {NAME_WORDS} FROM directory_names AS n;
         INSERT INTO search_text (search_text) VALUES ('optimize');"
    ))?;
    Ok(())
}

/// Numbers the groups' search rows in name order again (`in_order` for all of them), leaving
/// the named objects' rows as they are: what a round does once many groups were added or
/// renamed since the last numbering ([`renumber_if_needed`]), such as the first round after
/// migration `0008_groups_in_order` in a cache of more than that many groups. The index is then merged into one segment: rewritten
/// groups leave their old rows behind as tombstones, and before the merge a user search read
/// through them (p99 4 ms became 32 ms at a million users). That merge rewrites the whole index
/// (some seconds at a million users, inside the sync, readers unaffected), hence the numbering
/// only past [`OUT_OF_ORDER_MAX`].
pub fn renumber_groups(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(&format!(
        "DELETE FROM search_text WHERE rowid < 0;
         DELETE FROM search_rows WHERE is_group = 1;
         INSERT INTO search_rows (fts_rowid, id, is_group, in_order)
             SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), id, 1, 1 FROM groups;
         INSERT INTO search_text (rowid, words)
             SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), {GROUP_WORDS} FROM groups AS g;
         INSERT INTO search_text (search_text) VALUES ('optimize');"
    ))?;
    Ok(())
}

/// The groups' search rows out of name order (added or renamed since the last numbering).
pub(super) fn groups_out_of_order(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.prepare_cached("SELECT count(*) FROM search_rows WHERE in_order = 0 AND fts_rowid < 0")?.query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// How many groups out of order a search reads beside the ones in order before the groups are
/// numbered again: at this many, a keystroke reads about as much as a page of matches.
pub const OUT_OF_ORDER_MAX: u64 = 500;

/// Numbers the groups again once more than [`OUT_OF_ORDER_MAX`] are out of order (an
/// incremental round that added or renamed many): about a second for 100,000 groups, once.
pub(super) fn renumber_if_needed(tx: &Transaction<'_>) -> Result<bool> {
    if groups_out_of_order(tx)? <= OUT_OF_ORDER_MAX {
        return Ok(false);
    }
    renumber_groups(tx)?;
    Ok(true)
}

/// Empties the derived search rows (the counts go with their groups).
pub(super) fn clear(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM search_rows; INSERT INTO search_text (search_text) VALUES ('delete-all');")?;
    Ok(())
}

/// Indexes a group (`is_group`) or a named object again as its row now reads; unindexes it
/// when the row is gone. The row is then out of name order (`in_order` 0): a new one is
/// numbered after the others, a changed one keeps its number.
pub(super) fn reindex(tx: &Transaction<'_>, id: &str, is_group: bool) -> Result<()> {
    let existing: Option<i64> =
        tx.prepare_cached("SELECT fts_rowid FROM search_rows WHERE id = ?1 AND is_group = ?2")?.query_row(params![id, is_group], |r| r.get(0)).optional()?;
    if let Some(row) = existing {
        tx.prepare_cached("DELETE FROM search_text WHERE rowid = ?1")?.execute([row])?;
    }
    let words_sql = if is_group {
        format!("SELECT {GROUP_WORDS} FROM groups AS g WHERE g.id = ?1")
    } else {
        format!("SELECT {NAME_WORDS} FROM directory_names AS n WHERE n.id = ?1")
    };
    let words: Option<Option<String>> = tx.prepare_cached(&words_sql)?.query_row([id], |r| r.get(0)).optional()?;
    match (words, existing) {
        (Some(words), existing) => {
            let row = match existing {
                Some(row) => {
                    tx.prepare_cached("UPDATE search_rows SET in_order = 0 WHERE fts_rowid = ?1 AND in_order = 1")?.execute([row])?;
                    row
                }
                None => {
                    // New rows go after the others: the ends of the numbering are cheap to find.
                    let next = if is_group {
                        "SELECT min(coalesce(min(fts_rowid), 0), 0) - 1 FROM search_rows"
                    } else {
                        "SELECT max(coalesce(max(fts_rowid), 0), 0) + 1 FROM search_rows"
                    };
                    let row: i64 = tx.prepare_cached(next)?.query_row([], |r| r.get(0))?;
                    tx.prepare_cached("INSERT INTO search_rows (fts_rowid, id, is_group) VALUES (?1, ?2, ?3)")?.execute(params![row, id, is_group])?;
                    row
                }
            };
            tx.prepare_cached("INSERT INTO search_text (rowid, words) VALUES (?1, ?2)")?.execute(params![row, words.unwrap_or_default()])?;
        }
        (None, Some(row)) => {
            tx.prepare_cached("DELETE FROM search_rows WHERE fts_rowid = ?1")?.execute([row])?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// Sets a group's `direct_members` from its memberships (nothing when the group is gone).
pub(super) fn recount(tx: &Transaction<'_>, group_id: &str) -> Result<()> {
    tx.prepare_cached("UPDATE groups SET direct_members = (SELECT count(*) FROM group_members WHERE group_id = ?1) WHERE id = ?1")?.execute([group_id])?;
    Ok(())
}

/// A search, read once from what the person typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The FTS5 query: each word of the text as a quoted prefix (`"smi"*`), all required;
    /// `None` when the text has no word (only punctuation).
    pub(super) words: Option<String>,
    /// The text as an ID (trimmed, lower case: Graph's IDs are).
    pub(super) id: String,
    /// When the text may be the start of an ID: the upper end of the range of IDs that start
    /// with it (every such ID sorts below).
    id_end: Option<String>,
}

impl Search {
    /// The search for `text`; `None` when there is nothing to search for.
    pub fn new(text: &str) -> Option<Search> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let words: Vec<String> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"*")).collect();
        let id = text.to_lowercase();
        let id_prefix = id.len() >= ID_PREFIX_MIN && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        let id_end = id_prefix.then(|| format!("{id}\u{10FFFF}"));
        Some(Search { words: (!words.is_empty()).then(|| words.join(" ")), id, id_end })
    }

    /// SQL that is true when the ID in `column` matches (binds `:id`, `:id_end`).
    pub(super) fn id_sql(&self, column: &str) -> String {
        if self.id_end.is_some() {
            format!("({column} >= :id AND {column} < :id_end)")
        } else {
            format!("{column} = :id")
        }
    }

    /// SQL selecting the IDs whose words match, of groups (`rowid < 0`), of named objects
    /// (`rowid > 0`) or of both (binds `:words`); `None` when the text has no word.
    pub(super) fn words_sql(&self, side: &str) -> Option<String> {
        self.words.as_ref().map(|_| {
            format!("SELECT r.id FROM search_text AS s JOIN search_rows AS r ON r.fts_rowid = s.rowid WHERE search_text MATCH :words{side}")
        })
    }

    /// The parameters the SQL of [`Search::id_sql`] and [`Search::words_sql`] binds.
    pub(super) fn bind<'a>(&'a self, out: &mut Vec<(&'static str, &'a dyn rusqlite::ToSql)>) {
        out.push((":id", &self.id));
        if let Some(id_end) = &self.id_end {
            out.push((":id_end", id_end));
        }
        if let Some(words) = &self.words {
            out.push((":words", words));
        }
    }
}

/// The IDs of the groups whose words or ID match `text` (as the group list searches), sorted;
/// `None` when there is nothing to search for. For filtering a set of groups found otherwise
/// (a user's groups): every match is read, so keep it to searches of a set, not of the tenant.
pub fn matching_groups(conn: &Connection, text: &str) -> Result<Option<Vec<String>>> {
    let Some(search) = Search::new(text) else { return Ok(None) };
    let mut hits = vec![format!("SELECT g.id FROM groups AS g WHERE {}", search.id_sql("g.id"))];
    hits.extend(search.words_sql(" AND s.rowid < 0"));
    let mut bound: Vec<(&str, &dyn rusqlite::ToSql)> = Vec::new();
    search.bind(&mut bound);
    let mut stmt = conn.prepare_cached(&format!("SELECT id FROM ({}) ORDER BY id", hits.join(" UNION ")))?;
    let ids = stmt.query_map(bound.as_slice(), |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some(ids))
}

/// Users whose words or ID match `text` (every user when it is empty), by name: at most
/// `limit`, sorted among the first `limit` × [`USER_CANDIDATES`] matches in the index's order.
/// That order is name order as of the last full sync (or [`rebuild_search`]), then the objects
/// added since, so the users shown are the first by name but for those added since, when more
/// match than that (type more to narrow).
pub fn search_users(conn: &Connection, text: &str, limit: u32) -> Result<Vec<ObjectRecord>> {
    let search = Search::new(text);
    let columns = "n.id, n.kind, n.display_name, n.user_principal_name";
    let candidates = match &search {
        None => "SELECT r.id FROM search_rows AS r WHERE r.fts_rowid > 0 ORDER BY r.fts_rowid LIMIT :candidates".to_string(),
        Some(s) => {
            let by_id = format!("SELECT n.id FROM directory_names AS n WHERE {}", s.id_sql("n.id"));
            match &s.words {
                Some(_) => format!(
                    "SELECT r.id FROM (SELECT rowid FROM search_text WHERE search_text MATCH :words AND rowid > 0 ORDER BY rowid LIMIT :candidates) AS s
                     JOIN search_rows AS r ON r.fts_rowid = s.rowid UNION {by_id}"
                ),
                None => format!("{by_id} LIMIT :candidates"),
            }
        }
    };
    let sql = format!(
        "SELECT {columns} FROM ({candidates}) AS c JOIN directory_names AS n ON n.id = c.id WHERE n.kind = 'user'
         ORDER BY n.display_name COLLATE NOCASE, n.id LIMIT :limit"
    );
    let mut bound: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":limit", &limit)];
    if let Some(s) = &search {
        s.bind(&mut bound);
    }
    let candidates = limit.saturating_mul(USER_CANDIDATES).clamp(100, 2000);
    if sql.contains(":candidates") {
        bound.push((":candidates", &candidates));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(bound.as_slice(), |r| {
        Ok(ObjectRecord { id: r.get(0)?, kind: r.get(1)?, display_name: r.get(2)?, user_principal_name: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The named groups among `ids`, in the asked order; `None` for an ID that is not a cached group.
pub fn group_names(conn: &Connection, ids: &[String]) -> Result<Vec<Option<GroupName>>> {
    let mut stmt = conn.prepare_cached("SELECT display_name FROM groups WHERE id = ?1")?;
    ids.iter()
        .map(|id| Ok(stmt.query_row([id], |r| r.get(0)).optional()?.map(|display_name| GroupName { id: id.clone(), display_name })))
        .collect()
}
