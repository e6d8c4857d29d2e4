//! `/me` and `/organization`: who is signed in, and to which organization.

use crate::client::{GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{Organization, User};
use crate::paging::Page;

impl GraphClient {
    /// `GET /me`: the signed-in user (delegated tokens only).
    pub async fn me(&self) -> Result<User, GraphError> {
        self.send(&GraphRequest::get("me")).await
    }

    /// `GET /organization`: the tenant(s) of the token.
    pub async fn organization(&self) -> Result<Vec<Organization>, GraphError> {
        Ok(self.send::<Page<Organization>>(&GraphRequest::get("organization")).await?.value)
    }
}
