//! Rotating a client secret: `addPassword` with a chosen lifetime (the value is returned
//! once, as a [`SecretString`], never stored or logged), then the cache is brought up to
//! date; and removing an old secret (`removePassword`) after the user confirmed.
//!
//! Each step says what state it leaves things in: a failure before Graph answered changed
//! nothing; a failure after Graph made the change says so (and, for a rotation, still hands
//! back the new secret, which cannot be read again, with a warning instead of an error).

use crate::apps::{Apps, CredentialType, ObjectType};
use crate::graph::map_error;
use crate::secret::SecretString;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};

/// The longest lifetime a rotated secret may get (Entra's own portal offers at most 24 months).
pub const MAX_LIFETIME_DAYS: u32 = 730;

/// A new client secret. `Debug` never shows the value; there is no `Serialize`.
#[derive(Debug, Clone)]
pub struct RotatedSecret {
    /// The object it was added to.
    pub object_id: String,
    /// Its type.
    pub object_type: ObjectType,
    /// The new credential's key ID.
    pub key_id: String,
    /// The secret: show it once, then drop it.
    pub secret: SecretString,
    /// The display name it was given.
    pub display_name: String,
    /// Valid until.
    pub end: DateTime<Utc>,
    /// Its first characters, as Graph will show them.
    pub hint: Option<String>,
    /// Set when the secret was created but the cache could not be updated (refresh the list).
    pub warning: Option<String>,
}

fn kind(object_type: ObjectType) -> &'static str {
    match object_type {
        ObjectType::Application => "app registration",
        ObjectType::ServicePrincipal => "service principal",
    }
}

/// The display name of a rotated secret: the day, for people, and a random tag that no other
/// credential carries, so that a rotation whose answer was lost finds exactly its own secret.
fn rotation_name(now: DateTime<Utc>) -> String {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    format!("Rotated by Entra Desk {} #{}", now.format("%Y-%m-%d"), &tag[..12])
}

/// After an addPassword whose answer was lost: removes the secret it may have added (found by
/// its unique name; it is ours, and nobody holds its value) and says what happened.
async fn settle_lost_rotation(graph: &crate::graph::GraphClient, object_id: &str, object_type: ObjectType, name: &str) -> String {
    let listed = match object_type {
        ObjectType::Application => graph.application_credentials(object_id).await.map(|a| a.password_credentials),
        ObjectType::ServicePrincipal => graph.service_principal_credentials(object_id).await.map(|s| s.password_credentials),
    };
    let credentials = match listed {
        Ok(c) => c,
        Err(e) => {
            return format!(
                "Its secrets could not be listed to find out ({}): refresh the list, and remove a secret named '{name}' if there is one \
                 (nobody holds its value); then rotate again",
                map_error(e).message()
            )
        }
    };
    let Some(found) = credentials.iter().find(|c| c.display_name.as_deref() == Some(name)) else {
        return format!(
            "No secret named '{name}' is listed, so none was added (Entra can take a minute to list a new one: if it appears, \
             remove it). Rotate again"
        );
    };
    let removed = match object_type {
        ObjectType::Application => graph.remove_application_password(object_id, &found.key_id).await,
        ObjectType::ServicePrincipal => graph.remove_service_principal_password(object_id, &found.key_id).await,
    };
    match removed {
        Ok(_) => format!(
            "It had added one (key {}), whose value nobody received: it was found by its name '{name}' and removed, so nothing was changed in the end: \
             rotate again",
            found.key_id
        ),
        Err(e) => format!(
            "It had added one (key {}, named '{name}'), whose value nobody received, and removing it failed ({}): remove it, then rotate again",
            found.key_id,
            map_error(e).message()
        ),
    }
}

/// A Graph refusal of a secret write, explained (a missing scope or a missing role).
async fn explained(apps: &Apps, account_id: &str, err: Error) -> Error {
    match apps.desk().explained::<()>(account_id, &[crate::permissions::WRITE_APP_SECRETS], Err(err)).await {
        Err(err) => err,
        Ok(()) => Error::internal("an explained error turned into a success"),
    }
}

