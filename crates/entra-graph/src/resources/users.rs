//! One user: read it, reset its password, end its sign-in sessions.
//!
//! - `GET /users/{id}?$select=id,displayName,userPrincipalName` ([`GraphClient::get_user`]).
//! - `PATCH /users/{id}` with `{"passwordProfile":{"password","forceChangePasswordNextSignIn"}}`
//!   → 204 ([`GraphClient::update_user_password`]). Graph needs `User-PasswordProfile.ReadWrite.All`,
//!   `User.ReadWrite.All` or `Directory.ReadWrite.All` (delegated: also an admin role of the
//!   signed-in user), and refuses a password that breaks the tenant's complexity rules with
//!   400 `Request_BadRequest`.
//! - `POST /users/{id}/revokeSignInSessions` → 200 `{"@odata.context":…#Edm.Boolean,"value":true}`
//!   ([`GraphClient::revoke_sign_in_sessions`]): refresh tokens and session cookies issued
//!   before it stop working; access tokens already issued live on until they expire.
//!
//! Both writes are marked idempotent, so a transport failure is retried: setting the same
//! password again, or revoking sessions again, ends in the same state. The password is only
//! ever in the request body: not in the URL, an error, a log line or a `Debug`; the body's
//! copy is overwritten once the call is over.

use crate::client::{path_segment, GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::User;
use crate::receipt::WriteReceipt;
use zeroize::Zeroize;

/// The `$select` of [`GraphClient::get_user`]: what naming a user takes.
pub const USER_NAME_SELECT: &[&str] = &["id", "displayName", "userPrincipalName"];

/// The answer of `revokeSignInSessions`.
#[derive(serde::Deserialize)]
struct Revoked {
    #[serde(default)]
    value: Option<bool>,
}

impl GraphClient {
    /// `GET /users/{id}?$select=id,displayName,userPrincipalName` (the other fields stay empty).
    pub async fn get_user(&self, id: &str) -> Result<User, GraphError> {
        self.send(&GraphRequest::get(&format!("users/{}", path_segment(id))).select(USER_NAME_SELECT)).await
    }

    /// `PATCH /users/{id}` setting `passwordProfile` (204). With `force_change`, the user
    /// must choose a new password at the next sign-in. Resetting a password also ends the
    /// user's password-based sessions in Entra.
    pub async fn update_user_password(&self, user_id: &str, password: &str, force_change: bool) -> Result<WriteReceipt, GraphError> {
        let body = serde_json::json!({
            "passwordProfile": { "password": password, "forceChangePasswordNextSignIn": force_change }
        });
        let mut request = GraphRequest::patch(&format!("users/{}", path_segment(user_id)), body).idempotent(true);
        let result = self.send_write(&request).await;
        scrub_password(&mut request);
        result
    }

    /// `POST /users/{id}/revokeSignInSessions` (200 `{"value": true}`): refresh tokens and
    /// browser sessions issued to the user before now stop working.
    pub async fn revoke_sign_in_sessions(&self, user_id: &str) -> Result<WriteReceipt, GraphError> {
        let request = GraphRequest::post(&format!("users/{}/revokeSignInSessions", path_segment(user_id)), serde_json::json!({})).idempotent(true);
        let answer = self.send_raw(&request).await?;
        // Graph answers `true`; a `false` would mean nothing was revoked, which must not pass for success.
        if answer.decode::<Revoked>()?.value == Some(false) {
            return Err(GraphError::Decode {
                what: answer.what.clone(),
                path: "value".into(),
                message: "Graph answered false: the sign-in sessions were not revoked".into(),
                request_id: answer.request_id.clone(),
                client_request_id: Some(answer.client_request_id.clone()),
            });
        }
        Ok(answer.receipt())
    }
}

/// Overwrites the password in a request body that is no longer needed.
fn scrub_password(request: &mut GraphRequest) {
    if let Some(serde_json::Value::String(password)) = request.body.as_mut().and_then(|b| b.pointer_mut("/passwordProfile/password")) {
        password.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_scrubbed_from_the_body() {
        let mut request = GraphRequest::patch("users/u", serde_json::json!({"passwordProfile": {"password": "p4ss!Word", "forceChangePasswordNextSignIn": false}}));
        scrub_password(&mut request);
        assert_eq!(request.body().unwrap()["passwordProfile"]["password"], "");
        assert_eq!(request.body().unwrap()["passwordProfile"]["forceChangePasswordNextSignIn"], false);
    }
}
