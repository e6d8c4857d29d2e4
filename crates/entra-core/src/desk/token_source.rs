//! The token source of the Graph clients a [`Desk`] hands out.

use super::Desk;
use entra_graph::{BearerToken, TokenError, TokenSource};

/// The token source of a `GraphClient` from [`Desk::graph`]: the account's access token,
/// refreshed silently; forgotten when Graph rejects it. (The core's error travels as the
/// source, so `graph::map_error` gives it back its code.)
pub(super) struct DeskTokenSource {
    pub(super) desk: Desk,
    pub(super) account_id: String,
}

#[async_trait::async_trait]
impl TokenSource for DeskTokenSource {
    async fn token(&self) -> std::result::Result<BearerToken, TokenError> {
        match self.desk.access_token(&self.account_id, None).await {
            Ok(token) => Ok(BearerToken::new(token.expose())),
            Err(err) => Err(TokenError::new(err.message().to_string()).with_source(err)),
        }
    }

    async fn token_rejected(&self) {
        self.desk.forget_access_tokens(&self.account_id).await;
    }
}

