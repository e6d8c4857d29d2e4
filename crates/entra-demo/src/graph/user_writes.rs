//! Writes on one user, for the user-password leases:
//!
//! - `PATCH /users/{id}` with `{"passwordProfile":{"password","forceChangePasswordNextSignIn"?,
//!   "forceChangePasswordNextSignInWithMfa"?}}` → 204. Only `passwordProfile` is emulated;
//!   any other property answers 400 saying so rather than being dropped silently. The
//!   sign-in form then accepts only the new password (`accounts`), the user's password-based
//!   refresh tokens and browser sessions end (Entra's "admin resets password" row), and a
//!   user with `forceChangePasswordNextSignIn` (Graph's default when it is left out) is sent
//!   back from the form with AADSTS50055, since the demo form cannot change passwords.
//!   The password must follow Entra's rules: 8 to 256 printable ASCII characters (space
//!   included) from at least three of lower case, upper case, digits and symbols; else 400
//!   `Request_BadRequest` "The specified password does not comply with password complexity
//!   requirements…".
//! - `POST /users/{id}/revokeSignInSessions` → 200 `{"@odata.context":…#Edm.Boolean,"value":true}`:
//!   every refresh token issued to the user before it answers `invalid_grant` AADSTS50173,
//!   and its browser sessions end. Access tokens already issued stay valid until they expire.
//!
//! Permissions (any one): for the password, `User-PasswordProfile.ReadWrite.All`,
//! `User.ReadWrite.All`, `Directory.ReadWrite.All` or (delegated) `Directory.AccessAsUser.All`;
//! for revoking, `User.RevokeSessions.All` or the same three. A delegated caller must also
//! hold an admin role, which in the demo tenant only the demo admin has (revoking one's own
//! sessions needs none); else 403 `Authorization_RequestDenied`. Users are addressed by
//! object id only, as everywhere in the demo tenant.

use super::credentials::{bad_json, parse_body};
use super::ctx::Ctx;
use super::resource::check_id;
use super::GraphError;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde_json::{json, Value};

/// Permissions that allow setting another user's password.
pub const WRITE_PASSWORDS: &[&str] = &["User-PasswordProfile.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];

/// Permissions that allow revoking a user's sessions.
pub const REVOKE_SESSIONS: &[&str] = &["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];

/// Longest password Entra accepts.
const MAX_PASSWORD: usize = 256;
/// Shortest password Entra accepts.
const MIN_PASSWORD: usize = 8;

pub async fn patch_user(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    update(&ctx, &id, &body).unwrap_or_else(|e| ctx.fail(e))
}

pub async fn revoke_sign_in_sessions(ctx: Ctx, Path(id): Path<String>) -> Response {
    revoke(&ctx, &id).unwrap_or_else(|e| ctx.fail(e))
}

/// 403 for a delegated caller without an admin role acting on someone else (see the module documentation).
fn require_admin_for_others(ctx: &Ctx, target: &str, self_allowed: bool) -> Result<(), GraphError> {
    match ctx.caller.user_oid.as_deref() {
        None => Ok(()),
        Some(_) if ctx.signed_in_admin() => Ok(()),
        Some(oid) if self_allowed && oid.eq_ignore_ascii_case(target) => Ok(()),
        Some(_) => Err(GraphError::denied()),
    }
}

/// The user's object id as the directory spells it, or 404.
fn existing_user(ctx: &Ctx, id: &str) -> Result<String, GraphError> {
    let inv = ctx.state.inventory();
    let i = inv.person(id).ok_or_else(|| GraphError::not_found(id))?;
    Ok(inv.people[i].meta.id.clone())
}

/// Entra's password rules (length, character set, three of four character classes).
fn complies(password: &str) -> bool {
    let printable = password.chars().all(|c| (' '..='~').contains(&c));
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| c.is_ascii_punctuation() || c == ' '),
    ];
    printable && (MIN_PASSWORD..=MAX_PASSWORD).contains(&password.len()) && classes.iter().filter(|&&c| c).count() >= 3
}

