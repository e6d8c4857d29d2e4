//! `/groups` and `/users` for the Group caches: delta rounds page by page (`members@delta`
//! included), names by `getByIds`, transitive reads for cross-checks, and membership writes.

use crate::client::{path_segment, GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{DeltaEntry, DirectoryObject, Group, GroupDelta, UserDelta};
use crate::paging::Page;
use futures::stream::BoxStream;

/// The `$select` of `/groups/delta`: the list's properties and `members` (→ `members@delta`).
pub const GROUP_DELTA_SELECT: &[&str] =
    &["id", "displayName", "description", "mail", "securityEnabled", "mailEnabled", "groupTypes", "membershipRule", "members"];

/// The `$select` of `/users/delta`: enough to name members.
pub const USER_DELTA_SELECT: &[&str] = &["id", "displayName", "userPrincipalName", "mail"];

/// The `$select` of member lists (`/members`, `/transitiveMembers`, `/transitiveMemberOf`).
pub const MEMBER_SELECT: &[&str] = &["id", "displayName", "userPrincipalName"];

/// The most IDs `POST /directoryObjects/getByIds` takes at once.
pub const MAX_GET_BY_IDS: usize = 1000;

/// A page of `/groups/delta`.
pub type GroupDeltaPage = Page<DeltaEntry<GroupDelta>>;
/// A page of `/users/delta`.
pub type UserDeltaPage = Page<DeltaEntry<UserDelta>>;

impl GraphClient {
    /// The pages of one `/groups/delta` round: from the start (`None`:
    /// `GET /groups/delta?$select=…,members`) or from a stored delta link. The last page
    /// carries `@odata.deltaLink`. A large group comes on several pages, each with a slice of
    /// its `members@delta`; a round may replay entries. A link Graph no longer honours fails
    /// with an error whose [`GraphError::is_delta_expired`] is true.
    pub fn groups_delta(&self, delta_link: Option<&str>) -> BoxStream<'static, Result<GroupDeltaPage, GraphError>> {
        match delta_link {
            None => self.pages(GraphRequest::get("groups/delta").select(GROUP_DELTA_SELECT)),
            Some(link) => self.pages_from_link(link.to_string(), false),
        }
    }

    /// The pages of one `/users/delta` round (`$select=id,displayName,userPrincipalName,mail`).
    pub fn users_delta(&self, delta_link: Option<&str>) -> BoxStream<'static, Result<UserDeltaPage, GraphError>> {
        match delta_link {
            None => self.pages(GraphRequest::get("users/delta").select(USER_DELTA_SELECT)),
            Some(link) => self.pages_from_link(link.to_string(), false),
        }
    }

    /// `POST /directoryObjects/getByIds` in chunks of [`MAX_GET_BY_IDS`]: the objects Graph
    /// knows, in no particular order (unknown IDs are left out). `types` narrows the search
    /// (e.g. `servicePrincipal`, `device`); empty means all types.
    pub async fn directory_objects_by_ids(&self, ids: &[String], types: &[&str]) -> Result<Vec<DirectoryObject>, GraphError> {
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(default)]
            value: Vec<DirectoryObject>,
        }
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_GET_BY_IDS) {
            let mut body = serde_json::json!({ "ids": chunk });
            if !types.is_empty() {
                body["types"] = serde_json::json!(types);
            }
            // A read, though a POST: safe to re-send after a transport error.
            let request = GraphRequest::post("directoryObjects/getByIds", body).idempotent(true);
            out.extend(self.send::<Answer>(&request).await?.value);
        }
        Ok(out)
    }

    /// `GET /groups/{id}/members`, direct members, every page.
    pub async fn group_members(&self, group_id: &str) -> Result<Vec<DirectoryObject>, GraphError> {
        self.collect_all(GraphRequest::get(&format!("groups/{}/members", path_segment(group_id))).select(MEMBER_SELECT).top(999)).await
    }

    /// `GET /groups/{id}/transitiveMembers`, every page.
    pub async fn group_transitive_members(&self, group_id: &str) -> Result<Vec<DirectoryObject>, GraphError> {
        self.collect_all(GraphRequest::get(&format!("groups/{}/transitiveMembers", path_segment(group_id))).select(MEMBER_SELECT).top(999)).await
    }

    /// `GET /users/{id}/transitiveMemberOf`, every page (groups, and directory roles or
    /// administrative units where Graph has them).
    pub async fn user_transitive_member_of(&self, user_id: &str) -> Result<Vec<DirectoryObject>, GraphError> {
        self.collect_all(GraphRequest::get(&format!("users/{}/transitiveMemberOf", path_segment(user_id))).select(MEMBER_SELECT).top(999)).await
    }

    /// `GET /users/{id}/memberOf`, every page.
    pub async fn user_member_of(&self, user_id: &str) -> Result<Vec<DirectoryObject>, GraphError> {
        self.collect_all(GraphRequest::get(&format!("users/{}/memberOf", path_segment(user_id))).select(MEMBER_SELECT).top(999)).await
    }

    /// `POST /groups/{id}/members/$ref` (204; 400 when already a member).
    pub async fn add_group_member(&self, group_id: &str, member_id: &str) -> Result<(), GraphError> {
        let reference = format!("{}/directoryObjects/{}", self.base_url().as_str().trim_end_matches('/'), path_segment(member_id));
        let request = GraphRequest::post(&format!("groups/{}/members/$ref", path_segment(group_id)), serde_json::json!({ "@odata.id": reference }));
        self.send_no_content(&request).await
    }

    /// `DELETE /groups/{id}/members/{memberId}/$ref` (204; 404 when not a member).
    pub async fn remove_group_member(&self, group_id: &str, member_id: &str) -> Result<(), GraphError> {
        let request = GraphRequest::delete(&format!("groups/{}/members/{}/$ref", path_segment(group_id), path_segment(member_id)));
        self.send_no_content(&request).await
    }

    /// `POST /groups`: a security group (201), returned as Graph created it.
    pub async fn create_security_group(&self, display_name: &str, mail_nickname: &str) -> Result<Group, GraphError> {
        let body = serde_json::json!({
            "displayName": display_name, "mailNickname": mail_nickname, "mailEnabled": false, "securityEnabled": true,
        });
        self.send(&GraphRequest::post("groups", body)).await
    }

    /// `DELETE /groups/{id}` (204).
    pub async fn delete_group(&self, group_id: &str) -> Result<(), GraphError> {
        self.send_no_content(&GraphRequest::delete(&format!("groups/{}", path_segment(group_id)))).await
    }
}
