//! Graph's 403 explained, against the demo tenant on loopback and the real keychain: a person
//! without the directory role a write needs is told which roles (`missing_role`); a sign-in
//! without the scope a screen needs is told which one to grant (`missing_scope`), and granting it
//! by a second sign-in as the same person (incremental consent) makes the screen work.

mod common;

use common::{world_with_apps, DemoOpener, NoEmbeddedDemo, World};
use entra_core::apps::{AppRow, Apps, AppsQuery, ObjectType};
use entra_core::credentials::Credentials;
use entra_core::paging::ListQuery;
use entra_core::setup::{SetupProgress, SetupSource};
use entra_core::signin::SignIn;
use entra_core::{ErrorCode, SignInOptions};
use entra_demo::directory::DEMO_PASSWORD;
use tokio_util::sync::CancellationToken;

const ADELE: &str = "AdeleV@demo.onmicrosoft.com";


async fn rows(apps: &Apps) -> Vec<AppRow> {
    let query = AppsQuery { list: ListQuery { limit: Some(1000), ..ListQuery::default() }, ..AppsQuery::default() };
    apps.page(&query).await.expect("a page").page.items
}

/// Signs `username` in through the browser to the demo's own public client.
async fn sign_in_as(w: &World, username: &str) -> String {
    let info = w.tenant.info();
    let profile = w.public_profile().await;
    let browser = DemoOpener::new(info.ca_cert.as_deref(), username, DEMO_PASSWORD, |u| u);
    w.desk.sign_in_interactive(&profile, &browser, CancellationToken::new(), &|_| {}, SignInOptions::default()).await.expect("sign-in").id
}

#[tokio::test]
async fn a_person_without_a_role_is_told_which_roles_a_rotation_needs() {
    let w = world_with_apps(61, 40).await;
    let adele = sign_in_as(&w, ADELE).await;
    let apps = w.apps();
    apps.refresh(&adele, false, &|_| {}, CancellationToken::new()).await.expect("a member reads app registrations");
    let not_hers = rows(&apps)
        .await
        .into_iter()
        .find(|r| {
            r.object_type == ObjectType::Application
                && r.owners.as_ref().is_some_and(|o| !o.iter().any(|o| o.user_principal_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(ADELE))))
        })
        .expect("an application Adele does not own");

    let err = Credentials::new(apps.clone()).rotate(&adele, &not_hers.id, ObjectType::Application, 30).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::MissingRole, "{err}");
    let message = err.message();
    assert!(message.starts_with(&format!("No secret was created on the app registration {}", not_hers.id)), "{message}");
    assert!(message.contains("Application Administrator, Cloud Application Administrator, or Global Administrator"), "{message}");
    assert!(message.contains("or to own the object. Ask a Privileged Role Administrator"), "{message}");
    assert!(message.ends_with("then try again. Nothing was changed"), "{message}");
    assert!(err.graph().and_then(|g| g.request_id.as_ref()).is_some(), "the request IDs stay for a ticket");
    assert_eq!(err.scopes_to_grant(), None, "no permission to grant would help");

    // The same rotation by the admin, who holds a role, goes through.
    let admin = sign_in_as(&w, &w.tenant.info().user.username).await;
    Credentials::new(apps).rotate(&admin, &not_hers.id, ObjectType::Application, 30).await.expect("the admin rotates");
}

#[tokio::test]
async fn a_missing_scope_is_named_and_granting_it_makes_the_screen_work() {
    let w = world_with_apps(62, 20).await;
    let info = w.tenant.info().clone();
    // The admin registers Entra Desk in the tenant through the set-up assistant...
    // (the sign-in screen's assistant, as the account already signed in), and is told where to sign in to it...
    let admin = sign_in_as(&w, &info.user.username).await;
    let signin = SignIn::new(w.desk.clone(), Box::new(NoEmbeddedDemo));
    let stages = std::sync::Mutex::new(Vec::new());
    let registered = signin
        .register(SetupSource::Account { account_id: admin.clone() }, &|p| stages.lock().unwrap().push(p))
        .await
        .expect("registered");
    let registration = registered.registration;
    assert!(registration.created);
    assert_eq!(registered.authority, w.desk.account(Some(&admin)).unwrap().authority.to_string());
    assert_eq!(stages.lock().unwrap().first(), Some(&SetupProgress::Searching));
    let again = signin.register(SetupSource::Account { account_id: admin.clone() }, &|_| {}).await.expect("found again");
    assert_eq!((again.registration.client_id.as_str(), again.registration.created), (registration.client_id.as_str(), false));
    // ...and signs in through it asking only for User.Read: the consent page grants only that.
    let mut flags = w.flags(&registration.client_id);
    flags.scopes = Some(vec!["User.Read".into()]);
    let profile = w.desk.settings().resolve_profile(flags).await.expect("profile resolves");
    let options = SignInOptions { prompt: Some("consent".into()), ..SignInOptions::default() };
    let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, options).await.expect("sign-in").id;

    let apps = w.apps();
    let err = apps.refresh(&account, false, &|_| {}, CancellationToken::new()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::MissingScope, "{err}");
    assert_eq!(err.scopes_to_grant(), Some(&["Application.Read.All".to_string()][..]));
    assert!(err.message().contains("read app registrations"), "{}", err.message());

    // "Grant access": a sign-in as the same person asking for it too; the account keeps its ID.
    let granted = signin.grant(&account, err.scopes_to_grant().unwrap(), &w.browser(), &|_| {}).await.expect("granted");
    assert_eq!(granted.id, account);
    assert!(granted.scopes.iter().any(|s| s == "Application.Read.All"), "{:?}", granted.scopes);
    let summary = apps.refresh(&account, false, &|_| {}, CancellationToken::new()).await.expect("the screen works now");
    assert!(!rows(&apps).await.is_empty(), "{summary:?}");

    // Nothing to grant to an app-only account: it is told where its permissions are granted.
    let app_only = w.sign_in_app_only().await;
    let refused = signin.grant(&app_only, &["Group.Read.All".to_string()], &w.browser(), &|_| {}).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.message().contains("admin consent"), "{}", refused.message());

    // "Remove this registration" (here as the app-only account, which may write applications)
    // deletes it and forgets its client ID; the person who signed in through it must sign in again.
    let removed = signin.remove_registration(SetupSource::Account { account_id: app_only }, None).await.expect("removed");
    assert_eq!((removed.client_id.as_str(), removed.forgotten), (registration.client_id.as_str(), true));
    assert_eq!(removed.accounts_to_sign_in_again, vec![account.clone()]);
}
