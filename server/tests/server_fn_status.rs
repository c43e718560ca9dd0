//! Server functions answer a failure with the HTTP status that names it (the client's mistakes
//! are 4xx, only the hub's own failures are 500), over real HTTP on 127.0.0.1:0.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;
use service::accounts::{self, NewUser};
use types::Email;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Calls the server function `name` the way the hydrated portal does (no `Accept: text/html`),
/// with the session `cookie` if any.
async fn call(
    hub: &TestHub,
    name: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client().post(hub.url(&format!("/_fn/{name}"))).form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// Signs a new vendor organization up and returns its admin's session cookie.
async fn vendor_admin(hub: &TestHub, email: &str) -> String {
    let response = call(
        hub,
        "sign_up",
        None,
        &[
            ("organization", "Status Vendor"),
            ("name", "Ada Admin"),
            ("email", email),
            ("password", "a long enough password"),
        ],
    )
    .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap_or_else(|| panic!("no session after sign-up: {}", response.status()))
        .to_str()
        .unwrap();
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_wrong_password_is_401_not_500() {
    let hub = TestHub::start(None, None).await;
    vendor_admin(&hub, "ada@example.com").await;
    let response = call(
        &hub,
        "sign_in",
        None,
        &[
            ("email", "ada@example.com"),
            ("password", "not the password"),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(response.status(), 401);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("InvalidCredentials")
    );

    let anonymous = call(&hub, "list_customers", None, &[]).await;
    assert_eq!(anonymous.status(), 401, "no session");
    hub.stop().await;
}

#[tokio::test]
async fn a_missing_resource_is_404_and_a_taken_name_is_409() {
    let hub = TestHub::start(None, None).await;
    let admin = vendor_admin(&hub, "ada@example.com").await;
    for id in [uuid::Uuid::new_v4().to_string(), "not-an-id".to_string()] {
        let response = call(&hub, "get_customer", Some(&admin), &[("id", id.as_str())]).await;
        assert_eq!(response.status(), 404, "{id}");
        assert!(response.text().await.unwrap().contains("NotFound"));
    }

    let first = call(&hub, "create_customer", Some(&admin), &[("name", "Acme")]).await;
    assert_eq!(first.status(), 200);
    let again = call(&hub, "create_customer", Some(&admin), &[("name", "Acme")]).await;
    assert_eq!(again.status(), 409);
    hub.stop().await;
}

#[tokio::test]
async fn too_long_or_malformed_input_is_400() {
    let hub = TestHub::start(None, None).await;
    let admin = vendor_admin(&hub, "ada@example.com").await;
    let long = "x".repeat(5_000);
    let response = call(
        &hub,
        "create_customer",
        Some(&admin),
        &[("name", long.as_str())],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("Invalid"));

    // Arguments the server function cannot even read are the client's fault too.
    let unreadable = call(&hub, "create_customer", Some(&admin), &[("nom", "Acme")]).await;
    assert_eq!(unreadable.status(), 400);
    hub.stop().await;
}

#[tokio::test]
async fn a_forbidden_action_is_403() {
    let hub = TestHub::start(None, None).await;
    // A person without any organization may sign in but not act in one.
    accounts::register(
        &hub.services,
        NewUser {
            email: Email::parse("loner@example.com").unwrap(),
            name: "Lone Person".into(),
            password: "a long enough password".into(),
        },
    )
    .await
    .unwrap();
    let signed_in = client()
        .post(hub.url("/_fn/sign_in"))
        .form(&[
            ("email", "loner@example.com"),
            ("password", "a long enough password"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let response = call(&hub, "list_customers", Some(&cookie), &[]).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("Forbidden"));
    hub.stop().await;
}

#[tokio::test]
async fn rate_limiting_is_429_with_retry_after() {
    let hub = TestHub::start(None, None).await;
    let mut last = None;
    // Password-reset requests are limited per account; the first few are refused for another
    // reason (this hub cannot send mail), the one past the limit as too many.
    for _ in 0..10 {
        let response = call(
            &hub,
            "request_password_reset",
            None,
            &[("email", "someone@example.com")],
        )
        .await;
        if response.status() == 429 {
            last = Some(response);
            break;
        }
        assert_eq!(response.status(), 400);
    }
    let limited = last.expect("the limit was never reached");
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    assert!(limited.text().await.unwrap().contains("RateLimited"));
    hub.stop().await;
}

#[tokio::test]
async fn a_form_post_without_javascript_is_still_sent_back_to_its_page() {
    let hub = TestHub::start(None, None).await;
    let response = client()
        .post(hub.url("/_fn/sign_in"))
        .header("accept", "text/html")
        .header("referer", hub.url("/"))
        .form(&[("email", "x@example.com"), ("password", "x"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    hub.stop().await;
}
