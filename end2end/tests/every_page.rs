//! Every page of both portals hydrates with a clean browser console, for every kind of visitor:
//! a vendor admin, a read-only vendor member, a customer admin, a read-only customer member and
//! someone without a session. A page a visitor may not see must render its sign-in or "belongs
//! elsewhere" answer cleanly too. The list of pages is checked against the app's router, so a
//! new page cannot be left out unnoticed. Every page also passes axe-core's accessibility
//! check (no serious or critical violation), and with `CONSIGN_SCREENSHOTS` set (`cargo xtask
//! screenshots`) the main pages are photographed for the docs.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub::{self, TestHub};
use consign_test_support::registry::{Registry, license_artifact};
use service::deployments::NewDeployment;
use service::invitations::{self, NewInvitation};
use service::licenses::NewLicense;
use service::testing::world::{PASSWORD, World};
use service::versions::{NewVersion, Package};
use types::{
    ApplicationKind, ApplicationName, ChannelName, Email, EntitlementKey, Role, VersionName,
};

/// Every page route of the app, as the router spells it, with the address visited for it
/// (`{…}` filled from [`Seeded`]).
const PAGES: &[(&str, &str)] = &[
    ("/", "/"),
    ("/signup", "/signup"),
    ("/forgot", "/forgot"),
    ("/reset/{token}", "/reset/{reset}"),
    ("/verify/{token}", "/verify/{verify}"),
    ("/change-email/{token}", "/change-email/{change}"),
    ("/invite/{token}", "/invite/{invite}"),
    ("/account", "/account"),
    ("/tokens", "/tokens"),
    ("/users", "/users"),
    ("/customers", "/customers"),
    ("/customers/{id}", "/customers/{customer}"),
    ("/applications", "/applications"),
    ("/applications/{id}", "/applications/{application}"),
    ("/licenses", "/licenses"),
    ("/artifacts", "/artifacts"),
    ("/branding", "/branding"),
    ("/targets", "/targets"),
    ("/targets/{id}", "/targets/{target}"),
    ("/deployments", "/deployments"),
    ("/deployments/{id}", "/deployments/{deployment}"),
    ("/fleet", "/fleet"),
    ("/portal", "/portal"),
    ("/portal/targets", "/portal/targets"),
    ("/portal/targets/{id}", "/portal/targets/{target}"),
    ("/portal/deployments", "/portal/deployments"),
    (
        "/portal/deployments/{id}",
        "/portal/deployments/{deployment}",
    ),
];

/// Who visits: a label, where they sign in and as whom (`None`: no session).
const VISITORS: &[(&str, Option<(&str, &str)>)] = &[
    ("a visitor without a session", None),
    ("the vendor admin", Some(("/", "admin@acme.test"))),
    ("a read-only vendor member", Some(("/", "ro@acme.test"))),
    ("the customer admin", Some(("/portal", "admin@globex.test"))),
    (
        "a read-only customer member",
        Some(("/portal", "ro@globex.test")),
    ),
];

#[test]
fn the_list_of_pages_is_the_routers() {
    let routed: BTreeSet<String> = server::testing::page_paths().into_iter().collect();
    let listed: BTreeSet<String> = PAGES.iter().map(|(route, _)| route.to_string()).collect();
    assert_eq!(
        listed, routed,
        "PAGES must list exactly the app's routes (app/src/lib.rs)"
    );
}

/// Where `cargo xtask screenshots` wants the pictures of the docs (`CONSIGN_SCREENSHOTS`),
/// and which pages it shows: the main ones of each portal, as its admin sees them.
fn screenshot_name(who: &str, route: &str) -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("CONSIGN_SCREENSHOTS")?;
    let portal = match who {
        "the vendor admin" => "vendor",
        "the customer admin" => "customer",
        _ => return None,
    };
    let shown: &[&str] = match portal {
        "vendor" => &[
            "/",
            "/applications/{id}",
            "/customers",
            "/targets",
            "/targets/{id}",
            "/deployments/{id}",
            "/fleet",
            "/licenses",
            "/branding",
        ],
        _ => &["/portal", "/portal/targets", "/portal/deployments/{id}"],
    };
    if !shown.contains(&route) {
        return None;
    }
    let slug: String = route
        .trim_matches('/')
        .replace("{id}", "detail")
        .replace('/', "-");
    let slug = if slug.is_empty() {
        "overview".into()
    } else {
        slug
    };
    Some(std::path::Path::new(&dir).join(format!("{portal}-{slug}.png")))
}

