//! The Credential expiry service against the demo tenant on loopback, a real SQLite file and
//! the real keychain: statuses and twins, the report a page at a time, exports read back,
//! rotation end to end, crossings.

mod common;

use common::{assert_no_secret_on_disk, world_with_apps, World};
use entra_core::apps::{AppRow, Apps, AppsQuery, CredentialType, ObjectType};
use entra_core::credentials::{Credentials, CredentialsQuery, ExpiringCredential, ExportFormat, ExpiryStatus};
use entra_core::paging::ListQuery;
use entra_core::clock::Clock;
use entra_core::ErrorCode;
use tokio_util::sync::CancellationToken;

async fn synced(w: &World) -> (String, Apps, Credentials) {
    let account = w.sign_in_app_only().await;
    let apps = w.apps();
    apps.refresh(&account, false, &|_| {}, CancellationToken::new()).await.expect("refresh");
    (account.clone(), apps.clone(), Credentials::new(apps))
}

/// Every row of the inventory, read a page at a time.
async fn inventory(apps: &Apps) -> Vec<AppRow> {
    let mut query = AppsQuery { list: ListQuery { limit: Some(1000), ..ListQuery::default() }, ..AppsQuery::default() };
    let mut rows = Vec::new();
    loop {
        let page = apps.page(&query).await.expect("a page");
        rows.extend(page.page.items);
        match page.page.next {
            Some(next) => query.list.start = next,
            None => return rows,
        }
    }
}

/// Every row of the report for `query`, read `limit` rows at a time.
async fn report_pages(credentials: &Credentials, mut query: CredentialsQuery, limit: u32, now: chrono::DateTime<chrono::Utc>) -> Vec<ExpiringCredential> {
    query.list.limit = Some(limit);
    let mut rows = Vec::new();
    loop {
        let page = credentials.page(&query, now).await.expect("a page");
        rows.extend(page.page.items);
        match page.page.next {
            Some(next) => query.list.start = next,
            None => {
                assert_eq!(rows.len() as u64, page.page.total);
                return rows;
            }
        }
    }
}

