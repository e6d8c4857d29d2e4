//! Every claim explained: what it means for registered JWT claims and Entra's
//! own, with times in UTC, local and relative form, directory roles named,
//! group IDs resolved through the caller's group cache, and groups overage
//! detected.

use crate::decode::Decoded;
use crate::roles;
use crate::time::TimeView;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// Resolves group object IDs to display names (the group cache implements it).
/// `Send + Sync` so that an inspection can run on any async worker thread.
pub trait GroupNames: Send + Sync {
    /// The group's display name, if known.
    fn name_of(&self, id: &str) -> Option<String>;
}

/// No group names known.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGroupNames;

impl GroupNames for NoGroupNames {
    fn name_of(&self, _id: &str) -> Option<String> {
        None
    }
}

impl<S: std::hash::BuildHasher + Send + Sync> GroupNames for std::collections::HashMap<String, String, S> {
    fn name_of(&self, id: &str) -> Option<String> {
        self.get(id).cloned()
    }
}

/// One row of the claims table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ClaimRow {
    /// The claim name as in the token.
    pub name: String,
    /// The raw JSON value.
    pub value: Value,
    /// The value for people: names added to IDs, times formatted.
    pub display: String,
    /// What the claim means; empty for claims this inspector does not know.
    pub meaning: String,
    /// For numeric dates: UTC, local and relative views.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeView>,
}

/// What the token says about groups.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupsInfo {
    /// Group IDs with names where the cache knows them.
    pub groups: Vec<NamedId>,
    /// True when the groups were left out because there are too many (overage).
    pub overage: bool,
    /// Where the overage claim says the full list can be fetched, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overage_endpoint: Option<String>,
    /// The explanation shown to the admin; empty when there is nothing to say.
    pub explanation: String,
}

/// An ID with an optional display name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NamedId {
    /// The object or template ID.
    pub id: String,
    /// The display name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

const TIME_CLAIMS: &[&str] = &["exp", "nbf", "iat", "auth_time", "pwd_exp", "xms_tcdt"];

