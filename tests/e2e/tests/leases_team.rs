//! The Leases screen end to end with a team store, and a second member beside the app: a
//! throwaway PostgreSQL cluster (`entra_testkit::postgres::Cluster`) with an owner role and two
//! member roles, the schema applied by `entractl lease store init --apply` as the owner. The app
//! starts on this desktop's store (the store bar says so), is switched to the team store through
//! "Use a team store…" (the connection test names the database user; the password is typed,
//! cleared from the window once sent, and typed again to use the store), and becomes its
//! maintenance leader, the only member maintaining it. A lease issued in the app names its issuer
//! (the demo user). Then `entractl`, as the other member in a data folder of its own, renews that
//! lease: with no click in the app, the row's expiry follows within 5 s (the store's NOTIFY, the
//! app's `leases-changed` event, which the test also listens to), the audit log names the other
//! member's database user, and `entractl lease list` shows the app's lease with its issuer. Last,
//! the settings file names the team store by URL and holds no password, and nothing under the
//! app's data folder holds either member's password or a token.
//!
//! `entractl` is the one built next to the app binary (`tests/e2e/run.sh` builds both: debug,
//! `target/debug/entractl`; `--release`, `target/release/entractl`).

use anyhow::{bail, Context, Result};
use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{app_binary, artifacts_dir, sign_in_to_demo, AppHarness, DEMO_USER};
use entra_e2e::screens::{click_in, click_testid, js, press_ctrl, record_failure, scroll_to, set_input};
use entra_e2e::webdriver::Session;
use entra_testkit::postgres::Cluster;
use entra_testkit::Needle;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);
const DEFINITION: &str = "e2e-team-secret";
const OWNER_PASSWORD: &str = "owner-pw-e2e-4b1d";
const DESK_PASSWORD: &str = "desk-pw-e2e-93fa";
const CLI_PASSWORD: &str = "cli-pw-e2e-70c5";
/// How long a teammate's change may take to show without a click (the screen's own poll is every 10 s).
const LIVE: Duration = Duration::from_secs(5);

/// `entractl` next to the app binary (the same profile: `tests/e2e/run.sh` builds both).
fn entractl_binary() -> Result<PathBuf> {
    let path = app_binary()?.with_file_name("entractl");
    if !path.exists() {
        bail!("{} does not exist: build it next to the app with `cargo build -p entractl` (tests/e2e/run.sh does)", path.display());
    }
    Ok(path)
}

/// The team store: the cluster, its `leases` database with the schema, and the other member's data folder.
struct Team {
    cluster: Cluster,
    entractl: PathBuf,
    /// The data folder of the owner's `entractl` (store init).
    owner: tempfile::TempDir,
    /// The data folder of the second member, `cli_member` (as a teammate's own desktop would be).
    cli: tempfile::TempDir,
}

impl Team {
    fn url(&self, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/leases", self.cluster.port())
    }

    /// What the store bar shows of it.
    fn location(&self) -> String {
        format!("127.0.0.1:{}/leases", self.cluster.port())
    }

    /// Runs `entractl` in `data_dir` with `password` in `ENTRA_DESK_LEASE_STORE_PASSWORD`; fails unless it exits 0.
    async fn entractl(&self, data_dir: &Path, password: &str, args: &[&str]) -> Result<String> {
        let mut command = std::process::Command::new(&self.entractl);
        command
            .args(args)
            .env("ENTRA_DESK_DATA_DIR", data_dir)
            .env("ENTRA_DESK_LEASE_STORE_PASSWORD", password)
            // `--lease-store` names the store; nothing from the test's own environment chooses another.
            .env_remove("ENTRA_DESK_LEASE_STORE");
        let shown = format!("entractl {}", args.join(" "));
        let out = tokio::task::spawn_blocking(move || command.output()).await?.with_context(|| format!("cannot run {shown}"))?;
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if !out.status.success() {
            bail!("{shown}: {}\n{stdout}\n{stderr}", out.status);
        }
        Ok(stdout.into_owned())
    }

