-- 0007_lease_lists: indexes for the Leases screen's lists, read a page at a time. Applied once,
-- inside a transaction, by src/migrate.rs.
--
-- The screen asks for one page of leases (newest first, or by expiry; "Mine"; one definition)
-- or of audit lines (one action), and how many the query keeps (entra_core::leases::lists).
-- Without an index in the page's order SQLite sorts every lease to return a hundred of them;
-- with one it walks the index to the page's start and reads only the rows it returns. Ties are
-- broken by the lease ID in the order's own direction, so one index serves both directions.
-- No column changes: the file stays readable by `entractl lease migrate` as it was.
CREATE INDEX leases_by_issued ON leases (issued_at, id);
CREATE INDEX leases_by_expiry ON leases (expires_at, id);
CREATE INDEX leases_by_definition ON leases (definition, issued_at, id);
-- "Mine": the user name compared case-insensitively, as the query writes it (lower(issued_by)).
CREATE INDEX leases_by_issuer ON leases (lower(issued_by), issued_at, id);
CREATE INDEX audit_log_by_action ON audit_log (action, seq);
-- The screen counts unbound leases on every read of its overview: a partial index of only those
-- (none, once bound), which the count's WHERE (the same condition) reads instead of every lease.
CREATE INDEX leases_unbound ON leases (id) WHERE tenant_id IS NULL OR authority IS NULL;
