//! Entra's AADSTS error codes: what each means and how to fix it, and the
//! translation of an OAuth error response into the core's [`Error`].
//!
//! Entra answers a failed authorize or token request with an OAuth `error`
//! plus `error_codes: [700082]` and an `error_description` that starts with
//! `AADSTS700082:` and ends with trace and correlation IDs. The raw text is
//! long and written for Microsoft engineers; an admin needs the code, a
//! sentence saying what it means, and the fix. The table below (from Microsoft's
//! error-code reference, plus codes seen in real traffic) supplies those.
//! Providers other than Entra get a message built from the OAuth `error` value.

use crate::error::IdentityErrorDetails;
use crate::{Error, ErrorCode};

/// One row of the table: a code, its usual OAuth `error`, what it means and the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AadstsInfo {
    /// The numeric code, without the `AADSTS` prefix.
    pub code: u32,
    /// The OAuth `error` value Entra usually sends with it (empty when shown only on the sign-in page).
    pub error: &'static str,
    /// What went wrong, as a sentence fragment.
    pub meaning: &'static str,
    /// What to do about it.
    pub fix: &'static str,
}

const fn row(code: u32, error: &'static str, meaning: &'static str, fix: &'static str) -> AadstsInfo {
    AadstsInfo { code, error, meaning, fix }
}

/// The known codes. Sorted by code so [`lookup`] can binary-search.
static TABLE: &[AadstsInfo] = &[
    row(28002, "invalid_scope", "the scope is not valid", "request one resource per token request, with a valid scope"),
    row(28003, "invalid_scope", "the scope is empty", "request at least one scope, for example User.Read"),
    row(50011, "", "the redirect URI is not registered for the app (case, trailing slash or platform mismatch)", "add the exact redirect URI (e.g. http://localhost) under the app registration's 'Mobile and desktop applications' platform"),
    row(50012, "invalid_client", "the certificate is not authorized for the app", "upload the matching certificate to the app registration (Certificates & secrets)"),
    row(50020, "", "the user's account does not exist in this tenant", "invite the user as a B2B guest, or sign in with the right tenant/authority"),
    row(50034, "", "the user account does not exist in this directory", "check the user name, or sign in to the right tenant"),
    row(50053, "", "the account is locked", "wait for the lockout to end, or ask an admin to unlock the account"),
    row(50055, "", "the password has expired", "change the password, then sign in again"),
    row(50057, "", "the user account is disabled", "ask an admin to enable the account"),
    row(50058, "login_required", "there is no sign-in session for a silent request", "sign in interactively"),
    row(50076, "invalid_grant", "multi-factor authentication is required (Conditional Access, per-user MFA or location)", "sign in interactively and complete MFA"),
    row(50079, "invalid_grant", "the user must register for multi-factor authentication", "register security info at https://aka.ms/mysecurityinfo, then sign in again"),
    row(50105, "", "the user is not assigned to the app (assignment is required)", "an admin assigns the user or one of their groups to the enterprise application"),
    row(50126, "invalid_grant", "the user name or password is wrong", "check the credentials and try again"),
    row(50173, "invalid_grant", "the grant was revoked (password change or sessions revoked)", "sign in again"),
    row(50194, "", "a single-tenant app was used with the /common endpoint", "use the tenant's own authority, or make the app multitenant"),
    row(53000, "invalid_grant", "the device is not compliant", "enrol the device in device management (MDM)"),
    row(53003, "invalid_grant", "access was blocked by a Conditional Access policy", "review the Conditional Access policy and the sign-in logs (search by the correlation ID)"),
    row(54005, "invalid_grant", "the authorization code was already redeemed", "start the sign-in again: a code can be used only once"),
    row(65001, "invalid_grant", "the user or an admin has not consented to the app", "consent interactively, or have an admin grant tenant-wide consent"),
    row(65002, "invalid_client", "the client ID is one of Microsoft's own applications, which another program may not use", "register Entra Desk in your tenant and sign in with that client ID (README: Use your own tenant)"),
    row(65004, "access_denied", "the user declined consent", "sign in again and accept the consent prompt"),
    row(70008, "invalid_grant", "the refresh token or authorization code has expired from inactivity", "sign in again; an admin can check the token lifetime policy"),
    row(70011, "invalid_scope", "the requested scope is not valid", "fix the scope string (e.g. User.Read, or https://graph.microsoft.com/.default for app-only)"),
    row(70043, "invalid_grant", "the session expired under Conditional Access sign-in frequency", "sign in again"),
    row(90002, "invalid_request", "the tenant name or ID was not found (or belongs to another cloud)", "fix the tenant ID or authority"),
    row(90094, "", "admin consent is required", "ask an admin to grant consent, or use the admin-consent workflow"),
    row(90095, "", "admin consent is required, and the request went to the admins (the admin-consent workflow)", "wait for an admin to approve it (Enterprise applications → Admin consent requests), then sign in again"),
    row(500011, "invalid_resource", "the resource's service principal is not in the tenant", "an admin installs or consents to the resource application"),
    row(500112, "invalid_grant", "the redirect_uri sent to the token endpoint differs from the one used to sign in", "send the identical redirect_uri in both requests"),
    row(501481, "invalid_grant", "the PKCE code_verifier does not match the code_challenge", "start the sign-in again (the verifier of another attempt was used)"),
    row(650056, "invalid_client", "the permission is not in the app's configured API permissions, or not consented", "add the API permission to the app registration and grant consent"),
    row(650057, "invalid_request", "the permission is not in the app's configured API permissions", "add the API permission to the app registration and grant consent"),
    row(700016, "unauthorized_client", "the application was not found in the tenant (wrong client ID or tenant, or no service principal/consent)", "check the client ID and tenant ID; an admin may need to consent to or install the app"),
    row(700022, "invalid_scope", "the scope spans several resources", "request one resource per token request"),
    row(700025, "invalid_client", "a public client sent a client secret or assertion", "drop the credential: desktop sign-in must not send a secret"),
    row(700027, "invalid_client", "the client assertion's signature is not valid", "upload the certificate that matches the private key to the app registration"),
    row(700082, "invalid_grant", "the refresh token has expired from inactivity", "sign in again; an admin can check the token lifetime policy"),
    row(700084, "invalid_grant", "the single-page-app refresh token reached its 24-hour limit", "sign in again"),
    row(900144, "invalid_request", "a required request parameter is missing", "report this as a bug in Entra Desk, with the correlation ID"),
    row(7000215, "invalid_client", "the client secret is not valid", "use the secret's Value (not its Secret ID), or create a new client secret"),
    row(7000218, "invalid_client", "the request must contain a client_assertion or client_secret (the app is not registered as a public client)", "register the redirect URI under 'Mobile and desktop applications', or enable 'Allow public client flows'"),
    row(7000222, "invalid_client", "the client secret has expired", "create a new client secret (Certificates & secrets) or switch to a certificate"),
    row(9002313, "invalid_request", "the request is malformed or invalid", "report this as a bug in Entra Desk, with the correlation ID"),
    row(9002326, "invalid_request", "the code was redeemed from a browser context (Origin header) for a non-SPA redirect", "redeem the code from the app, not from a web page"),
];

