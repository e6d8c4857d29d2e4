-- 0008_groups_in_order: a group search's first page without sorting every match. Applied once,
-- inside a transaction, by src/migrate.rs.
--
-- search_rows.in_order is 1 for a row numbered in name order by the last numbering (a full
-- rebuild, or renumber_groups in src/queries/groups/search.rs), 0 for a row indexed since (added
-- or renamed: numbered after the others, or kept where it was). Read in row order, the matches
-- that are in order come by name; so the first N groups by name are among the first N in order
-- and the few out of order (src/queries/groups/page.rs). Before this, a one-letter search over
-- 100,000 groups joined and sorted its 30,000 matches for every keystroke.
--
-- Every existing row starts out of order: a search sorts every match, as before, until the next
-- full sync numbers the rows, or the next incremental one (more than OUT_OF_ORDER_MAX groups out
-- of order) numbers the groups again. Numbering them here instead would rewrite the search index
-- inside the app's start: seconds for a cache of a million users.
ALTER TABLE search_rows ADD COLUMN in_order INTEGER NOT NULL DEFAULT 0 CHECK (in_order IN (0, 1));
CREATE INDEX search_rows_out_of_order ON search_rows (fts_rowid) WHERE in_order = 0;
