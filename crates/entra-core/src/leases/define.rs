//! Definitions: a name, a kind, a target, a default TTL and a max TTL. Checked here once, so
//! every lease issued from one starts from sound values.

use super::audit::local_actor;
use super::tenant::binding_of;
use super::duration::{format_duration, parse_duration};
use super::lists::{LeaseState, LeasesQuery};
use super::types::{AuditAction, AuditLine, DefineRequest, Definition, LeaseKind};
use super::Leases;
use crate::graph::map_error;
use crate::secret::ClientSecret;
use crate::ids::is_guid;
use crate::paging::ListQuery;
use crate::{Error, ErrorCode, Result};

/// The keychain scope of an access-token definition's client secret: its own entry
/// (`client-secret:<client id>@lease:<name>`), never an app-only sign-in's, so defining a
/// lease neither reuses nor overwrites the secret a sign-in keeps, and signing out does not
/// take it away.
pub(crate) fn lease_secret_scope(definition: &str) -> String {
    format!("lease:{definition}")
}

fn taken(name: &str) -> Error {
    Error::invalid_input(format!("A dynamic secret named '{name}' already exists: choose another name, or remove it first"))
}

fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        let shown: String = name.chars().take(64).collect();
        Err(Error::invalid_input(format!(
            "'{shown}' cannot name a dynamic secret: use 1 to 64 letters, digits, '-', '_' or '.'"
        )))
    }
}

fn check_target(kind: LeaseKind, target: &str) -> Result<()> {
    let shown: String = target.chars().take(80).collect();
    match kind {
        LeaseKind::AppSecret if !is_guid(target) => Err(Error::invalid_input(format!(
            "'{shown}' is not an application object ID: give the Object ID shown on the App registrations screen (a GUID), not the app's name"
        ))),
        LeaseKind::UserPassword if !is_guid(target) => Err(Error::invalid_input(format!(
            "'{shown}' is not a user object ID: give the user's Object ID (a GUID)"
        ))),
        LeaseKind::AccessToken if !target.ends_with("/.default") || target.chars().any(char::is_whitespace) => {
            Err(Error::invalid_input(format!(
                "'{shown}' is not an app-only scope: give a resource's .default scope, e.g. https://graph.microsoft.com/.default"
            )))
        }
        _ => Ok(()),
    }
}

impl Leases {
    /// Defines a dynamic secret in the tenant of `account_id`, which it is bound to from then
    /// on (see `tenant`). The target is looked up in Graph (its name is kept for the screen; a
    /// target that does not exist is refused); when Graph cannot be reached, it is defined as
    /// given. Without an account it is refused: nothing could say which tenant it belongs to.
    pub async fn define(&self, account_id: Option<&str>, request: DefineRequest) -> Result<Definition> {
        let name = request.name.trim().to_string();
        check_name(&name)?;
        let target = request.target.trim().to_string();
        check_target(request.kind, &target)?;
        let ttl_secs = parse_duration(&request.ttl)?;
        let max_ttl_secs = parse_duration(&request.max_ttl)?;
        if ttl_secs > max_ttl_secs {
            return Err(Error::invalid_input(format!(
                "The TTL {} is longer than the max TTL {}: a lease can never outlive its max TTL; raise the max TTL or shorten the TTL",
                format_duration(ttl_secs),
                format_duration(max_ttl_secs)
            )));
        }
        if request.kind == LeaseKind::UserPassword && !request.acknowledge_password_reset {
            return Err(Error::invalid_input(
                "A user-password lease resets a real user's password (and the revocation signs them out everywhere); \
                 it needs User.ReadWrite.All. Confirm that you mean it (--i-understand-this-resets-a-password, or tick the box)",
            ));
        }
        let account_id = account_id.ok_or_else(|| {
            Error::new(
                ErrorCode::NotSignedIn,
                "Sign in first: a dynamic secret belongs to one tenant, and Entra Desk records which when it is defined",
            )
        })?;
        let account = self.desk().account(Some(account_id))?;
        // Refused before anything is looked up or kept: the name is taken. (The insert below
        // checks again, in its transaction, for a define racing this one.)
        if self.store().definition(&name).await?.is_some() {
            return Err(taken(&name));
        }
        let mut client_id = None;
        let mut lease_secret = None;
        if request.kind == LeaseKind::AccessToken {
            let id = request.client_id.as_deref().map(str::trim).unwrap_or_default();
            if !is_guid(id) {
                return Err(Error::invalid_input(
                    "An access-token definition needs the client (application) ID of the app the token is for, a GUID",
                ));
            }
            // Checked here, kept only once the definition is stored (below): a refused define
            // must not have touched the keychain.
            match &request.client_secret {
                Some(secret) if !secret.expose().trim().is_empty() => lease_secret = Some(ClientSecret::new(secret.expose().trim())),
                _ => {
                    return Err(Error::invalid_input(format!(
                        "An access-token definition needs the client secret of {id}: give it (ENTRA_LEASE_CLIENT_SECRET for entractl, or the form's secret field); it is kept in the OS keychain for this definition only"
                    )))
                }
            }
            client_id = Some(id.to_string());
        }
        let target_name = match request.kind {
            LeaseKind::AccessToken => None,
            kind => self.target_name(account_id, kind, &target).await?,
        };
        let definition = Definition {
            name,
            kind: request.kind,
            target,
            target_name,
            client_id,
            tenant: Some(binding_of(&account)),
            ttl_secs,
            max_ttl_secs,
            created_at: self.now(),
        };
        let actor = account.username.clone();
        let audit = AuditLine {
            at: definition.created_at,
            action: AuditAction::Defined,
            lease_id: None,
            definition: Some(definition.name.clone()),
            target: Some(definition.target.clone()),
            actor,
            detail: format!(
                "defined {} on {} in tenant {} (TTL {}, max TTL {})",
                definition.kind.as_str(),
                definition.target_name.as_deref().unwrap_or(&definition.target),
                account.tenant_id,
                format_duration(ttl_secs),
                format_duration(max_ttl_secs)
            ),
            request_id: None,
        };
        let added = self.store().insert_definition(&definition, &audit).await?;
        if !added {
            return Err(taken(&definition.name));
        }
        // The keychain entry is written only by the define that stored the name, so it never
        // replaces the client secret of an existing definition; if the keychain refuses, the
        // definition goes again (a definition without its secret could issue nothing).
        if let (Some(secret), Some(id)) = (&lease_secret, &definition.client_id) {
            let kept = self.desk().async_keychain().set_client_secret(id, &lease_secret_scope(&definition.name), secret).await;
            if let Err(err) = kept {
                let undo = AuditLine {
                    at: self.now(),
                    action: AuditAction::Undefined,
                    detail: "removed the definition again: the OS keychain did not keep its client secret".into(),
                    ..audit
                };
                if let Err(undo_err) = self.store().delete_definition(&definition.name, &undo).await {
                    tracing::warn!(error = %undo_err, "could not remove a definition whose client secret the keychain refused");
                }
                return Err(err);
            }
        }
        Ok(definition)
    }

