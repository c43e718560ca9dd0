//! Enrolment against a minimal HTTP server written here that plays the hub's
//! `POST /api/v1/agent/enroll` as documented in `docs/agent.md`, so the test sees the raw
//! request and can answer what the real hub never answers: the secret travels in the JSON body
//! only, the credential is stored 0600, and a refused secret or a malformed answer is a clear
//! error. (Enrolling against the real hub: `binary.rs`.)

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

mod support;

use consign_agent::Error;
use consign_agent::enrol::enrol;
use secrecy::{ExposeSecret, SecretString};
use types::DeploymentTargetId;

#[tokio::test]
async fn enrolment_posts_the_secret_in_the_body_and_stores_the_credential_privately() {
    let (hub, server) =
        support::serve_http_once(200, br#"{"credential":"long-lived-credential"}"#.to_vec()).await;
    let state = tempfile::tempdir().unwrap();
    let target = DeploymentTargetId::new();
    let secret = SecretString::from("one-time-s3cret".to_string());
    let credential = enrol(
        &hub,
        target,
        &secret,
        state.path(),
        consign_agent::tls::client_config().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(credential.expose_secret(), "long-lived-credential");
    let seen = server.await.unwrap();
    assert_eq!(seen.request_line, "POST /api/v1/agent/enroll HTTP/1.1");
    assert!(!seen.request_line.contains("s3cret") && !seen.headers.contains("s3cret"));
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "targetId": target.to_string(), "secret": "one-time-s3cret" })
    );
    let stored = state.path().join("credential");
    assert_eq!(
        std::fs::read_to_string(&stored).unwrap(),
        "long-lived-credential"
    );
    assert_eq!(
        std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test]
async fn a_used_or_rotated_secret_is_refused_with_advice_and_nothing_is_stored() {
    let (hub, _server) =
        support::serve_http_once(401, br#"{"error":"invalid secret"}"#.to_vec()).await;
    let state = tempfile::tempdir().unwrap();
    let err = enrol(
        &hub,
        DeploymentTargetId::new(),
        &SecretString::from("used-secret".to_string()),
        state.path(),
        consign_agent::tls::client_config().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::EnrolmentRefused { status: 401 }),
        "{err}"
    );
    assert!(err.to_string().contains("fresh install command"), "{err}");
    assert!(!err.to_string().contains("used-secret"));
    assert!(!state.path().join("credential").exists());
}

#[tokio::test]
async fn a_hub_answer_without_a_credential_is_an_error_naming_the_endpoint() {
    let (hub, _server) =
        support::serve_http_once(200, br#"{"token":"wrong-field"}"#.to_vec()).await;
    let state = tempfile::tempdir().unwrap();
    let err = enrol(
        &hub,
        DeploymentTargetId::new(),
        &SecretString::from("s".to_string()),
        state.path(),
        consign_agent::tls::client_config().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("/api/v1/agent/enroll"), "{err}");
    assert!(!state.path().join("credential").exists());
}
