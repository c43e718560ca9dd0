//! The customer portal's branding over real HTTP: a vendor cannot claim the hub's own host name,
//! an unproved host shows nobody's portal, and a signed-in customer sees their own vendor's
//! portal whatever host they came in on.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;
use serde_json::Value;
use service::auth::Actor;
use service::sessions;
use service::testing::world::World;

const HUB: &str = "hub.example.test";

async fn cookie_for(services: &service::Services, actor: &Actor) -> String {
    let token = service::testing::world::session(services, actor).await;
    format!("{}={token}", sessions::COOKIE_NAME)
}

/// Calls a server function with `form`, as `cookie` (or anonymously), naming `host`.
async fn call(
    hub: &TestHub,
    endpoint: &str,
    host: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> String {
    let mut request = reqwest::Client::new()
        .post(hub.url(&format!("/_fn/{endpoint}")))
        .header("host", host)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap().text().await.unwrap()
}

/// The portal title `/portal` shows on `host`, if any.
async fn portal_title(hub: &TestHub, host: &str, cookie: Option<&str>) -> Option<String> {
    let body = call(hub, "portal_branding", host, cookie, &[]).await;
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
    json["title"].as_str().map(String::from)
}

fn branding_form(host: &str, title: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_string()),
        ("primary_color", "#123456".to_string()),
        ("home_markdown", String::new()),
        ("custom_host", host.to_string()),
    ]
}

async fn save(hub: &TestHub, cookie: &str, host: &str, title: &'static str) -> String {
    let form = branding_form(host, title);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    call(hub, "save_branding", "127.0.0.1", Some(cookie), &form).await
}

#[tokio::test]
async fn a_vendor_cannot_take_over_the_portal_by_its_host_name() {
    let hub = TestHub::start_with(|s| {
        s.public_url = Some(format!("http://{HUB}").parse().unwrap());
    })
    .await;
    let services = hub.services.clone();
    let w = World::build(&services).await;
    let attacker = cookie_for(&services, &w.other_vendor).await;

    // The hub's own name, and names under it, are refused with a reason.
    for host in [HUB, "acme.hub.example.test"] {
        let body = save(&hub, &attacker, host, "Umbrella").await;
        assert!(
            body.contains("host name") && body.contains("hub's own address"),
            "{host}: {body}"
        );
    }
    // A host of its own is saved, but shows nothing until proved by DNS.
    let body = save(&hub, &attacker, "portal.umbrella.test", "Umbrella").await;
    assert!(body.contains("portal.umbrella.test"), "{body}");
    assert_eq!(portal_title(&hub, "portal.umbrella.test", None).await, None);
    assert_eq!(portal_title(&hub, HUB, None).await, None);
    // The branding page tells the vendor which TXT record proves it.
    let page = reqwest::Client::new()
        .get(hub.url("/branding"))
        .header("cookie", &attacker)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "_consign-challenge.portal.umbrella.test",
        "consign-verification=",
        "id=\"host-verify\"",
    ] {
        assert!(page.contains(expected), "{expected} missing from the page");
    }

    // Once proved (as `verify_custom_host` records it), the host shows that vendor to
    // anonymous visitors, but a signed-in customer of another vendor still sees their own.
    service::testing::world::custom_host_proved(&services, w.other_vendor.organization_id).await;
    assert_eq!(
        portal_title(&hub, "portal.umbrella.test", None)
            .await
            .as_deref(),
        Some("Umbrella")
    );
    let customer = cookie_for(&services, &w.customer_ro).await;
    let own = service::branding::get(&services, w.customer_ro.organization_id)
        .await
        .unwrap()
        .title;
    assert_eq!(
        portal_title(&hub, "portal.umbrella.test", Some(&customer)).await,
        Some(own)
    );
    hub.stop().await;
}
