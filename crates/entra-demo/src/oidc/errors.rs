//! AADSTS errors: one constructor per error the emulator raises, and the
//! rendering of Entra's JSON error body.
//!
//! The mapping from AADSTS code to OAuth `error` value is not documented by
//! Microsoft; the values here follow REFERENCE.md §4 (observed traffic).
//! `invalid_client` answers HTTP 401, everything else 400.
//!
//! Some errors carry Entra's finer classification: `suberror` in a token
//! endpoint body (MSAL's `consent_required`, REFERENCE §1), `error_subcode` in
//! an authorization redirect (`cancel` when the user went back without
//! consenting, which MSAL reports as a cancellation).

use crate::clock::entra_timestamp;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

/// An Entra error: OAuth `error`, AADSTS code and message.
#[derive(Debug, Clone)]
pub struct AadError {
    pub error: &'static str,
    pub code: u32,
    pub message: String,
    /// `suberror` (token endpoint) or `error_subcode` (authorize redirect); see the module doc.
    pub suberror: Option<&'static str>,
}

impl AadError {
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self { error, code, message: message.into(), suberror: None }
    }

    fn with_suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// `AADSTSnnnn: message`.
    pub fn text(&self) -> String {
        format!("AADSTS{}: {}", self.code, self.message)
    }

    pub fn status(&self) -> StatusCode {
        if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// Entra's JSON body for this error.
    pub fn body(&self, ctx: &ErrorContext) -> serde_json::Value {
        let timestamp = entra_timestamp(ctx.now);
        let mut body = serde_json::json!({
            "error": self.error,
            "error_description": format!(
                "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                self.text(), ctx.trace_id, ctx.correlation_id, timestamp
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": ctx.trace_id,
            "correlation_id": ctx.correlation_id,
            "error_uri": format!("{}/error?code={}", ctx.base, self.code),
        });
        if let Some(suberror) = self.suberror {
            body["suberror"] = suberror.into();
        }
        body
    }

    /// The token-endpoint response for this error (JSON, no-store headers).
    pub fn into_token_response(self, ctx: &ErrorContext) -> Response {
        let mut response = (self.status(), axum::Json(self.body(ctx))).into_response();
        no_store(response.headers_mut());
        response
    }
}

/// What an error body needs besides the error: time, ids and the base URL.
#[derive(Debug, Clone)]
pub struct ErrorContext {
    pub now: DateTime<Utc>,
    pub trace_id: String,
    /// The client's `client-request-id` header when it sent one (MSAL does), as Entra does.
    pub correlation_id: String,
    pub base: String,
}

impl ErrorContext {
    pub fn new(now: DateTime<Utc>, base: &str, headers: &HeaderMap) -> Self {
        let correlation_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| uuid::Uuid::parse_str(v).ok())
            .unwrap_or_else(uuid::Uuid::new_v4)
            .to_string();
        Self { now, trace_id: uuid::Uuid::new_v4().to_string(), correlation_id, base: base.to_string() }
    }
}

/// `Cache-Control: no-store, no-cache` and `Pragma: no-cache`, as on every
/// token-endpoint response.
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, no-cache"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

// ----- the catalogue -------------------------------------------------------

