-- V1__leases: the team lease store's record, in the schema entra_desk (which `init` creates,
-- owned by the store's owner role, before refinery runs this). It mirrors the SQLite lease file
-- (crates/entra-store/migrations/leases/0001…0006) so that `entractl lease migrate` moves a store
-- either way unchanged, with these differences:
-- - Lease and definition times are timestamptz (written truncated to the millisecond, as the
--   SQLite file's text is, so a lease reads back equal). The audit log's `at` stays text: the hash
--   chain covers the text as stored (entra_core::leases::store::chain).
-- - Audit lines record the database user that wrote them (`database_user`, set from session_user
--   by a trigger, so no member can write another's name), and `audit_head` serialises appends so
--   the chain has one order across every member.
-- - The audit log is append-only twice over: members are granted INSERT and SELECT only (see
--   `init`), and the triggers below refuse UPDATE, DELETE and TRUNCATE even to the owner.
-- Nothing here is a secret: a lease's secret is never stored.

-- `store_id`: 32 lowercase hex digits from the server's CSPRNG (gen_random_uuid), generated once;
-- the marker of every credential the store creates carries it. `home` and `moved_to` join it later.
CREATE TABLE entra_desk.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO entra_desk.meta (key, value) VALUES ('store_id', replace(gen_random_uuid()::text, '-', ''));

CREATE TABLE entra_desk.lease_definitions (
    name         text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('app-secret', 'user-password', 'access-token')),
    target       text NOT NULL,
    target_name  text,
    client_id    text,
    ttl_secs     bigint NOT NULL CHECK (ttl_secs > 0),
    max_ttl_secs bigint NOT NULL CHECK (max_ttl_secs >= ttl_secs),
    created_at   timestamptz NOT NULL,
    tenant_id    text,
    authority    text
);

-- One row per lease, written before the Graph call (status 'pending': the intent) and updated
-- after it, each write over the row version its writer read. No foreign key to the definition:
-- a definition may be removed once its leases have ended, and their history must stay.
CREATE TABLE entra_desk.leases (
    id              text PRIMARY KEY,
    definition      text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('app-secret', 'user-password', 'access-token')),
    target          text NOT NULL,
    status          text NOT NULL CHECK (status IN
                        ('pending', 'active', 'revoking', 'revoke-failed', 'revoked', 'expired', 'abandoned')),
    issued_at       timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    max_expires_at  timestamptz NOT NULL,
    renewed_at      timestamptz,
    ended_at        timestamptz,
    key_id          text,
    hint            text,
    marker          text,
    revoke_attempts bigint NOT NULL DEFAULT 0 CHECK (revoke_attempts >= 0),
    next_attempt_at timestamptz,
    last_error      text,
    note            text,
    -- The process issuing or revoking it right now (see entra_core::leases::owner).
    owner           text,
    updated_at      timestamptz NOT NULL,
    row_version     bigint NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    tenant_id       text,
    authority       text,
    -- The Entra account that issued it (the screen's "issued by", "mine / everyone").
    issued_by       text,
    CHECK (expires_at <= max_expires_at)
);
CREATE INDEX leases_by_status ON entra_desk.leases (status, expires_at);
CREATE INDEX leases_by_target ON entra_desk.leases (kind, target);
CREATE INDEX leases_by_tenant ON entra_desk.leases (tenant_id, status);

-- The audit log. `seq` is given by the writer (the last line's + 1, read under audit_head's
-- lock), since the hash covers it; `hash` is NULL only on lines moved from a SQLite file that
-- predate its chain.
CREATE TABLE entra_desk.audit_log (
    seq           bigint PRIMARY KEY CHECK (seq >= 1),
    at            text NOT NULL,
    action        text NOT NULL,
    lease_id      text,
    definition    text,
    target        text,
    actor         text NOT NULL,
    detail        text NOT NULL,
    request_id    text,
    hash          text CHECK (hash IS NULL OR length(hash) = 64),
    database_user text NOT NULL DEFAULT session_user
);
CREATE INDEX audit_log_by_lease ON entra_desk.audit_log (lease_id);

CREATE FUNCTION entra_desk.audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON entra_desk.audit_log
    FOR EACH ROW EXECUTE FUNCTION entra_desk.audit_log_append_only();
CREATE TRIGGER audit_log_append_only_truncate BEFORE TRUNCATE ON entra_desk.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION entra_desk.audit_log_append_only();

-- Every line names the database user that wrote it, whatever the INSERT said; and once the
-- chain has begun, a line without a hash is refused (as SQLite's 0005_audit_chain does).
CREATE FUNCTION entra_desk.audit_log_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.database_user := session_user;
    IF NEW.hash IS NULL AND EXISTS (SELECT 1 FROM entra_desk.audit_log WHERE hash IS NOT NULL) THEN
        RAISE EXCEPTION 'the audit log is hash-chained: a new line needs its hash';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_insert BEFORE INSERT ON entra_desk.audit_log
    FOR EACH ROW EXECUTE FUNCTION entra_desk.audit_log_insert();

-- The log's last line, and the lock every append takes first (SELECT … FOR UPDATE): appends
-- from every member happen one at a time, in one order.
CREATE TABLE entra_desk.audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL DEFAULT 0,
    hash text
);
INSERT INTO entra_desk.audit_head (id) VALUES (1);

-- The last background maintenance run (sweep + reconciliation), as JSON, for the screen.
CREATE TABLE entra_desk.maintenance (
    id            integer PRIMARY KEY CHECK (id = 1),
    report_json   text NOT NULL,
    reconciled_at timestamptz
);