    /// The second member's `entractl lease …` on the team store, as JSON.
    async fn member(&self, args: &[&str]) -> Result<Value> {
        let store = self.url("cli_member");
        let mut all = vec!["lease"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--lease-store", &store, "--format", "json"]);
        let out = self.entractl(self.cli.path(), CLI_PASSWORD, &all).await?;
        serde_json::from_str(&out).with_context(|| format!("JSON from entractl {}: {out}", all.join(" ")))
    }
}

/// Step 1: the cluster, the roles, the database, and the schema applied by the owner with both members granted.
async fn team() -> Result<Team> {
    if !Cluster::available() {
        bail!("PostgreSQL's server is not installed: run scripts/setup.sh --for-tests");
    }
    let cluster = Cluster::start().map_err(anyhow::Error::msg)?;
    for (role, password) in [("entra_owner", OWNER_PASSWORD), ("desk_member", DESK_PASSWORD), ("cli_member", CLI_PASSWORD)] {
        cluster.create_role(role, password).map_err(anyhow::Error::msg)?;
    }
    cluster.sql("CREATE DATABASE leases OWNER entra_owner").map_err(anyhow::Error::msg)?;
    let team = Team { cluster, entractl: entractl_binary()?, owner: tempfile::tempdir()?, cli: tempfile::tempdir()? };
    let owner_url = team.url("entra_owner");
    let args = ["lease", "store", "init", &owner_url, "--member", "desk_member", "--member", "cli_member", "--apply"];
    let init = team.entractl(team.owner.path(), OWNER_PASSWORD, &args).await?;
    println!("store init: {}", init.trim());
    Ok(team)
}

/// The store bar's label and leader line (empty when none is shown).
async fn store_bar(app: &Session) -> Result<(String, String, String)> {
    let v = app
        .execute(
            "const b = document.querySelector('[data-testid=leases-store-bar]'); if (!b) return null; \
             const t = (s) => { const e = b.querySelector(s); return e ? e.textContent.trim() : ''; }; \
             return [b.dataset.kind, t('[data-testid=leases-store-label]'), t('[data-testid=leases-store-leader]')];",
        )
        .await?;
    let part = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    Ok((part(0), part(1), part(2)))
}

/// Listens to the app's `leases-changed` event from the page, as the Leases screen does, counting
/// each one in `window.__e2eLeasesChanged` (the time it arrived, ms).
async fn listen_for_changes(app: &Session) -> Result<()> {
    app.execute(
        "window.__e2eLeasesChanged = []; window.__e2eListening = 'pending'; const T = window.__TAURI_INTERNALS__; \
         T.invoke('plugin:event|listen', {event: 'leases-changed', target: {kind: 'Any'}, \
           handler: T.transformCallback(() => window.__e2eLeasesChanged.push(Date.now()))}) \
           .then(() => { window.__e2eListening = 'yes'; }, (e) => { window.__e2eListening = 'failed: ' + e; });",
    )
    .await?;
    let state = app.wait_until("return window.__e2eListening !== 'pending' ? window.__e2eListening : null;", WAIT, "the event subscription").await?;
    if state != "yes" {
        bail!("cannot listen to leases-changed: {state}");
    }
    Ok(())
}

/// The `leases-changed` events heard so far.
async fn changes_heard(app: &Session) -> Result<usize> {
    Ok(app.execute("return window.__e2eLeasesChanged.length").await?.as_u64().unwrap_or(0) as usize)
}

/// The row of `lease_id`'s `data-seconds-left`, once it is a number.
async fn seconds_left(app: &Session, lease_id: &str) -> Result<i64> {
    let script = format!(
        "const c = document.querySelector({}); return c && c.dataset.secondsLeft !== '' ? {{s: Number(c.dataset.secondsLeft)}} : null;",
        js(&format!("[data-testid=leases-row][data-lease-id=\"{lease_id}\"] [data-testid=leases-countdown]"))
    );
    app.wait_until(&script, WAIT, "the countdown").await?["s"].as_i64().context("seconds left")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_store_with_a_second_member_beside_the_app() -> Result<()> {
    let started = Instant::now();
    let shots = artifacts_dir("leases_team");
    let team = team().await?;
    // The same tenant as the app's (seed 1, the defaults): the lease target.
    let reference = entra_demo::start(entra_demo::DemoOptions::default()).await?;
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    let outcome = scenario(&app, &harness, &reference, &team, &shots).await;
    if outcome.is_err() {
        record_failure(&app, &shots).await;
    }
    drop(reference);
    outcome?;
    app.quit().await?;
    println!("the scenario took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn scenario(app: &Session, harness: &AppHarness, reference: &entra_demo::DemoTenant, team: &Team, shots: &Path) -> Result<()> {
    let target = reference.lease_targets().application;
    sign_in_to_demo(app, &DemoBrowser::new(None)?, WAIT).await?;

    // Step 2: the Leases screen, on this desktop's store.
    press_ctrl(app, "4").await?;
    app.wait_for("[data-testid=leases-screen]", WAIT).await?;
    app.wait_for("[data-testid=leases-store-bar][data-kind=local]", WAIT).await?;
    let (_, label, _) = store_bar(app).await?;
    assert!(label.starts_with("This desktop's store"), "the store bar: {label}");
    assert!(app.find("#leases-filter-mine").await.is_err(), "no Mine/Everyone filter on this desktop's store");
    listen_for_changes(app).await?;
    app.screenshot(&shots.join("01-local-store.png")).await?;

    // Step 3: "Use a team store…", tested first: the check names the database user.
    app.click(&app.find("#use-team-store").await?).await?;
    let url_field = app.wait_for("#team-store-url", WAIT).await?;
    app.type_text(&url_field, &team.url("desk_member")).await?;
    let password_field = app.find("#team-store-password").await?;
    app.type_text(&password_field, DESK_PASSWORD).await?;
    app.click(&app.find("#team-store-test").await?).await?;
    let user_fact = "[data-testid=team-store-check-fact][data-label=\"Database user\"]";
    let user = app.wait_for_text(user_fact, WAIT, |t| !t.trim().is_empty()).await?;
    assert_eq!(user.trim(), "desk_member", "the connection test names the database user");
    let check = app.text(&app.find("[data-testid=team-store-check]").await?).await?;
    println!("connection test: {}", check.replace('\n', " · "));
    assert!(check.contains(&team.location()), "the check names the server: {check}");
    // Once sent, the password is gone from the window.
    assert_eq!(app.value(&app.find("#team-store-password").await?).await?, "", "the password field was cleared once sent");
    app.wait_for("[data-testid=team-store-password-sent]", WAIT).await?;
    let html = app.execute("return document.documentElement.outerHTML").await?;
    assert!(!html.as_str().unwrap_or_default().contains(DESK_PASSWORD), "the password is nowhere in the page");
    app.screenshot(&shots.join("02-connection-test.png")).await?;

    // Used (the password typed again, as the dialog asks): the store bar names the team store.
    app.type_text(&app.find("#team-store-password").await?, DESK_PASSWORD).await?;
    app.click(&app.find("#team-store-use").await?).await?;
    app.wait_for("[data-testid=leases-store-bar][data-kind=team]", WAIT).await?;
    app.wait_until("return !document.querySelector('[data-testid=team-store-dialog]')", WAIT, "the dialog to close").await?;
    let (_, label, _) = store_bar(app).await?;
    assert_eq!(label, format!("Team store · {}", team.location()), "the store bar names the team store");
    app.wait_for("#leases-filter-mine", WAIT).await?;
    app.wait_for("#leases-filter-everyone", WAIT).await?;
    app.screenshot(&shots.join("03-team-store.png")).await?;

    // The app, the only member maintaining, becomes the maintenance leader within ~30 s.
    let since = Instant::now();
    let leader_line = format!("Maintained by {DEMO_USER}@");
    let leader = app.wait_for_text("[data-testid=leases-store-leader]", Duration::from_secs(40), |t| t.trim().starts_with(&leader_line)).await?;
    println!("leader after {:.1} s: {}", since.elapsed().as_secs_f64(), leader.trim());
    let row = team.cluster.sql_in("leases", "SELECT member FROM entra_desk.leader WHERE name = 'maintenance' AND until > now()").map_err(anyhow::Error::msg)?;
    assert!(row.starts_with(&format!("{DEMO_USER}@")), "the leader row is the app's: {row}");
    app.screenshot(&shots.join("04-leader.png")).await?;

    // Step 4: define a dynamic secret and issue a 5-minute lease in the app; the row names its issuer.
    set_input(app, "leases-define-name", DEFINITION).await?;
    set_input(app, "leases-define-target", &target.object_id).await?;
    set_input(app, "leases-define-ttl", "10m").await?;
    set_input(app, "leases-define-max-ttl", "4h").await?;
    click_testid(app, "leases-define-submit").await?;
    let definition = format!("[data-testid=leases-definition][data-name=\"{DEFINITION}\"]");
    app.wait_for_text(&definition, WAIT, |t| t.contains("TTL 10 minutes")).await?;
    app.execute(&format!(
        "const i = document.querySelector({}); i.value = '5m'; i.dispatchEvent(new Event('input', {{bubbles: true}}));",
        js(&format!("{definition} [data-testid=leases-issue-ttl]"))
    ))
    .await?;
    click_in(app, &definition, "leases-issue").await?;
    app.wait_for("[data-testid=leases-secret-value]", WAIT).await?;
    click_testid(app, "leases-secret-dismiss").await?;
    app.wait_for("[data-testid=leases-row][data-status=active]", WAIT).await?;
    let lease_id = app.execute("return document.querySelector('[data-testid=leases-row]').dataset.leaseId").await?;
    let lease_id = lease_id.as_str().unwrap_or_default().to_string();
    assert!(!lease_id.is_empty());
    let row = format!("[data-testid=leases-row][data-lease-id=\"{lease_id}\"]");
    let issued_by = app.text(&app.find(&format!("{row} [data-testid=leases-issued-by]")).await?).await?;
    assert_eq!(issued_by.trim(), DEMO_USER, "Issued by");
    let before = seconds_left(app, &lease_id).await?;
    assert!((240..=300).contains(&before), "a 5-minute lease: {before} s left");
    // Mine keeps it (the signed-in account issued it).
    app.click(&app.find("#leases-filter-mine").await?).await?;
    app.wait_for(&row, WAIT).await?;
    scroll_to(app, "[data-testid=leases-screen]").await?;
    app.screenshot(&shots.join("05-issued-mine.png")).await?;
    app.click(&app.find("#leases-filter-everyone").await?).await?;

    // Step 5: the second member renews it for 2 hours; the app shows it without a click.
    let heard = changes_heard(app).await?;
    let renewal = team.member(&["renew", &lease_id, "--ttl", "2h"]).await?;
    let renewed_at = Instant::now();
    println!("entractl renewed the lease until {}", renewal["expiresAt"]);
    let script = format!(
        "const c = document.querySelector({}); return c && Number(c.dataset.secondsLeft) > 7000;",
        js(&format!("{row} [data-testid=leases-countdown]"))
    );
    app.wait_until(&script, LIVE, "the row to show the other member's renewal").await?;
    let shown_after = renewed_at.elapsed();
    let after = seconds_left(app, &lease_id).await?;
    assert!((7100..=7200).contains(&after), "renewed for 2 hours: {after} s left");
    let heard_now = changes_heard(app).await?;
    assert!(heard_now > heard, "the app announced the change (leases-changed): {heard} → {heard_now} events");
    println!("the row showed the renewal {:.2} s after entractl returned ({} s → {} s left)", shown_after.as_secs_f64(), before, after);
    let title = app.execute(&format!("return document.querySelector({}).parentElement.title", js(&format!("{row} [data-testid=leases-countdown]")))).await?;
    let (shown, renewed) = (title.as_str().unwrap_or_default(), renewal["expiresAt"].as_str().unwrap_or_default());
    let same = app.execute(&format!("return Date.parse({}.split(' (')[0].replace('Expires ', '')) === Date.parse({})", js(shown), js(renewed))).await?;
    assert_eq!(same, Value::Bool(true), "the row's expiry is the renewal's: {shown} vs {renewed}");
    app.screenshot(&shots.join("06-renewed-by-teammate.png")).await?;

    // The audit log names the other member's database user on the renewal.
    let actor = app
        .wait_until(
            &format!(
                "const r = [...document.querySelectorAll('[data-testid=leases-audit-row]')].find(r => r.dataset.leaseId === {} && r.dataset.action === 'renewed'); \
                 const a = r && r.querySelector('[data-testid=leases-audit-actor]'); return a ? a.textContent.trim() : null;",
                js(&lease_id)
            ),
            WAIT,
            "the renewal in the audit log",
        )
        .await?;
    assert!(actor.as_str().is_some_and(|a| a.contains("db: cli_member")), "the renewal's database user: {actor}");
    scroll_to(app, "[data-testid=leases-audit]").await?;
    app.screenshot(&shots.join("07-audit.png")).await?;

    // The second member sees the app's lease, and who issued it.
    let listed = team.member(&["list"]).await?;
    let theirs = listed.as_array().and_then(|all| all.iter().find(|l| l["id"] == lease_id.as_str())).with_context(|| format!("the app's lease in {listed}"))?;
    assert_eq!(theirs["issuedBy"], DEMO_USER, "{theirs}");
    assert_eq!(theirs["expiresAt"], renewal["expiresAt"], "{theirs}");

    // Step 6: the final screen; the settings name the store by URL, and no password is on disk.
    scroll_to(app, "[data-testid=leases-screen]").await?;
    app.screenshot(&shots.join("08-final.png")).await?;
    let settings_path = harness.data_dir().join("settings.json");
    let settings = std::fs::read_to_string(&settings_path).with_context(|| format!("{}", settings_path.display()))?;
    let parsed: Value = serde_json::from_str(&settings).with_context(|| format!("{}: {settings}", settings_path.display()))?;
    assert_eq!(parsed["leaseStore"], team.url("desk_member"), "the settings name the team store: {settings}");
    assert!(!settings.contains(DESK_PASSWORD), "no password in settings.json");
    let needles = [Needle::new("desk_member's password", DESK_PASSWORD), Needle::new("cli_member's password", CLI_PASSWORD)];
    let scan = entra_testkit::assert_nothing_secret_under(harness.data_dir(), &needles);
    assert!(scan.has_file("settings.json"), "the scan read the settings file");
    println!("no password or token in the app's {} files", scan.files.len());
    Ok(())
}