/// A minimal RFC 4180 reader, to read the export back.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn report_statuses_windows_and_twins() {
    let w = world_with_apps(51, 300).await;
    let (_, apps, credentials) = synced(&w).await;
    let now = w.clock.now();
    let report = credentials.report(None, now).await.unwrap();
    assert_eq!(report.windows, [7, 30, 90]);
    assert!(report.as_of.is_some());
    for status in [ExpiryStatus::Expired, ExpiryStatus::Expiring, ExpiryStatus::Ok] {
        assert!(report.rows.iter().any(|r| r.status == status), "some {status:?}");
    }
    for r in &report.rows {
        let left = r.end - now;
        match r.status {
            ExpiryStatus::Expired => assert!(r.end <= now && r.days_left < 0 && r.window.is_none(), "{r:?}"),
            ExpiryStatus::Expiring => {
                let w = r.window.unwrap();
                assert!(left <= chrono::Duration::days(w.into()) && r.days_left >= 0, "{r:?}");
                assert!([7, 30, 90].iter().filter(|x| **x < w).all(|x| left > chrono::Duration::days((*x).into())), "smallest window: {r:?}");
            }
            ExpiryStatus::Ok => assert!(left > chrono::Duration::days(90) && r.window.is_none(), "{r:?}"),
        }
        assert_eq!(r.days_left, (r.end - now).num_seconds().div_euclid(86_400));
    }
    assert!(report.rows.windows(2).all(|p| p[0].end <= p[1].end), "soonest end first");

    // Sign + Verify pairs (and a SAML certificate's password half) are one row.
    let twins: Vec<_> = report.rows.iter().filter(|r| r.usage.as_deref() == Some("Sign+Verify")).collect();
    assert!(twins.iter().any(|t| t.object_type == ObjectType::ServicePrincipal && t.key_ids.len() == 3), "a SAML pair with its password half");
    for t in &twins {
        assert!(t.key_ids.len() >= 2 && t.credential_type == CredentialType::Certificate, "{t:?}");
        let detail = apps.detail(&t.object_id).await.unwrap();
        let shown = detail.credentials.iter().filter(|c| c.credential.key_ids.iter().any(|k| t.key_ids.contains(k))).count();
        assert_eq!(shown, 1, "the pair is shown once in the detail pane too");
        assert_eq!(detail.row.credential_count as usize, detail.credentials.len());
    }

    // Windows: custom, deduplicated; bad ones refused with a fix.
    let narrow = credentials.report(Some(vec![30, 1, 30]), now).await.unwrap();
    assert_eq!(narrow.windows, [1, 30]);
    assert!(narrow.rows.iter().filter(|r| r.status == ExpiryStatus::Expiring).all(|r| r.end - now <= chrono::Duration::days(30)));
    for bad in [vec![0], vec![4000], vec![]] {
        let err = credentials.report(Some(bad), now).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.message().contains("days"), "{}", err.message());
    }
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn exports_read_back() {
    let w = world_with_apps(52, 120).await;
    let (_, _, credentials) = synced(&w).await;
    let now = w.clock.now();
    let report = credentials.report(None, now).await.unwrap();
    let out = tempfile::tempdir().unwrap();

    let csv = credentials.export(None, ExportFormat::Csv, Some(out.path()), now).await.unwrap();
    assert!(csv.path.file_name().unwrap().to_string_lossy().starts_with("entra-credentials-"));
    let rows = parse_csv(&std::fs::read_to_string(&csv.path).unwrap());
    assert_eq!(rows[0], entra_core::credentials::export::CSV_HEADER);
    assert_eq!(rows.len() - 1, report.rows.len());
    assert_eq!(csv.count as usize, report.rows.len());
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    for (line, r) in rows[1..].iter().zip(&report.rows) {
        assert_eq!(line.len(), rows[0].len());
        assert_eq!(line[col("key_id")], r.key_id);
        assert_eq!(line[col("status")], r.status.as_str());
        assert_eq!(line[col("days_left")], r.days_left.to_string());
        let owners = r.owners.as_ref().unwrap();
        assert_eq!(line[col("owners")].split("; ").filter(|s| !s.is_empty()).count(), owners.len());
    }

    let json = credentials.export(None, ExportFormat::Json, Some(out.path()), now).await.unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&json.path).unwrap()).unwrap();
    assert_eq!(items.len(), report.rows.len());
    for field in ["objectId", "appId", "displayName", "objectType", "credentialType", "keyId", "credentialName", "start", "end", "daysLeft", "status", "owners"] {
        assert!(items.iter().all(|i| i.get(field).is_some()), "{field}");
    }
    assert!(items.iter().all(|i| ["application", "servicePrincipal"].contains(&i["objectType"].as_str().unwrap())));
    assert!(items.iter().all(|i| chrono::DateTime::parse_from_rfc3339(i["end"].as_str().unwrap()).is_ok()));

    let notify = credentials.export(None, ExportFormat::Notify, Some(out.path()), now).await.unwrap();
    let groups: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&notify.path).unwrap()).unwrap();
    let due: Vec<_> = report.rows.iter().filter(|r| r.status != ExpiryStatus::Ok).collect();
    assert_eq!(notify.count as usize, due.len());
    let mut seen = std::collections::HashSet::new();
    for g in &groups {
        for c in g["credentials"].as_array().unwrap() {
            assert_ne!(c["status"], "ok");
            seen.insert((c["objectId"].as_str().unwrap().to_string(), c["keyId"].as_str().unwrap().to_string()));
        }
        if g["ownerId"].is_string() {
            assert!(g["mail"].is_string() || g["userPrincipalName"].is_string() || g["ownerType"] != "user", "{g}");
        }
    }
    assert_eq!(seen.len(), due.len(), "every due credential is in some group");
    if due.iter().any(|r| r.owners.as_ref().is_some_and(Vec::is_empty)) {
        assert!(groups.iter().any(|g| g["displayName"] == "no owner" && g["ownerId"].is_null()));
    }
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn rotate_then_remove_the_old_secret_end_to_end() {
    let w = world_with_apps(53, 40).await;
    let (account, apps, credentials) = synced(&w).await;
    let list = inventory(&apps).await;
    let target = list.iter().find(|r| r.object_type == ObjectType::Application && r.credential_count > 0).unwrap();
    let before = apps.detail(&target.id).await.unwrap();
    let old = before.credentials.iter().find(|c| c.credential.credential_type == CredentialType::Password).map(|c| c.credential.key_id.clone());

    let err = credentials.rotate(&account, &target.id, ObjectType::Application, 0).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("Nothing was changed"), "{}", err.message());

    let rotated = credentials.rotate(&account, &target.id, ObjectType::Application, 90).await.unwrap();
    assert!(rotated.warning.is_none(), "{:?}", rotated.warning);
    assert!(rotated.secret.expose().len() >= 30);
    assert!(!format!("{rotated:?}").contains(rotated.secret.expose()), "Debug never shows the secret");
    assert!(rotated.display_name.starts_with("Rotated by Entra Desk "));
    let days = (rotated.end - w.clock.now()).num_days();
    assert!((89..=90).contains(&days), "{days}");
    let graph = w.desk.graph(&account).unwrap();
    let in_graph = graph.get_application(&target.id).await.unwrap();
    assert!(in_graph.password_credentials.iter().any(|p| p.key_id == rotated.key_id));
    let after = apps.detail(&target.id).await.unwrap();
    assert!(after.credentials.iter().any(|c| c.credential.key_id == rotated.key_id), "the cache has it");
    assert_no_secret_on_disk(w.desk.data_dir(), &[rotated.secret.expose()]);

    if let Some(old) = old {
        credentials.remove(&account, &target.id, ObjectType::Application, &old).await.unwrap();
        let in_graph = graph.get_application(&target.id).await.unwrap();
        assert!(!in_graph.password_credentials.iter().any(|p| p.key_id == old));
        assert!(!apps.detail(&target.id).await.unwrap().credentials.iter().any(|c| c.credential.key_ids.contains(&old)));
        let err = credentials.remove(&account, &target.id, ObjectType::Application, &old).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Graph, "{err:?}");
        assert!(err.message().contains("Nothing was changed"), "{}", err.message());
    }

    // A certificate is not removed as a secret.
    if let Some(cert) = list.iter().find(|r| r.object_type == ObjectType::ServicePrincipal && r.credential_count > 0) {
        let detail = apps.detail(&cert.id).await.unwrap();
        if let Some(c) = detail.credentials.iter().find(|c| c.credential.credential_type == CredentialType::Certificate) {
            let err = credentials.remove(&account, &cert.id, ObjectType::ServicePrincipal, &c.credential.key_id).await.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput);
        }
    }
    w.tenant.shutdown().await;
}

