//! The [`Ctx`] extractor of the newer Graph handlers: the request's ids,
//! headers and raw query, and the authenticated caller (401 otherwise).

use super::auth::{authenticate, Caller};
use super::{GraphError, GraphRequest};
use crate::state::Shared;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::Response;

/// Application read permissions (delegated or application).
pub const READ_APPS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// Permissions that allow writing any application or service principal (a delegated caller
/// also needs a directory role or ownership: `credentials::authorize_write`).
pub const WRITE_APPS: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];

/// Permissions that allow creating applications and service principals: the write
/// permissions, or the application permission `Application.ReadWrite.OwnedBy` (the calling
/// app then owns what it creates).
pub const CREATE_APPS: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All", "Application.ReadWrite.OwnedBy"];

/// Group and membership reads (the contract of issue 10: any of these, delegated or app).
pub const READ_GROUPS: &[&str] = &[
    "Group.Read.All",
    "GroupMember.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// User reads: the user permissions, or any group read permission (a member
/// list names users, so the demo lets group readers list them too).
pub const READ_USERS: &[&str] = &[
    "User.Read.All",
    "User.ReadBasic.All",
    "User.ReadWrite.All",
    "Group.Read.All",
    "GroupMember.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// Adding and removing members.
pub const WRITE_MEMBERS: &[&str] = &["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];

/// Creating and deleting groups (`GroupMember.ReadWrite.All` is not enough, as in Graph).
pub const WRITE_GROUPS: &[&str] = &["Group.ReadWrite.All", "Group.Create", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];

pub struct Ctx {
    pub state: Shared,
    pub graph: GraphRequest,
    pub headers: HeaderMap,
    /// The raw query string (without `?`), empty when absent.
    pub query: String,
    pub caller: Caller,
}

impl FromRequestParts<Shared> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        Ctx::build(state.clone(), parts.headers.clone(), parts.uri.query().unwrap_or_default()).await
    }
}

impl Ctx {
    /// Authenticates the request (401 response otherwise).
    pub async fn build(state: Shared, headers: HeaderMap, query: &str) -> Result<Ctx, Response> {
        let graph = GraphRequest::from_headers(&headers);
        let caller = authenticate(&state, &graph, &headers).await?;
        Ok(Ctx { state, graph, headers, query: query.to_string(), caller })
    }

    pub fn fail(&self, err: GraphError) -> Response {
        self.graph.fail(&self.state, err)
    }

    /// 403 unless the caller holds one of `wanted`.
    pub fn require(&self, wanted: &[&str]) -> Result<(), GraphError> {
        if self.caller.has_any(wanted) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// The signed-in user (delegated tokens only) holds a directory role that lets it manage
    /// any user or application: Global Administrator (and, for applications, Application
    /// Administrator or Cloud Application Administrator). In the demo tenant only the demo
    /// admin holds a role, so this is "the caller is the admin"; Adele, Alex and the
    /// generated users are ordinary members. The one place the demo decides who holds a role.
    pub fn signed_in_admin(&self) -> bool {
        self.caller.user_oid.as_deref().is_some_and(|oid| oid.eq_ignore_ascii_case(&self.state.dir.admin().oid))
    }

    /// `ConsistencyLevel: eventual` is present.
    pub fn eventual(&self) -> bool {
        self.headers
            .get("consistencylevel")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"))
    }

    /// The Graph root of this tenant: `{base}/v1.0`.
    pub fn root(&self) -> String {
        format!("{}/v1.0", self.state.base)
    }
}
