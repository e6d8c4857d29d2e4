//! Builders shared by the integration tests.
#![allow(dead_code)] // each test file uses a different part

use chrono::{DateTime, Duration, TimeZone, Utc};
use entra_store::queries::apps::{CredentialRow, CredentialType, ObjectRow, ObjectType, OwnerRow};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

pub fn app(id: &str, name: &str) -> ObjectRow {
    ObjectRow {
        id: id.into(),
        object_type: ObjectType::Application,
        app_id: format!("appid-{id}"),
        display_name: Some(name.into()),
        sign_in_audience: Some("AzureADMyOrg".into()),
        created: Some(t0() - Duration::days(400)),
        publisher_domain: Some("contoso.example".into()),
        service_principal_type: None,
        detail: serde_json::json!({"web": {"redirectUris": ["https://localhost/cb"]}, "tags": ["t"]}),
        synced_at: t0(),
        owners_loaded_at: None,
        credentials: vec![secret(&format!("{id}-s1"), 30)],
        owners: None,
    }
}

pub fn sp(id: &str, name: &str) -> ObjectRow {
    ObjectRow {
        object_type: ObjectType::ServicePrincipal,
        created: None,
        publisher_domain: None,
        service_principal_type: Some("Application".into()),
        credentials: vec![],
        ..app(id, name)
    }
}

pub fn secret(key_id: &str, days_left: i64) -> CredentialRow {
    CredentialRow {
        key_id: key_id.into(),
        credential_type: CredentialType::Password,
        usage: None,
        display_name: Some("ci".into()),
        custom_key_identifier: None,
        hint: Some("abc".into()),
        start: Some(t0() - Duration::days(10)),
        end: Some(t0() + Duration::days(days_left)),
    }
}

pub fn cert(key_id: &str, usage: &str, days_left: i64) -> CredentialRow {
    CredentialRow {
        credential_type: CredentialType::Certificate,
        usage: Some(usage.into()),
        custom_key_identifier: Some("A1B2C3".into()),
        hint: None,
        ..secret(key_id, days_left)
    }
}

pub fn user(id: &str, name: &str) -> OwnerRow {
    OwnerRow {
        owner_id: id.into(),
        owner_type: "user".into(),
        display_name: Some(name.into()),
        user_principal_name: Some(format!("{id}@contoso.example")),
        mail: None,
    }
}

/// `n` applications with three credentials each (a secret and a Sign/Verify certificate pair).
pub fn many(n: usize) -> Vec<ObjectRow> {
    (0..n)
        .map(|i| {
            let id = format!("{i:08}-0000-0000-0000-000000000000");
            let mut o = app(&id, &format!("App {i}"));
            o.credentials = vec![
                secret(&format!("s-{i}"), (i % 400) as i64 - 30),
                cert(&format!("c-{i}"), "Sign", (i % 700) as i64),
                cert(&format!("c-{i}"), "Verify", (i % 700) as i64),
            ];
            o
        })
        .collect()
}
