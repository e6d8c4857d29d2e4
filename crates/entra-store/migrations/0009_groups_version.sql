-- 0009_groups_version: a number that changes whenever the groups or their memberships do, so a
-- process that keeps something derived from them in memory (the app's nesting of groups,
-- entra-core's groups/nesting.rs) can tell in one read that it must build it again, whichever
-- process wrote the change. Applied once, inside a transaction, by src/migrate.rs.
--
-- The write functions of src/queries/groups/ raise it (replace_all, a round that changed
-- something, swap_in, clear), in the transaction of the change.
ALTER TABLE groups_state ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
