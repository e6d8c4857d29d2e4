//! Helpers for the Graph directory tests: an app-only token and a tiny client.

use entra_demo::{DemoOptions, DemoTenant};
use serde_json::Value;

pub async fn tenant_with(apps: usize) -> DemoTenant {
    entra_demo::start(DemoOptions { apps, ..Default::default() }).await.expect("demo tenant starts")
}

/// An app-only Graph token for the confidential client (roles include Application.ReadWrite.All).
pub async fn app_token(info: &entra_demo::DemoInfo) -> String {
    let cc = &info.confidential_client;
    let (status, body) = super::post_token(
        info,
        &[
            ("client_id", &cc.client_id),
            ("client_secret", &cc.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub struct Graph {
    pub root: String,
    pub token: String,
    pub client: reqwest::Client,
}

impl Graph {
    pub async fn new(info: &entra_demo::DemoInfo) -> Graph {
        Graph { root: info.graph.clone(), token: app_token(info).await, client: super::client() }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.root) }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.bearer_auth(&self.token).header("client-request-id", "c0ffee00-0000-4000-8000-000000000001").send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn get_eventual(&self, path: &str) -> Answer {
        self.send(self.client.get(self.url(path)).header("ConsistencyLevel", "eventual")).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(self.client.post(self.url(path)).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(self.client.patch(self.url(path)).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(self.client.delete(self.url(path))).await
    }
}

/// Asserts Graph's error envelope and code.
pub fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["error"]["code"], code, "{}", a.text);
    let inner = &a.body["error"]["innerError"];
    assert!(inner["date"].is_string() && inner["request-id"].is_string(), "{}", a.text);
    assert_eq!(inner["client-request-id"], "c0ffee00-0000-4000-8000-000000000001");
    assert_eq!(a.headers["client-request-id"], "c0ffee00-0000-4000-8000-000000000001");
    assert!(a.headers.contains_key("request-id"));
}

/// Follows nextLinks from `first`; returns every item and the number of pages.
pub async fn collect(graph: &Graph, first: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_string());
    while let Some(url) = next {
        let a = graph.get(&url).await;
        assert_eq!(a.status, 200, "{}", a.text);
        pages += 1;
        items.extend(a.body["value"].as_array().unwrap().iter().cloned());
        next = a.body["@odata.nextLink"].as_str().map(str::to_string);
    }
    (items, pages)
}
