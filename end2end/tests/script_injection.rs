//! Stored script injection, tried in a real browser: a payload that closes a `<textarea>`,
//! opens a `<script>` and adds an `<img onerror>` is stored in every text field a vendor or a
//! customer can write (names of organizations, people, applications, licenses, targets and
//! tokens; a version's env template and compose file; the portal's title and home page), then
//! every page of both portals that shows them is opened. Each must show the payload as text:
//! no dialog, no `window.__xss`, no injected element.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::Utc;
use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use serde_json::Value;
use service::branding::BrandingInput;
use service::invitations::{self, NewInvitation};
use service::licenses::NewLicense;
use service::testing::world::PASSWORD;
use service::versions::{NewVersion, Package};
use types::{
    ApplicationKind, ApplicationName, ChannelName, Email, EntitlementKey, OrganizationName, Role,
    VersionName,
};

/// Closes a textarea (or any raw-text element), then runs script two ways.
const PAYLOAD: &str = r#"</textarea><script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=1;alert(1)">"#;

/// What a version name may hold (no spaces or slashes): still markup if it were not escaped.
const VERSION: &str = r#"1.0"'<b>x"#;

async fn js(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

async fn sign_in(browser: &Browser, base: &str, path: &str, email: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.client.goto(&format!("{base}{path}")).await.unwrap();
    browser
        .wait_for("#consign-root[data-hydrated='true']")
        .await;
    let field = browser.wait_for("#email").await;
    field.send_keys(email).await.unwrap();
    let field = browser.wait_for("#password").await;
    field.send_keys(PASSWORD).await.unwrap();
    browser.wait_for("#sign-in").await.click().await.unwrap();
    browser.wait_for("#welcome").await;
}

/// Opens `path`, waits until it has hydrated and checks that nothing injected ran or exists.
async fn assert_inert(browser: &Browser, base: &str, path: &str) {
    let c = &browser.client;
    c.goto(&format!("{base}{path}")).await.unwrap();
    browser
        .wait_for("#consign-root[data-hydrated='true']")
        .await;
    // Resources that load late (suspense, images) get a moment to misbehave.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(text) = c.get_alert_text().await {
        panic!("{path} opened a dialog: {text}");
    }
    let found = js(
        browser,
        "return {
            xss: typeof window.__xss,
            img: document.querySelectorAll('img[src=\"x\"], [onerror]').length,
            // The hydration data may carry the payload as a JSON string; an injected element
            // would hold it as its code.
            script: Array.from(document.scripts).filter(s => s.textContent.trim().startsWith('window.__xss')).length,
            bold: Array.from(document.querySelectorAll('b')).filter(b => b.textContent === 'x').length,
        };",
    )
    .await;
    assert_eq!(
        found,
        serde_json::json!({ "xss": "undefined", "img": 0, "script": 0, "bold": 0 }),
        "{path}: something injected is on the page\n{}",
        browser.page_summary().await
    );
}

/// The value of the textarea `css`, once it has one.
async fn textarea(browser: &Browser, css: &str) -> Value {
    let read = format!("document.querySelector('{css}')?.value");
    browser.wait_until(&read).await;
    js(browser, &format!("return {read};")).await
}

