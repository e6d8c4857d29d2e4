-- 0004_tenant_binding: every definition and lease names the tenant it belongs to. Applied once,
-- inside a transaction, by src/migrate.rs.
--
-- A lease acts on one tenant's credentials, and "not found" in another tenant proves nothing about
-- it: revoking, sweeping or reconciling while signed in elsewhere would record removals that never
-- happened. So each row keeps the tenant ID and the authority it was made with, and the service
-- refuses any operation on it with an account of another tenant. Rows written before this
-- migration have neither (NULL): they are "unbound" and the service touches them in no tenant
-- until an admin binds them (`entractl lease bind`, or the Leases screen), naming the tenant.
ALTER TABLE lease_definitions ADD COLUMN tenant_id TEXT;
ALTER TABLE lease_definitions ADD COLUMN authority TEXT;
ALTER TABLE leases ADD COLUMN tenant_id TEXT;
ALTER TABLE leases ADD COLUMN authority TEXT;
CREATE INDEX leases_by_tenant ON leases (tenant_id, status);
