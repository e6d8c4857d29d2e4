//! Graph on the app's embedded demo tenant, as the demo's confidential client (app-only):
//! how a test changes or reads the tenant the way an admin (or Graph Explorer) would,
//! beside the app. The tenant's port is in `<data dir>/demo-tenant/port`; its ids and the
//! confidential client come from a reference tenant started with the same seed.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// An app-only Graph session on the app's demo tenant.
pub struct AppTenant {
    http: reqwest::Client,
    base: String,
    graph: String,
    token: String,
}

impl AppTenant {
    /// Signs in as `reference`'s confidential client at the tenant the app in `data_dir` runs.
    pub async fn connect(data_dir: &std::path::Path, reference: &entra_demo::DemoInfo) -> Result<AppTenant> {
        let port = std::fs::read_to_string(data_dir.join("demo-tenant/port")).context("the app's demo tenant remembers its port")?;
        let base = format!("http://127.0.0.1:{}", port.trim());
        let http = reqwest::Client::new();
        let cc = &reference.confidential_client;
        let answer: Value = http
            .post(format!("{base}/{}/oauth2/v2.0/token", reference.tenant_id))
            .form(&[
                ("client_id", cc.client_id.as_str()),
                ("client_secret", cc.client_secret.as_str()),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await?
            .json()
            .await?;
        let token = answer["access_token"].as_str().with_context(|| format!("an app-only token from the app's demo tenant: {answer}"))?.to_string();
        Ok(AppTenant { http, graph: format!("{base}/v1.0"), base, token })
    }

    /// `GET /v1.0/<path>`, as JSON.
    pub async fn get(&self, path: &str) -> Result<Value> {
        Ok(self.http.get(format!("{}/{path}", self.graph)).bearer_auth(&self.token).send().await?.json().await?)
    }

    /// A user's or group's display name (`kind`: `users`, `groups`).
    pub async fn display_name(&self, kind: &str, id: &str) -> Result<String> {
        let v = self.get(&format!("{kind}/{id}?$select=displayName")).await?;
        v["displayName"].as_str().map(str::to_string).with_context(|| format!("{kind}/{id}: {v}"))
    }

    /// An application's client secrets as Graph lists them (metadata only).
    pub async fn application_passwords(&self, app_object_id: &str) -> Result<Vec<Value>> {
        let v = self.get(&format!("applications/{app_object_id}?$select=id,passwordCredentials")).await?;
        v["passwordCredentials"].as_array().cloned().with_context(|| format!("applications/{app_object_id}: {v}"))
    }

    pub async fn add_member(&self, group: &str, member: &str) -> Result<()> {
        let body = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{member}")});
        let r = self.http.post(format!("{}/groups/{group}/members/$ref", self.graph)).bearer_auth(&self.token).json(&body).send().await?;
        if r.status().as_u16() != 204 {
            bail!("adding {member} to {group}: {} {}", r.status(), r.text().await?);
        }
        Ok(())
    }

    pub async fn remove_member(&self, group: &str, member: &str) -> Result<()> {
        let r = self.http.delete(format!("{}/groups/{group}/members/{member}/$ref", self.graph)).bearer_auth(&self.token).send().await?;
        if r.status().as_u16() != 204 {
            bail!("removing {member} from {group}: {} {}", r.status(), r.text().await?);
        }
        Ok(())
    }

    /// Changes the emulator's fault injection (`POST {emulator}/faults`, a partial update), with
    /// the control routes' token the harness handed the app ([`crate::app::emulator_token`]).
    pub async fn faults(&self, patch: Value) -> Result<()> {
        let url = format!("{}/_emulator/{}/faults", self.base, crate::app::emulator_token().expose());
        let r = self.http.post(url).json(&patch).send().await?;
        if !r.status().is_success() {
            bail!("faults {patch}: {} {}", r.status(), r.text().await?);
        }
        Ok(())
    }
}
