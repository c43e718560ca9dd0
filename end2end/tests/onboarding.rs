//! The whole onboarding path in a real browser, with a real SMTP server receiving the mail:
//! a vendor signs up → confirms their address by mail → sets branding (live preview, logo upload) → creates a customer → invites
//! a user → the mail arrives → its link is opened → the user sets a password → the customer
//! portal shows the vendor's logo, title and colour.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use consign_end2end::browser::with_browser;
use consign_end2end::hub;
use consign_end2end::smtp::SmtpSink;
use fantoccini::Locator;

/// A real 1×1 PNG.
const PNG: [u8; 69] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 0, 3, 1,
    1, 0, 201, 254, 146, 239, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_onboards_a_customer_by_email_into_a_branded_portal() {
    let sink = SmtpSink::start().await;
    let hub = hub::start_with_mail(sink.port()).await;
    let base = hub.url("");
    let logo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(logo.path(), PNG).unwrap();
    let logo_path = logo.path().to_string_lossy().to_string();
    let sink = std::sync::Arc::new(sink);

    with_browser(|browser| {
        let sink = sink.clone();
        async move {
            let c = &browser.client;

            // 1. The vendor signs up and lands in the vendor portal.
            c.goto(&format!("{base}/signup")).await.unwrap();
            browser.wait_for("#consign-root[data-hydrated='true']").await;
            browser.fill("#signup-organization", "Acme Software").await;
            browser.fill("#signup-name", "Ada Vendor").await;
            browser.fill("#signup-email", "ada@acme.test").await;
            browser.fill("#signup-password", "short").await;
            browser.click("#signup-submit").await;
            let error = browser.text("#signup-error").await;
            assert!(error.contains("at least 10"), "{error}");
            browser.fill("#signup-password", "a long enough password").await;
            browser.click("#signup-submit").await;
            assert_eq!(browser.text("#welcome").await, "Welcome, Ada Vendor");

            // The sign-up mail confirms the vendor's address.
            let verify = sink.wait_for("ada@acme.test", Duration::from_secs(20)).await;
            let verify_link = verify.first_link().expect("a link in the verification mail");
            assert!(verify_link.starts_with(&format!("{base}/verify/")), "{verify_link}");
            c.goto(&verify_link).await.unwrap();
            browser.wait_for("#consign-root[data-hydrated='true']").await;
            browser.click("#confirm-submit").await;
            let confirmed = browser.text("#confirm-done").await;
            assert!(confirmed.contains("ada@acme.test is confirmed"), "{confirmed}");

            // 2. Branding, with a live preview before saving.
            c.goto(&format!("{base}/branding")).await.unwrap();
            browser.wait_for("#consign-root[data-hydrated='true']").await;
            browser.fill("#branding-title", "Acme Customer Hub").await;
            browser
                .wait_until("document.querySelector('#preview-title').textContent === 'Acme Customer Hub'")
                .await;
            browser.fill("#branding-color", "#ff5500").await;
            browser
                .wait_until("document.querySelector('#branding-preview > div').style.backgroundColor === 'rgb(255, 85, 0)'")
                .await;
            browser.fill("#branding-markdown", "# Hello customers\n\n<script>window.__pwned = 1</script>").await;
            browser
                .wait_until("(document.querySelector('#preview-home h1') || {}).textContent === 'Hello customers'")
                .await;
            browser.click("#branding-save").await;
            browser.wait_for("#branding-saved").await;

            // The logo goes up through a plain multipart form.
            browser.wait_for("#logo-file").await.send_keys(&logo_path).await.unwrap();
            browser.click("#logo-upload").await;
            browser.wait_for("#logo-saved").await;

            // 3. A customer.
            c.goto(&format!("{base}/customers")).await.unwrap();
            browser.wait_for("#consign-root[data-hydrated='true']").await;
            browser.fill("#customer-name", "Globex").await;
            browser.click("#create-customer").await;
            browser.wait_for("#customer-list a").await.click().await.unwrap();
            assert_eq!(browser.text("#customer-title").await, "Globex");
            browser.wait_for("#consign-root[data-hydrated='true']").await;

            // 4. An invitation, emailed through the real SMTP server.
            browser.fill("#invite-email", "bob@globex.test").await;
            c.find(Locator::Css("#invite-role option[value='admin']")).await.unwrap().click().await.unwrap();
            browser.click("#invite-submit").await;
            let issued = browser.text("#issued-invitation").await;
            assert!(issued.contains("emailed to bob@globex.test"), "{issued}");
            let shown = browser.wait_for("#invitation-link").await.prop("value").await.unwrap().unwrap();

            let mail = sink.wait_for("bob@globex.test", Duration::from_secs(20)).await;
            let html = mail.html().expect("an HTML part");
            assert!(html.contains("Acme Customer Hub"), "the mail carries the portal title");
            assert!(html.to_lowercase().contains("#ff5500"), "the mail carries the colour");
            assert!(html.contains("/branding/"), "the mail carries the logo");
            let link = mail.first_link().expect("a link in the mail");
            assert_eq!(link, shown, "the mailed link is the one shown in the portal");
            assert!(link.starts_with(&format!("{base}/invite/")), "{link}");

            // 5. The invitee opens the link from the mail in a browser without the vendor's session.
            c.delete_all_cookies().await.unwrap();
            c.goto(&link).await.unwrap();
            browser.wait_for("#consign-root[data-hydrated='true']").await;
            let invited = browser.text("#invited-to").await;
            assert!(invited.contains("Globex") && invited.contains("admin"), "{invited}");
            browser.fill("#accept-name", "Bob Customer").await;
            browser.fill("#accept-password", "bobs long password").await;
            browser.click("#accept-submit").await;

            // 6. The branded customer portal.
            assert_eq!(browser.text("#welcome").await, "Welcome, Bob Customer");
            assert_eq!(browser.text("#portal-title").await, "Acme Customer Hub");
            let header = browser.wait_for("#portal-header").await;
            assert_eq!(header.attr("data-color").await.unwrap().as_deref(), Some("#ff5500"));
            browser
                .wait_until("getComputedStyle(document.querySelector('#portal-header')).backgroundColor === 'rgb(255, 85, 0)'")
                .await;
            let logo_src = browser.wait_for("#portal-logo").await.attr("src").await.unwrap().unwrap();
            assert!(logo_src.starts_with("/branding/"), "{logo_src}");
            browser.wait_until("document.querySelector('#portal-logo').naturalWidth === 1").await;
            assert_eq!(browser.text("#portal-home h1").await, "Hello customers");
            let pwned = c.execute("return window.__pwned === undefined;", vec![]).await.unwrap();
            assert_eq!(pwned, serde_json::json!(true), "markdown must not run script");

            // 7. As the customer's admin, Bob manages his own organization's users in the portal.
            let members = browser.text("#portal-people #members").await;
            assert!(members.contains("bob@globex.test"), "{members}");
            assert!(!members.contains("ada@acme.test"), "vendor users stay out of the customer's list");
            browser.fill("#invite-email", "carol@globex.test").await;
            browser.click("#invite-submit").await;
            let issued = browser.text("#issued-invitation").await;
            assert!(issued.contains("emailed to carol@globex.test"), "{issued}");
            let carol = sink.wait_for("carol@globex.test", Duration::from_secs(20)).await;
            assert!(carol.html().unwrap().contains("Acme Customer Hub"));

            // 8. The link was single-use.
            c.goto(&link).await.unwrap();
            let unusable = browser.text("#invite-unusable").await;
            assert!(unusable.contains("already used"), "{unusable}");
        }
    })
    .await;
    hub.stop().await;
}
