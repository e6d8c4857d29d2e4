//! The directory read as listings rather than one delta walk, for a first sync of a large
//! tenant: the current delta links without the data (`$deltaToken=latest`), the size of the
//! tenant (`$count`), `/users` and `/groups` a page of 999 at a time from any stored next link
//! (so a sync resumes where it stopped), and member lists as `$batch` items.
//!
//! Why: a delta walk from scratch is one chain of pages, each waiting for the one before;
//! listings run side by side and members go 20 to a `$batch`, so the time is bound by Graph's
//! resource-unit budget instead of the round trips of one chain
//! (`../shared/entra-reference/REFERENCE.md` §6 for the costs; §5 for `$deltaToken=latest`).

use super::groups::{GROUP_DELTA_SELECT, USER_DELTA_SELECT};
use crate::batch::BatchItem;
use crate::client::{path_segment, GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{DirectoryObject, Group, User};
use crate::paging::Page;
use futures::stream::BoxStream;
use futures::TryStreamExt;
use std::collections::BTreeMap;

/// The `$select` of a staged sync's group listing: the group row's properties.
pub const GROUP_LISTING_SELECT: &[&str] =
    &["id", "displayName", "description", "mail", "securityEnabled", "mailEnabled", "groupTypes", "membershipRule"];

/// The `$select` of a member page in a staged sync: the ID (Graph adds `@odata.type`).
pub const MEMBER_ID_SELECT: &[&str] = &["id"];

/// The largest page Graph serves of users, groups and members.
pub const LISTING_PAGE: u32 = 999;

/// A page of `/users`.
pub type UsersPage = Page<User>;
/// A page of `/groups`.
pub type GroupsPage = Page<Group>;
/// A page of `/groups/{id}/members`.
pub type MembersPage = Page<DirectoryObject>;

impl GraphClient {
    /// `/groups/delta` with `$deltaToken=latest`: the delta link of "now", with no data. Changes
    /// made from now on are what that link returns, so a sync that lists the directory after
    /// taking it and then follows it misses nothing.
    pub async fn groups_delta_latest(&self) -> Result<String, GraphError> {
        self.latest_delta_link("groups/delta", GROUP_DELTA_SELECT).await
    }

    /// `/users/delta` with `$deltaToken=latest` (see [`GraphClient::groups_delta_latest`]).
    pub async fn users_delta_latest(&self) -> Result<String, GraphError> {
        self.latest_delta_link("users/delta", USER_DELTA_SELECT).await
    }

    async fn latest_delta_link(&self, path: &str, select: &[&str]) -> Result<String, GraphError> {
        let request = GraphRequest::get(path).select(select).query("$deltaToken", "latest");
        let mut pages = self.pages::<serde_json::Value>(request);
        // Graph answers one empty page with the delta link; follow next links if it sends any.
        while let Some(page) = pages.try_next().await? {
            if let Some(link) = page.delta_link {
                return Ok(link);
            }
        }
        Err(GraphError::Decode {
            what: format!("GET /{path}?$deltaToken=latest"),
            path: "@odata.deltaLink".into(),
            message: "Graph answered without a deltaLink".into(),
            request_id: None,
            client_request_id: None,
        })
    }

    /// How many users and groups the tenant has (`$count` with `ConsistencyLevel: eventual`,
    /// one cheap request each): what the group cache's sync sizes its strategy by.
    pub async fn directory_size(&self) -> Result<(u64, u64), GraphError> {
        let count = |path: &'static str| async move {
            let request = GraphRequest::get(path).select(&["id"]).top(1).advanced();
            let page: Page<serde_json::Value> = self.send(&request).await?;
            Ok::<u64, GraphError>(page.count.unwrap_or(page.value.len() as u64))
        };
        futures::try_join!(count("users"), count("groups"))
    }

    /// `/users?$select=id,displayName,userPrincipalName,mail&$top=999` page by page, from the
    /// start or from a stored next link.
    pub fn users_listing(&self, next: Option<&str>) -> BoxStream<'static, Result<UsersPage, GraphError>> {
        match next {
            None => self.pages(GraphRequest::get("users").select(USER_DELTA_SELECT).top(LISTING_PAGE)),
            Some(link) => self.pages_from_link(link.to_string(), false),
        }
    }

    /// `/groups?$select=…&$top=999` page by page, from the start or from a stored next link.
    pub fn groups_listing(&self, next: Option<&str>) -> BoxStream<'static, Result<GroupsPage, GraphError>> {
        match next {
            None => self.pages(GraphRequest::get("groups").select(GROUP_LISTING_SELECT).top(LISTING_PAGE)),
            Some(link) => self.pages_from_link(link.to_string(), false),
        }
    }

    /// A `$batch` item reading one page of a group's direct members (`$select=id`, 999 a page):
    /// the first page, or the page a previous answer's next link names. A next link that does
    /// not point under this client's Graph URL is refused, as paging refuses it.
    pub fn members_item(&self, id: impl Into<String>, group_id: &str, next: Option<&str>) -> Result<BatchItem, GraphError> {
        let Some(link) = next else {
            let request = GraphRequest::get(&format!("groups/{}/members", path_segment(group_id))).select(MEMBER_ID_SELECT).top(LISTING_PAGE);
            return Ok(BatchItem::new(id, &request));
        };
        let url = self.link_url(link)?;
        let base = self.base_url().as_str().trim_end_matches('/');
        let relative = url.as_str().strip_prefix(base).filter(|rest| rest.starts_with('/')).ok_or_else(|| {
            GraphError::InvalidRequest(format!("Graph sent a member page link outside {base}; it was not followed"))
        })?;
        Ok(BatchItem { id: id.into(), method: "GET".into(), url: relative.to_string(), headers: BTreeMap::new(), body: None, depends_on: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{BearerToken, TokenError, TokenSource};
    use std::sync::Arc;

    struct NoTokens;
    #[async_trait::async_trait]
    impl TokenSource for NoTokens {
        async fn token(&self) -> Result<BearerToken, TokenError> {
            Err(TokenError::new("no tokens in this test"))
        }
    }

    fn client() -> GraphClient {
        let base = url::Url::parse("https://graph.example/v1.0/").unwrap();
        GraphClient::new(base, reqwest::Client::new(), Arc::new(NoTokens))
    }

    #[test]
    fn a_members_item_reads_the_first_page_or_follows_a_next_link_under_the_graph_url() {
        let c = client();
        let first = c.members_item("1", "0b6b3f3c-0000-4000-8000-000000000001", None).unwrap();
        assert_eq!(first.url, "/groups/0b6b3f3c-0000-4000-8000-000000000001/members?$select=id&$top=999");
        let next = c.members_item("2", "g", Some("https://graph.example/v1.0/groups/g/members?$skiptoken=abc")).unwrap();
        assert_eq!(next.url, "/groups/g/members?$skiptoken=abc");
        assert!(c.members_item("3", "g", Some("https://evil.example/v1.0/groups/g/members")).is_err());
        assert!(c.members_item("4", "g", Some("https://graph.example/beta/groups/g/members")).is_err());
    }
}
