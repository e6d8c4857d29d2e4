//! Collections as streams of pages over `@odata.nextLink`, octocrab/Azure-pager style.
//!
//! - The next page is fetched only when the stream is polled for it.
//! - `@odata.nextLink` is requested as given: never parsed apart or rebuilt (its
//!   `$skiptoken` is opaque). It is only checked to point at the base URL's origin,
//!   since the bearer token goes wherever it points. (reqwest needs a parsed `Url`;
//!   the parser leaves a valid URI as is, and would only percent-encode characters
//!   that may not appear raw, plus `'` in the query, which Graph decodes alike.)
//! - Headers such as `ConsistencyLevel` are not carried by the link, so the first
//!   request's flag is re-applied to every page.
//! - The stream ends after the first error (Azure's `error_stops_pagination`), and
//!   with [`GraphError::Cancelled`] when the call is cancelled between pages.
//! - A page may be empty; `@odata.count` comes on the first page only.

use crate::client::{GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::progress::Progress;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// One page of a collection.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page, if any.
    #[serde(default, rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    /// On the last page of a delta round: the link to ask for the next changes.
    #[serde(default, rename = "@odata.deltaLink")]
    pub delta_link: Option<String>,
    /// `@odata.count`, when `$count=true` was asked with `ConsistencyLevel: eventual`.
    #[serde(default, rename = "@odata.count")]
    pub count: Option<u64>,
}

enum Next {
    First(GraphRequest),
    Link { link: String, eventual: bool },
    Done,
}

struct State {
    client: GraphClient,
    next: Next,
    resource: String,
    page: u32,
    total: usize,
}

impl GraphClient {
    /// The pages of the collection `request` asks for, fetched one at a time as the stream is polled.
    pub fn pages<T: DeserializeOwned + Send + 'static>(&self, request: GraphRequest) -> BoxStream<'static, Result<Page<T>, GraphError>> {
        let resource = format!("/{}", request.relative_url().split('?').next().unwrap_or_default());
        self.page_stream(Next::First(request), resource)
    }

    /// The pages from a nextLink or deltaLink on, sending `ConsistencyLevel: eventual` on each if `eventual`.
    pub fn pages_from_link<T: DeserializeOwned + Send + 'static>(&self, link: String, eventual: bool) -> BoxStream<'static, Result<Page<T>, GraphError>> {
        let resource = link.split('?').next().unwrap_or_default().to_string();
        self.page_stream(Next::Link { link, eventual }, resource)
    }

    fn page_stream<T: DeserializeOwned + Send + 'static>(&self, first: Next, resource: String) -> BoxStream<'static, Result<Page<T>, GraphError>> {
        let state = State { client: self.clone(), next: first, resource, page: 0, total: 0 };
        stream::unfold(state, |mut state| async move {
            let result = match std::mem::replace(&mut state.next, Next::Done) {
                Next::Done => return None,
                next => fetch(&state.client, next).await,
            };
            match result {
                Ok((page, eventual)) => {
                    state.page += 1;
                    state.total += page.value.len();
                    state.client.report(Progress::PageFetched {
                        resource: state.resource.clone(),
                        page: state.page,
                        items: page.value.len(),
                        total: state.total,
                        count: page.count,
                    });
                    if let Some(link) = &page.next_link {
                        state.next = Next::Link { link: link.clone(), eventual };
                    }
                    Some((Ok(page), state))
                }
                Err(e) => Some((Err(e), state)),
            }
        })
        .boxed()
    }

    /// The items of the collection, page after page.
    pub fn items<T: DeserializeOwned + Send + 'static>(&self, request: GraphRequest) -> BoxStream<'static, Result<T, GraphError>> {
        self.pages(request).map_ok(|page: Page<T>| stream::iter(page.value.into_iter().map(Ok))).try_flatten().boxed()
    }

    /// All items of the collection.
    pub async fn collect_all<T: DeserializeOwned + Send + 'static>(&self, request: GraphRequest) -> Result<Vec<T>, GraphError> {
        self.items(request).try_collect().await
    }
}

async fn fetch<T: DeserializeOwned>(client: &GraphClient, next: Next) -> Result<(Page<T>, bool), GraphError> {
    client.check_cancelled()?;
    let (answer, eventual) = match next {
        Next::First(request) => (client.send_raw(&request).await?, request.needs_eventual_consistency()),
        Next::Link { link, eventual } => {
            let url = client.link_url(&link)?;
            (client.execute(reqwest::Method::GET, url, None, eventual, true).await?, eventual)
        }
        Next::Done => unreachable!("fetch is not called once done"),
    };
    Ok((answer.decode()?, eventual))
}
