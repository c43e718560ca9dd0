//! The console in a real browser: the shell (sidebar grouped by task, the active item marked in
//! the page the server sends, breadcrumbs, a Menu that folds the sidebar on a phone's width with
//! nothing wider than the screen), the overview's numbers and what needs attention, a
//! destructive action asked in a dialog, and a customer's invitation and password-reset pages
//! in the vendor's branding with readable colours.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use service::branding::BrandingInput;
use service::testing::world::{PASSWORD, World};

async fn sign_in(browser: &Browser, base: &str, path: &str, email: &str) {
    browser.client.goto(&format!("{base}{path}")).await.unwrap();
    browser.wait_hydrated().await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    browser.wait_for("#welcome").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_the_overview_dialogs_and_branded_pages_work_in_a_browser() {
    let hub = hub::start().await;
    let s = hub.services.clone();
    let w = World::build(&s).await;
    let now = Utc::now();
    let edge = service::targets::create(&s, &w.vendor_admin, "edge-1", Some(w.customer), now)
        .await
        .unwrap()
        .target;
    service::branding::update(
        &s,
        &s.config,
        &w.vendor_admin,
        BrandingInput {
            title: "Acme Customer Hub".into(),
            // A pale yellow: white text on it would be unreadable.
            primary_color: "#fde047".into(),
            home_markdown: "# Welcome\n\n| Port | Use |\n|---|---|\n| 443 | web |\n".into(),
            custom_host: String::new(),
        },
    )
    .await
    .unwrap();
    let (_, reset) = service::email_links::request_password_reset(&s, "ro@globex.test")
        .await
        .unwrap()
        .unwrap();
    let invitation = service::invitations::create(
        &s,
        &w.vendor_admin,
        service::invitations::NewInvitation {
            email: types::Email::parse("new@globex.test").unwrap(),
            role: types::Role::ReadOnly,
            customer: Some(w.customer),
        },
        chrono::Duration::hours(72),
    )
    .await
    .unwrap();
    let base = hub.url("");

    with_browser(|browser| {
        let base = base.clone();
        let edge = edge.id.to_string();
        let invite = invitation.token.clone();
        async move {
            let c = &browser.client;
            sign_in(&browser, &base, "/", "admin@acme.test").await;

            // The overview: numbers that link to their lists, and the target that never
            // enrolled counted as waiting.
            assert_eq!(browser.text("#tile-customers [data-value]").await, "2");
            let tile = browser.wait_for("#tile-offline").await;
            assert_eq!(tile.attr("href").await.unwrap().as_deref(), Some("/targets"));
            assert!(browser.text("#tile-offline").await.contains("1 waiting to enrol"));
            browser.wait_for("#all-fine").await;
            browser.wait_for("#deployments-over-time svg").await;

            // The sidebar, grouped by task, marks the current page; the server-rendered
            // page already does (read before hydration can change anything).
            let html = reqwest_page(&browser, &format!("{base}/targets")).await;
            let targets_link = tag_with(&html, r#"id="nav-targets""#);
            assert!(targets_link.contains(r#"aria-current="page""#), "{targets_link}");
            let overview_link = tag_with(&html, r#"id="nav-overview""#);
            assert!(!overview_link.contains("aria-current"), "{overview_link}");
            for heading in ["Distribute", "Customers", "Operate", "Settings"] {
                assert!(html.contains(heading), "{heading} group");
            }
            browser.open_hydrated(&format!("{base}/targets/{edge}")).await;
            assert_eq!(
                browser.wait_for("#nav-targets").await.attr("aria-current").await.unwrap().as_deref(),
                Some("page")
            );
            assert_eq!(
                browser.wait_for("#nav-overview").await.attr("aria-current").await.unwrap(),
                None
            );
            let crumbs = browser.text("#breadcrumbs").await;
            assert!(crumbs.starts_with("Overview") && crumbs.contains("Targets"), "{crumbs}");

            // A destructive action asks in a dialog; Cancel leaves everything as it was.
            browser.open_hydrated(&format!("{base}/targets")).await;
            let dialog = format!("#delete-target-{edge}");
            browser.click("[data-open-dialog='delete']").await;
            browser.wait_until(&format!("document.querySelector('{dialog}').matches(':popover-open')")).await;
            browser.click(&format!("{dialog} button[popovertargetaction='hide']")).await;
            browser.wait_until(&format!("!document.querySelector('{dialog}').matches(':popover-open')")).await;
            browser.click("[data-open-dialog='delete']").await;
            browser.click("[data-confirm-delete]").await;
            browser.wait_for("#no-targets").await;

            // A phone's width: the sidebar folds behind Menu, nothing is wider than the screen.
            c.set_window_size(390, 844).await.unwrap();
            browser.open_hydrated(&format!("{base}/")).await;
            browser.wait_until("getComputedStyle(document.querySelector('aside.sidebar')).display === 'none'").await;
            browser.click("label[for='nav-toggle']").await;
            browser.wait_until("getComputedStyle(document.querySelector('aside.sidebar')).display === 'flex'").await;
            browser.wait_until("document.documentElement.scrollWidth <= window.innerWidth").await;
            c.set_window_size(1280, 900).await.unwrap();

            // Signed out, from the user menu.
            browser.click("#user-menu > summary").await;
            browser.click("#sign-out").await;
            browser.wait_for("#sign-in-form").await;

            // A customer's invitation is in the vendor's branding too, and passes the
            // accessibility check on its pale colour.
            browser.open_hydrated(&format!("{base}/invite/{invite}")).await;
            assert_eq!(browser.text("#portal-title").await, "Acme Customer Hub");
            assert!(browser.text("#invited-to").await.contains("Globex"));
            let violations = browser.accessibility_violations().await;
            assert!(violations.is_empty(), "{violations:?}");
            // The portal's "forgot password" page: this hub has two vendors and the request
            // names none, so it is the neutral customer portal, not the vendor console.
            browser.open_hydrated(&format!("{base}/forgot?portal=customer")).await;
            assert_eq!(browser.text("#portal-title").await, "Customer portal");
            assert!(browser.accessibility_violations().await.is_empty());

            // A customer's reset link opens in the vendor's branding; on the pale colour the
            // header's text is black, and links are darkened until readable.
            browser.open_hydrated(&format!("{base}/reset/{reset}")).await;
            assert_eq!(browser.text("#portal-title").await, "Acme Customer Hub");
            browser
                .wait_until("getComputedStyle(document.querySelector('#portal-header')).color === 'rgb(0, 0, 0)'")
                .await;
            browser
                .wait_until("getComputedStyle(document.querySelector('#consign-root')).getPropertyValue('--accent').trim() === '#fde047'")
                .await;
            assert!(browser.accessibility_violations().await.is_empty());
            browser.fill("#reset-password", "a brand new password").await;
            browser.click("#reset-submit").await;
            // Back to the customer portal's sign-in, which says what happened.
            browser.wait_until("location.pathname === '/portal'").await;
            browser.wait_for("#reset-done").await;

            // The new password opens the customer's overview, with its markdown home page
            // styled as prose (a table with header cells).
            browser.fill("#email", "ro@globex.test").await;
            browser.fill("#password", "a brand new password").await;
            browser.click("#sign-in").await;
            browser.wait_for("#welcome").await;
            browser.wait_for("#tile-deployments").await;
            browser
                .wait_until("getComputedStyle(document.querySelector('#portal-home th')).fontWeight === '600'")
                .await;
        }
    })
    .await;
    hub.stop().await;
}

/// The page as the server sends it, with the browser's session cookie.
async fn reqwest_page(browser: &Browser, url: &str) -> String {
    let cookies = browser.client.get_all_cookies().await.unwrap();
    let header: Vec<String> = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect();
    reqwest::Client::new()
        .get(url)
        .header("cookie", header.join("; "))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The opening tag in `html` that holds `attribute` (whole, from `<` to `>`).
fn tag_with<'a>(html: &'a str, attribute: &str) -> &'a str {
    let at = html
        .find(attribute)
        .unwrap_or_else(|| panic!("{attribute} not in the page:\n{html}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}
