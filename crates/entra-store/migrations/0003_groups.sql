-- 0003_groups: the cache behind the Group caches screen. Applied once, inside a transaction,
-- by src/migrate.rs.
--
-- Groups, their direct memberships (with the member's type), the names of users, service
-- principals and devices that are members, where the delta sync stopped, the cache policy and
-- the hit/miss counters. Nothing secret: delta links are Graph's opaque URLs (they only work
-- with a valid access token) and are deliberately not named *token*.

CREATE TABLE groups (
    id               TEXT PRIMARY KEY NOT NULL,   -- the group's object id
    display_name     TEXT,
    description      TEXT,
    mail             TEXT,
    security_enabled INTEGER NOT NULL DEFAULT 0 CHECK (security_enabled IN (0, 1)),
    mail_enabled     INTEGER NOT NULL DEFAULT 0 CHECK (mail_enabled IN (0, 1)),
    group_types      TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    membership_rule  TEXT
) WITHOUT ROWID;

-- Direct memberships only; transitive ones are computed in memory.
CREATE TABLE group_members (
    group_id    TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    -- 'user', 'group', 'servicePrincipal', 'device', or another @odata.type without its
    -- '#microsoft.graph.' prefix ('' when Graph gave none).
    member_type TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_member ON group_members (member_id);

-- Names of the non-group directory objects that are (or may become) members: every user
-- (from /users/delta), and the service principals and devices named by getByIds.
CREATE TABLE directory_names (
    id                  TEXT PRIMARY KEY NOT NULL,
    kind                TEXT NOT NULL,             -- as group_members.member_type
    display_name        TEXT,
    user_principal_name TEXT,
    mail                TEXT
) WITHOUT ROWID;

-- One row: where the sync stopped, how the last one went, the policy and the counters.
CREATE TABLE groups_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    scope             TEXT,                        -- tenant + Graph URL the cache was filled for
    groups_delta_link TEXT,
    users_delta_link  TEXT,
    as_of             TEXT,                        -- NULL: never synced (or cleared)
    full              INTEGER CHECK (full IN (0, 1)),
    requests          INTEGER,
    duration_ms       INTEGER,
    fallback          TEXT,                        -- why the last sync fell back to a full one
    policy_secs       INTEGER NOT NULL DEFAULT 1800 CHECK (policy_secs >= 0),
    hits              INTEGER NOT NULL DEFAULT 0,
    misses            INTEGER NOT NULL DEFAULT 0
);
INSERT INTO groups_state (id) VALUES (1);