    /// The target's display name from Graph; `None` when Graph cannot say (offline). A target
    /// Graph says does not exist is refused.
    async fn target_name(&self, account_id: &str, kind: LeaseKind, target: &str) -> Result<Option<String>> {
        let graph = self.graph(account_id)?;
        let looked_up = match kind {
            LeaseKind::AppSecret => graph.application_credentials(target).await.map(|a| a.display_name),
            LeaseKind::UserPassword => graph.get_user(target).await.map(|u| u.user_principal_name.or(u.display_name)),
            LeaseKind::AccessToken => return Ok(None),
        };
        match looked_up {
            Ok(name) => Ok(name),
            Err(e) if e.status() == Some(404) => Err(Error::invalid_input(format!(
                "Microsoft Entra has no {} with object ID {target}: check the ID (App registrations shows it)",
                if kind == LeaseKind::AppSecret { "application" } else { "user" }
            ))),
            Err(e) if matches!(e.status(), Some(401 | 403)) => Err(map_error(e)),
            Err(e) => {
                tracing::warn!(error = %e, "could not look up a lease target; defining it without its name");
                Ok(None)
            }
        }
    }

    /// Every definition, by name.
    pub async fn definitions(&self) -> Result<Vec<Definition>> {
        self.store().definitions().await
    }

    pub(crate) async fn definition(&self, name: &str) -> Result<Definition> {
        let name = name.trim();
        self.store().definition(name).await?.ok_or_else(|| {
            Error::invalid_input(format!("There is no dynamic secret named '{name}': define it first, or list the definitions"))
        })
    }

    /// Removes a definition. Refused while one of its leases is still live (revoke them first);
    /// ended leases keep their history.
    pub async fn remove_definition(&self, name: &str) -> Result<()> {
        let definition = self.definition(name).await?;
        // Counted by the store: a page of one row says how many there are in all.
        let live_query = LeasesQuery {
            list: ListQuery { limit: Some(1), ..ListQuery::default() },
            state: LeaseState::Live,
            definition: Some(definition.name.clone()),
            ..LeasesQuery::default()
        };
        let live = self.store().lease_page(&live_query).await?.total;
        if live > 0 {
            return Err(Error::invalid_input(format!(
                "'{}' still has {live} live lease(s): revoke them first, then remove the definition",
                definition.name
            )));
        }
        let audit = AuditLine {
            at: self.now(),
            action: AuditAction::Undefined,
            lease_id: None,
            definition: Some(definition.name.clone()),
            target: Some(definition.target.clone()),
            actor: local_actor(),
            detail: format!("removed the definition of {}", definition.kind.as_str()),
            request_id: None,
        };
        self.store().delete_definition(&definition.name, &audit).await?;
        if let (LeaseKind::AccessToken, Some(client_id)) = (definition.kind, definition.client_id.as_deref()) {
            let keychain = self.desk().async_keychain();
            if let Err(e) = keychain.delete_client_secret(client_id, &lease_secret_scope(&definition.name)).await {
                tracing::warn!(error = %e, "could not delete a removed definition's client secret from the keychain");
            }
        }
        Ok(())
    }
}