/// What the pages with parameters show: real rows, made the way the product makes them.
struct Seeded(BTreeMap<&'static str, String>);

impl Seeded {
    /// `path` with every `{name}` replaced by the seeded value.
    fn fill(&self, path: &str) -> String {
        self.0.iter().fold(path.to_string(), |path, (name, value)| {
            path.replace(&format!("{{{name}}}"), value)
        })
    }
}

/// A compose file with a healthcheck, referencing the image pushed to the hub.
const COMPOSE: &str = "services:
  web:
    image: acme/web:1.0
    environment:
      GREETING: ${GREETING}
    healthcheck:
      test: [\"CMD\", \"true\"]
";

async fn seed(hub: &TestHub) -> Seeded {
    let s = &hub.services;
    let now = Utc::now();
    let w = World::build(s).await;
    let admin = &w.vendor_admin;

    // Pending invitations: the people lists show their Resend and Revoke forms, and one link
    // is the invitation page's.
    let invite = |email: &str, customer| NewInvitation {
        email: Email::parse(email).unwrap(),
        role: Role::ReadOnly,
        customer,
    };
    let invitation = invitations::create(
        s,
        admin,
        invite("new@globex.test", Some(w.customer)),
        chrono::Duration::hours(72),
    )
    .await
    .unwrap();
    invitations::create(
        s,
        admin,
        invite("new@acme.test", None),
        chrono::Duration::hours(72),
    )
    .await
    .unwrap();
    let (_, reset) = service::email_links::request_password_reset(s, "ro@acme.test")
        .await
        .unwrap()
        .unwrap();

    // An image in the registry, licensed to the customer; an access token on the tokens page.
    Registry::signed_in(hub, admin)
        .await
        .push_image("acme/web", "1.0", b"a layer")
        .await;
    license_artifact(hub, admin, w.customer, "acme/web").await;

    // An application with a version, licensed to the customer, deployed to its target (no
    // agent: the deployment waits for one, which is a state its page shows).
    let app = service::applications::create(
        s,
        admin,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap();
    let version = service::versions::create(
        s,
        admin,
        app.id,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: COMPOSE.into(),
                env_template: Some("GREETING=hello\n".into()),
            },
        },
        now,
    )
    .await
    .unwrap();
    service::licenses::create(
        s,
        admin,
        NewLicense {
            name: None,
            customer_organization_id: w.customer,
            application_id: app.id,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::from([(EntitlementKey::parse("seats").unwrap(), "25".into())]),
        },
        now,
    )
    .await
    .unwrap();
    let target = service::targets::create(s, admin, "edge-1", Some(w.customer), now)
        .await
        .unwrap()
        .target;
    let deployment = service::deployments::create(
        s,
        admin,
        NewDeployment {
            target_id: target.id,
            application_id: app.id,
            version_id: version.id,
            env: None,
            logs_enabled: true,
            repair_drift: true,
        },
        now,
    )
    .await
    .unwrap();

    // An hour of host metrics and a healthy report, as its agent would have sent them: the
    // target and deployment pages draw their charts, the overview lists the event.
    for minute in (0..60).step_by(2) {
        let at = now - chrono::Duration::minutes(60 - minute);
        let wave = f32::from(u8::try_from(minute % 20).unwrap());
        service::agent_session::record_metrics(
            s,
            target.id,
            types::protocol::HostMetrics {
                cpu_percent: 12.0 + wave * 1.5,
                cpu_cores: 4,
                memory_used_bytes: (1_500 + u64::try_from(minute).unwrap() * 10) * 1024 * 1024,
                memory_total_bytes: 4 * 1024 * 1024 * 1024,
                at,
            },
        )
        .await
        .unwrap();
    }
    service::agent_session::record_status(
        s,
        target.id,
        types::protocol::StatusReport {
            deployment_id: deployment.id,
            revision_id: Some(deployment.revision_id),
            state: types::protocol::DeploymentState::Healthy,
            message: "1 container healthy".into(),
            observed_at: now,
        },
    )
    .await
    .unwrap();

    Seeded(BTreeMap::from([
        ("customer", w.customer.to_string()),
        ("application", app.id.to_string()),
        ("target", target.id.to_string()),
        ("deployment", deployment.id.to_string()),
        ("invite", invitation.token),
        ("reset", reset),
        // These pages show a Confirm button and never read the token before it is pressed.
        ("verify", "a-verification-token".into()),
        ("change", "an-email-change-token".into()),
    ]))
}

/// Signs in through the portal's form at `path`.
async fn sign_in(browser: &Browser, base: &str, path: &str, email: &str) -> Vec<String> {
    let mut errors = browser.open_hydrated(&format!("{base}{path}")).await;
    for (css, text) in [("#email", email), ("#password", PASSWORD)] {
        browser.wait_for(css).await.send_keys(text).await.unwrap();
    }
    browser.wait_for("#sign-in").await.click().await.unwrap();
    browser.wait_for("#welcome").await;
    errors.extend(browser.console_errors().await);
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_hydrates_with_a_clean_console_for_every_kind_of_visitor() {
    let hub = hub::start().await;
    let seeded = seed(&hub).await;
    let base = hub.url("");
    let started = Instant::now();
    let failures = Arc::new(Mutex::new(Vec::new()));
    let timings = Arc::new(Mutex::new(Vec::new()));
    for (who, account) in VISITORS {
        // A browser per visitor: nothing of one session can leak into the next.
        let (base, seeded, failures, timings) = (&base, &seeded, failures.clone(), timings.clone());
        with_browser(|browser| async move {
            let report = |what: String, errors: Vec<String>| {
                if !errors.is_empty() {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{who}, {what}:\n  {}", errors.join("\n  ")));
                }
            };
            if let Some((path, email)) = account {
                report(
                    format!("signing in at {path}"),
                    sign_in(&browser, base, path, email).await,
                );
            }
            for (route, path) in PAGES {
                let opened = Instant::now();
                let errors = browser
                    .open_hydrated(&format!("{base}{}", seeded.fill(path)))
                    .await;
                timings
                    .lock()
                    .unwrap()
                    .push((opened.elapsed(), format!("{route} for {who}")));
                report(route.to_string(), errors);
                report(
                    format!("{route} (accessibility, axe-core)"),
                    browser.accessibility_violations().await,
                );
                if let Some(file) = screenshot_name(who, route) {
                    browser.screenshot_full_page(&file).await;
                }
            }
        })
        .await;
    }
    let mut timings = timings.lock().unwrap().clone();
    timings.sort();
    eprintln!(
        "{} pages × {} visitors in {:.1} s; slowest: {:?}",
        PAGES.len(),
        VISITORS.len(),
        started.elapsed().as_secs_f64(),
        timings.iter().rev().take(5).collect::<Vec<_>>()
    );
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} pages show errors in the browser console or fail the accessibility check:\n{}",
        failures.len(),
        failures.join("\n")
    );
    hub.stop().await;
}
