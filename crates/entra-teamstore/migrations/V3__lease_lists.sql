-- V3__lease_lists: indexes for the Leases screen's lists, read a page at a time (src/lists.rs),
-- the team store's counterpart of the embedded store's 0007_lease_lists.
--
-- A page is `ORDER BY <key> <dir>, id COLLATE "C" <dir> LIMIT n OFFSET m`. Without an index in
-- that order PostgreSQL sorts every lease (a top-N heapsort over the whole table) to return a
-- hundred; with one it walks the index to the page and reads only the rows it returns. Each
-- index carries the same collation as the ORDER BY (an index in another collation cannot give
-- that order), and serves both directions (a backward scan).
CREATE INDEX leases_by_issued ON entra_desk.leases (issued_at, id COLLATE "C");
CREATE INDEX leases_by_expiry ON entra_desk.leases (expires_at, id COLLATE "C");
CREATE INDEX leases_by_definition ON entra_desk.leases ((definition COLLATE "C"), id COLLATE "C");
-- "Mine" compares the user name case-insensitively (lower(issued_by)), and "by issuer" sorts on it.
CREATE INDEX leases_by_issuer ON entra_desk.leases ((lower(issued_by) COLLATE "C"), id COLLATE "C");
-- The audit log: newest first by its sequence (the primary key serves), or one action's lines.
CREATE INDEX audit_log_by_action ON entra_desk.audit_log (action, seq);
