//! The portals render on the server and then come alive in a real browser.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use fantoccini::Locator;
use service::accounts::NewUser;
use service::signup::{self, SignUp};
use types::{Email, OrganizationName};

async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser.wait_for(css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_hydrates_and_signs_in_without_a_reload() {
    let hub = hub::start().await;
    signup::sign_up(
        &hub.services.db,
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
        let title = browser.wait_for("h1").await.text().await.unwrap();
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
        fill(&browser, "#email", "ada@example.com").await;
        fill(&browser, "#password", "not the password").await;
        c.find(Locator::Css("#sign-in"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let error = browser
            .wait_for("#sign-in-error")
            .await
            .text()
            .await
            .unwrap();
        assert!(error.contains("Invalid email or password"), "{error}");
        browser
            .wait_until("window.__consign_no_reload === true")
            .await;

        // The right password signs in; the session cookie is HttpOnly, so scripts cannot see it.
        fill(&browser, "#password", "a long enough password").await;
        c.find(Locator::Css("#sign-in"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let welcome = browser.wait_for("#welcome").await.text().await.unwrap();
        assert_eq!(welcome, "Welcome, Ada Vendor");
        let cookies = c.execute("return document.cookie;", vec![]).await.unwrap();
        assert_eq!(
            cookies,
            serde_json::json!(""),
            "the session cookie must be HttpOnly"
        );

        // Signing out brings the form back.
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
        let subtitle = browser.wait_for("header").await.text().await.unwrap();
        assert!(subtitle.contains("Customer portal"), "{subtitle}");
        // The page's stylesheet was generated from the components' classes.
        browser
            .wait_until("getComputedStyle(document.querySelector('header')).backgroundColor !== 'rgba(0, 0, 0, 0)'")
            .await;
    })
    .await;
    hub.stop().await;
}
