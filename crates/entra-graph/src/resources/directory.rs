//! `/users` and `/groups` lists.

use crate::client::{GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{Group, User, GROUP_SELECT, USER_SELECT};
use futures::stream::BoxStream;

impl GraphClient {
    /// `GET /users?$select=…&$top=999`, item by item.
    pub fn list_users(&self) -> BoxStream<'static, Result<User, GraphError>> {
        self.items(GraphRequest::get("users").select(USER_SELECT).top(999))
    }

    /// `GET /groups?$select=…&$top=999`, item by item.
    pub fn list_groups(&self) -> BoxStream<'static, Result<Group, GraphError>> {
        self.items(GraphRequest::get("groups").select(GROUP_SELECT).top(999))
    }
}
