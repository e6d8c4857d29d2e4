-- 0002_row_version: a version on every lease row. Applied once, inside a transaction, by src/migrate.rs.
--
-- 1 when the lease is inserted, one more on every write (the adapter in entra_core::leases::store
-- writes `row_version = row_version + 1 ... WHERE id = ? AND row_version = <the version read>`).
-- A writer whose read is stale changes nothing and learns it lost, so a change made meanwhile by
-- another process (or, with a shared store, another admin) is never overwritten unseen. The
-- status guard callers relied on before is part of it: a status only changes through a write.
-- Existing leases start at 1; nothing else about them changes.
ALTER TABLE leases ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1 CHECK (row_version >= 1);
