//! The lease types' JSON, as the app's screen, `entractl --format json` and the lease store's
//! maintenance record see it: camelCase keys and values, text names (CLI, SQLite, CSV) still
//! kebab-case, an audit entry flat, a maintenance run stored before camelCase still read, and the
//! paged lists' queries read as the screen sends them (flat: the shared `ListQuery` and the
//! list's own filters side by side), their counts camelCase.

use chrono::{TimeZone, Utc};
use entra_core::leases::{
    AuditAction, AuditEntry, AuditFormat, AuditLine, AuditQuery, LeaseCounts, LeaseKind, LeaseState, LeaseStatus, LeasesQuery, MaintenanceRun,
};

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

#[test]
fn the_lists_queries_read_flat_as_the_screen_sends_them() {
    let q: LeasesQuery = serde_json::from_value(serde_json::json!({
        "state": "ended", "descending": true, "start": 300, "limit": 100, "search": "pay", "sort": "expires",
        "issuedBy": "ada@contoso.test", "definition": "ci"
    }))
    .unwrap();
    assert_eq!((q.state, q.list.start, q.list.rows(), q.list.search.as_deref()), (LeaseState::Ended, 300, 100, Some("pay")));
    assert_eq!((q.issued_by.as_deref(), q.definition.as_deref(), q.list.descending), (Some("ada@contoso.test"), Some("ci"), true));
    let a: AuditQuery = serde_json::from_value(serde_json::json!({ "descending": false, "start": 0, "leaseId": "l-1", "action": "issueFailed" })).unwrap();
    assert_eq!((a.lease_id.as_deref(), a.action, a.list.start), (Some("l-1"), Some(AuditAction::IssueFailed), 0));
    let counts = LeaseCounts { total: 3, live: 2, attention: 1, unbound: 0, live_by_definition: [("ci".to_string(), 2)].into() };
    assert_eq!(
        serde_json::to_value(&counts).unwrap(),
        serde_json::json!({ "total": 3, "live": 2, "attention": 1, "unbound": 0, "liveByDefinition": { "ci": 2 } })
    );
}
