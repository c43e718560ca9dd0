//! The vendor's version page lists each image of a compose file with where it comes from:
//! held by the hub's registry, missing from it (with the `docker login` / `docker tag` /
//! `docker push` commands that put it there), on another registry, or in another namespace;
//! the Artifacts page shows the registry address and the vendor's namespace; the home page of
//! an organization without applications explains the sample command. Checked in the
//! server-rendered HTML a browser receives, user text escaped.

#![allow(clippy::unwrap_used)]

use chrono::Utc;
use consign_server::testing::TestHub;
use consign_test_support::registry::Registry;
use service::testing::world::{PASSWORD, World};
use service::versions::{self, NewVersion, Package};
use service::{accounts, applications, sessions};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

async fn page(hub: &TestHub, session: &str, path: &str) -> String {
    let response = reqwest::Client::new()
        .get(hub.url(path))
        .header("cookie", format!("{}={session}", sessions::COOKIE_NAME))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// The `<li>` of one image on the page.
fn item<'a>(html: &'a str, reference: &str) -> &'a str {
    let start = html
        .find(&format!("data-image=\"{reference}\""))
        .unwrap_or_else(|| panic!("no image {reference} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</li>").unwrap()]
}

/// The text of the element with `id` (up to its first child).
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    &rest[..rest.find('<').unwrap()]
}

#[tokio::test]
async fn the_version_page_says_where_each_image_comes_from() {
    let hub = TestHub::start(None, None).await;
    let s = &hub.services;
    let w = World::build(s).await;
    let host = hub.address.to_string();
    let user = accounts::authenticate(s, "rw@acme.test", PASSWORD.into())
        .await
        .unwrap();
    let session = sessions::start(s, &user, Some(w.vendor_rw.organization_id))
        .await
        .unwrap();

    // An organization without applications is told about the sample, with this hub's URL.
    let home = page(&hub, &session, "/").await;
    assert!(home.contains("id=\"sample-hint\""), "{home}");
    assert!(
        home.contains(&format!("cargo xtask sample --hub http://{host} --token")),
        "{home}"
    );

    let vendor = Registry::signed_in(&hub, &w.vendor_rw).await;
    vendor.push_image("acme/web", "1.0", b"web").await;

    let app = applications::create(
        s,
        &w.vendor_rw,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let compose = format!(
        "services:\n  web:\n    image: {host}/acme/web:1.0\n  api:\n    image: {host}/acme/api:2.0\n  \
         cache:\n    image: ghcr.io/someone/cache:3\n  foreign:\n    image: {host}/globex/app:1\n  \
         odd:\n    image: \"x<script>alert(1)</script>\"\n"
    );
    versions::create(
        s,
        &w.vendor_rw,
        app,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: compose,
                env_template: None,
            },
        },
        Utc::now(),
    )
    .await
    .unwrap();

    let path = format!("/applications/{app}");
    let html = page(&hub, &session, &path).await;
    assert_eq!(text_of(&html, "registry-host"), host);
    assert_eq!(text_of(&html, "registry-namespace"), "acme");

    let present = item(&html, &format!("{host}/acme/web:1.0"));
    assert!(present.contains("data-state=\"present\""), "{present}");
    assert!(
        present.contains("in this hub&#x27;s registry")
            || present.contains("in this hub's registry"),
        "{present}"
    );

    let missing = item(&html, &format!("{host}/acme/api:2.0"));
    assert!(missing.contains("data-state=\"missing\""), "{missing}");
    assert!(
        missing.contains(&format!("docker login {host}")),
        "{missing}"
    );
    assert!(
        missing.contains(&format!(
            "docker tag &lt;your local image&gt; {host}/acme/api:2.0"
        )),
        "{missing}"
    );
    assert!(
        missing.contains(&format!("docker push {host}/acme/api:2.0")),
        "{missing}"
    );
    assert!(missing.contains("Tokens"), "{missing}");

    let elsewhere = item(&html, "ghcr.io/someone/cache:3");
    assert!(
        elsewhere.contains("data-state=\"elsewhere\""),
        "{elsewhere}"
    );
    assert!(
        elsewhere.contains("pulled from ghcr.io, not from this hub"),
        "{elsewhere}"
    );

    let foreign = item(&html, &format!("{host}/globex/app:1"));
    assert!(
        foreign.contains("data-state=\"other-namespace\""),
        "{foreign}"
    );

    // The reference is user text: escaped in the attribute and in the text.
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(
        html.contains("x&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );

    // Pushing the missing image turns it present.
    vendor.push_image("acme/api", "2.0", b"api").await;
    let html = page(&hub, &session, &path).await;
    let now_present = item(&html, &format!("{host}/acme/api:2.0"));
    assert!(
        now_present.contains("data-state=\"present\""),
        "{now_present}"
    );

    // The Artifacts page names the registry and the namespace; the home page no longer
    // offers the sample.
    let artifacts = page(&hub, &session, "/artifacts").await;
    assert!(artifacts.contains("id=\"registry-address\""), "{artifacts}");
    assert!(
        artifacts.contains(&format!("docker login {host}")),
        "{artifacts}"
    );
    let home = page(&hub, &session, "/").await;
    assert!(!home.contains("id=\"sample-hint\""), "{home}");
    hub.stop().await;
}
