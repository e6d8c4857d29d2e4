-- 0007_staged_others: the staged members that are neither users nor groups (service
-- principals, devices, contacts), found without reading every staged membership. Applied
-- once, inside a transaction, by src/migrate.rs.
--
-- After the listings, a full sync names those members through getByIds, 1,000 at a time
-- (src/queries/groups/staging.rs, unnamed_members). Without this index each round scanned the
-- whole staged_members table: four scans of a million rows, 7.7 s of a 200,000-user sync. The
-- index holds only the few rows it is about, so the listings' inserts hardly pay for it.
CREATE INDEX staged_members_others ON staged_members (member_id, member_type)
    WHERE member_type NOT IN ('user', 'group');