/// What `code` means and how to fix it, if the table knows it.
pub fn lookup(code: u32) -> Option<&'static AadstsInfo> {
    TABLE.binary_search_by_key(&code, |r| r.code).ok().map(|i| &TABLE[i])
}

/// The first `AADSTS<digits>` code in a provider's text (usually an `error_description`).
pub fn code_in(text: &str) -> Option<u32> {
    let at = text.find("AADSTS")?;
    let digits: String = text[at + 6..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A value after `label` on its own line in Entra's description, e.g. `Trace ID: <guid>`.
fn labelled(text: &str, label: &str) -> Option<String> {
    let at = text.find(label)?;
    let rest = text[at + label.len()..].trim_start();
    let value: String = rest.chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
    (!value.is_empty()).then_some(value)
}

/// Fills in missing AADSTS code and trace/correlation IDs from the description text.
/// Entra puts them there even when the JSON fields are absent (e.g. in authorize redirects).
pub fn complete_details(mut details: IdentityErrorDetails) -> IdentityErrorDetails {
    if let Some(description) = details.description.clone() {
        details.aadsts = details.aadsts.or_else(|| code_in(&description));
        details.trace_id = details.trace_id.or_else(|| labelled(&description, "Trace ID:"));
        details.correlation_id = details.correlation_id.or_else(|| labelled(&description, "Correlation ID:"));
    }
    details
}

/// The first line of a provider description, without Entra's `AADSTS…:` prefix.
fn first_line(description: &str) -> &str {
    let line = description.lines().next().unwrap_or("").trim();
    let line = match line.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("AADSTS") => rest.trim(),
        _ => line,
    };
    // The message adds its own full stop.
    line.trim_end_matches('.')
}

/// The fix for a provider's refusal that the table doesn't know: after what the provider said
/// when its description names the parameter it refused (an `invalid_request` can be about any
/// of them, and "check the authority" is the wrong advice for a refused `prompt`), else after
/// the OAuth `error` value alone.
fn oauth_fix_for(error: &str, description: Option<&str>) -> &'static str {
    let said = description.unwrap_or("").to_ascii_lowercase();
    if error == "invalid_request" || error == "invalid_scope" {
        let names = |word: &str| said.contains(word);
        if names("prompt") {
            return "the provider refused the `prompt` value of the sign-in request; Entra Desk sends only values a provider advertises in `prompt_values_supported` (and select_account to Microsoft), so a provider that advertises one and refuses it should be reported to its operator";
        }
        if names("redirect_uri") || names("redirect uri") || names("reply url") {
            return "register Entra Desk's loopback redirect URI (http://localhost, or http://127.0.0.1, any port) for this client at the provider, or set redirectUri to one it has";
        }
        if names("code_challenge") || names("pkce") {
            return "the provider refused PKCE as sent (S256): check that the client is registered as a public client that may use PKCE";
        }
        if names("scope") {
            return "check the configured scopes: the provider names the one it refused";
        }
        if names("client_id") || names("client id") || names("client") {
            return "check the client ID: it must be registered at this provider";
        }
    }
    oauth_fix(error)
}

