-- V2__sharing: what a store several members use needs beyond the record (V1).

-- The maintenance leadership (entra_core::leases::store::shared): one row, 'maintenance', whose
-- `until` the database's clock sets (members' clocks disagree). `term` grows by one on every
-- change of leader, and every write a leader makes re-checks its term in its own transaction.
CREATE TABLE entra_desk.leader (
    name   text PRIMARY KEY,
    member text NOT NULL,
    term   bigint NOT NULL CHECK (term >= 1),
    since  timestamptz NOT NULL,
    until  timestamptz NOT NULL
);

-- A committed change of leases or definitions is announced on the channel entra_desk_leases
-- (once per transaction: PostgreSQL folds identical notifications), so every member's screen
-- re-reads. No payload: members read what they are allowed to.
CREATE FUNCTION entra_desk.announce_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_notify('entra_desk_leases', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER leases_announce AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entra_desk.leases
    FOR EACH STATEMENT EXECUTE FUNCTION entra_desk.announce_change();
CREATE TRIGGER lease_definitions_announce AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entra_desk.lease_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION entra_desk.announce_change();
