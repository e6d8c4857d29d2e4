//! One shape for every list that crosses to a screen (or `entractl`) a page at a time:
//! [`ListQuery`] in — the search text, the sort, the row position to start at and how many
//! rows — and [`ListPage`] out — those rows, where they start, how many rows the query matches
//! in all, and where the next page starts. Searching, sorting and counting run in the core
//! (mostly in SQLite), so a screen holds one page, never the collection.
//!
//! The cursor is the row position (`start`) because the screens' virtual tables jump to any
//! row when the scrollbar is dragged; a keyset cursor could only walk forward. Each list names
//! the sort keys it accepts and refuses others (`invalid_input`), so a typo is not silently a
//! different order.

use crate::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// Rows a page holds when the query does not say.
pub const DEFAULT_PAGE_ROWS: u32 = 100;
/// The most rows one page may hold (a larger `limit` is clamped to it).
pub const MAX_PAGE_ROWS: u32 = 1000;

/// What a list is asked for. Every field may be left out (`{}` is the first page, default order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    /// Keep only rows whose text (names, IDs — each list says which) contains this,
    /// case-insensitively. Empty or absent: every row.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub search: Option<String>,
    /// The sort key (each list names its own; absent: the list's default order).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sort: Option<String>,
    /// Sort descending instead of ascending.
    pub descending: bool,
    /// The row position to start at (0: the first row); a page's `next` is the next one.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub start: u64,
    /// Rows wanted (absent or 0: [`DEFAULT_PAGE_ROWS`]; at most [`MAX_PAGE_ROWS`]).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub limit: Option<u32>,
}

impl ListQuery {
    /// The first page of `search`, default order.
    pub fn search(text: impl Into<String>) -> ListQuery {
        ListQuery { search: Some(text.into()), ..ListQuery::default() }
    }

    /// Rows this page may hold.
    pub fn rows(&self) -> u32 {
        match self.limit {
            None | Some(0) => DEFAULT_PAGE_ROWS,
            Some(n) => n.min(MAX_PAGE_ROWS),
        }
    }

    /// The search text, trimmed, or `None` when there is nothing to search for.
    pub fn search_text(&self) -> Option<&str> {
        self.search.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The sort key when it is one of `accepted` (the first is the default); otherwise an
    /// `invalid_input` error naming the accepted keys.
    pub fn sort_key<'a>(&self, accepted: &[&'a str]) -> Result<&'a str> {
        let Some(wanted) = self.sort.as_deref().filter(|s| !s.is_empty()) else {
            return accepted.first().copied().ok_or_else(|| Error::new(ErrorCode::Internal, "A list accepts no sort key"));
        };
        accepted.iter().copied().find(|k| *k == wanted).ok_or_else(|| {
            Error::new(ErrorCode::InvalidInput, format!("This list cannot be sorted by \"{wanted}\"; sort by one of: {}", accepted.join(", ")))
        })
    }

    /// The page of `rows` matching this query, given the total number of matches.
    pub fn page<T>(&self, items: Vec<T>, total: u64) -> ListPage<T> {
        let end = self.start + items.len() as u64;
        ListPage { next: (end < total && !items.is_empty()).then_some(end), start: self.start, total, items }
    }

    /// One page cut from rows already in memory, in order (for small lists that are not in
    /// SQLite, e.g. a lease store's definitions).
    pub fn cut<T>(&self, rows: Vec<T>) -> ListPage<T> {
        let total = rows.len() as u64;
        let items: Vec<T> = rows.into_iter().skip(self.start.min(total) as usize).take(self.rows() as usize).collect();
        self.page(items, total)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ListPage<T> {
    /// The rows, in the list's order.
    pub items: Vec<T>,
    /// The position of the first row (the query's `start`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub start: u64,
    /// How many rows the query matches in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// Where the next page starts, or `None` on the last page.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub next: Option<u64>,
}

impl<T> ListPage<T> {
    /// The same page with its rows turned into another type.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListPage<U> {
        ListPage { items: self.items.into_iter().map(f).collect(), start: self.start, total: self.total, next: self.next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_deserialises_from_nothing_and_clamps_its_rows() {
        let q: ListQuery = serde_json::from_str("{}").unwrap();
        assert_eq!(q.rows(), DEFAULT_PAGE_ROWS);
        let q: ListQuery = serde_json::from_str(r#"{"limit": 100000, "start": 5, "search": "  "}"#).unwrap();
        assert_eq!(q.rows(), MAX_PAGE_ROWS);
        assert_eq!(q.search_text(), None);
    }

    #[test]
    fn an_unknown_sort_key_is_refused_with_the_accepted_ones() {
        let q = ListQuery { sort: Some("nmae".into()), ..ListQuery::default() };
        let e = q.sort_key(&["name", "created"]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.message().contains("name, created"), "{}", e.message());
        assert_eq!(ListQuery::default().sort_key(&["name", "created"]).unwrap(), "name");
    }

    #[test]
    fn pages_say_where_the_next_one_starts() {
        let q = ListQuery { start: 2, limit: Some(2), ..ListQuery::default() };
        let page = q.cut(vec![1, 2, 3, 4, 5]);
        assert_eq!(page.items, vec![3, 4]);
        assert_eq!((page.start, page.total, page.next), (2, 5, Some(4)));
        let last = ListQuery { start: 4, limit: Some(2), ..ListQuery::default() }.cut(vec![1, 2, 3, 4, 5]);
        assert_eq!((last.items, last.next), (vec![5], None));
        let past = ListQuery { start: 9, ..ListQuery::default() }.cut(vec![1]);
        assert!(past.items.is_empty() && past.next.is_none());
    }
}