/// A rotation whose addPassword is carried out but answered 504 (a gateway timing out after the
/// service did the work): the request is not re-sent, the secret it added (which nobody holds)
/// is found by its unique name and removed, and the message says so.
#[tokio::test]
async fn a_rotation_answered_504_after_it_was_carried_out_leaves_no_unheld_secret() {
    let w = world_with_apps(55, 40).await;
    let (account, apps, credentials) = synced(&w).await;
    let list = inventory(&apps).await;
    for object_type in [ObjectType::Application, ObjectType::ServicePrincipal] {
        let target = list.iter().find(|r| r.object_type == object_type).unwrap();
        let graph = w.desk.graph(&account).unwrap();
        let keys = || async {
            let listed = match object_type {
                ObjectType::Application => graph.application_credentials(&target.id).await.unwrap().password_credentials,
                ObjectType::ServicePrincipal => graph.service_principal_credentials(&target.id).await.unwrap().password_credentials,
            };
            let mut keys: Vec<String> = listed.into_iter().map(|p| p.key_id).collect();
            keys.sort();
            keys
        };
        let before = keys().await;
        let faults = entra_demo::Faults { lose_answers: 1, only_paths: vec!["addPassword".into()], ..Default::default() };
        w.tenant.set_faults(faults).unwrap();
        let err = credentials.rotate(&account, &target.id, object_type, 30).await.unwrap_err();
        w.tenant.set_faults(entra_demo::Faults::default()).unwrap();
        assert!(err.message().contains("did not answer") && err.message().contains("found by its name"), "{}", err.message());
        assert!(err.message().contains("removed") && err.message().contains("rotate again"), "{}", err.message());
        assert!(!err.message().contains("Nothing was changed."), "{}", err.message());
        assert_eq!(keys().await, before, "{object_type:?}: the secret nobody received is gone, and none was added twice");
    }
    // And two rotations the same day get different names.
    let target = list.iter().find(|r| r.object_type == ObjectType::Application).unwrap();
    let a = credentials.rotate(&account, &target.id, ObjectType::Application, 30).await.unwrap();
    let b = credentials.rotate(&account, &target.id, ObjectType::Application, 30).await.unwrap();
    assert_ne!(a.display_name, b.display_name);
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn crossings_report_what_moved_into_a_window_since_the_last_call() {
    let w = world_with_apps(54, 200).await;
    let (_, _, credentials) = synced(&w).await;
    let now = w.clock.now();
    assert!(credentials.crossings(None, now).await.unwrap().is_empty(), "the first call only records");
    assert!(credentials.crossings(None, now).await.unwrap().is_empty(), "nothing moved");

    let later = now + chrono::Duration::days(10);
    let crossings = credentials.crossings(None, later).await.unwrap();
    assert!(!crossings.is_empty(), "ten days later, something crossed a window or expired");
    let report = credentials.report(None, now).await.unwrap();
    for c in &crossings {
        assert!(c.was_in.is_none_or(|was| c.now_in < was), "{c:?}");
        let before = report.rows.iter().find(|r| r.object_id == c.credential.object_id && r.key_id == c.credential.key_id).unwrap();
        assert_eq!(before.window.or((before.status == ExpiryStatus::Expired).then_some(0)), c.was_in);
    }
    assert!(crossings.iter().any(|c| c.now_in == 0), "some expired in those ten days");
    assert!(credentials.crossings(None, later).await.unwrap().is_empty(), "recorded: not reported twice");
    w.tenant.shutdown().await;
}

/// An object ID that is not a GUID (`..` would turn `applications/../removePassword` into
/// `/removePassword`) is refused as invalid input before any Graph request.
#[tokio::test]
async fn rotate_and_remove_refuse_ids_that_are_not_guids_before_any_request() {
    let w = world_with_apps(54, 5).await;
    let (account, apps, credentials) = synced(&w).await;
    let before = w.tenant.stats().total;
    for id in ["..", "%2E%2E", "a/b", ".", ""] {
        for object_type in [ObjectType::Application, ObjectType::ServicePrincipal] {
            let err = credentials.rotate(&account, id, object_type, 30).await.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "rotate {id:?}: {err:?}");
            assert!(err.message().contains("GUID") && err.message().contains("Nothing was sent"), "{}", err.message());
            let key = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
            let err = credentials.remove(&account, id, object_type, key).await.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "remove {id:?}: {err:?}");
        }
        assert_eq!(apps.detail(id).await.unwrap_err().code(), ErrorCode::InvalidInput);
    }
    assert_eq!(w.tenant.stats().total, before, "no request reached Graph: {:?}", w.tenant.stats());
    w.tenant.shutdown().await;
}

