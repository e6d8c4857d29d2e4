-- 0001_leases: the lease store (leases.sqlite). Applied once, inside a transaction, by src/migrate.rs.
--
-- This file is a record, not a cache: it is the only place that knows which credentials in the
-- tenant this store created. Nothing here is a secret: the secret a lease hands out is shown
-- once and dropped; only its key ID and hint (its first characters, as Graph shows them) stay.
-- Times are RFC 3339 text in UTC with milliseconds and a `Z`, so text order is time order.

-- `store_id` is generated once from SQLite's CSPRNG-seeded randomblob(); credentials this
-- store creates carry it in their marker (`entra-desk:<store_id>:<lease id>`).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));

CREATE TABLE lease_definitions (
    name         TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('app-secret', 'user-password', 'access-token')),
    target       TEXT NOT NULL,                 -- object ID, or the scope of an access token
    target_name  TEXT,
    client_id    TEXT,                          -- access-token: the app whose keychain secret is used
    ttl_secs     INTEGER NOT NULL CHECK (ttl_secs > 0),
    max_ttl_secs INTEGER NOT NULL CHECK (max_ttl_secs >= ttl_secs),
    created_at   TEXT NOT NULL
);

-- One row per lease, written before the Graph call (status 'pending': the intent) and
-- updated after it. No foreign key to the definition: a definition may be removed once its
-- leases have ended, and their history must stay.
CREATE TABLE leases (
    id              TEXT PRIMARY KEY NOT NULL,
    definition      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('app-secret', 'user-password', 'access-token')),
    target          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                        ('pending', 'active', 'revoking', 'revoke-failed', 'revoked', 'expired', 'abandoned')),
    issued_at       TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    max_expires_at  TEXT NOT NULL,
    renewed_at      TEXT,
    ended_at        TEXT,
    key_id          TEXT,
    hint            TEXT,
    marker          TEXT,
    revoke_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    note            TEXT,
    -- Who is issuing or revoking it right now (`host:pid`), so reconciliation in another
    -- process never closes an intent whose Graph call is still in flight.
    owner           TEXT,
    updated_at      TEXT NOT NULL,
    CHECK (expires_at <= max_expires_at)
);
CREATE INDEX leases_by_status ON leases (status, expires_at);
CREATE INDEX leases_by_target ON leases (kind, target);

-- The audit log: append-only (the triggers refuse UPDATE and DELETE).
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    lease_id   TEXT,
    definition TEXT,
    target     TEXT,
    actor      TEXT NOT NULL,
    detail     TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_log_by_lease ON audit_log (lease_id);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The last background maintenance run (sweep + reconciliation), as JSON, for the screen.
CREATE TABLE maintenance (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    report_json TEXT NOT NULL,
    reconciled_at TEXT
);
