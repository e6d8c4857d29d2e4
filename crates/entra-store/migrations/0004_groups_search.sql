-- 0004_groups_search: the group cache read in place, by SQLite, instead of copied whole into
-- memory by every process. Applied once, inside a transaction, by src/migrate.rs.
--
-- - groups.direct_members: each group's direct member count, so the group list sorts by size
--   and shows counts without counting memberships for every page;
-- - indexes for the group list's orders (name, members) and for the walk down nested groups
--   (group_members_nested: only the group-in-group rows, a small index even when groups hold
--   millions of users);
-- - word-prefix search over groups (name, mail) and named objects (name, user principal name,
--   mail): search_text, a contentless FTS5 table (unicode61 without diacritics, so "smi" finds
--   "John Smith" and "john.smith@contoso.com"; prefix indexes of 1-3 characters keep the first
--   keystrokes cheap), whose rows search_rows names: negative for a group, positive for a
--   user, service principal or device. IDs are not tokenised: an ID is found through the
--   tables' own primary keys.
--
-- These rows are derived from groups, group_members and directory_names. The write functions
-- of src/queries/groups/ keep them current explicitly (not by triggers, so a bulk load writes
-- the tables fast and calls rebuild_search once), and rebuild_search rebuilds them with the
-- same statements as the end of this file.

ALTER TABLE groups ADD COLUMN direct_members INTEGER NOT NULL DEFAULT 0;

CREATE INDEX groups_by_name ON groups (display_name COLLATE NOCASE, id);
CREATE INDEX groups_by_members ON groups (direct_members, display_name COLLATE NOCASE, id);
CREATE INDEX group_members_nested ON group_members (group_id, member_id) WHERE member_type = 'group';

CREATE TABLE search_rows (
    fts_rowid INTEGER PRIMARY KEY,             -- the rowid in search_text
    id        TEXT NOT NULL,                   -- groups.id or directory_names.id
    is_group  INTEGER NOT NULL CHECK (is_group = (fts_rowid < 0)),
    UNIQUE (id, is_group)
);

CREATE VIRTUAL TABLE search_text USING fts5 (
    words,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

-- What the cache holds already. Rows are numbered in name order (groups from -N up to -1,
-- named objects from 1 up), so that search results read in row order come roughly by name.
UPDATE groups SET direct_members = c.n
    FROM (SELECT group_id, count(*) AS n FROM group_members GROUP BY group_id) AS c
    WHERE c.group_id = groups.id;
INSERT INTO search_rows (fts_rowid, id, is_group)
    SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), id, 1 FROM groups;
INSERT INTO search_rows (fts_rowid, id, is_group)
    SELECT row_number() OVER (ORDER BY display_name COLLATE NOCASE, id), id, 0 FROM directory_names;
INSERT INTO search_text (rowid, words)
    SELECT -row_number() OVER (ORDER BY display_name COLLATE NOCASE DESC, id DESC), concat_ws(' ', g.display_name, g.mail)
    FROM groups AS g;
INSERT INTO search_text (rowid, words)
    SELECT row_number() OVER (ORDER BY display_name COLLATE NOCASE, id),
           concat_ws(' ', n.display_name, n.user_principal_name,
                     CASE WHEN lower(n.mail) = lower(n.user_principal_name) THEN NULL ELSE n.mail END)
    FROM directory_names AS n;
INSERT INTO search_text (search_text) VALUES ('optimize');
