//! Helpers for the groups tests: a sized tenant, a delegated token with given
//! scopes, and a delta round applied the way a client must (merging slices,
//! applying `@removed` idempotently).

use super::apps::Graph;
use entra_demo::{DemoOptions, DemoTenant};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub async fn tenant_sized(groups: usize, users: usize) -> DemoTenant {
    entra_demo::start(DemoOptions { apps: 20, groups, users, ..Default::default() }).await.expect("demo tenant starts")
}

/// A delegated Graph token of the demo admin through the demo public client, asking `scope`: it
/// carries every permission the client holds (its admin-consented ones, and `scope`).
pub async fn delegated_token(info: &entra_demo::DemoInfo, scope: &str) -> String {
    let (code, redirect_uri, verifier) = super::code_for(info, scope).await;
    let (status, body) = super::post_token(
        info,
        &[
            ("client_id", &info.public_client_id),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &verifier),
            ("scope", scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// Group id → member ids, as a delta client keeps them.
pub type Memberships = BTreeMap<String, BTreeSet<String>>;

/// What one delta round saw.
pub struct Round {
    pub delta_link: String,
    pub pages: Vec<Value>,
}

impl Round {
    pub fn values(&self) -> Vec<Value> {
        self.pages.iter().flat_map(|p| p["value"].as_array().unwrap().clone()).collect()
    }
}

/// Follows nextLinks from `first` to the deltaLink, applying every page to `state`.
pub async fn delta_round(graph: &Graph, first: &str, state: &mut Memberships) -> Round {
    let mut pages = Vec::new();
    let mut url = first.to_string();
    loop {
        let a = graph.get(&url).await;
        assert_eq!(a.status, 200, "{}", a.text);
        for group in a.body["value"].as_array().unwrap() {
            let id = group["id"].as_str().unwrap().to_string();
            if group.get("@removed").is_some() {
                state.remove(&id);
                continue;
            }
            let members = state.entry(id).or_default();
            for m in group["members@delta"].as_array().into_iter().flatten() {
                assert!(m["@odata.type"].as_str().unwrap().starts_with("#microsoft.graph."), "{m}");
                let mid = m["id"].as_str().unwrap().to_string();
                if m.get("@removed").is_some() {
                    members.remove(&mid);
                } else {
                    members.insert(mid);
                }
            }
        }
        let next = a.body["@odata.nextLink"].as_str().map(str::to_string);
        let delta = a.body["@odata.deltaLink"].as_str().map(str::to_string);
        pages.push(a.body);
        match (next, delta) {
            (Some(next), None) => url = next,
            (None, Some(delta_link)) => return Round { delta_link, pages },
            other => panic!("a delta page needs exactly one of nextLink and deltaLink: {other:?}"),
        }
    }
}

/// Every item of a paged directoryObject list, ids only.
pub async fn ids(graph: &Graph, first: &str) -> Vec<String> {
    let (items, _) = super::apps::collect(graph, first).await;
    items.iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}
