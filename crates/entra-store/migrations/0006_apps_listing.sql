-- 0006_apps_listing: the App registrations and Credential expiry screens read the inventory a
-- page at a time, searched, filtered and sorted by SQLite (src/queries/apps/page.rs, report.rs)
-- instead of loading it whole. Applied once, inside a transaction, by src/migrate.rs.
--
-- Two covering indexes, so those reads never touch the wide rows (detail_json) of the tables:
-- - directory_objects_listing holds every column a filter or sort of the list reads, and is in
--   the list's default order (name, then id): the first page walks it and stops, a search scans
--   it instead of the table;
-- - credentials_by_object holds what the per-object questions read (next expiry, "has expired",
--   counting certificate twins once, the report's search on the credential's name), found by
--   object: one seek per object instead of reading its rows.

CREATE INDEX directory_objects_listing ON directory_objects (
    display_name COLLATE NOCASE, id, app_id, object_type, sign_in_audience, created, owners_loaded_at
);

CREATE INDEX credentials_by_object ON credentials (
    object_id, end_date_time, credential_type, usage, key_id, custom_key_identifier, display_name
);