/// The page's text shows the payload as it was typed.
async fn assert_shown(browser: &Browser, path: &str, what: &str) {
    let shown = js(
        browser,
        &format!(
            "return document.body.innerText.includes({});",
            serde_json::to_string(what).unwrap()
        ),
    )
    .await;
    assert_eq!(
        shown,
        Value::Bool(true),
        "{path} does not show {what:?} as text\n{}",
        browser.page_summary().await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_payload_in_any_text_field_stays_text_on_every_page_of_both_portals() {
    let hub = hub::start().await;
    let services = hub.services.clone();
    let now = Utc::now();

    // The vendor: organization and admin named with the payload.
    let (user, org) = service::signup::sign_up(
        &services,
        service::signup::SignUp {
            organization_name: OrganizationName::parse(PAYLOAD).unwrap(),
            user: service::accounts::NewUser {
                email: Email::parse("ada@acme.test").unwrap(),
                name: PAYLOAD.into(),
                password: PASSWORD.into(),
            },
        },
        true,
    )
    .await
    .unwrap();
    let admin = service::accounts::actor(&services, user.id, Some(org.id))
        .await
        .unwrap()
        .unwrap();
    let customer =
        service::customers::create(&services, &admin, OrganizationName::parse(PAYLOAD).unwrap())
            .await
            .unwrap();
    // A customer admin named with the payload.
    let issued = invitations::create(
        &services,
        &admin,
        NewInvitation {
            email: Email::parse("bob@globex.test").unwrap(),
            role: Role::Admin,
            customer: Some(customer.id),
        },
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    invitations::accept(&services, &issued.token, PAYLOAD.into(), PASSWORD.into())
        .await
        .unwrap();
    // A pending invitation too (listed on the users page).
    invitations::create(
        &services,
        &admin,
        NewInvitation {
            email: Email::parse("eve@acme.test").unwrap(),
            role: Role::ReadOnly,
            customer: None,
        },
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();

    let app = service::applications::create(
        &services,
        &admin,
        ApplicationName::parse(PAYLOAD).unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap();
    let env_template = format!("# {PAYLOAD}\nNOTE={PAYLOAD}\n");
    service::versions::create(
        &services,
        &admin,
        app.id,
        NewVersion {
            name: VersionName::parse(VERSION).unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: format!(
                    "# {PAYLOAD}\nservices:\n  web:\n    image: registry.example.com/shop:1\n"
                ),
                env_template: Some(env_template.clone()),
            },
        },
        now,
    )
    .await
    .unwrap();
    service::licenses::create(
        &services,
        &admin,
        NewLicense {
            name: Some(PAYLOAD.into()),
            customer_organization_id: customer.id,
            application_id: app.id,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::from([(
                EntitlementKey::parse("note").unwrap(),
                PAYLOAD.to_string(),
            )]),
        },
        now,
    )
    .await
    .unwrap();
    let target = service::targets::create(&hub.services, &admin, PAYLOAD, Some(customer.id), now)
        .await
        .unwrap()
        .target
        .id;
    service::access_tokens::create(&services, &admin, PAYLOAD.into(), None)
        .await
        .unwrap();
    service::branding::update(
        &services,
        &hub.services.config,
        &admin,
        BrandingInput {
            title: PAYLOAD.into(),
            primary_color: "#1d4ed8".into(),
            home_markdown: format!(
                "# Welcome\n\n{PAYLOAD}\n\n<script>window.__xss=1</script>\n\n\
                 [click](javascript:window.__xss=1) <img src=x onerror=\"window.__xss=1\">"
            ),
            custom_host: String::new(),
        },
    )
    .await
    .unwrap();

    let base = hub.url("");
    with_browser(|browser| async move {
        sign_in(&browser, &base, "/", "ada@acme.test").await;
        for path in [
            "/".to_string(),
            "/customers".into(),
            format!("/customers/{}", customer.id),
            "/users".into(),
            "/applications".into(),
            format!("/applications/{}", app.id),
            "/licenses".into(),
            "/targets".into(),
            format!("/targets/{target}"),
            "/fleet".into(),
            "/tokens".into(),
            "/account".into(),
            "/branding".into(),
        ] {
            assert_inert(&browser, &base, &path).await;
        }
        assert_shown(&browser, "/branding", PAYLOAD).await;
        // The textareas hold exactly what was stored.
        let markdown = textarea(&browser, "#branding-markdown").await;
        assert!(markdown.as_str().unwrap().contains(PAYLOAD), "{markdown}");
        assert_inert(&browser, &base, &format!("/targets/{target}")).await;
        let template = textarea(&browser, "#deploy-env").await;
        assert_eq!(template, Value::from(env_template.clone()));
        assert_inert(&browser, &base, &format!("/applications/{}", app.id)).await;
        assert_shown(&browser, "the application page", VERSION).await;

        sign_in(&browser, &base, "/portal", "bob@globex.test").await;
        for path in [
            "/portal".to_string(),
            "/portal/targets".into(),
            format!("/portal/targets/{target}"),
            "/account".into(),
        ] {
            assert_inert(&browser, &base, &path).await;
        }
        assert_inert(&browser, &base, &format!("/portal/targets/{target}")).await;
        let template = textarea(&browser, "#deploy-env").await;
        assert_eq!(template, Value::from(env_template.clone()));
        assert_inert(&browser, &base, "/portal").await;
        assert_shown(&browser, "/portal", PAYLOAD).await;
        // Raw HTML in the home page's markdown is shown as text, never run.
        assert_shown(&browser, "/portal", "<script>window.__xss=1</script>").await;
    })
    .await;
    hub.stop().await;
}