pub fn tenant_not_found(tenant: &str) -> AadError {
    AadError::new(
        "invalid_request",
        90002,
        format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

pub fn missing_parameter(name: &str) -> AadError {
    AadError::new(
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

pub fn malformed(detail: &str) -> AadError {
    AadError::new("invalid_request", 9002313, format!("Invalid request. Request is malformed or invalid. {detail}"))
}

pub fn app_not_found(client_id: &str, tenant: &str) -> AadError {
    AadError::new(
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

pub fn redirect_uri_mismatch(redirect_uri: &str, client_id: &str) -> AadError {
    AadError::new(
        "invalid_request",
        50011,
        format!(
            "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
        ),
    )
}

pub fn invalid_scope(scope: &str) -> AadError {
    AadError::new(
        "invalid_scope",
        70011,
        format!("The provided value for the input parameter 'scope' isn't valid. The scope {scope} isn't valid."),
    )
}

pub fn scope_needs_default(scope: &str) -> AadError {
    AadError::new(
        "invalid_scope",
        1002012,
        format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
        ),
    )
}

pub fn resource_not_found(resource: &str, tenant: &str) -> AadError {
    AadError::new(
        "invalid_resource",
        500011,
        format!(
            "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
        ),
    )
}

pub fn unsupported_response_type(value: &str) -> AadError {
    AadError::new(
        "unsupported_response_type",
        700054,
        format!("response_type '{value}' is not enabled for the application."),
    )
}

pub fn invalid_response_mode(value: &str) -> AadError {
    AadError::new("invalid_request", 900144, format!("The response_mode '{value}' is not supported."))
}

pub fn invalid_code_challenge_method(value: &str) -> AadError {
    AadError::new(
        "invalid_request",
        501491,
        format!("Invalid code_challenge_method '{value}'. Supported values are 'S256' and 'plain'."),
    )
}

pub fn unsupported_prompt(value: &str) -> AadError {
    AadError::new("invalid_request", 90023, format!("Invalid request. The prompt value '{value}' is not supported."))
}

pub fn invalid_code_challenge() -> AadError {
    AadError::new("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
}

pub fn login_required() -> AadError {
    AadError::new("login_required", 50058, "A silent sign-in request was sent but no user is signed in.")
}

pub fn bad_password() -> AadError {
    AadError::new("invalid_grant", 50126, "Error validating credentials due to invalid username or password.")
}

pub fn user_not_found(tenant_id: &str) -> AadError {
    AadError::new(
        "invalid_grant",
        50034,
        format!(
            "The user account {{EUII Hidden}} does not exist in the {tenant_id} directory. To sign into this application, the account must be added to the directory."
        ),
    )
}

pub fn pkce_mismatch() -> AadError {
    AadError::new(
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    )
}

pub fn code_redeemed() -> AadError {
    AadError::new(
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    )
}

pub fn code_expired() -> AadError {
    AadError::new(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    )
}

pub fn code_invalid() -> AadError {
    AadError::new(
        "invalid_grant",
        9002313,
        "Invalid request. Request is malformed or invalid. The authorization code is not valid.",
    )
}

pub fn code_client_mismatch() -> AadError {
    AadError::new(
        "invalid_grant",
        70000,
        "The request was denied because one or more grants are invalid: the code was issued to another client.",
    )
}

pub fn redirect_uri_differs(given: &str, original: &str) -> AadError {
    AadError::new(
        "invalid_grant",
        500112,
        format!("The reply address '{given}' does not match the reply address '{original}' provided when requesting Authorization code."),
    )
}

pub fn public_client_sent_secret() -> AadError {
    AadError::new(
        "invalid_client",
        700025,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    )
}

pub fn credential_missing() -> AadError {
    AadError::new(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    )
}

pub fn refresh_token_expired(issued: DateTime<Utc>) -> AadError {
    AadError::new(
        "invalid_grant",
        700082,
        format!(
            "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
            issued.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        ),
    )
}

/// A refresh token issued before the user's sessions were revoked or password reset.
pub fn grant_revoked(issued: DateTime<Utc>, valid_from: DateTime<Utc>) -> AadError {
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    AadError::new(
        "invalid_grant",
        50173,
        format!(
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
            at(issued),
            at(valid_from)
        ),
    )
}

/// The password is right, but was set with `forceChangePasswordNextSignIn`.
pub fn password_must_change() -> AadError {
    AadError::new(
        "invalid_grant",
        50055,
        "The password is expired. You need to update your password because this is the first time you are signing in, or because your password has expired. (The demo tenant's form cannot change passwords: set one through Graph with forceChangePasswordNextSignIn false.)",
    )
}

/// An app registration without a service principal in the tenant asked for a token.
pub fn missing_service_principal(client_id: &str, tenant_id: &str) -> AadError {
    AadError::new(
        "invalid_client",
        7000229,
        format!("The client application {client_id} is missing service principal in the tenant {tenant_id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119"),
    )
}

pub fn refresh_token_invalid() -> AadError {
    AadError::new(
        "invalid_grant",
        9002313,
        "Invalid request. Request is malformed or invalid. The refresh token is malformed or not valid.",
    )
}

pub fn bad_secret(client_id: &str) -> AadError {
    AadError::new(
        "invalid_client",
        7000215,
        format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
        ),
    )
}

pub fn secret_expired(client_id: &str) -> AadError {
    AadError::new(
        "invalid_client",
        7000222,
        format!(
            "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
        ),
    )
}

pub fn assertion_malformed(detail: &str) -> AadError {
    AadError::new("invalid_client", 50027, format!("JWT token is invalid or malformed. {detail}"))
}

pub fn assertion_cert_unknown(client_id: &str) -> AadError {
    AadError::new(
        "invalid_client",
        700027,
        format!("The certificate with identifier used to sign the client assertion is not registered on application '{client_id}'."),
    )
}

pub fn assertion_signature() -> AadError {
    AadError::new("invalid_client", 700027, "Client assertion failed signature validation.")
}

pub fn assertion_audience(aud: &str) -> AadError {
    AadError::new(
        "invalid_client",
        700212,
        format!("The audience '{aud}' of the client assertion is not this tenant's token endpoint."),
    )
}

pub fn assertion_issuer() -> AadError {
    AadError::new(
        "invalid_client",
        700021,
        "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
    )
}

pub fn assertion_time() -> AadError {
    AadError::new("invalid_client", 700024, "Client assertion is not within its valid time range.")
}

pub fn unsupported_grant_type(grant: &str) -> AadError {
    AadError::new(
        "unsupported_grant_type",
        70003,
        format!("The app requested an unsupported grant type '{grant}'."),
    )
}

/// No consent for a scope a token request names (refresh, code redemption): send the user to
/// `/authorize` again. Entra's wording, with MSAL's `consent_required` classification.
pub fn consent_missing(client_id: &str, app_name: &str) -> AadError {
    AadError::new("invalid_grant", 65001, consent_missing_text(client_id, app_name)).with_suberror("consent_required")
}

/// `prompt=none` but consent is missing: OpenID Connect's `consent_required`, with the same code.
pub fn consent_required_silently(client_id: &str, app_name: &str) -> AadError {
    AadError::new("consent_required", 65001, consent_missing_text(client_id, app_name))
}

fn consent_missing_text(client_id: &str, app_name: &str) -> String {
    format!(
        "The user or administrator has not consented to use the application with ID '{client_id}' named '{app_name}'. Send an interactive authorization request for this user and resource."
    )
}

/// A refresh whose `claims` ask for an authentication context the sign-in behind the refresh
/// token did not meet: the person must sign in again (interactively, with the claims). Entra's
/// multifactor wording and MSAL's `basic_action` classification, as Entra was seen to answer a
/// Conditional Access requirement at the token endpoint.
pub fn step_up_required(resource: &str) -> AadError {
    AadError::new(
        "invalid_grant",
        50076,
        format!("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'."),
    )
    .with_suberror("basic_action")
}

/// The user chose Cancel on the consent page.
pub fn consent_declined() -> AadError {
    AadError::new("access_denied", 65004, "User declined to consent to access the app.").with_suberror("cancel")
}

/// A user without an administrator role returned from "Need admin approval".
pub fn admin_consent_required(app_name: &str) -> AadError {
    AadError::new(
        "access_denied",
        90094,
        format!(
            "{app_name} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it."
        ),
    )
    .with_suberror("cancel")
}

pub fn server_error(detail: &str) -> AadError {
    AadError::new("server_error", 90033, format!("A transient error has occurred. Please try again. {detail}"))
}
