//! Which tenant a definition or a lease belongs to, and the check every operation that acts in
//! a tenant makes before it does.
//!
//! A lease's credential lives in one tenant, and what another tenant says about it proves
//! nothing: a 404 or an unknown key ID there would read as "already gone", and the store would
//! record a removal that never happened while the real secret stays valid. So definitions record
//! the tenant (ID and authority) of the account that defined them, leases inherit it, and issue,
//! revoke, sweep, reconcile and access tokens act only with an account of that tenant.
//!
//! Same tenant means the same tenant ID *and* the same cloud (the authority's scheme, host and
//! port): tenant IDs are GUIDs, but a provider we do not trust could reuse one. The demo tenant
//! on loopback moves to another port when its own is taken, so for loopback authorities the port
//! is not part of the cloud (its accounts follow the running demo tenant).

use super::types::{AuditAction, AuditLine, TenantBinding};
use super::Leases;
use crate::accounts::Account;
use crate::{Error, ErrorCode, Result};
use serde::Serialize;
use url::Url;

/// What binding the unbound records did (`Leases::bind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BindReport {
    /// The tenant they were bound to.
    pub tenant: TenantBinding,
    /// Definitions bound.
    pub definitions: u32,
    /// Leases bound.
    pub leases: u32,
}

/// The binding of what `account` defines.
pub(crate) fn binding_of(account: &Account) -> TenantBinding {
    TenantBinding { tenant_id: account.tenant_id.clone(), authority: account.authority.to_string() }
}

/// The cloud an authority names: scheme, host and port (the port left out on loopback).
fn cloud(authority: &str) -> Option<String> {
    let url = Url::parse(authority).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1");
    Some(if loopback { format!("{}://{host}", url.scheme()) } else { format!("{}://{host}:{}", url.scheme(), url.port_or_known_default()?) })
}

/// Whether `binding` is `account`'s tenant.
pub(crate) fn is_accounts(binding: Option<&TenantBinding>, account: &Account) -> bool {
    let Some(binding) = binding else { return false };
    binding.tenant_id.eq_ignore_ascii_case(&account.tenant_id)
        && cloud(&binding.authority).is_some_and(|c| Some(c) == cloud(account.authority.as_str()))
}

/// `Ok` when `binding` is `account`'s tenant; otherwise an error that names both tenants and
/// the fix. `what` names the record (`Lease 6f1c…`, `The dynamic secret 'ci'`).
pub(crate) fn check(binding: Option<&TenantBinding>, account: &Account, what: &str) -> Result<()> {
    if is_accounts(binding, account) {
        return Ok(());
    }
    let signed_in = format!("tenant {} ({})", account.tenant_id, account.authority);
    let message = match binding {
        None => format!(
            "{what} was recorded before Entra Desk bound leases to their tenant, so it is not known which tenant it belongs to; \
             you are signed in to {signed_in}. If that is its tenant, bind it (`entractl lease bind`, or Bind on the Leases screen), \
             then try again. Nothing was changed"
        ),
        Some(b) => format!(
            "{what} belongs to tenant {} ({}), but you are signed in to {signed_in}: sign in to its tenant and try again. Nothing was changed",
            b.tenant_id, b.authority
        ),
    };
    Err(Error::new(ErrorCode::WrongTenant, message))
}

impl Leases {
    /// Binds every unbound definition and lease (recorded before Entra Desk bound them to a
    /// tenant) to the tenant of `account_id`. Only on the admin's explicit request: nothing
    /// else can tell which tenant they were made in, and a wrong guess is the defect binding
    /// exists to prevent. One transaction, with an audit line that names the tenant.
    pub async fn bind(&self, account_id: &str) -> Result<BindReport> {
        let account = self.desk().account(Some(account_id))?;
        let tenant = binding_of(&account);
        let audit = AuditLine {
            at: self.now(),
            action: AuditAction::Bound,
            lease_id: None,
            definition: None,
            target: None,
            actor: account.username.clone(),
            detail: format!("bound every unbound definition and lease to tenant {} ({})", tenant.tenant_id, tenant.authority),
            request_id: None,
        };
        let (definitions, leases) = self.store().bind_unbound(&tenant, &audit).await?;
        Ok(BindReport { tenant, definitions, leases })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds_compare_host_and_port_except_on_loopback() {
        assert_eq!(cloud("https://login.microsoftonline.com/t/v2.0"), cloud("https://LOGIN.microsoftonline.com:443/other"));
        assert_ne!(cloud("https://login.microsoftonline.com/t"), cloud("https://login.microsoftonline.us/t"));
        assert_ne!(cloud("https://idp.example:8443/t"), cloud("https://idp.example/t"));
        assert_eq!(cloud("http://127.0.0.1:41234/t/v2.0"), cloud("http://127.0.0.1:50000/t/v2.0"));
        assert_ne!(cloud("http://127.0.0.1:41234/t"), cloud("https://127.0.0.1:41234/t"));
        assert_eq!(cloud("not a url"), None);
    }
}