/// The meaning of a claim, or `None` when unknown.
pub fn meaning(name: &str) -> Option<&'static str> {
    Some(match name {
        "aud" => "Audience: the API (resource) the token is for. v2 tokens carry the API's client ID; v1 tokens its App ID URI or client ID. A resource server must reject tokens for another audience",
        "iss" => "Issuer: the security token service and tenant that issued the token (v1 https://sts.windows.net/{tid}/, v2 https://login.microsoftonline.com/{tid}/v2.0)",
        "idp" => "Identity provider that authenticated the subject; differs from the issuer for guests and personal accounts",
        "iat" => "Issued at: when the token was issued",
        "nbf" => "Not before: the token is not valid before this time",
        "exp" => "Expires: the token must be rejected after this time (allowing for clock skew)",
        "auth_time" => "When the user last entered credentials",
        "pwd_exp" => "When the user's password expires",
        "xms_tcdt" => "When the tenant was created",
        "tid" => "Tenant ID: the directory the user or app signed in to",
        "oid" => "Object ID of the user or service principal in this tenant; immutable, equals the Microsoft Graph id; use it (with tid) to identify the caller",
        "sub" => "Subject: pairwise identifier of the principal, unique per application; do not compare across apps",
        "ver" => "Token version: 1.0 or 2.0 (chosen by the API's accessTokenAcceptedVersion, not by the client)",
        "scp" => "Scopes: delegated permissions granted to the client for this API, space-separated; present only when a user is signed in",
        "roles" => "App roles: application permissions (app-only) or app roles assigned to the user",
        "wids" => "Directory roles (built-in role template IDs) held by the user; emitted when groupMembershipClaims includes DirectoryRole or All",
        "groups" => "Object IDs of the groups the principal belongs to (per the app's groupMembershipClaims)",
        "hasgroups" => "Groups overage (implicit flow): the user is in too many groups to list; query Microsoft Graph for them",
        "_claim_names" => "Distributed claims: names of claims (such as groups) that were too large to include",
        "_claim_sources" => "Distributed claims: where to fetch the claims named in _claim_names",
        "idtyp" => "Token type: 'app' for app-only tokens, 'user' for tokens with a user (optional claim)",
        "azp" => "Authorized party (v2): client ID of the application that requested the token",
        "appid" => "Application ID (v1): client ID of the application that requested the token",
        "azpacr" => "How the client authenticated (v2): 0 public client, 1 client secret, 2 certificate or federated credential",
        "appidacr" => "How the client authenticated (v1): 0 public client, 1 client secret, 2 certificate or federated credential",
        "amr" => "Authentication methods used to sign the user in (pwd, mfa, rsa, otp, fed, wia, ngcmfa…)",
        "acr" => "Authentication context class (v1): 0 means the user did not meet ISO/IEC 29115 requirements",
        "acrs" => "Authentication context IDs the user satisfied (Conditional Access authentication contexts)",
        "uti" => "Token identifier (opaque, like jti); Microsoft uses it to revalidate tokens. Do not parse it",
        "jti" => "Token identifier: unique ID of this token",
        "rh" => "Opaque Microsoft-internal claim used to revalidate tokens; ignore it",
        "aio" => "Opaque Microsoft-internal claim; ignore it",
        "name" => "Display name of the user; not unique, do not use it for authorization",
        "preferred_username" => "Primary username (v2, needs the profile scope); mutable, do not use it for authorization",
        "upn" => "User principal name (v1); mutable, do not use it for authorization",
        "unique_name" => "Human-readable user name (v1); mutable, do not use it for authorization",
        "email" => "Email address, if the user has one; may be unverified",
        "given_name" => "First name",
        "family_name" => "Last name",
        "ipaddr" => "IP address the user authenticated from (v1)",
        "onprem_sid" => "On-premises security identifier of a synced user",
        "in_corp" => "The client signed in from the corporate network",
        "nonce" => "Nonce from the authorize request (ID tokens); the client must compare it to the value it sent",
        "at_hash" => "Access token hash (ID tokens): binds the ID token to the access token issued with it",
        "c_hash" => "Code hash (ID tokens): binds the ID token to the authorization code",
        "sid" => "Session ID of the user's sign-in session",
        "login_hint" => "Opaque hint to sign the same user in again silently",
        "app_displayname" => "Display name of the client application",
        "acct" => "Account status in the tenant: 0 member, 1 guest",
        "ctry" => "Country of the user",
        "tenant_ctry" => "Country of the tenant",
        "tenant_region_scope" => "Region of the tenant",
        "xms_cc" => "Client capabilities: 'cp1' means the client can handle claims challenges (continuous access evaluation)",
        "xms_pdl" => "Preferred data location (multi-geo tenants)",
        "xms_pl" => "User's preferred language",
        "xms_tpl" => "Tenant's preferred language",
        "xms_edov" => "Email domain owner verified",
        "xms_idrel" => "Microsoft-internal: relationship of the identity to the tenant",
        "xms_mirid" => "Managed identity resource ID: the Azure resource whose managed identity requested the token",
        "xms_ssm" | "xms_st" => "Microsoft-internal extended claim",
        _ if name.starts_with("xms_") => "Microsoft extension claim (xms_*): Microsoft-internal or optional, informational",
        "typ" => "Type of the token",
        _ => return None,
    })
}

fn client_auth(code: &str) -> &'static str {
    match code {
        "0" => "public client (no secret)",
        "1" => "client secret",
        "2" => "certificate or federated credential",
        _ => "unknown method",
    }
}

