-- 0006_issued_by: who issued each lease. Applied once, inside a transaction, by src/migrate.rs.
--
-- With a team store several admins' leases sit side by side, and the Leases screen filters
-- "mine / everyone" and shows an "issued by" column: the Entra account (its user name) that
-- issued the lease. Leases issued before this migration have none (NULL): the audit log's
-- `issued` line still names its actor. The local store keeps the column too, so `entractl
-- lease migrate` moves it unchanged and both adapters read the same lease.
ALTER TABLE leases ADD COLUMN issued_by TEXT;