/// A generic fix for an OAuth `error` value, for providers (or codes) the table doesn't know.
fn oauth_fix(error: &str) -> &'static str {
    match error {
        "invalid_grant" => "sign in again",
        "invalid_client" => "check the client ID and the client credential (secret or certificate)",
        "unauthorized_client" => "check the client ID, and that the app is allowed to use this flow",
        "invalid_scope" => "check the configured scopes",
        "access_denied" => "sign in again and accept the consent prompt, or ask an admin for access",
        "consent_required" => "consent to the app interactively, or ask an admin to grant consent",
        "interaction_required" | "login_required" => "sign in interactively",
        "temporarily_unavailable" | "server_error" => "try again in a few minutes",
        "invalid_request" => "check the authority, client ID and redirect URI settings",
        "unsupported_grant_type" | "unsupported_response_type" => "the provider does not support this sign-in flow; check the authority",
        _ => "check the sign-in settings, or sign in again",
    }
}

/// Builds the core's error for an identity-provider refusal, with the code, its meaning and the fix.
///
/// `code` is usually [`ErrorCode::Identity`]; callers pass [`ErrorCode::NotSignedIn`] when a
/// silent refresh failed because the session ended, so the UI knows to offer sign-in.
pub fn identity_error(code: ErrorCode, details: IdentityErrorDetails) -> Error {
    let details = complete_details(details);
    let ids = match (&details.correlation_id, &details.trace_id) {
        (Some(c), Some(t)) => format!(" (correlation ID {c}, trace ID {t})"),
        (Some(c), None) => format!(" (correlation ID {c})"),
        (None, Some(t)) => format!(" (trace ID {t})"),
        (None, None) => String::new(),
    };
    let message = match (details.aadsts, details.aadsts.and_then(lookup)) {
        (Some(n), Some(info)) => format!("AADSTS{n}: {}. Fix: {}{ids}", info.meaning, info.fix),
        (Some(n), None) => {
            let said = details.description.as_deref().map(first_line).unwrap_or("no description");
            format!(
                "AADSTS{n} ({}): {said}. Fix: {}; look the code up at https://login.microsoftonline.com/error?code={n}{ids}",
                details.error,
                oauth_fix_for(&details.error, details.description.as_deref())
            )
        }
        (None, _) => {
            let said = details.description.as_deref().map(first_line).filter(|s| !s.is_empty());
            match said {
                Some(said) => format!("The identity provider refused the request ({}): {said}. Fix: {}{ids}", details.error, oauth_fix_for(&details.error, Some(said))),
                None => format!("The identity provider refused the request ({}). Fix: {}{ids}", details.error, oauth_fix(&details.error)),
            }
        }
    };
    Error::new(code, message).with_identity(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_so_lookup_works() {
        assert!(TABLE.windows(2).all(|w| w[0].code < w[1].code));
        for row in TABLE {
            assert_eq!(lookup(row.code), Some(row));
        }
    }

    #[test]
    fn emulator_codes_are_all_known() {
        for code in [700016, 7000215, 7000222, 501481, 54005, 500112, 700025, 70008, 700082, 9002313, 70011, 50126, 50034, 90002, 50058, 900144] {
            assert!(lookup(code).is_some(), "AADSTS{code} missing");
        }
        assert!(lookup(1).is_none());
    }

    #[test]
    fn code_and_ids_are_taken_from_the_description() {
        let d = "AADSTS70011: The provided value for the input parameter 'scope' isn't valid.\r\nTrace ID: 0a1b-2c\r\nCorrelation ID: 3d4e-5f\r\nTimestamp: 2016-01-09 02:02:12Z";
        let details = complete_details(IdentityErrorDetails { error: "invalid_scope".into(), description: Some(d.into()), ..Default::default() });
        assert_eq!(details.aadsts, Some(70011));
        assert_eq!(details.trace_id.as_deref(), Some("0a1b-2c"));
        assert_eq!(details.correlation_id.as_deref(), Some("3d4e-5f"));
    }

    #[test]
    fn message_names_code_meaning_fix_and_ids() {
        let err = identity_error(
            ErrorCode::Identity,
            IdentityErrorDetails {
                error: "invalid_grant".into(),
                aadsts: Some(700082),
                description: Some("AADSTS700082: The refresh token has expired due to inactivity.".into()),
                correlation_id: Some("c-1".into()),
                trace_id: Some("t-1".into()),
            },
        );
        assert_eq!(err.code(), ErrorCode::Identity);
        assert_eq!(
            err.message(),
            "AADSTS700082: the refresh token has expired from inactivity. Fix: sign in again; an admin can check the token lifetime policy (correlation ID c-1, trace ID t-1)"
        );
        assert_eq!(err.identity().unwrap().aadsts, Some(700082));
    }

    #[test]
    fn unknown_codes_and_other_providers_get_useful_messages() {
        let err = identity_error(
            ErrorCode::Identity,
            IdentityErrorDetails { error: "invalid_grant".into(), description: Some("AADSTS123: Something odd.".into()), ..Default::default() },
        );
        assert!(err.message().starts_with("AADSTS123 (invalid_grant): Something odd. Fix: sign in again; look the code up"), "{}", err.message());
        let err = identity_error(
            ErrorCode::Identity,
            IdentityErrorDetails { error: "invalid_client".into(), description: Some("Client authentication failed".into()), ..Default::default() },
        );
        assert_eq!(
            err.message(),
            "The identity provider refused the request (invalid_client): Client authentication failed. Fix: check the client ID and the client credential (secret or certificate)"
        );
    }

    #[test]
    fn an_invalid_request_is_fixed_after_what_the_provider_refused() {
        let fix = |description: &str| {
            let err = identity_error(ErrorCode::Identity, IdentityErrorDetails { error: "invalid_request".into(), description: Some(description.into()), ..Default::default() });
            err.message().split_once("Fix: ").map(|(_, fix)| fix.to_string()).unwrap()
        };
        // panva's oidc-provider, asked for prompt=select_account.
        let prompt = fix("unsupported prompt value requested");
        assert!(prompt.contains("`prompt` value") && !prompt.contains("check the authority"), "{prompt}");
        assert!(fix("redirect_uri did not match any of the client's registered redirect_uris").contains("redirect URI"));
        assert!(fix("code_challenge_method must be S256").contains("PKCE"));
        assert!(fix("missing required parameter 'client_id'").contains("client ID"));
        assert_eq!(fix("Something else entirely"), "check the authority, client ID and redirect URI settings");
        // Entra's own codes keep the table's fix.
        let entra = identity_error(
            ErrorCode::Identity,
            IdentityErrorDetails { error: "invalid_request".into(), description: Some("AADSTS90023: Invalid request. The prompt value 'x' is not supported.".into()), ..Default::default() },
        );
        assert!(entra.message().starts_with("AADSTS90023"), "{}", entra.message());
    }
}
