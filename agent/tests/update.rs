//! Self-update against a one-request HTTP server written here that serves the agent binary
//! as the hub does (`docs/agent.md`, "Agent self-update"), and can also serve a wrong checksum
//! or a 404. The "binary" is a shell script that prints a version, so the swap can be checked
//! without replacing the test's own executable. (The real hub's update, with the real agent
//! binary re-executing itself: `server/tests/agent.rs`.)

#![allow(clippy::unwrap_used)]

mod support;

use std::os::unix::fs::PermissionsExt;

use consign_agent::connection::UpdateRequest;
use consign_agent::credential::SharedCredential;
use consign_agent::updater::Updater;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

const NEW_BINARY: &[u8] = b"#!/bin/sh\necho consign-agent 9.9.9\n";

fn updater(hub: url::Url, binary: std::path::PathBuf) -> Updater {
    Updater {
        hub_url: hub,
        credential: SharedCredential::new(SecretString::from("agent-credential".to_string())),
        tls: consign_agent::tls::client_config().unwrap(),
        binary,
    }
}

fn request(sha256: Option<String>) -> UpdateRequest {
    UpdateRequest {
        version: "9.9.9".into(),
        download_path: "/api/v1/agent/download/consign-agent-x86_64-linux".into(),
        sha256,
    }
}

#[tokio::test]
async fn an_update_downloads_with_the_credential_checks_the_hash_and_swaps_the_binary() {
    let (hub, server) = support::serve_http_once(200, NEW_BINARY.to_vec()).await;
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("consign-agent");
    std::fs::write(&binary, b"old").unwrap();
    let sha = hex::encode(Sha256::digest(NEW_BINARY));
    updater(hub, binary.clone())
        .install(&request(Some(sha)))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&binary).unwrap(), NEW_BINARY);
    assert_eq!(
        std::fs::metadata(&binary).unwrap().permissions().mode() & 0o111,
        0o111
    );
    let seen = server.await.unwrap();
    // The agent asks for the binary of its own architecture.
    assert_eq!(
        seen.request_line,
        format!(
            "GET /api/v1/agent/download/consign-agent-x86_64-linux?arch={} HTTP/1.1",
            std::env::consts::ARCH
        )
    );
    assert!(
        seen.headers
            .to_ascii_lowercase()
            .contains("authorization: bearer agent-credential"),
        "{}",
        seen.headers
    );
}

#[tokio::test]
async fn a_download_with_the_wrong_hash_or_version_leaves_the_old_binary_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("consign-agent");
    std::fs::write(&binary, b"old").unwrap();

    let (hub, _server) = support::serve_http_once(200, NEW_BINARY.to_vec()).await;
    let err = updater(hub, binary.clone())
        .install(&request(Some("00".repeat(32))))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
    assert_eq!(std::fs::read(&binary).unwrap(), b"old");

    let (hub, _server) =
        support::serve_http_once(200, b"#!/bin/sh\necho consign-agent 1.0.0\n".to_vec()).await;
    let err = updater(hub, binary.clone())
        .install(&request(None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expected version 9.9.9"), "{err}");
    assert_eq!(std::fs::read(&binary).unwrap(), b"old");

    let (hub, _server) = support::serve_http_once(404, Vec::new()).await;
    let err = updater(hub, binary.clone())
        .install(&request(None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
    assert_eq!(std::fs::read(&binary).unwrap(), b"old");
}
