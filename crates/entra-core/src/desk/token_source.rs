//! The token source of the Graph clients a [`Desk`] hands out.

use super::Desk;
use entra_graph::{BearerToken, TokenError, TokenSource};

/// The token source of a `GraphClient` from [`Desk::graph`]: the account's access token,
/// refreshed silently; forgotten when Graph rejects it. (The core's error travels as the
/// source, so `graph::map_error` gives it back its code.)
///
/// It holds the desk weakly: the desk keeps each account's Graph client (so that every
/// operation of an account shares one pacer and one throttle gate), and a strong reference
/// back would keep both alive for ever.
pub(super) struct DeskTokenSource {
    pub(super) desk: std::sync::Weak<super::Inner>,
    pub(super) account_id: String,
}

impl DeskTokenSource {
    fn desk(&self) -> Option<Desk> {
        self.desk.upgrade().map(|inner| Desk { inner })
    }
}

#[async_trait::async_trait]
impl TokenSource for DeskTokenSource {
    async fn token(&self) -> std::result::Result<BearerToken, TokenError> {
        let Some(desk) = self.desk() else {
            return Err(TokenError::new("Entra Desk is closing, so no token can be had: start the operation again"));
        };
        match desk.access_token(&self.account_id, None).await {
            Ok(token) => Ok(BearerToken::new(token.expose())),
            Err(err) => Err(TokenError::new(err.message().to_string()).with_source(err)),
        }
    }

    async fn token_rejected(&self) {
        if let Some(desk) = self.desk() {
            desk.forget_access_tokens(&self.account_id).await;
        }
    }
}

