-- 0003_audit_no_replace: the audit log refuses `INSERT OR REPLACE` (and `REPLACE INTO`) over a line
-- it holds. Applied once, inside a transaction, by src/migrate.rs.
--
-- 0001's triggers refuse UPDATE and DELETE, but a REPLACE conflict removes the old row without
-- firing DELETE triggers (SQLite fires them for REPLACE only with recursive_triggers on), so a line
-- could be rewritten in place under its own sequence number. An insert that names an existing
-- `seq` is refused before SQLite gets to resolve the conflict; appending (no `seq`, or a new one)
-- is untouched.
CREATE TRIGGER audit_log_append_only_replace BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
