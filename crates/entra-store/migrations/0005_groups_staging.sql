-- 0005_groups_staging: a full sync of the group cache in progress, beside the cache it will
-- replace. Applied once, inside a transaction, by src/migrate.rs.
--
-- A full sync of a large tenant reads the directory with parallel listings and checkpoints
-- every page here, so a sync killed or cancelled half way continues where it stopped, and the
-- cache the screens read (groups, group_members, directory_names) stays whole and usable until
-- the staged copy is complete and swapped in, in one transaction. Nothing secret: the links
-- are Graph's opaque URLs (they only work with a valid access token).

-- One row while a staged sync is in progress.
CREATE TABLE groups_sync_job (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    scope             TEXT NOT NULL,             -- tenant + Graph URL, as groups_state.scope
    started_at        TEXT NOT NULL,             -- RFC 3339; the delta links below are as old
    groups_delta_link TEXT NOT NULL,             -- $deltaToken=latest of /groups/delta, taken first
    users_delta_link  TEXT NOT NULL,             -- $deltaToken=latest of /users/delta, taken first
    users_next        TEXT,                      -- the user listing's next page (NULL: from the start)
    users_done        INTEGER NOT NULL DEFAULT 0 CHECK (users_done IN (0, 1)),
    groups_next       TEXT,                      -- the group listing's next page (NULL: from the start)
    groups_done       INTEGER NOT NULL DEFAULT 0 CHECK (groups_done IN (0, 1)),
    names_done        INTEGER NOT NULL DEFAULT 0 CHECK (names_done IN (0, 1)),
    requests          INTEGER NOT NULL DEFAULT 0, -- Graph requests spent on this job so far
    runs              INTEGER NOT NULL DEFAULT 1  -- 1 + how many times it was resumed
);

-- The groups listed so far, and how far each one's member listing got.
CREATE TABLE staged_groups (
    id               TEXT PRIMARY KEY NOT NULL,
    display_name     TEXT,
    description      TEXT,
    mail             TEXT,
    security_enabled INTEGER NOT NULL DEFAULT 0,
    mail_enabled     INTEGER NOT NULL DEFAULT 0,
    group_types      TEXT NOT NULL DEFAULT '[]',
    membership_rule  TEXT,
    members_done     INTEGER NOT NULL DEFAULT 0 CHECK (members_done IN (0, 1)),
    members_next     TEXT                          -- a member list's next page, when it has one
) WITHOUT ROWID;
CREATE INDEX staged_groups_pending ON staged_groups (id) WHERE members_done = 0;

CREATE TABLE staged_members (
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    member_type TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;

CREATE TABLE staged_names (
    id                  TEXT PRIMARY KEY NOT NULL,
    kind                TEXT NOT NULL,
    display_name        TEXT,
    user_principal_name TEXT,
    mail                TEXT
) WITHOUT ROWID;
