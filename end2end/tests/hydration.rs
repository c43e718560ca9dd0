//! The portals render on the server and then come alive in a real browser, with nothing in the
//! browser console: no hydration mismatch, no panic.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use consign_test_support::registry::Registry;
use fantoccini::Locator;
use service::accounts::NewUser;
use service::invitations::{self, NewInvitation};
use service::signup::{self, SignUp};
use service::testing::world::{PASSWORD, World};
use types::{Email, OrganizationName, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_hydrates_and_signs_in_without_a_reload() {
    let hub = hub::start().await;
    signup::sign_up(
        &hub.services,
        SignUp {
            organization_name: OrganizationName::parse("Acme").unwrap(),
            user: NewUser {
                email: Email::parse("ada@example.com").unwrap(),
                name: "Ada Vendor".into(),
                password: "a long enough password".into(),
            },
        },
        true,
    )
    .await
    .unwrap();
    let home = hub.url("/");

    with_browser(|browser| async move {
        let c = &browser.client;
        c.goto(&home).await.unwrap();
        // Server-rendered HTML arrives styled, before any wasm runs.
        let title = browser.text("h1").await;
        assert_eq!(title, "Sign in");

        // Hydration: an effect (browser-only) flips the marker.
        browser
            .wait_for("#consign-root[data-hydrated='true']")
            .await;

        // A client-side interaction: the show-password toggle appears and works.
        let toggle = browser.wait_for("#toggle-password").await;
        let password = c.find(Locator::Css("#password")).await.unwrap();
        assert_eq!(
            password.attr("type").await.unwrap().as_deref(),
            Some("password")
        );
        toggle.click().await.unwrap();
        browser
            .wait_until("document.querySelector('#password').type === 'text'")
            .await;
        assert_eq!(toggle.text().await.unwrap(), "Hide");

        // A marker on window survives only if the page is never reloaded.
        c.execute("window.__consign_no_reload = true;", vec![])
            .await
            .unwrap();

        // A server function from a form: wrong password → the generic error, in place.
        browser.fill("#email", "ada@example.com").await;
        browser.fill("#password", "not the password").await;
        c.find(Locator::Css("#sign-in"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let error = browser.text("#sign-in-error").await;
        assert!(error.contains("Invalid email or password"), "{error}");
        browser
            .wait_until("window.__consign_no_reload === true")
            .await;

        // The right password signs in; the session cookie is HttpOnly, so scripts cannot see it.
        browser.fill("#password", "a long enough password").await;
        c.find(Locator::Css("#sign-in"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let welcome = browser.text("#welcome").await;
        assert_eq!(welcome, "Welcome, Ada Vendor");
        let cookies = c.execute("return document.cookie;", vec![]).await.unwrap();
        assert_eq!(
            cookies,
            serde_json::json!(""),
            "the session cookie must be HttpOnly"
        );

        // Signing out, from the user menu, brings the form back.
        browser.click("#user-menu > summary").await;
        browser.wait_for("#sign-out").await.click().await.unwrap();
        browser.wait_for("#sign-in-form").await;
    })
    .await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_portal_shell_hydrates_too() {
    let hub = hub::start().await;
    let portal = hub.url("/portal");
    with_browser(|browser| async move {
        browser.client.goto(&portal).await.unwrap();
        browser.wait_for("#consign-root[data-portal='customer'][data-hydrated='true']").await;
        let subtitle = browser.text("header").await;
        assert!(subtitle.contains("Customer portal"), "{subtitle}");
        // The page's stylesheet was generated from the components' classes.
        browser
            .wait_until("getComputedStyle(document.querySelector('header')).backgroundColor !== 'rgba(0, 0, 0, 0)'")
            .await;
    })
    .await;
    hub.stop().await;
}

/// Opens `url`, waits until the page has hydrated and checks the console stayed clean.
async fn visit_hydrated(browser: &Browser, url: &str) {
    browser.client.goto(url).await.unwrap();
    browser
        .wait_for("#consign-root[data-hydrated='true']")
        .await;
    browser.assert_console_clean(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_and_artifacts_pages_hydrate_and_show_invitation_links() {
    let hub = hub::start().await;
    let services = hub.services.clone();
    let w = World::build(&services).await;
    // A pending invitation, so the list has its Resend and Revoke forms.
    invitations::create(
        &services,
        &w.vendor_admin,
        NewInvitation {
            email: Email::parse("pending@globex.test").unwrap(),
            role: Role::ReadOnly,
            customer: Some(w.customer),
        },
        chrono::Duration::hours(72),
    )
    .await
    .unwrap();
    // A pushed image, so the Artifacts page lists one.
    Registry::signed_in(&hub, &w.vendor_admin)
        .await
        .push_image("acme/web", "1.0", b"a layer")
        .await;
    let home = hub.url("/");
    let customer_page = hub.url(&format!("/customers/{}", w.customer));
    let artifacts = hub.url("/artifacts");
    let users = hub.url("/users");

    with_browser(|browser| async move {
        browser.client.goto(&home).await.unwrap();
        browser
            .wait_for("#consign-root[data-hydrated='true']")
            .await;
        browser.fill("#email", "admin@acme.test").await;
        browser.fill("#password", PASSWORD).await;
        browser.click("#sign-in").await;
        browser.wait_for("#welcome").await;
        browser.assert_console_clean(&home).await;
        visit_hydrated(&browser, &artifacts).await;
        browser
            .wait_for("#artifact-list article[data-repository='acme/web']")
            .await;
        visit_hydrated(&browser, &users).await;

        visit_hydrated(&browser, &customer_page).await;
        browser
            .wait_for("#invitations tr[data-status='pending']")
            .await;
        // Inviting shows the link to copy, in place.
        browser.fill("#invite-email", "new@globex.test").await;
        browser.click("#invite-submit").await;
        let link = browser
            .wait_for("#issued-invitation #invitation-link")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert!(link.contains("/invite/"), "{link}");
        assert!(
            browser.text("#issued-invitation").await
                .contains("new@globex.test")
        );
        // Resending shows the new link instead.
        browser.click("#invitations tr[data-status='pending'] button[data-action='resend']",
        )
        .await;
        browser
            .wait_until(&format!(
                "(document.querySelector('#invitation-link') || {{}}).value && document.querySelector('#invitation-link').value !== '{link}'"
            ))
            .await;
        let resent = browser
            .wait_for("#issued-invitation #invitation-link")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert!(resent.contains("/invite/"), "{resent}");
        assert_eq!(
            browser
                .client
                .find_all(Locator::Css("#issued-invitation"))
                .await
                .unwrap()
                .len(),
            1,
            "one link at a time"
        );
        browser.assert_console_clean(&customer_page).await;
    })
    .await;
    hub.stop().await;
}