/// Adds a secret valid `lifetime_days` (1..=730) to the object, as `account_id`.
pub(super) async fn rotate(apps: &Apps, account_id: &str, object_id: &str, object_type: ObjectType, lifetime_days: u32) -> Result<RotatedSecret> {
    if !(1..=MAX_LIFETIME_DAYS).contains(&lifetime_days) {
        return Err(Error::invalid_input(format!(
            "A secret lifetime of {lifetime_days} days cannot be used: choose 1 to {MAX_LIFETIME_DAYS} days. Nothing was changed"
        )));
    }
    crate::ids::check_object_id(object_id, kind(object_type))?;
    let graph = apps.desk().graph(account_id)?;
    let now = apps.now();
    let end = now + chrono::Duration::days(i64::from(lifetime_days));
    let display_name = rotation_name(now);
    let added = match object_type {
        ObjectType::Application => graph.add_application_password(object_id, &display_name, Some(end)).await,
        ObjectType::ServicePrincipal => graph.add_service_principal_password(object_id, &display_name, Some(end)).await,
    };
    let added = match added {
        Ok(added) => added,
        // After a 504, no answer at all, or an unreadable one, Graph may have added the secret
        // all the same (it is never re-sent: see entra_graph's retry policy). Nobody holds its
        // value, so it is looked up by its name, which no other credential has, and removed.
        Err(e) if e.may_have_been_carried_out() => {
            let mapped = map_error(e);
            let outcome = settle_lost_rotation(&graph, object_id, object_type, &display_name).await;
            let message = format!("Microsoft Graph did not answer whether a secret was added to the {} {object_id} ({}). {outcome}", kind(object_type), mapped.message());
            return Err(mapped.reworded(message));
        }
        Err(e) => {
            let mapped = explained(apps, account_id, map_error(e)).await;
            let message = format!("No secret was created on the {} {object_id}: {} Nothing was changed", kind(object_type), mapped.message());
            return Err(mapped.reworded(message));
        }
    };
    let key_id = added.credential.key_id.clone();
    tracing::info!(object = %object_id, key = %key_id, "added a client secret");
    let warning = match apps.reload_object(&graph, object_id, object_type).await {
        Ok(()) => None,
        Err(e) => Some(format!(
            "The new secret was created (key {key_id}) but the local cache could not be updated ({}): refresh the list to see it",
            e.message()
        )),
    };
    Ok(RotatedSecret {
        object_id: object_id.to_string(),
        object_type,
        secret: SecretString::new(added.secret_text.expose()),
        display_name,
        end: added.credential.end_date_time.unwrap_or(end),
        hint: added.credential.hint.clone(),
        key_id,
        warning,
    })
}

/// Removes the client secret `key_id` from the object, as `account_id`, then updates the cache.
pub(super) async fn remove(apps: &Apps, account_id: &str, object_id: &str, object_type: ObjectType, key_id: &str) -> Result<()> {
    crate::ids::check_object_id(object_id, kind(object_type))?;
    if let Ok(detail) = apps.detail(object_id).await {
        let cached = detail.credentials.iter().find(|c| c.credential.key_ids.iter().any(|k| k == key_id));
        if cached.is_some_and(|c| c.credential.credential_type == CredentialType::Certificate) {
            return Err(Error::invalid_input(format!(
                "Key {key_id} is a certificate, not a client secret: remove certificates in the Entra admin center. Nothing was changed"
            )));
        }
    }
    let graph = apps.desk().graph(account_id)?;
    let removed = match object_type {
        ObjectType::Application => graph.remove_application_password(object_id, key_id).await,
        ObjectType::ServicePrincipal => graph.remove_service_principal_password(object_id, key_id).await,
    };
    if let Err(e) = removed {
        let unknown = e.may_have_been_carried_out();
        let mapped = explained(apps, account_id, map_error(e)).await;
        let message = if unknown {
            format!(
                "Microsoft Graph did not say whether the secret {key_id} was removed from the {} {object_id}: {} Refresh the list to see whether it is still there",
                kind(object_type),
                mapped.message()
            )
        } else {
            format!("The secret {key_id} was not removed from the {} {object_id}: {} Nothing was changed", kind(object_type), mapped.message())
        };
        return Err(mapped.reworded(message));
    }
    tracing::info!(object = %object_id, key = %key_id, "removed a client secret");
    apps.reload_object(&graph, object_id, object_type).await.map_err(|e| {
        Error::new(
            ErrorCode::Storage,
            format!("The secret {key_id} was removed in Microsoft Entra, but the local cache could not be updated ({}): refresh the list", e.message()),
        )
    })
}
