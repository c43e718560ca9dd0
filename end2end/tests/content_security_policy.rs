//! The portals work under the hub's Content-Security-Policy (no inline script without the
//! page's nonce): both portals hydrate, sign in through a server function, follow live events
//! and preview markdown, and the browser console reports no policy violation and no error.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use service::testing::world::{PASSWORD, member, vendor};
use types::{OrganizationName, Role};

async fn hydrated(browser: &Browser) {
    browser
        .wait_for("#consign-root[data-hydrated='true']")
        .await;
}

async fn sign_in(browser: &Browser, url: &str, email: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.client.goto(url).await.unwrap();
    hydrated(browser).await;
    browser
        .wait_for("#email")
        .await
        .send_keys(email)
        .await
        .unwrap();
    browser
        .wait_for("#password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser.wait_for("#sign-in").await.click().await.unwrap();
    browser.wait_for("#welcome").await;
}

/// Fails on any console entry that is a policy violation or an error.
async fn assert_clean_console(browser: &Browser, after: &str) {
    let bad: Vec<String> = browser
        .console_log()
        .await
        .into_iter()
        .filter(|line| {
            // The API reference loads nothing, so the browser asks for `/favicon.ico` itself.
            !line.contains("/favicon.ico")
        })
        .filter(|line| {
            line.contains("Content Security Policy")
                || line.contains("Content-Security-Policy")
                || line.starts_with("SEVERE")
        })
        .collect();
    assert!(bad.is_empty(), "after {after}: {bad:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_portals_hydrate_and_work_under_the_policy_without_violations() {
    let hub = hub::start().await;
    let services = hub.services.clone();
    let admin = vendor(&services, "Acme", "ada@acme.test").await;
    let globex = service::customers::create(
        &services,
        &admin,
        OrganizationName::parse("Globex").unwrap(),
    )
    .await
    .unwrap();
    member(
        &services,
        &admin,
        "bob@globex.test",
        Role::Admin,
        Some(globex.id),
    )
    .await;
    let base = hub.url("");
    let policy = reqwest::get(hub.url("/"))
        .await
        .unwrap()
        .headers()
        .get("content-security-policy")
        .expect("pages carry a policy")
        .to_str()
        .unwrap()
        .to_string();
    assert!(!policy.contains("'unsafe-inline' "), "{policy}");
    assert!(policy.contains("'nonce-"), "{policy}");

    with_browser(|browser| async move {
        sign_in(&browser, &format!("{base}/"), "ada@acme.test").await;
        assert_clean_console(&browser, "the vendor's sign-in").await;

        // The policy is enforced and its violations reach the log read below: a script added
        // without the nonce does not run, and the console says why.
        let ran = browser
            .client
            .execute(
                "const s = document.createElement('script'); s.textContent = 'window.__inline = 1;'; \
                 document.body.appendChild(s); return typeof window.__inline;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(ran, serde_json::json!("undefined"), "an inline script ran");
        let log = browser.console_log().await;
        assert!(
            log.iter().any(|l| l.contains("Content Security Policy")),
            "the refused script is reported: {log:#?}"
        );

        for path in [
            "/customers",
            "/applications",
            "/targets",
            "/fleet",
            "/users",
        ] {
            browser.client.goto(&format!("{base}{path}")).await.unwrap();
            hydrated(&browser).await;
            assert_clean_console(&browser, path).await;
        }
        // The branding preview: typing calls a server function and shows its HTML.
        browser
            .client
            .goto(&format!("{base}/branding"))
            .await
            .unwrap();
        hydrated(&browser).await;
        // The form sits in a suspended part of the page that a loaded machine may hydrate a
        // moment after the root: keystrokes before that reach no handler, so type again until
        // the preview follows (each try types the whole text anew).
        let shown = "document.querySelector('#preview-home h1')?.textContent.includes('Hello preview')";
        let mut previewed = false;
        for _ in 0..20 {
            let field = browser.wait_for("#branding-markdown").await;
            field.clear().await.unwrap();
            field.send_keys("# Hello preview").await.unwrap();
            for _ in 0..30 {
                let done = browser
                    .client
                    .execute(&format!("return !!({shown});"), vec![])
                    .await
                    .unwrap();
                if done.as_bool() == Some(true) {
                    previewed = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            if previewed {
                break;
            }
        }
        assert!(previewed, "the branding preview never showed the typed markdown");
        assert_clean_console(&browser, "/branding").await;
        // The API reference is plain HTML whose one inline style is allowed by its hash.
        browser
            .client
            .goto(&format!("{base}/api/v1/docs"))
            .await
            .unwrap();
        browser.wait_for("h1").await;
        browser
            .wait_until("getComputedStyle(document.body).fontFamily.includes('system-ui')")
            .await;
        assert_clean_console(&browser, "/api/v1/docs").await;

        sign_in(&browser, &format!("{base}/portal"), "bob@globex.test").await;
        browser
            .wait_for("#consign-root[data-portal='customer'][data-hydrated='true']")
            .await;
        assert_clean_console(&browser, "the customer's sign-in").await;
        browser
            .client
            .goto(&format!("{base}/portal/targets"))
            .await
            .unwrap();
        hydrated(&browser).await;
        assert_clean_console(&browser, "/portal/targets").await;
    })
    .await;
    hub.stop().await;
}
