//! Definitions and leases: the columns, their mapping to the core's types both ways, and the
//! statements that read and write them. The names are the SQLite adapter's (kebab-case kinds and
//! statuses, the same column list), so a store moves between the two unchanged.
//!
//! Times are written truncated to the millisecond, as the SQLite file's text keeps them, so a
//! lease reads back equal to the one written whichever store holds it.

use crate::address::TeamStoreAddress;
use crate::errors::{query_error, unknown};
use chrono::{DateTime, Utc};
use entra_core::leases::store::StoredLease;
use entra_core::leases::{Definition, Lease, LeaseKind, LeaseStatus, TenantBinding};
use entra_core::Result;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

/// The lease columns, in the SQLite adapter's order.
pub(crate) const LEASE_COLUMNS: &str = "id, definition, kind, target, status, issued_at, expires_at, max_expires_at, renewed_at, \
     ended_at, key_id, hint, marker, revoke_attempts, next_attempt_at, last_error, note, owner, row_version, tenant_id, authority, issued_by";

/// The definition columns, in the SQLite adapter's order.
pub(crate) const DEFINITION_COLUMNS: &str =
    "name, kind, target, target_name, client_id, ttl_secs, max_ttl_secs, created_at, tenant_id, authority";

/// A parameter of a statement.
pub(crate) type Param = Box<dyn ToSql + Sync + Send>;

/// `params` as a statement takes them.
pub(crate) fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// `time` to the millisecond (see the module doc).
pub(crate) fn ms(time: &DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(time.timestamp_millis()).unwrap_or(*time)
}

fn ms_opt(time: &Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    time.as_ref().map(ms)
}

/// A count or duration as a `bigint`.
pub(crate) fn big(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| entra_core::Error::invalid_input("A number too large to store (over 2^63): give a smaller one"))
}

/// `$1`…`$18`: the lease's columns from `id` to `owner`, in [`LEASE_COLUMNS`] order.
pub(crate) fn lease_params(l: &Lease, owner: Option<&str>) -> Vec<Param> {
    vec![
        Box::new(l.id.clone()),
        Box::new(l.definition.clone()),
        Box::new(l.kind.as_str()),
        Box::new(l.target.clone()),
        Box::new(l.status.as_str()),
        Box::new(ms(&l.issued_at)),
        Box::new(ms(&l.expires_at)),
        Box::new(ms(&l.max_expires_at)),
        Box::new(ms_opt(&l.renewed_at)),
        Box::new(ms_opt(&l.ended_at)),
        Box::new(l.key_id.clone()),
        Box::new(l.hint.clone()),
        Box::new(l.marker.clone()),
        Box::new(i64::from(l.revoke_attempts)),
        Box::new(ms_opt(&l.next_attempt_at)),
        Box::new(l.last_error.clone()),
        Box::new(l.note.clone()),
        Box::new(owner.map(str::to_string)),
    ]
}

/// The tenant columns of a row: both, or unbound.
pub(crate) fn tenant_params(tenant: &Option<TenantBinding>) -> [Param; 2] {
    [Box::new(tenant.as_ref().map(|t| t.tenant_id.clone())), Box::new(tenant.as_ref().map(|t| t.authority.clone()))]
}

/// `$1`…`$10`: the definition's columns, in [`DEFINITION_COLUMNS`] order.
pub(crate) fn definition_params(d: &Definition) -> Result<Vec<Param>> {
    let [tenant_id, authority] = tenant_params(&d.tenant);
    Ok(vec![
        Box::new(d.name.clone()),
        Box::new(d.kind.as_str()),
        Box::new(d.target.clone()),
        Box::new(d.target_name.clone()),
        Box::new(d.client_id.clone()),
        Box::new(big(d.ttl_secs)?),
        Box::new(big(d.max_ttl_secs)?),
        Box::new(ms(&d.created_at)),
        tenant_id,
        authority,
    ])
}

/// A row's tenant: both columns, or unbound (a row written before leases named their tenant).
fn binding(tenant_id: Option<String>, authority: Option<String>) -> Option<TenantBinding> {
    Some(TenantBinding { tenant_id: tenant_id?, authority: authority? })
}

/// Reads column `i`; a value of an unexpected type (only a hand edit puts one there) is named.
pub(crate) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, i: usize, column: &str) -> Result<T> {
    row.try_get(i).map_err(|_| unknown(&format!("value in {column}")))
}

/// The row read by `SELECT {LEASE_COLUMNS}`.
pub(crate) fn stored_lease(r: &Row) -> Result<StoredLease> {
    let (kind, status): (String, String) = (get(r, 2, "leases.kind")?, get(r, 4, "leases.status")?);
    let version: i64 = get(r, 18, "leases.row_version")?;
    let attempts: i64 = get(r, 13, "leases.revoke_attempts")?;
    let lease = Lease {
        id: get(r, 0, "leases.id")?,
        definition: get(r, 1, "leases.definition")?,
        kind: LeaseKind::parse(&kind).ok_or_else(|| unknown("lease kind"))?,
        target: get(r, 3, "leases.target")?,
        tenant: binding(get(r, 19, "leases.tenant_id")?, get(r, 20, "leases.authority")?),
        status: LeaseStatus::parse(&status).ok_or_else(|| unknown("lease status"))?,
        issued_at: get(r, 5, "leases.issued_at")?,
        expires_at: get(r, 6, "leases.expires_at")?,
        max_expires_at: get(r, 7, "leases.max_expires_at")?,
        renewed_at: get(r, 8, "leases.renewed_at")?,
        ended_at: get(r, 9, "leases.ended_at")?,
        key_id: get(r, 10, "leases.key_id")?,
        hint: get(r, 11, "leases.hint")?,
        marker: get(r, 12, "leases.marker")?,
        revoke_attempts: u32::try_from(attempts).map_err(|_| unknown("revoke attempt count"))?,
        next_attempt_at: get(r, 14, "leases.next_attempt_at")?,
        last_error: get(r, 15, "leases.last_error")?,
        note: get(r, 16, "leases.note")?,
        issued_by: get(r, 21, "leases.issued_by")?,
    };
    Ok(StoredLease { lease, owner: get(r, 17, "leases.owner")?, version: u64::try_from(version).map_err(|_| unknown("row version"))? })
}

