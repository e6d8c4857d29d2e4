-- 0002_expiry_seen: what the Credential expiry screen saw at its last start-up check, so the
-- next one can tell which credentials crossed into a smaller window (or expired) since.
-- Applied once, inside a transaction, by src/migrate.rs.
--
-- Metadata only: ids and a number of days. Never a credential's value.

CREATE TABLE expiry_seen (
    object_id  TEXT NOT NULL,       -- the application's or service principal's object id
    key_id     TEXT NOT NULL,       -- the credential's keyId (a Sign/Verify pair: one key id)
    -- NULL: outside every window; 0: expired; N: inside the N-day window (the smallest).
    -- No foreign key: a row outlives its object until the next check replaces the table,
    -- so a delta removing an object does not erase what was seen.
    level_days INTEGER CHECK (level_days IS NULL OR level_days >= 0),
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (object_id, key_id)
);
