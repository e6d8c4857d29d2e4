-- 0001_apps: the store's bookkeeping (meta) and the cache behind the App registrations and
-- Credential expiry screens. Applied once, inside a transaction, by src/migrate.rs.
--
-- Nothing here holds a secret: client secrets, certificates' private keys and tokens live in
-- the OS keychain or in memory (tests/no_secret_columns.rs checks the column names).
-- Times are RFC 3339 text in UTC with milliseconds and a `Z` (src/sql.rs), so that text order
-- is time order and `WHERE end_date_time < ?` works.

-- Small key/value facts about this store. `store_id` is generated once, here, from SQLite's
-- own CSPRNG-seeded randomblob(), so other features can mark the credentials they create.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));

-- Applications and service principals, one row per directory object.
CREATE TABLE directory_objects (
    id                     TEXT PRIMARY KEY NOT NULL,   -- the object id
    object_type            TEXT NOT NULL CHECK (object_type IN ('application', 'servicePrincipal')),
    app_id                 TEXT NOT NULL,
    display_name           TEXT,
    sign_in_audience       TEXT,
    created                TEXT,                        -- createdDateTime; service principals have none
    publisher_domain       TEXT,
    service_principal_type TEXT,
    -- The rest of the object's non-secret fields (redirect URIs by platform,
    -- requiredResourceAccess, tags, ...). The store keeps it and never looks inside.
    detail_json            TEXT NOT NULL DEFAULT '{}',
    synced_at              TEXT NOT NULL,
    -- NULL: owners not loaded yet (they fill in behind the list); set: `owners` is complete
    -- as of this time, so no rows there means "no owners".
    owners_loaded_at       TEXT
);
CREATE INDEX directory_objects_by_type ON directory_objects (object_type);
CREATE INDEX directory_objects_by_app_id ON directory_objects (app_id);

-- passwordCredentials and keyCredentials of those objects: metadata only, never the value.
CREATE TABLE credentials (
    object_id             TEXT NOT NULL REFERENCES directory_objects (id) ON DELETE CASCADE,
    key_id                TEXT NOT NULL,
    credential_type       TEXT NOT NULL CHECK (credential_type IN ('password', 'certificate')),
    -- 'Sign' or 'Verify' for certificates; '' when Graph gives none (passwords). Not NULL
    -- because SQLite treats NULLs in a PRIMARY KEY as distinct, which would let duplicates in.
    usage                 TEXT NOT NULL DEFAULT '',
    display_name          TEXT,
    custom_key_identifier TEXT,
    hint                  TEXT,                         -- the 3 characters Graph shows, not a secret
    -- Graph's startDateTime / endDateTime (`end` alone is an SQL keyword).
    start_date_time       TEXT,
    end_date_time         TEXT,
    PRIMARY KEY (object_id, key_id, credential_type, usage)
);
-- The Credential expiry screen sorts and filters by end date.
CREATE INDEX credentials_by_end ON credentials (end_date_time);

CREATE TABLE owners (
    object_id           TEXT NOT NULL REFERENCES directory_objects (id) ON DELETE CASCADE,
    owner_id            TEXT NOT NULL,
    owner_type          TEXT NOT NULL,                 -- 'user', 'servicePrincipal', 'group', or another @odata.type
    display_name        TEXT,
    user_principal_name TEXT,
    mail                TEXT,
    PRIMARY KEY (object_id, owner_id)
);

-- Where each collection's last sync ended. `delta_link` is Graph's opaque @odata.deltaLink
-- URL: not a secret, and deliberately not named *token*.
CREATE TABLE sync_state (
    collection  TEXT PRIMARY KEY NOT NULL CHECK (collection IN ('applications', 'servicePrincipals')),
    delta_link  TEXT,
    as_of       TEXT NOT NULL,
    full        INTEGER NOT NULL CHECK (full IN (0, 1)),
    requests    INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
);
