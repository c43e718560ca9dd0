//! Every kind of answer the hub gives carries the security headers: portal pages (with a
//! per-request nonce in their policy), server functions, the REST API and its reference page,
//! the registry, probes, static files, 404s and refusals; HSTS only on an https hub.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The policy's directives, by name.
fn directives(policy: &str) -> std::collections::BTreeMap<String, String> {
    policy
        .split(';')
        .filter_map(|d| {
            let d = d.trim();
            let (name, value) = d.split_once(' ').unwrap_or((d, ""));
            (!name.is_empty()).then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

/// Checks the headers of `response` (named `what` in failures) and returns its policy.
fn assert_secured(what: &str, response: &reqwest::Response, https: bool) -> String {
    let headers = response.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what} ({}) has no {name}", response.status()))
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("referrer-policy"), "same-origin", "{what}");
    let policy = header("content-security-policy");
    let d = directives(&policy);
    assert_eq!(d["frame-ancestors"], "'none'", "{what}: {policy}");
    assert_eq!(d["object-src"], "'none'", "{what}: {policy}");
    assert_eq!(d["base-uri"], "'none'", "{what}: {policy}");
    let script = &d["script-src"];
    assert!(
        !script.contains("'unsafe-inline'") && !script.contains("'unsafe-eval'"),
        "{what}: {policy}"
    );
    assert_eq!(
        headers.contains_key("strict-transport-security"),
        https,
        "{what}: HSTS exactly on https"
    );
    policy
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("robots.txt"), "User-agent: *\n").unwrap();
    let hub = TestHub::start(None, Some(site.path().to_path_buf())).await;
    let c = client();

    let page = c.get(hub.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = assert_secured("the vendor portal", &page, false);
    let nonce = directives(&policy)["script-src"]
        .split(' ')
        .find_map(|s| s.strip_prefix("'nonce-"))
        .map(|s| s.trim_end_matches('\'').to_string())
        .unwrap_or_else(|| panic!("a page's policy names its nonce: {policy}"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's inline scripts carry the policy's nonce"
    );
    assert!(
        !html.contains("<script>"),
        "no inline script without a nonce"
    );
    let again = c.get(hub.url("/")).send().await.unwrap();
    let second = assert_secured("the vendor portal again", &again, false);
    assert_ne!(policy, second, "a fresh nonce per response");

    let portal = c.get(hub.url("/portal")).send().await.unwrap();
    assert_secured("the customer portal", &portal, false);

    let missing = c.get(hub.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(assert_secured("a 404 page", &missing, false).contains("'nonce-"));

    let file = c.get(hub.url("/robots.txt")).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_secured("a static file", &file, false);

    let docs = c.get(hub.url("/api/v1/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let docs_policy = assert_secured("the API reference", &docs, false);
    assert!(
        directives(&docs_policy)["style-src"].contains("'sha256-"),
        "its inline style is allowed by hash: {docs_policy}"
    );
    assert!(!docs_policy.contains("'unsafe-inline' "), "{docs_policy}");

    for (what, path) in [
        ("the OpenAPI document", "/api/v1/openapi.json"),
        ("an API 401", "/api/v1/applications"),
        ("an API 404", "/api/v1/no/such/route"),
        ("the registry", "/v2/"),
        ("a probe", "/healthz"),
    ] {
        let response = c.get(hub.url(path)).send().await.unwrap();
        assert_secured(what, &response, false);
    }

    let server_fn = c.post(hub.url("/_fn/current_user")).send().await.unwrap();
    assert_secured("a server function", &server_fn, false);

    let cross_site = c
        .post(hub.url("/_fn/sign_out"))
        .header("origin", "https://evil.example")
        .header("cookie", "consign_session=x")
        .form(&[("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_secured("a refused cross-site request", &cross_site, false);
    hub.stop().await;
}

#[tokio::test]
async fn an_https_hub_adds_strict_transport_security() {
    let hub = TestHub::start_with(|s| {
        s.public_url = Some(url::Url::parse("https://hub.example.com/").unwrap());
    })
    .await;
    let c = client();
    for path in ["/", "/api/v1/openapi.json", "/v2/", "/no/such/page"] {
        let response = c.get(hub.url(path)).send().await.unwrap();
        assert_secured(path, &response, true);
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000"
        );
    }
    hub.stop().await;
}
