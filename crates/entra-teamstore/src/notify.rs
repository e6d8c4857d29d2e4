//! The change listener: one task per store holding a connection of its own (outside the pool,
//! which would hand it to queries) that `LISTEN`s on `entra_desk_leases`. Each notification
//! (V2's triggers send one per transaction that changed leases or definitions) becomes a
//! [`StoreChange::Changed`]. A lost connection is opened again with a backoff of 0.5 s doubling
//! to 10 s, then [`StoreChange::Reconnected`] tells every receiver that changes may have been
//! missed meanwhile. The task ends when the store's last clone is dropped.

use crate::pool::{Connector, Stream};
use entra_core::leases::store::StoreChange;
use entra_core::Result;
use futures_util::StreamExt;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};
use tokio_postgres::{AsyncMessage, Client, Connection, Socket};

/// The notification channel of V2's triggers.
const CHANNEL: &str = "entra_desk_leases";

/// The first wait before reconnecting, doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

type Messages = Pin<Box<dyn futures_util::Stream<Item = std::result::Result<AsyncMessage, tokio_postgres::Error>> + Send>>;

/// A connection that listens: the client (which must live as long) and its messages.
pub(crate) struct Listening {
    _client: Client,
    messages: Messages,
}

fn messages(mut connection: Connection<Socket, Stream>) -> Messages {
    Box::pin(futures_util::stream::poll_fn(move |cx| connection.poll_message(cx)))
}

/// Opens a connection and listens on it.
pub(crate) async fn listen(connector: &Connector) -> Result<Listening> {
    let (client, connection) = connector.connect().await?;
    let mut messages = messages(connection);
    let statement = format!("LISTEN {CHANNEL}");
    {
        let listen = client.batch_execute(&statement);
        tokio::pin!(listen);
        // The connection's messages are read while LISTEN runs: that is what carries its answer.
        loop {
            tokio::select! {
                done = &mut listen => {
                    done.map_err(|e| crate::errors::query_error(e, connector.address()))?;
                    break;
                }
                message = messages.next() => match message {
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(crate::errors::query_error(e, connector.address())),
                    None => return Err(entra_core::Error::network(format!(
                        "The connection to the team lease store at {} closed before it could listen for changes: try again",
                        connector.address().location()
                    ))),
                },
            }
        }
    }
    Ok(Listening { _client: client, messages })
}

/// Forwards notifications until the connection is lost.
async fn forward(listening: &mut Listening, changes: &broadcast::Sender<StoreChange>) {
    while let Some(message) = listening.messages.next().await {
        match message {
            Ok(AsyncMessage::Notification(_)) => {
                // No receiver is not an error: nobody is watching right now.
                let _ = changes.send(StoreChange::Changed);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::info!(error = %e, "lost the team lease store's change listener connection; reconnecting");
                return;
            }
        }
    }
    tracing::info!("the team lease store's change listener connection closed; reconnecting");
}

/// The listener task (see the module doc).
pub(crate) async fn run(
    mut listening: Listening,
    connector: Arc<Connector>,
    changes: broadcast::Sender<StoreChange>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = forward(&mut listening, &changes) => {}
        }
        connector.lost_one();
        let mut backoff = FIRST_BACKOFF;
        listening = loop {
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            match listen(&connector).await {
                Ok(again) => break again,
                Err(e) => {
                    tracing::info!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot reconnect the team lease store's change listener");
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        };
        let _ = changes.send(StoreChange::Reconnected);
    }
}
