//! The REST API's personal access tokens over real HTTP on 127.0.0.1:0: a token identifies its
//! owner at `GET /api/v1/me`; no token, a garbage token and a revoked token get a JSON 401 that
//! asks for a bearer token. And the `/tokens` page creates and revokes tokens without JavaScript,
//! showing a new secret exactly once.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;
use service::accounts::{self, NewUser};
use service::auth::Actor;
use service::signup::{self, SignUp};
use service::testing::{Backend, TestDb};
use types::{Email, OrganizationName};

async fn start(database_url: Option<String>) -> TestHub {
    TestHub::start(database_url, None).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs up a vendor whose admin is `email`; returns the admin as an actor.
async fn vendor(services: &service::Services, name: &str, email: &str) -> Actor {
    let (user, org) = vendor_account(services, name, email).await;
    accounts::actor(services, user.id, Some(org))
        .await
        .unwrap()
        .unwrap()
}

/// Signs up a vendor whose admin is `email`; returns the admin's account and organization.
async fn vendor_account(
    services: &service::Services,
    name: &str,
    email: &str,
) -> (accounts::User, types::OrganizationId) {
    let (user, org) = signup::sign_up(
        services,
        SignUp {
            organization_name: OrganizationName::parse(name).unwrap(),
            user: NewUser {
                email: Email::parse(email).unwrap(),
                name: "Ada Vendor".into(),
                password: "a long enough password".into(),
            },
        },
        true,
    )
    .await
    .unwrap();
    (user, org.id)
}

async fn me(hub: &TestHub, authorization: Option<&str>) -> reqwest::Response {
    let mut request = client().get(hub.url("/api/v1/me"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

/// Checks a 401: the `WWW-Authenticate` challenge and the JSON error body.
async fn assert_unauthenticated(response: reqwest::Response, case: &str) {
    assert_eq!(response.status(), 401, "{case}");
    assert_eq!(response.headers()["www-authenticate"], "Bearer", "{case}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{case}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated", "{case}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{case}: {body}"
    );
}

/// The whole round trip on one hub.
async fn a_token_identifies_its_owner_until_it_is_revoked(hub: &TestHub) {
    let admin = vendor(&hub.services, "Acme", "ada@acme.test").await;
    let other = vendor(&hub.services, "Umbrella", "bob@umbrella.test").await;
    let (token, secret) =
        service::access_tokens::create(&hub.services, &admin, "CI".into(), Some(30))
            .await
            .unwrap();
    let (_, other_secret) =
        service::access_tokens::create(&hub.services, &other, "CI".into(), None)
            .await
            .unwrap();

    let response = me(hub, Some(&format!("Bearer {secret}"))).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["userId"], admin.user_id.to_string());
    assert_eq!(body["organizationId"], admin.organization_id.to_string());
    assert_eq!(body["userRole"], "admin");
    assert!(body["customerOrganizationId"].is_null(), "{body}");

    // Each token speaks for its own owner.
    let body: serde_json::Value = me(hub, Some(&format!("Bearer {other_secret}")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["organizationId"], other.organization_id.to_string());

    assert_unauthenticated(me(hub, None).await, "no header").await;
    assert_unauthenticated(me(hub, Some("Bearer garbage")).await, "garbage").await;
    let unknown = format!("Bearer consign_pat_{}", service::tokens::generate());
    assert_unauthenticated(me(hub, Some(&unknown)).await, "unknown token").await;
    assert_unauthenticated(
        me(hub, Some(&format!("Basic {secret}"))).await,
        "wrong scheme",
    )
    .await;

    service::access_tokens::revoke(&hub.services, &admin, token.id)
        .await
        .unwrap();
    assert_unauthenticated(me(hub, Some(&format!("Bearer {secret}"))).await, "revoked").await;
    // Revoking one token leaves the others working.
    assert_eq!(
        me(hub, Some(&format!("Bearer {other_secret}")))
            .await
            .status(),
        200
    );
}

/// The value of the `Set-Cookie` header that sets or clears `name`, if any.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(String::from)
}

#[tokio::test]
async fn the_tokens_page_forms_work_without_javascript_and_the_secret_is_served_once() {
    let hub = start(None).await;
    let (user, org) = vendor_account(&hub.services, "Acme", "ada@acme.test").await;
    let session = service::sessions::start(&hub.services, &user, Some(org))
        .await
        .unwrap();
    let session = format!("{}={session}", service::sessions::COOKIE_NAME);
    let page = hub.url("/tokens");
    let post = |endpoint: &str, cookies: String, form: Vec<(&'static str, String)>| {
        client()
            .post(hub.url(&format!("/_fn/{endpoint}")))
            .header("accept", "text/html")
            .header("referer", &page)
            .header("cookie", cookies)
            .form(&form)
            .send()
    };

    let html = client()
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let html = html.text().await.unwrap();
    for expected in [
        "id=\"token-label\"",
        "id=\"token-expiry\"",
        "id=\"token-create\"",
        "No access tokens yet",
    ] {
        assert!(
            html.contains(expected),
            "{expected:?} missing from the page:\n{html}"
        );
    }
    assert!(!html.contains("id=\"token-secret\""));

    // The plain form post creates the token and redirects back with the secret in a cookie.
    let created = post(
        "create_token",
        session.clone(),
        vec![
            ("label", "CI deploys".into()),
            ("expires_in_days", "30".into()),
        ],
    )
    .await
    .unwrap();
    assert!(created.status().is_redirection(), "{}", created.status());
    let location = created.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&page) && !location.contains("__err"),
        "{location}"
    );
    let flash = set_cookie(&created, "consign_new_token").expect("the secret travels once");
    for attribute in ["Path=/tokens", "HttpOnly", "SameSite=Strict", "Max-Age="] {
        assert!(
            flash.contains(attribute),
            "{attribute} missing from {flash}"
        );
    }
    let flash = flash.split(';').next().unwrap().to_string();
    let secret = flash.trim_start_matches("consign_new_token=").to_string();
    assert!(secret.starts_with("consign_pat_"), "{secret}");

    // The page shows it once, clears the cookie, and lists the token.
    let shown = client()
        .get(&page)
        .header("cookie", format!("{session}; {flash}"))
        .send()
        .await
        .unwrap();
    let cleared = set_cookie(&shown, "consign_new_token").expect("the page clears the cookie");
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("Path=/tokens"),
        "{cleared}"
    );
    let html = shown.text().await.unwrap();
    for expected in [
        "id=\"token-secret\"",
        secret.as_str(),
        "Copy it now: it is shown only once",
        "id=\"tokens\"",
        "CI deploys",
    ] {
        assert!(
            html.contains(expected),
            "{expected:?} missing from the page:\n{html}"
        );
    }
    let again = client()
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let html = again.text().await.unwrap();
    assert!(
        html.contains("CI deploys") && !html.contains(&secret),
        "never shown again"
    );

    // The secret works, and revoking it from the page stops it.
    assert_eq!(
        me(&hub, Some(&format!("Bearer {secret}"))).await.status(),
        200
    );
    let actor = accounts::actor(&hub.services, user.id, Some(org))
        .await
        .unwrap()
        .unwrap();
    let id = service::access_tokens::list(&hub.services, &actor)
        .await
        .unwrap()[0]
        .id;
    let revoked = post(
        "revoke_token",
        session.clone(),
        vec![("id", id.to_string())],
    )
    .await
    .unwrap();
    assert!(revoked.status().is_redirection(), "{}", revoked.status());
    assert_unauthenticated(me(&hub, Some(&format!("Bearer {secret}"))).await, "revoked").await;
    let html = client()
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert!(
        html.text()
            .await
            .unwrap()
            .contains("data-status=\"revoked\"")
    );

    // A bad label comes back as the form's error, naming the problem.
    let refused = post(
        "create_token",
        session.clone(),
        vec![("label", "  ".into()), ("expires_in_days", "".into())],
    )
    .await
    .unwrap();
    assert!(refused.status().is_redirection(), "{}", refused.status());
    assert!(set_cookie(&refused, "consign_new_token").is_none());
    let location = refused.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("__err="), "{location}");
    hub.stop().await;
}

#[tokio::test]
async fn the_api_authenticates_by_access_token_on_sqlite() {
    let hub = start(None).await;
    a_token_identifies_its_owner_until_it_is_revoked(&hub).await;
    hub.stop().await;
}

#[tokio::test]
async fn the_api_authenticates_by_access_token_on_postgresql() {
    let db = TestDb::new(Backend::Postgres).await;
    let hub = start(Some(db.url.clone())).await;
    a_token_identifies_its_owner_until_it_is_revoked(&hub).await;
    hub.stop().await;
    db.close().await;
}