fn amr_meaning(m: &str) -> &'static str {
    match m {
        "pwd" => "password",
        "rsa" => "RSA key (e.g. Authenticator app or Windows Hello)",
        "otp" => "one-time passcode",
        "fed" => "federated assertion",
        "wia" => "Windows Integrated Authentication",
        "mfa" => "multifactor authentication",
        "ngcmfa" => "MFA for provisioning certain credentials",
        "wiaormfa" => "Windows or MFA credential",
        "none" => "no authentication",
        _ => "",
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn display(name: &str, value: &Value, groups: &dyn GroupNames, time: Option<&TimeView>) -> String {
    if let Some(t) = time {
        return format!("{} (local {}, {})", t.utc, t.local, t.relative);
    }
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(items) => items.iter().map(compact).collect(),
            other => vec![compact(other)],
        }
    };
    match name {
        "wids" => strings(value)
            .iter()
            .map(|id| match roles::role_name(id) {
                Some(n) => format!("{id} ({n})"),
                None => format!("{id} (not a well-known built-in role)"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        "groups" => strings(value)
            .iter()
            .map(|id| match groups.name_of(id) {
                Some(n) => format!("{id} ({n})"),
                None => id.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        "appidacr" | "azpacr" => {
            let c = compact(value);
            format!("{c} ({})", client_auth(&c))
        }
        "amr" => strings(value)
            .iter()
            .map(|m| match amr_meaning(m) {
                "" => m.clone(),
                s => format!("{m} ({s})"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        "acct" => match compact(value).as_str() {
            "0" => "0 (member)".into(),
            "1" => "1 (guest)".into(),
            c => c.to_string(),
        },
        "roles" | "scp" => strings(value).join(", "),
        _ => compact(value),
    }
}

/// The claims table, sorted by claim name.
pub fn explain(payload: &Map<String, Value>, groups: &dyn GroupNames, now: DateTime<Utc>) -> Vec<ClaimRow> {
    payload
        .iter()
        .map(|(name, value)| {
            let time = if TIME_CLAIMS.contains(&name.as_str()) {
                value.as_i64().and_then(|t| TimeView::new(t, now))
            } else {
                None
            };
            ClaimRow {
                name: name.clone(),
                value: value.clone(),
                display: display(name, value, groups, time.as_ref()),
                meaning: meaning(name).unwrap_or("").to_string(),
                time,
            }
        })
        .collect()
}

/// The directory roles in `wids`, named where well known.
pub fn directory_roles(d: &Decoded) -> Vec<NamedId> {
    match d.payload.get("wids") {
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(|id| NamedId { id: id.to_string(), name: roles::role_name(id).map(str::to_string) })
            .collect(),
        _ => Vec::new(),
    }
}

/// Groups, with overage detection.
pub fn groups_info(d: &Decoded, names: &dyn GroupNames) -> GroupsInfo {
    let groups: Vec<NamedId> = match d.payload.get("groups") {
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(|id| NamedId { id: id.to_string(), name: names.name_of(id) })
            .collect(),
        _ => Vec::new(),
    };
    let source = d
        .payload
        .get("_claim_names")
        .and_then(|n| n.get("groups"))
        .and_then(Value::as_str);
    let endpoint = source.and_then(|src| {
        d.payload.get("_claim_sources").and_then(|s| s.get(src)).and_then(|s| s.get("endpoint")).and_then(Value::as_str).map(str::to_string)
    });
    let hasgroups = matches!(d.payload.get("hasgroups"), Some(Value::Bool(true)) | Some(Value::String(_)));
    let overage = source.is_some() || hasgroups;
    let actor = if d.claim_str("idtyp") == Some("app") { "servicePrincipals" } else { "users" };
    let oid = d.claim_str("oid").unwrap_or("{oid}");
    let explanation = if overage {
        format!(
            "Groups overage: the principal is in more groups than fit in a token (200 for JWTs, 6 in the implicit flow), so Entra left the groups claim out{}. Fetch the full list from Microsoft Graph with POST https://graph.microsoft.com/v1.0/{actor}/{oid}/getMemberObjects (needs GroupMember.Read.All), or limit the claim to groups assigned to the application",
            match &endpoint {
                Some(e) => format!(" and pointed to {e}"),
                None => String::new(),
            }
        )
    } else if !groups.is_empty() {
        let unnamed = groups.iter().filter(|g| g.name.is_none()).count();
        if unnamed > 0 {
            format!("{} of {} group IDs are not in the group cache; refresh the cache to see their names", unnamed, groups.len())
        } else {
            String::new()
        }
    } else {
        String::new()
    };
    GroupsInfo { groups, overage, overage_endpoint: endpoint, explanation }
}
