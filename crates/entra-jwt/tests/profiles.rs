//! Profiles: defaults, save/list/load/delete, settings, and import from a settings block.
mod common;

use common::*;
use entra_jwt::settings_import::import_settings;
use entra_jwt::{Profile, ProfileStore};
use std::time::Duration;

#[test]
fn defaults_are_the_ones_admins_expect() {
    let p = Profile::new("prod");
    assert_eq!(p.clock_skew, "00:05:00");
    assert_eq!(p.jwks_cache_duration, "01:00:00");
    assert_eq!(p.issuer.as_deref(), Some("https://sts.windows.net/{TenantId}/"));
    assert_eq!(p.required_claims.as_deref(), Some("tid={TenantId}"));
    assert_eq!(p.cache_duration().unwrap(), Duration::from_secs(3600));
    assert_eq!(p.settings().unwrap().clock_skew, Duration::from_secs(300));
}

#[test]
fn save_list_load_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::new(dir.path().join("jwt-profiles"));
    assert!(store.list().unwrap().is_empty());
    let mut p = Profile::new("prod");
    p.tenant_id = Some(TENANT.into());
    p.metadata_address = Some(entra_jwt::profile::DEFAULT_METADATA.into());
    store.save(&p).unwrap();
    store.save(&Profile::new("dev")).unwrap();
    let names: Vec<_> = store.list().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["dev", "prod"]);
    let loaded = store.load("prod").unwrap();
    assert_eq!(loaded, p);
    match loaded.metadata_source().unwrap() {
        entra_jwt::KeySource::Metadata(u) => assert_eq!(u, format!("https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration")),
        other => panic!("{other:?}"),
    }
    store.delete("dev").unwrap();
    assert!(matches!(store.load("dev"), Err(entra_jwt::Error::NoSuchProfile(_))));
    assert!(store.delete("dev").is_err());
    assert!(store.save(&Profile::new("../escape")).is_err());
    let mut bad = Profile::new("bad");
    bad.clock_skew = "5 fortnights".into();
    assert!(store.save(&bad).unwrap_err().to_string().contains("Clock Skew"));
}

#[test]
fn import_colon_and_equals_lines_with_unknown_labels_reported() {
    let block = "\
Entra Authentication Enabled: True
Tenant ID: 02990467-5131-4a63-9a88-b578f38d89ab
Client ID = 75ff0832-1cbe-4bf2-87b0-9b99cacbec68
Audience: https://database.windows.net/
Issuer: https://login.microsoftonline.com/{TenantId}/v2.0
Authority: https://login.microsoftonline.com/{TenantId}/
Metadata Address: https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration
Required Claims = roles;tid={TenantId}
Clock Skew: 00:02:00
JWKS Keys Cache Duration: 00:00:00
Certificate Thumbprint: A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2
Client Secret: abc8Q~never-echo-this-value
";
    let r = import_settings("imported", block);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let p = &r.profile;
    assert_eq!(p.tenant_id.as_deref(), Some("02990467-5131-4a63-9a88-b578f38d89ab"));
    assert_eq!(p.client_id.as_deref(), Some("75ff0832-1cbe-4bf2-87b0-9b99cacbec68"));
    assert_eq!(p.audience.as_deref(), Some("https://database.windows.net/"));
    assert_eq!(p.issuer.as_deref(), Some("https://login.microsoftonline.com/{TenantId}/v2.0"));
    assert_eq!(p.required_claims.as_deref(), Some("roles;tid={TenantId}"));
    assert_eq!(p.clock_skew, "00:02:00");
    assert_eq!(p.jwks_cache_duration, "00:00:00");
    assert_eq!(r.recognised.len(), 9);
    // Unknown lines are named, never echoed: one of them holds a secret.
    assert_eq!(r.unknown, ["Entra Authentication Enabled", "Certificate Thumbprint", "Client Secret"]);
    assert!(!format!("{r:?}").contains("never-echo"), "{r:?}");
    let s = p.settings().unwrap();
    assert_eq!(s.required_claims.len(), 2);
}

#[test]
fn import_label_and_value_on_consecutive_lines() {
    let block = "Tenant ID\n\n02990467-5131-4a63-9a88-b578f38d89ab\nIssuer\nhttps://sts.windows.net/{TenantId}/\nClock Skew\n00:10:00\nRequired Claims\ntid={TenantId};\n";
    let r = import_settings("x", block);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.profile.tenant_id.as_deref(), Some("02990467-5131-4a63-9a88-b578f38d89ab"));
    assert_eq!(r.profile.issuer.as_deref(), Some("https://sts.windows.net/{TenantId}/"));
    assert_eq!(r.profile.clock_skew, "00:10:00");
    assert_eq!(r.profile.required_claims.as_deref(), Some("tid={TenantId};"));
}

#[test]
fn import_reports_bad_values_and_keeps_defaults() {
    let r = import_settings("x", "Clock Skew: five minutes\nRequired Claims: a b=c\nJWKS Keys Cache Duration = 25:99:00");
    assert_eq!(r.problems.len(), 3, "{:?}", r.problems);
    assert!(r.problems[0].starts_with("Clock Skew"));
    assert_eq!(r.profile.clock_skew, "00:05:00");
    assert_eq!(r.profile.jwks_cache_duration, "01:00:00");
}
