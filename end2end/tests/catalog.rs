//! The catalogue in a real browser: a vendor creates an application, publishes a version (a
//! broken compose file is refused with its line and column, nothing stored), grants a customer a
//! license and sees the hub's public key; the customer's portal lists what the license grants;
//! after the vendor revokes it, the portal says why deployments are blocked. The signed license
//! file downloaded with the customer's session verifies with the shown key.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use fantoccini::Locator;
use service::testing::world::{PASSWORD, member, vendor};
use types::Role;
use types::license_file::{LicenseFile, PublicKey};

async fn sign_in(browser: &Browser, url: &str, email: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.client.goto(url).await.unwrap();
    browser
        .wait_for("#consign-root[data-hydrated='true']")
        .await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    browser.wait_for("#welcome").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_publishes_and_licenses_an_application_that_the_customer_portal_offers() {
    let hub = hub::start().await;
    let services = hub.services.clone();
    let admin = vendor(&services, "Acme Software", "ada@acme.test").await;
    let globex = service::customers::create(
        &services,
        &admin,
        types::OrganizationName::parse("Globex").unwrap(),
    )
    .await
    .unwrap();
    member(
        &services,
        &admin,
        "bob@globex.test",
        Role::ReadOnly,
        Some(globex.id),
    )
    .await;
    let base = hub.url("");

    with_browser(|browser| {
        let base = base.clone();
        let services = services.clone();
        let admin = admin.clone();
        async move {
            let c = &browser.client;
            sign_in(&browser, &format!("{base}/"), "ada@acme.test").await;

            // An application, then a version: a broken compose file first.
            c.goto(&format!("{base}/applications")).await.unwrap();
            browser
                .wait_for("#consign-root[data-hydrated='true']")
                .await;
            browser.fill("#application-name", "Shop").await;
            browser.click("#create-application").await;
            assert_eq!(browser.text("#application-title").await, "Shop");
            browser.wait_for("#no-versions").await;
            browser.fill("#version-name", "1.0.0").await;
            browser
                .fill("#version-compose", "services:\n  web\n    image: shop:1\n")
                .await;
            browser.click("#publish-version").await;
            let error = browser.text("#version-error").await;
            assert!(
                error.contains("line 3") && error.contains("column"),
                "{error}"
            );
            assert!(
                c.find(Locator::Css("#version-list")).await.is_err(),
                "nothing stored"
            );
            browser
                .fill("#version-compose", "services:\n  web:\n    image: shop:1\n")
                .await;
            browser.click("#publish-version").await;
            let listed = browser.text("#version-list").await;
            assert!(
                listed.contains("1.0.0") && listed.contains("stable"),
                "{listed}"
            );

            // A license for Globex with an entitlement; the page shows the public key.
            c.goto(&format!("{base}/licenses")).await.unwrap();
            browser
                .wait_for("#consign-root[data-hydrated='true']")
                .await;
            browser.fill("#license-entitlements", "seats=25").await;
            browser.click("#grant-license").await;
            let row = browser.text("#license-list li[data-license]").await;
            assert!(
                row.contains("Globex") && row.contains("Shop") && row.contains("active"),
                "{row}"
            );
            assert!(row.contains("seats=25"), "{row}");
            let shown_key = browser.text("#license-public-key").await;

            // The customer's portal offers the version.
            sign_in(&browser, &format!("{base}/portal"), "bob@globex.test").await;
            let catalogue = browser.text("#catalogue").await;
            assert!(
                catalogue.contains("Shop") && catalogue.contains("1.0.0"),
                "{catalogue}"
            );
            assert!(catalogue.contains("deployable"), "{catalogue}");
            assert_eq!(browser.text("#portal-public-key").await, shown_key);

            // The customer downloads the signed license file with their session; it verifies.
            let href = browser
                .wait_for("#catalogue a[download]")
                .await
                .attr("href")
                .await
                .unwrap()
                .unwrap();
            let cookie = c.get_named_cookie("consign_session").await.unwrap();
            let body = reqwest::Client::new()
                .get(format!("{base}{href}"))
                .header("cookie", format!("consign_session={}", cookie.value()))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let claims = LicenseFile::parse(&body)
                .unwrap()
                .verify(&PublicKey::parse(&shown_key).unwrap())
                .unwrap();
            assert_eq!(claims.customer_organization_name, "Globex");
            assert_eq!(claims.entitlements["seats"], "25");

            // Revoked: the portal says why deployments stopped.
            let licenses = service::licenses::list(&services, &admin).await.unwrap();
            service::licenses::revoke(&services, &admin, licenses[0].id, chrono::Utc::now())
                .await
                .unwrap();
            c.refresh().await.unwrap();
            let blocked = browser.text("#catalogue [data-blocked]").await;
            assert!(blocked.contains("revoked"), "{blocked}");
            assert!(
                blocked.contains("Running installations keep running"),
                "{blocked}"
            );
        }
    })
    .await;
    hub.stop().await;
}
