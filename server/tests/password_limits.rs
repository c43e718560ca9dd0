//! Password guessing over real HTTP: the current password asked by a password or address change
//! is limited like sign-in, and an attacker's wrong sign-ins from one address do not lock the
//! owner out from another.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use consign_server::testing::TestHub;
use service::accounts::{self, NewUser};
use types::Email;

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "a long enough password";

/// A client whose connections come from `from` (any 127.0.0.0/8 address reaches the hub).
fn client_from(from: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(from))
        .build()
        .unwrap()
}

const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
const OWNER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

async fn start() -> TestHub {
    let hub = TestHub::start(None, None).await;
    accounts::register(
        &hub.services,
        NewUser {
            email: Email::parse(EMAIL).unwrap(),
            name: "Ada Vendor".into(),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    hub
}

/// Signs in from `from`; the session cookie on success, else the error body.
async fn sign_in(hub: &TestHub, from: Ipv4Addr, password: &str) -> Result<String, String> {
    let response = client_from(from)
        .post(hub.url("/_fn/sign_in"))
        .form(&[("email", EMAIL), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    match response.headers().get("set-cookie") {
        Some(cookie) => Ok(cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()),
        None => Err(response.text().await.unwrap()),
    }
}

/// Posts a form to a server function as the holder of `session`; the status and body.
async fn post(hub: &TestHub, session: &str, endpoint: &str, form: &[(&str, &str)]) -> String {
    let response = client_from(ATTACKER)
        .post(hub.url(&format!("/_fn/{endpoint}")))
        .header("cookie", session)
        .form(form)
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_eleventh_wrong_current_password_is_refused() {
    let hub = start().await;
    let session = sign_in(&hub, ATTACKER, PASSWORD).await.unwrap();
    let wrong = [
        ("current", "not the password"),
        ("password", "another long password"),
    ];
    for attempt in 1..=10 {
        let body = post(&hub, &session, "change_password", &wrong).await;
        assert!(
            body.contains("InvalidCredentials"),
            "attempt {attempt}: {body}"
        );
    }
    let body = post(&hub, &session, "change_password", &wrong).await;
    assert!(body.contains("RateLimited"), "the 11th attempt: {body}");
    // The address change asks the same password: it is refused as well, even when right.
    let body = post(
        &hub,
        &session,
        "request_email_change",
        &[("password", PASSWORD), ("email", "ada@elsewhere.example")],
    )
    .await;
    assert!(body.contains("RateLimited"), "the address change: {body}");
    // Nothing changed: the old password still signs in.
    sign_in(&hub, OWNER, PASSWORD).await.unwrap();
    hub.stop().await;
}

#[tokio::test]
async fn an_attacker_guessing_from_one_address_does_not_lock_the_owner_out() {
    let hub = start().await;
    for attempt in 1..=10 {
        let body = sign_in(&hub, ATTACKER, "a wrong guess at it")
            .await
            .unwrap_err();
        assert!(
            body.contains("InvalidCredentials"),
            "attempt {attempt}: {body}"
        );
    }
    let body = sign_in(&hub, ATTACKER, PASSWORD).await.unwrap_err();
    assert!(
        body.contains("RateLimited"),
        "the attacker is slowed: {body}"
    );
    // The owner, from their own address, signs in with the right password at once, again and
    // again (right passwords do not add up).
    for _ in 0..12 {
        let session = sign_in(&hub, OWNER, PASSWORD).await;
        assert!(session.is_ok(), "the owner is locked out: {session:?}");
    }
    hub.stop().await;
}
