//! Password reset by email through the real SMTP server: the link in the mail always points at
//! the hub's own address (a forged `Host` header cannot redirect it), sets a new password once,
//! and requests are rate-limited per account.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use consign_end2end::hub;
use consign_end2end::smtp::SmtpSink;
use service::testing::world::{PASSWORD, vendor};

async fn post(url: &str, host: Option<&str>, form: &[(&str, &str)]) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.post(url).form(form);
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_comes_by_mail_to_the_hubs_own_address_and_works_once() {
    let sink = SmtpSink::start().await;
    let hub = hub::start_with_mail(sink.port()).await;
    vendor(&hub.services, "Acme", "ada@acme.test").await;

    // The request forges its Host header; the answer is the same as for an unknown address.
    let url = hub.url("/_fn/request_password_reset");
    let (status, answer) = post(&url, Some("evil.example"), &[("email", "ada@acme.test")]).await;
    assert_eq!(status, 200, "{answer}");
    let (_, unknown) = post(&url, None, &[("email", "nobody@acme.test")]).await;
    assert_eq!(
        answer, unknown,
        "the answer must not reveal whether the account exists"
    );

    let mail = sink
        .wait_for("ada@acme.test", Duration::from_secs(20))
        .await;
    let link = mail.first_link().unwrap();
    assert!(link.starts_with(&hub.url("/reset/")), "{link}");
    let token = link.rsplit('/').next().unwrap().to_string();

    let reset = hub.url("/_fn/reset_password");
    let (status, body) = post(
        &reset,
        None,
        &[("token", &token), ("password", "a brand new password")],
    )
    .await;
    assert!(status < 400, "{status} {body}");
    assert!(
        service::accounts::authenticate(
            &hub.services,
            "ada@acme.test",
            "a brand new password".into()
        )
        .await
        .is_ok()
    );
    assert!(
        service::accounts::authenticate(&hub.services, "ada@acme.test", PASSWORD.into())
            .await
            .is_err()
    );
    let (status, body) = post(
        &reset,
        None,
        &[("token", &token), ("password", "another new password")],
    )
    .await;
    assert!(
        status >= 400 && body.contains("LinkUnusable"),
        "{status} {body}"
    );

    // Two more requests fit the per-account limit (3 an hour); the fourth is refused.
    for _ in 0..2 {
        assert_eq!(post(&url, None, &[("email", "ada@acme.test")]).await.0, 200);
    }
    let (status, body) = post(&url, None, &[("email", "ada@acme.test")]).await;
    assert!(
        status >= 400 && body.contains("RateLimited"),
        "{status} {body}"
    );
    hub.stop().await;
}
