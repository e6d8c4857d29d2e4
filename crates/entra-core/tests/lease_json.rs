//! The lease types' JSON, as the app's screen, `entractl --format json` and the lease store's
//! maintenance record see it: camelCase keys and values, text names (CLI, SQLite, CSV) still
//! kebab-case, an audit entry flat, and a maintenance run stored before camelCase still read.

use chrono::{TimeZone, Utc};
use entra_core::leases::{AuditAction, AuditEntry, AuditFormat, AuditLine, LeaseKind, LeaseStatus, MaintenanceRun};

#[test]
fn json_is_camel_case_keys_and_values_and_the_text_names_stay_kebab() {
    assert_eq!(serde_json::to_value(LeaseKind::AppSecret).unwrap(), "appSecret");
    assert_eq!(serde_json::to_value(LeaseStatus::RevokeFailed).unwrap(), "revokeFailed");
    assert_eq!(serde_json::to_value(AuditAction::IssueFailed).unwrap(), "issueFailed");
    assert_eq!(serde_json::to_value(AuditFormat::Jsonl).unwrap(), "jsonl");
    for kind in LeaseKind::ALL {
        assert_eq!(LeaseKind::parse(kind.as_str()), Some(kind));
        assert_eq!(kind.as_str().parse::<LeaseKind>().unwrap(), kind);
    }
    for status in LeaseStatus::ALL {
        assert_eq!(LeaseStatus::parse(status.as_str()), Some(status));
    }
    for action in AuditAction::ALL {
        assert_eq!(AuditAction::parse(action.as_str()), Some(action));
    }
    let err = "appSecret".parse::<LeaseKind>().unwrap_err();
    assert!(err.message().contains("app-secret, user-password, access-token"), "{}", err.message());
}

#[test]
fn an_audit_entry_is_one_flat_object() {
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
    let entry = AuditEntry {
        seq: 7,
        line: AuditLine {
            at,
            action: AuditAction::RevokeFailed,
            lease_id: Some("l".into()),
            definition: None,
            target: None,
            actor: "sweeper".into(),
            detail: "d".into(),
            request_id: None,
        },
        database_user: Some("alice_member".into()),
    };
    let json = serde_json::to_value(&entry).unwrap();
    assert_eq!(json["databaseUser"], "alice_member");
    assert_eq!(json["seq"], 7);
    assert_eq!(json["action"], "revokeFailed");
    assert_eq!(json["leaseId"], "l");
    assert!(json.get("line").is_none(), "{json}");
}

#[test]
fn a_maintenance_run_stored_before_camel_case_still_reads() {
    let old = r#"{"at":"2026-12-02T10:00:00Z","sweep":{"expired":1,"recovered":0,"failing":0,"tokens_refreshed":2},
        "reconcile":{"targets":1,"credentials_seen":3,"foreign":1,"removed":0,"adopted":0,"abandoned":0,"closed":0,"errors":[],"requests":1,"duration_ms":9},"error":null}"#;
    let run: MaintenanceRun = serde_json::from_str(old).unwrap();
    assert_eq!(run.sweep.tokens_refreshed, 2);
    assert_eq!(run.reconcile.as_ref().map(|r| (r.credentials_seen, r.duration_ms)), Some((3, 9)));
    let again: MaintenanceRun = serde_json::from_value(serde_json::to_value(&run).unwrap()).unwrap();
    assert_eq!(again, run);
}
