-- 0008_groups_in_order: a group search's first page without sorting every match. Applied once,
-- inside a transaction, by src/migrate.rs.
--
-- search_rows.in_order is 1 for a row numbered in name order by the last renumbering (a full
-- rebuild, or renumber_groups in src/queries/groups/search.rs), 0 for a row indexed since (added
-- or renamed: numbered after the others, or kept where it was). Read in row order, the matches
-- that are in order come by name; so the first N groups by name are among the first N in order
-- and the few out of order (src/queries/groups/page.rs). Before this, a one-letter search over
-- 100,000 groups joined and sorted its 30,000 matches for every keystroke.
--
-- The groups are renumbered here with the statements of renumber_groups, so every group row is
-- in order from the start; the named objects' rows stay 0 until the next full rebuild (nothing
-- reads their flag yet).
ALTER TABLE search_rows ADD COLUMN in_order INTEGER NOT NULL DEFAULT 0 CHECK (in_order IN (0, 1));
CREATE INDEX search_rows_out_of_order ON search_rows (fts_rowid) WHERE in_order = 0;

DELETE FROM search_text WHERE rowid < 0;
DELETE FROM search_rows WHERE is_group = 1;
INSERT INTO search_rows (fts_rowid, id, is_group, in_order)
    SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), id, 1, 1 FROM groups;
INSERT INTO search_text (rowid, words)
    SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), concat_ws(' ', g.display_name, g.mail)
    FROM groups AS g;
