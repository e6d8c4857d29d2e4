-- 0005_audit_chain: every new audit line carries a hash that chains it to the line before it, so
-- an edit, a removal, an insertion or a reordering of lines is found by `entractl lease audit
-- --verify`. Applied once, inside a transaction, by src/migrate.rs.
--
-- `hash` is SHA-256, as 64 lowercase hex digits, over the previous line's hash and this line's
-- fields as stored (seq, at, action, lease_id, definition, target, actor, detail, request_id). The
-- core defines it (`entra_core::leases::store::chain`), not this file, so every lease store adapter
-- computes and checks it the same way; the adapter writes it in the same transaction as the line,
-- with the line's `seq` given explicitly (the last line's + 1), since the hash covers it.
--
-- Lines written before this migration have no hash (NULL) and are left exactly as they were (the
-- triggers of 0001 would refuse to fill it in anyway): the chain starts after them, at the first
-- line written by this version, and verification reports them as "unchained legacy lines". A NULL
-- hash AFTER the first chained line is a break in the chain, and the trigger below refuses to
-- write one.
ALTER TABLE audit_log ADD COLUMN hash TEXT CHECK (hash IS NULL OR length(hash) = 64);
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
WHEN NEW.hash IS NULL AND EXISTS (SELECT 1 FROM audit_log WHERE hash IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'the audit log is hash-chained: a new line needs its hash'); END;
