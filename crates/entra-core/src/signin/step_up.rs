//! [`SignIn::step_up`]: meeting a claims challenge. A Conditional Access policy of the tenant
//! (an authentication context on the operation, e.g. `c1`) made Graph refuse the account's token
//! with a claims challenge ([`crate::ErrorCode::ClaimsRequired`], the claims request kept as
//! [`crate::Error::claims_challenge`]); the fix, as Microsoft's "Claims challenges, claims
//! requests and client capabilities" says, is an interactive sign-in whose authorize request
//! sends the decoded claims request as `claims`, until a token is had. Entra then applies the
//! policy (multifactor authentication, a compliant device, …) and issues a token whose `acrs`
//! meets it. Graph challenges only clients that declare the capability `cp1`, which every
//! sign-in and refresh at Microsoft's identity platform does, merged with these claims
//! ([`crate::auth::capabilities`]).
//!
//! It signs in the same person (`login_hint`), to the same tenant and app, asking for the same
//! scopes. The new tokens replace the account's (so the stepped-up access token is the one the
//! next Graph call uses), and the account keeps the claims request
//! ([`crate::accounts::Account::step_up_claims`]) for its refreshes.

use super::SignIn;
use crate::accounts::{Account, AccountKind};
use crate::auth::capabilities;
use crate::auth::interactive::SignInOptions;
use crate::auth::{BrowserOpener, SignInProgress};
use crate::config::ProfileSettings;
use crate::{Error, ErrorCode, Result};

impl SignIn {
    /// Signs `account_id`'s person in again sending `claims` (the claims request of a
    /// [`ErrorCode::ClaimsRequired`] error) as the authorize request's `claims` parameter. The
    /// account keeps its ID and its scopes. See the module doc.
    pub async fn step_up(
        &self,
        account_id: &str,
        claims: &str,
        opener: &dyn BrowserOpener,
        progress: &(dyn Fn(SignInProgress) + Send + Sync),
    ) -> Result<Account> {
        let claims = claims_request(claims)?;
        let account = self.person(account_id).await?;
        if account.kind != AccountKind::Interactive {
            return Err(Error::invalid_input(format!(
                "{} signs in as an app, and a Conditional Access authentication context asks for a person's sign-in: an administrator of the tenant exempts the app from the policy, or use a person's account",
                account.username
            )));
        }
        let signed_in = self.again(&account, account.scopes.clone(), Some(claims), opener, progress).await?;
        if signed_in.id != account.id {
            return Err(Error::new(
                ErrorCode::Identity,
                format!(
                    "The stronger sign-in was made as {} instead of {}: both are signed in now. To meet it as {}, choose \"Sign in again\" again and sign in as that account",
                    signed_in.username, account.username, account.username
                ),
            ));
        }
        Ok(signed_in)
    }

    /// Signs `account`'s person in again, to the same tenant and app, asking for `scopes` and
    /// sending `claims`: what "Grant access" and "Sign in again" share. No `select_account`: the
    /// sign-in is this person's, whom the hint names. Returns whoever signed in; the caller
    /// checks it is the same person.
    pub(super) async fn again(
        &self,
        account: &Account,
        scopes: Vec<String>,
        claims: Option<String>,
        opener: &dyn BrowserOpener,
        progress: &(dyn Fn(SignInProgress) + Send + Sync),
    ) -> Result<Account> {
        let mut flags = same_account(account);
        flags.scopes = Some(scopes);
        let mut profile = self.desk.settings().resolve_profile(flags).await?;
        profile.demo_tenant = account.demo_tenant;
        let (id, cancel) = self.begin();
        let options = SignInOptions { prompt: None, login_hint: Some(account.username.clone()), claims, ..SignInOptions::default() };
        let result = self.desk.sign_in_interactive(&profile, opener, cancel, progress, options).await;
        self.finish(id);
        result
    }
}

/// The flags of a sign-in to `account`'s tenant and app, with its endpoints and scopes.
fn same_account(account: &Account) -> ProfileSettings {
    ProfileSettings {
        tenant_id: Some(account.tenant_id.clone()),
        client_id: Some(account.client_id.clone()),
        authority: Some(account.authority.to_string()),
        metadata_address: account.metadata_url.as_ref().map(ToString::to_string),
        graph_url: Some(account.graph_url.to_string()),
        ca_cert: account.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
        scopes: Some(account.scopes.clone()),
        ..Default::default()
    }
}

/// `claims` as kept: a claims request [`capabilities::parse`] takes (a JSON object, OpenID
/// Connect Core §5.5), trimmed, else bad input before any browser opens.
fn claims_request(claims: &str) -> Result<String> {
    capabilities::parse(claims)?;
    Ok(claims.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claims_request_is_a_json_object() {
        let c1 = r#" {"access_token":{"acrs":{"essential":true,"value":"c1"}}} "#;
        assert_eq!(claims_request(c1).unwrap(), c1.trim());
        for bad in ["", "c1", "[1]", "\"x\"", "{", r#"{"access_token":"c1"}"#] {
            assert_eq!(claims_request(bad).unwrap_err().code(), ErrorCode::InvalidInput, "{bad}");
        }
    }
}