/// The report read a page at a time is the whole report: the same rows in the same order (twins
/// once), filters and sorts agree with filtering it, and the summary counts it.
#[tokio::test]
async fn pages_of_the_report_are_the_report() {
    let w = world_with_apps(56, 300).await;
    let (_, _, credentials) = synced(&w).await;
    let now = w.clock.now();
    let report = credentials.report(None, now).await.unwrap();
    assert!(report.rows.len() > 300, "{}", report.rows.len());
    let paged = report_pages(&credentials, CredentialsQuery::default(), 61, now).await;
    assert_eq!(paged, report.rows, "the same rows, judged the same, in the same order");
    assert!(paged.iter().any(|r| r.key_ids.len() == 3), "a SAML trio is one row");

    let keys = |rows: &[ExpiringCredential]| rows.iter().map(|r| (r.object_id.clone(), r.key_id.clone())).collect::<Vec<_>>();
    let only = |keep: &dyn Fn(&ExpiringCredential) -> bool| keys(&report.rows.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>());
    let q = |f: &dyn Fn(&mut CredentialsQuery)| {
        let mut q = CredentialsQuery::default();
        f(&mut q);
        q
    };
    let owner_text = report.rows.iter().find_map(|r| r.owners.as_ref()?.first()?.display_name.clone()).expect("an owner with a name");
    let named = |r: &ExpiringCredential, text: &str| {
        r.owners.as_ref().is_some_and(|o| o.iter().any(|o| o.display_name.as_deref().is_some_and(|n| n.to_lowercase().contains(text))))
    };
    let some_key = report.rows[report.rows.len() / 2].key_id.clone();
    let within = chrono::Duration::days(30);
    let cases: Vec<(CredentialsQuery, Vec<(String, String)>)> = vec![
        (q(&|q| q.expired = true), only(&|r| r.status == ExpiryStatus::Expired)),
        (q(&|q| q.within = Some(30)), only(&|r| r.status != ExpiryStatus::Expired && r.end - now <= within)),
        (q(&|q| q.kind = Some(CredentialType::Certificate)), only(&|r| r.credential_type == CredentialType::Certificate)),
        (q(&|q| q.object_type = Some(ObjectType::Application)), only(&|r| r.object_type == ObjectType::Application)),
        (q(&|q| q.owner = Some("NONE".into())), only(&|r| r.owners.as_ref().is_some_and(Vec::is_empty))),
        (q(&|q| q.owner = Some(owner_text.to_uppercase())), only(&|r| named(r, &owner_text.to_lowercase()))),
        (q(&|q| q.list.search = Some(some_key.clone())), only(&|r| r.key_id == some_key)),
    ];
    for (asked, expected) in cases {
        assert!(!expected.is_empty() || asked.owner.as_deref() == Some("NONE"), "{asked:?} picks rows");
        assert_eq!(keys(&report_pages(&credentials, asked.clone(), 53, now).await), expected, "{asked:?}");
    }
    let by_app = report_pages(&credentials, q(&|q| q.list.sort = Some("app".into())), 200, now).await;
    assert!(by_app.windows(2).all(|p| p[0].display_name.to_lowercase() <= p[1].display_name.to_lowercase()));
    let err = credentials.page(&q(&|q| { q.expired = true; q.within = Some(7) }), now).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);

    // The summary counts the whole report whatever the filters: the chips and the chart.
    let page = credentials.page(&q(&|q| { q.summary = true; q.kind = Some(CredentialType::Password) }), now).await.unwrap();
    let summary = page.summary.expect("asked for");
    let expired = report.rows.iter().filter(|r| r.status == ExpiryStatus::Expired).count() as u32;
    assert_eq!((summary.total as usize, summary.expired), (report.rows.len(), expired));
    for (days, c) in [7u32, 30, 90].into_iter().zip(&summary.within) {
        let inside = report.rows.iter().filter(|r| r.status != ExpiryStatus::Expired && r.end - now <= chrono::Duration::days(days.into())).count();
        assert_eq!((c.days, c.count as usize), (days, inside));
    }
    let chart = summary.chart;
    assert_eq!((chart.months.len(), chart.weeks.len()), (12, 52));
    assert_eq!(chart.months.iter().sum::<u32>() + chart.after_months + expired, summary.total);
    assert_eq!(chart.weeks.iter().sum::<u32>() + chart.after_weeks + expired, summary.total);
    let first_week = report.rows.iter().filter(|r| r.end > now && r.end < now + chrono::Duration::weeks(1)).count();
    assert_eq!(chart.weeks[0] as usize, first_week);
    assert!(credentials.page(&CredentialsQuery::default(), now).await.unwrap().summary.is_none(), "only when asked");
    w.tenant.shutdown().await;
}