/// The row read by `SELECT {DEFINITION_COLUMNS}`.
pub(crate) fn definition(r: &Row) -> Result<Definition> {
    let kind: String = get(r, 1, "lease_definitions.kind")?;
    let (ttl, max): (i64, i64) = (get(r, 5, "lease_definitions.ttl_secs")?, get(r, 6, "lease_definitions.max_ttl_secs")?);
    Ok(Definition {
        name: get(r, 0, "lease_definitions.name")?,
        kind: LeaseKind::parse(&kind).ok_or_else(|| unknown("lease kind"))?,
        target: get(r, 2, "lease_definitions.target")?,
        target_name: get(r, 3, "lease_definitions.target_name")?,
        client_id: get(r, 4, "lease_definitions.client_id")?,
        tenant: binding(get(r, 8, "lease_definitions.tenant_id")?, get(r, 9, "lease_definitions.authority")?),
        ttl_secs: u64::try_from(ttl).map_err(|_| unknown("TTL"))?,
        max_ttl_secs: u64::try_from(max).map_err(|_| unknown("max TTL"))?,
        created_at: get(r, 7, "lease_definitions.created_at")?,
    })
}

/// The leases `sql` selects (`SELECT {LEASE_COLUMNS} …`).
pub(crate) async fn query_leases<C: GenericClient>(
    c: &C,
    at: &TeamStoreAddress,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<StoredLease>> {
    let rows = c.query(sql, params).await.map_err(|e| query_error(e, at))?;
    rows.iter().map(stored_lease).collect()
}

/// Every definition, by name (byte order, as SQLite sorts).
pub(crate) async fn definitions<C: GenericClient>(c: &C, at: &TeamStoreAddress) -> Result<Vec<Definition>> {
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions ORDER BY name COLLATE \"C\"");
    let rows = c.query(&sql, &[]).await.map_err(|e| query_error(e, at))?;
    rows.iter().map(definition).collect()
}

/// Inserts a definition; `false` when its name is taken (only that conflict is ignored: a CHECK still fails).
pub(crate) async fn insert_definition<C: GenericClient>(c: &C, at: &TeamStoreAddress, d: &Definition) -> Result<bool> {
    let sql = format!(
        "INSERT INTO lease_definitions ({DEFINITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (name) DO NOTHING"
    );
    Ok(c.execute(&sql, &refs(&definition_params(d)?)).await.map_err(|e| query_error(e, at))? == 1)
}

/// Inserts a lease with its row version and the time of its last write (a new lease, or one moved in).
pub(crate) async fn insert_lease<C: GenericClient>(
    c: &C,
    at: &TeamStoreAddress,
    lease: &Lease,
    owner: Option<&str>,
    version: u64,
    updated_at: &DateTime<Utc>,
) -> Result<()> {
    let mut p = lease_params(lease, owner);
    p.push(Box::new(big(version)?));
    p.extend(tenant_params(&lease.tenant));
    p.push(Box::new(lease.issued_by.clone()));
    p.push(Box::new(ms(updated_at)));
    let sql = format!(
        "INSERT INTO leases ({LEASE_COLUMNS}, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
    );
    c.execute(&sql, &refs(&p)).await.map_err(|e| query_error(e, at))?;
    Ok(())
}

/// Replaces a lease and its owner when its row version is still `read_version`; the new version,
/// or `None` when another write came first (nothing written).
pub(crate) async fn update_lease<C: GenericClient>(
    c: &C,
    at: &TeamStoreAddress,
    lease: &Lease,
    owner: Option<&str>,
    read_version: u64,
    now: &DateTime<Utc>,
) -> Result<Option<u64>> {
    let mut p = lease_params(lease, owner);
    p.push(Box::new(ms(now)));
    p.push(Box::new(big(read_version)?));
    let changed = c
        .execute(
            "UPDATE leases SET definition = $2, kind = $3, target = $4, status = $5, issued_at = $6,
                 expires_at = $7, max_expires_at = $8, renewed_at = $9, ended_at = $10, key_id = $11,
                 hint = $12, marker = $13, revoke_attempts = $14, next_attempt_at = $15,
                 last_error = $16, note = $17, owner = $18, updated_at = $19, row_version = row_version + 1
             WHERE id = $1 AND row_version = $20",
            &refs(&p),
        )
        .await
        .map_err(|e| query_error(e, at))?;
    Ok((changed == 1).then_some(read_version + 1))
}