/// `passwordProfile` as sent: the password and whether it must be changed at the next sign-in.
fn password_profile(profile: &Value) -> Result<(&str, bool), GraphError> {
    let invalid = || GraphError::bad_request("Request_BadRequest", "Invalid value specified for property 'passwordProfile' of resource 'User'.");
    let Value::Object(profile) = profile else { return Err(invalid()) };
    let mut force_change = true;
    let mut password = None;
    for (key, value) in profile {
        match (key.as_str(), value) {
            ("password", Value::String(p)) => password = Some(p.as_str()),
            ("forceChangePasswordNextSignIn", Value::Bool(b)) => force_change = *b,
            // Multi-factor registration is not emulated: accepted and without effect.
            ("forceChangePasswordNextSignInWithMfa", Value::Bool(_)) => {}
            ("password" | "forceChangePasswordNextSignIn" | "forceChangePasswordNextSignInWithMfa", Value::Null) => {}
            _ => return Err(invalid()),
        }
    }
    let password = password.ok_or_else(invalid)?;
    if !complies(password) {
        return Err(GraphError::bad_request(
            "Request_BadRequest",
            "The specified password does not comply with password complexity requirements. Please provide a different password.",
        ));
    }
    Ok((password, force_change))
}

fn update(ctx: &Ctx, id: &str, body: &[u8]) -> Result<Response, GraphError> {
    check_id(id)?;
    let body = parse_body(body)?;
    let Value::Object(fields) = &body else { return Err(bad_json()) };
    if let Some(other) = fields.keys().find(|k| *k != "passwordProfile") {
        return Err(GraphError::bad_request(
            "Request_BadRequest",
            format!("Updating the property '{other}' is not emulated by the demo tenant: only passwordProfile is."),
        ));
    }
    let Some(profile) = fields.get("passwordProfile") else {
        // Nothing to change; Graph answers an empty PATCH with 204 too.
        existing_user(ctx, id)?;
        return Ok(ctx.graph.no_content());
    };
    ctx.require(WRITE_PASSWORDS)?;
    require_admin_for_others(ctx, id, false)?;
    let oid = existing_user(ctx, id)?;
    let (password, force_change) = password_profile(profile)?;
    ctx.state.accounts.set_password(&oid, password, force_change, ctx.state.clock.now());
    ctx.state.store.end_sessions_of(&oid);
    tracing::info!(user = %oid, "password reset through Graph");
    Ok(ctx.graph.no_content())
}

fn revoke(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    check_id(id)?;
    ctx.require(REVOKE_SESSIONS)?;
    require_admin_for_others(ctx, id, true)?;
    let oid = existing_user(ctx, id)?;
    ctx.state.accounts.revoke_sessions(&oid, ctx.state.clock.now());
    ctx.state.store.end_sessions_of(&oid);
    tracing::info!(user = %oid, "sign-in sessions revoked through Graph");
    Ok(ctx.graph.ok(json!({ "@odata.context": format!("{}/$metadata#Edm.Boolean", ctx.root()), "value": true })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entras_password_rules() {
        assert!(complies("EntraDesk!Demo1"));
        assert!(complies("abcdEFGH1234"), "three classes without symbols");
        assert!(complies("with space 1A"));
        assert!(!complies("Ab1!"), "too short");
        assert!(!complies("alllowercase123"), "two classes");
        assert!(!complies("Pässword1!"), "not ASCII");
        assert!(!complies(&format!("Aa1!{}", "x".repeat(253))), "257 characters");
        assert!(complies(&format!("Aa1!{}", "x".repeat(252))));
    }

    #[test]
    fn password_profiles() {
        assert_eq!(password_profile(&json!({"password": "EntraDesk!Demo2"})).unwrap(), ("EntraDesk!Demo2", true), "Graph's default forces a change");
        assert!(!password_profile(&json!({"password": "EntraDesk!Demo2", "forceChangePasswordNextSignIn": false})).unwrap().1);
        assert_eq!(password_profile(&json!({"forceChangePasswordNextSignIn": false})).unwrap_err().code, "Request_BadRequest");
        assert_eq!(password_profile(&json!({"password": 5})).unwrap_err().code, "Request_BadRequest");
        assert_eq!(password_profile(&json!("x")).unwrap_err().code, "Request_BadRequest");
        assert!(password_profile(&json!({"password": "short"})).unwrap_err().message.contains("complexity"));
    }
}
