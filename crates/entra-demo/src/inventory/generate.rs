//! The seeded inventory: the demo clients plus `n` generated app registrations
//! with a realistic mix (credentials expired, expiring in 7/30/90 days and
//! later; certificate Sign/Verify pairs; SAML service principals; owners that
//! are users or service principals, or none; every sign-in audience and
//! redirect platform), their service principals and some Microsoft
//! first-party ones. A pure function of the seed and the start time; 10,000
//! apps take a few tens of milliseconds.

use super::catalog::*;
use super::*;
use super::graph_permissions;
use crate::directory::{Directory, User, DEMO_PASSWORD, DOMAIN};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

const HINT_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";

fn guid(rng: &mut ChaCha20Rng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

fn pick<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn hint(rng: &mut ChaCha20Rng) -> String {
    (0..3).map(|_| HINT_ALPHABET[rng.gen_range(0..HINT_ALPHABET.len())] as char).collect()
}

/// A credential end date: some expired, some within 7, 30 or 90 days, most later.
fn end_date(rng: &mut ChaCha20Rng, now: DateTime<Utc>) -> DateTime<Utc> {
    let r: f64 = rng.gen();
    let seconds = |days: std::ops::Range<i64>, rng: &mut ChaCha20Rng| rng.gen_range(days.start * 86_400..days.end * 86_400);
    if r < 0.12 {
        now - Duration::seconds(seconds(1..400, rng))
    } else if r < 0.17 {
        now + Duration::seconds(rng.gen_range(3_600..7 * 86_400))
    } else if r < 0.24 {
        now + Duration::seconds(seconds(7..30, rng))
    } else if r < 0.34 {
        now + Duration::seconds(seconds(30..90, rng))
    } else {
        now + Duration::seconds(seconds(90..730, rng))
    }
}

fn password(rng: &mut ChaCha20Rng, now: DateTime<Utc>, created: DateTime<Utc>, name: &str) -> PasswordCred {
    let end = end_date(rng, now);
    let life = *pick(rng, &[180, 365, 730]);
    let start = (end - Duration::days(life)).max(created).min(end - Duration::hours(1));
    PasswordCred { key_id: guid(rng), display_name: Some(name.to_string()), hint: hint(rng), start, end, custom_key_identifier: None, secret: None }
}

/// A certificate: `Verify` alone, or a `Sign`+`Verify` pair sharing the thumbprint.
fn certificate(rng: &mut ChaCha20Rng, now: DateTime<Utc>, subject: &str, pair: bool) -> Vec<KeyCred> {
    let end = end_date(rng, now);
    let start = end - Duration::days(365);
    let mut thumb = [0u8; 20];
    rng.fill_bytes(&mut thumb);
    let cki = STANDARD.encode(thumb);
    let usages: &[&'static str] = if pair { &["Sign", "Verify"] } else { &["Verify"] };
    usages
        .iter()
        .map(|usage| KeyCred {
            key_id: guid(rng),
            display_name: format!("CN={subject}"),
            usage,
            start,
            end,
            custom_key_identifier: cki.clone(),
            key: None,
        })
        .collect()
}

fn meta(id: String, created: DateTime<Utc>) -> Meta {
    Meta { id, created, changed: 0, removed: None, owners: Vec::new() }
}

/// The service principal of `app` in its home tenant (also what `POST /servicePrincipals` makes).
pub(super) fn sp_for(app: &Application, id: String, tenant: &str) -> ServicePrincipal {
    let mut names = vec![app.app_id.clone()];
    names.extend(app.identifier_uris.iter().cloned());
    ServicePrincipal {
        meta: meta(id, app.meta.created + Duration::seconds(2)),
        app_id: app.app_id.clone(),
        display_name: app.display_name.clone(),
        app_display_name: app.display_name.clone(),
        app_owner_organization_id: tenant.to_string(),
        publisher_name: crate::directory::TENANT_NAME.to_string(),
        service_principal_names: names,
        account_enabled: true,
        app_role_assignment_required: false,
        preferred_single_sign_on_mode: None,
        sign_in_audience: app.sign_in_audience,
        reply_urls: app.redirects.web.iter().chain(&app.redirects.spa).chain(&app.redirects.public_client).cloned().collect(),
        tags: vec!["WindowsAzureActiveDirectoryIntegratedApp".to_string()],
        passwords: Vec::new(),
        keys: Vec::new(),
        preferred_token_signing_key_thumbprint: None,
        scopes: &[],
        app_roles: &[],
    }
}

fn add_users(rng: &mut ChaCha20Rng, dir: &mut Directory, count: usize) {
    for i in 0..count {
        let (given, surname) = (*pick(rng, GIVEN), *pick(rng, SURNAMES));
        let local = format!("{}.{}{}", given.to_lowercase(), surname.to_lowercase(), i + 1);
        dir.users.push(User {
            oid: guid(rng),
            upn: format!("{local}@{DOMAIN}"),
            display_name: format!("{given} {surname}"),
            given_name: given.to_string(),
            surname: surname.to_string(),
            job_title: pick(rng, JOBS).to_string(),
            mail: format!("{local}@{DOMAIN}"),
            mobile_phone: None,
            office_location: format!("{}/{}", rng.gen_range(1..40), rng.gen_range(1000..3000)),
            business_phones: vec![format!("+1 425 555 {:04}", rng.gen_range(100..9999))],
            preferred_language: "en-US".to_string(),
            password: DEMO_PASSWORD.to_string(),
        });
    }
}

/// The demo clients of the directory, as Graph objects (owner: the admin).
fn demo_apps(dir: &Directory) -> (Vec<Application>, Vec<ServicePrincipal>) {
    let (mut apps, mut sps) = (Vec::new(), Vec::new());
    for a in &dir.apps {
        let mut redirects = Redirects::default();
        if a.public {
            redirects.public_client = a.redirect_uris.clone();
        }
        let mut app = Application {
            meta: meta(a.object_id.clone(), dir.created),
            app_id: a.app_id.clone(),
            display_name: a.display_name.clone(),
            sign_in_audience: "AzureADMyOrg",
            identifier_uris: Vec::new(),
            redirects,
            is_fallback_public_client: a.public,
            required_resource_access: vec![(GRAPH.into(), vec![(GRAPH_SCOPES[0].1.into(), "Scope")])],
            passwords: a
                .secrets
                .iter()
                .map(|s| PasswordCred {
                    key_id: s.key_id.clone(),
                    display_name: Some("demo secret".to_string()),
                    hint: s.value.chars().take(3).collect(),
                    start: s.start,
                    end: s.end,
                    custom_key_identifier: None,
                    // The directory checks the demo clients' seeded secrets itself.
                    secret: None,
                })
                .collect(),
            keys: a
                .certificates
                .iter()
                .map(|c| KeyCred {
                    key_id: crate::directory::seeded_uuid(0, &format!("certificate-key/{}", c.x5t)),
                    display_name: "CN=Entra Desk demo certificate client".to_string(),
                    usage: "Verify",
                    start: dir.created - Duration::days(1),
                    end: dir.created + Duration::days(365),
                    custom_key_identifier: STANDARD.encode(sha1::Sha1::digest(&c.cert_der)),
                    key: Some(STANDARD.encode(&c.cert_der)),
                })
                .collect(),
            tags: Vec::new(),
            notes: Some("A client of the demo tenant (see DemoInfo).".to_string()),
        };
        app.meta.owners.push(OwnerRef::User(0));
        if !a.app_roles.is_empty() {
            app.required_resource_access[0].1.extend(
                a.app_roles.iter().filter_map(|r| GRAPH_ROLES.iter().chain(GRAPH_WRITE_ROLES).find(|(n, _)| n == r)).map(|(_, id)| ((*id).into(), "Role")),
            );
        }
        sps.push(sp_for(&app, a.sp_object_id.clone(), &dir.tenant_id));
        apps.push(app);
    }
    (apps, sps)
}

/// Builds the inventory and adds the owner users to `dir`.
pub fn generate(seed: u64, now: DateTime<Utc>, n_apps: usize, dir: &mut Directory) -> Inventory {
    let mut rng = ChaCha20Rng::from_seed(Sha256::digest(format!("entra-demo/inventory/{seed}").as_bytes()).into());
    let first_user = dir.users.len();
    add_users(&mut rng, dir, (n_apps / 10 + 12).min(2_000));
    let n_users = dir.users.len();
    let (mut apps, mut sps) = demo_apps(dir);
    let tenant = dir.tenant_id.clone();
    let mut wants_sp_owner = Vec::with_capacity(n_apps);
    for i in 0..n_apps {
        let created = now - Duration::seconds(rng.gen_range(86_400..6 * 365 * 86_400));
        let kind = *pick(&mut rng, KINDS);
        let env = *pick(&mut rng, &["", "", "", " (Dev)", " (Test)", " (Prod)"]);
        let display_name = format!("{} {} {kind}{env}", pick(&mut rng, DEPARTMENTS), pick(&mut rng, PURPOSES));
        let app_id = guid(&mut rng);
        let slug = format!("app{i}");
        let r: f64 = rng.gen();
        let sign_in_audience = match r {
            r if r < 0.6 => "AzureADMyOrg",
            r if r < 0.8 => "AzureADMultipleOrgs",
            r if r < 0.95 => "AzureADandPersonalMicrosoftAccount",
            _ => "PersonalMicrosoftAccount",
        };
        let mut redirects = Redirects::default();
        match kind {
            "Web" | "API" | "Bot" | "Function" => redirects.web = vec![format!("https://{slug}.contoso.com/signin-oidc")],
            "SPA" => redirects.spa = vec![format!("https://{slug}.contoso.com"), "http://localhost:3000".to_string()],
            "Mobile" | "Desktop" => {
                redirects.public_client = vec![
                    format!("msal{app_id}://auth"),
                    "http://localhost".to_string(),
                    "https://login.microsoftonline.com/common/oauth2/nativeclient".to_string(),
                ]
            }
            _ => {}
        }
        let identifier_uris = if kind == "API" || rng.gen_bool(0.2) { vec![format!("api://{app_id}")] } else { Vec::new() };
        let mut graph = Vec::new();
        if rng.gen_bool(0.85) {
            graph.push((GRAPH_SCOPES[0].1, "Scope"));
        }
        for _ in 0..rng.gen_range(0..3) {
            let (_, id) = *pick(&mut rng, &GRAPH_SCOPES[1..]);
            if !graph.iter().any(|(g, _)| *g == id) {
                graph.push((id, "Scope"));
            }
        }
        if matches!(kind, "Daemon" | "Worker" | "Connector" | "Function") {
            for _ in 0..rng.gen_range(1..4) {
                let (_, id) = *pick(&mut rng, GRAPH_ROLES);
                if !graph.iter().any(|(g, _)| *g == id) {
                    graph.push((id, "Role"));
                }
            }
        }
        let mut required_resource_access = Vec::new();
        if !graph.is_empty() {
            required_resource_access.push((GRAPH.into(), graph.into_iter().map(|(id, kind)| (id.into(), kind)).collect()));
        }
        if rng.gen_bool(0.1) {
            required_resource_access.push((SHAREPOINT.into(), vec![(SHAREPOINT_ALLSITES_READ.into(), "Scope")]));
        }
        let n_secrets = *pick(&mut rng, &[0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4]);
        let passwords = (0..n_secrets).map(|k| password(&mut rng, now, created, &format!("secret {}", k + 1))).collect();
        let mut keys = Vec::new();
        if rng.gen_bool(0.2) {
            for _ in 0..rng.gen_range(1..3) {
                let pair = rng.gen_bool(0.5);
                keys.extend(certificate(&mut rng, now, &format!("{slug}.contoso.com"), pair));
            }
        }
        let mut app = Application {
            meta: meta(guid(&mut rng), created),
            app_id,
            display_name,
            sign_in_audience,
            identifier_uris,
            is_fallback_public_client: matches!(kind, "Mobile" | "Desktop"),
            redirects,
            required_resource_access,
            passwords,
            keys,
            tags: if rng.gen_bool(0.1) { vec!["HideApp".to_string()] } else { Vec::new() },
            notes: None,
        };
        // Owners: none (15%), users (1-3), sometimes a service principal too, and
        // now and then a crowd of 25 (beyond the 20 that $expand returns).
        let r: f64 = rng.gen();
        let n_owners = if i % 150 == 7 { 25 } else if r < 0.15 { 0 } else { rng.gen_range(1..4) };
        while app.meta.owners.len() < n_owners.min(n_users - first_user) {
            let owner = OwnerRef::User(rng.gen_range(first_user..n_users));
            if !app.meta.owners.contains(&owner) {
                app.meta.owners.push(owner);
            }
        }
        wants_sp_owner.push(n_owners > 0 && rng.gen_bool(0.1));
        let mut sp = sp_for(&app, guid(&mut rng), &tenant);
        sp.account_enabled = rng.gen_bool(0.95);
        sp.app_role_assignment_required = rng.gen_bool(0.2);
        if rng.gen_bool(0.08) {
            // A SAML app: Sign + Verify key pair and the password half, one thumbprint.
            let pair = certificate(&mut rng, now, "Microsoft Azure Federated SSO Certificate", true);
            let thumb_hex = STANDARD.decode(&pair[0].custom_key_identifier).unwrap_or_default().iter().map(|b| format!("{b:02X}")).collect();
            sp.passwords.push(PasswordCred {
                key_id: guid(&mut rng),
                display_name: Some("CN=Microsoft Azure Federated SSO Certificate".to_string()),
                hint: String::new(),
                start: pair[0].start,
                end: pair[0].end,
                custom_key_identifier: Some(pair[0].custom_key_identifier.clone()),
                secret: None,
            });
            sp.keys = pair;
            sp.preferred_single_sign_on_mode = Some("saml");
            sp.preferred_token_signing_key_thumbprint = Some(thumb_hex);
            sp.tags.push("WindowsAzureActiveDirectoryCustomSingleSignOnApplication".to_string());
        } else if rng.gen_bool(0.05) {
            sp.passwords.push(password(&mut rng, now, created, "sp secret"));
        }
        if let Some(OwnerRef::User(u)) = app.meta.owners.first() {
            if rng.gen_bool(0.3) {
                sp.meta.owners.push(OwnerRef::User(*u));
            }
        }
        apps.push(app);
        sps.push(sp);
    }
    for (app_id, name) in FIRST_PARTY {
        let created = now - Duration::days(rng.gen_range(900..2_000));
        let graph = *app_id == GRAPH;
        sps.push(ServicePrincipal {
            meta: meta(guid(&mut rng), created),
            app_id: app_id.to_string(),
            display_name: name.to_string(),
            app_display_name: name.to_string(),
            app_owner_organization_id: MICROSOFT_TENANT.to_string(),
            publisher_name: "Microsoft Services".to_string(),
            service_principal_names: if graph { GRAPH_NAMES.iter().map(|n| n.to_string()).collect() } else { vec![app_id.to_string()] },
            account_enabled: true,
            app_role_assignment_required: false,
            preferred_single_sign_on_mode: None,
            sign_in_audience: "AzureADMultipleOrgs",
            reply_urls: Vec::new(),
            tags: Vec::new(),
            passwords: Vec::new(),
            keys: Vec::new(),
            preferred_token_signing_key_thumbprint: None,
            // Only Graph's permissions are modelled: the only resource the demo tenant issues
            // tokens for that clients look permissions up on.
            scopes: if graph { graph_permissions::DELEGATED } else { &[] },
            app_roles: if graph { graph_permissions::APPLICATION } else { &[] },
        });
    }
    sps.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    // Service-principal owners point into the sorted list: chosen after sorting.
    let offset = apps.len() - wants_sp_owner.len();
    for (k, wants) in wants_sp_owner.into_iter().enumerate() {
        if wants {
            apps[offset + k].meta.owners.push(OwnerRef::Sp(rng.gen_range(0..sps.len())));
        }
    }
    apps.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    let mut inventory = Inventory { apps, sps, ..Default::default() };
    inventory.user_index = dir.users.iter().enumerate().map(|(i, u)| (u.oid.clone(), i)).collect();
    inventory.index();
    inventory
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousand_apps_are_quick_and_deterministic() {
        let now = Utc::now();
        let mut dir = Directory::new(1, now).unwrap();
        let started = std::time::Instant::now();
        let inv = generate(1, now, 10_000, &mut dir);
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
        assert_eq!(inv.apps.len(), 10_004);
        assert_eq!(inv.sps.len(), 10_004 + FIRST_PARTY.len());
        let mut dir2 = Directory::new(1, now).unwrap();
        let again = generate(1, now, 10_000, &mut dir2);
        assert_eq!(inv.apps[500].meta.id, again.apps[500].meta.id);
        assert!(inv.apps.windows(2).all(|w| w[0].meta.id < w[1].meta.id));
        let expired = inv.apps.iter().flat_map(|a| &a.passwords).filter(|p| p.end < now).count();
        let soon = inv.apps.iter().flat_map(|a| &a.passwords).filter(|p| p.end > now && p.end < now + Duration::days(7)).count();
        assert!(expired > 100 && soon > 50, "{expired} {soon}");
        assert!(inv.sps.iter().any(|s| s.preferred_single_sign_on_mode == Some("saml")));
        assert!(inv.apps.iter().any(|a| a.meta.owners.len() > 20));
        assert!(inv.apps.iter().any(|a| a.meta.owners.iter().any(|o| matches!(o, OwnerRef::Sp(_)))));
    }
}
