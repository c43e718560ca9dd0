//! `consign-agent verify-license` checks a signed license file offline: a good file passes with
//! its terms printed, a tampered or foreign-signed one fails, an expired one is reported as
//! expired. The files are signed the way the hub signs them (ed25519 over the claims' bytes).

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{Duration, Utc};
use ed25519_dalek::{Signer, SigningKey};
use types::license_file::{LicenseClaims, LicenseFile, PublicKey};
use types::{ApplicationId, CustomerOrganizationId, LicenseId, OrganizationId};

fn key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

fn public(key: &SigningKey) -> PublicKey {
    PublicKey::from_bytes(key.verifying_key().as_bytes()).unwrap()
}

fn claims(expires_in: Duration) -> LicenseClaims {
    LicenseClaims {
        license_id: LicenseId::new(),
        name: "Globex – Shop".into(),
        organization_id: OrganizationId::new(),
        organization_name: "Acme".into(),
        customer_organization_id: CustomerOrganizationId::new(),
        customer_organization_name: "Globex".into(),
        application_id: ApplicationId::new(),
        application_name: "Shop".into(),
        versions: None,
        channels: vec!["stable".into()],
        entitlements: BTreeMap::from([("seats".into(), "25".into())]),
        issued_at: Utc::now(),
        expires_at: Some(Utc::now() + expires_in),
    }
}

fn sign(key: &SigningKey, claims: &LicenseClaims) -> LicenseFile {
    let payload = serde_json::to_vec(claims).unwrap();
    let signature = key.sign(&payload).to_bytes();
    LicenseFile::from_signed(&public(key), &payload, &signature)
}

fn verify(public_key: &str, file: &LicenseFile) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("license.json");
    std::fs::write(&path, file.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_consign-agent"))
        .args(["verify-license", "--public-key", public_key])
        .arg(&path)
        .env_remove("CONSIGN_HUB_URL")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_good_file_verifies_and_prints_its_terms() {
    let key = key();
    let (code, out) = verify(
        &public(&key).to_base64(),
        &sign(&key, &claims(Duration::days(30))),
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("valid license"), "{out}");
    assert!(out.contains("Globex") && out.contains("seats=25"), "{out}");
}

#[test]
fn a_tampered_file_fails() {
    let key = key();
    let mut file = sign(&key, &claims(Duration::days(30)));
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let json = String::from_utf8(engine.decode(&file.payload).unwrap()).unwrap();
    file.payload = engine.encode(json.replace("\"25\"", "\"2500\""));
    let (code, out) = verify(&public(&key).to_base64(), &file);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("signature does not match"), "{out}");
}

#[test]
fn a_file_signed_by_another_key_fails() {
    let (code, out) = verify(
        &public(&key()).to_base64(),
        &sign(&key(), &claims(Duration::days(1))),
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not by this hub's key"), "{out}");
}

#[test]
fn an_expired_file_is_authentic_but_reported_expired() {
    let key = key();
    let (code, out) = verify(
        &public(&key).to_base64(),
        &sign(&key, &claims(Duration::days(-1))),
    );
    assert_eq!(code, Some(3), "{out}");
    assert!(out.starts_with("EXPIRED license"), "{out}");
}

#[test]
fn a_malformed_key_or_file_is_named() {
    let key = key();
    let (code, out) = verify("not-a-key", &sign(&key, &claims(Duration::days(1))));
    assert_eq!(code, Some(1));
    assert!(out.contains("public key"), "{out}");
}

/// A one-route hub on 127.0.0.1 answering every request with `key` as `/license-key.pub`
/// does; returns its address and a count of the requests it answered.
fn key_server(key: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0_u8; 4096];
            let n = stream.read(&mut request).unwrap_or(0);
            let ok = String::from_utf8_lossy(&request[..n]).starts_with("GET /license-key.pub ");
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (status, body) = if ok {
                ("200 OK", format!("{key}\n"))
            } else {
                ("404 Not Found", "no such page\n".to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (address, served)
}

fn verify_args(args: &[&str], path: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_consign-agent"))
        .arg("verify-license")
        .args(args)
        .arg(path)
        .env_remove("CONSIGN_HUB_URL")
        .env_remove("CONSIGN_LICENSE_PUBLIC_KEY")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_hubs_key_is_fetched_once_pinned_next_to_the_file_and_used_offline_afterwards() {
    let key = key();
    let (hub, served) = key_server(public(&key).to_base64());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("license.json");
    std::fs::write(&path, sign(&key, &claims(Duration::days(30))).to_string()).unwrap();

    let (code, out) = verify_args(&["--hub-url", &hub], &path);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("pinned") && out.contains("license.json.pub"),
        "{out}"
    );
    assert!(out.contains("valid license"), "{out}");
    let pinned = std::fs::read_to_string(dir.path().join("license.json.pub")).unwrap();
    assert_eq!(pinned.trim(), public(&key).to_base64());
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 1);

    // Later checks use the pinned key: no hub needed, none asked.
    let (code, out) = verify_args(&[], &path);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = verify_args(&["--hub-url", &hub], &path);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("pinned"), "{out}");
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_hub_whose_key_did_not_sign_the_file_is_refused_and_nothing_is_pinned() {
    let (hub, _) = key_server(public(&key()).to_base64());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("license.json");
    let signer = key();
    std::fs::write(
        &path,
        sign(&signer, &claims(Duration::days(30))).to_string(),
    )
    .unwrap();
    let (code, out) = verify_args(&["--hub-url", &hub], &path);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not by this hub's key"), "{out}");
    assert!(!dir.path().join("license.json.pub").exists());
}

#[test]
fn without_a_key_the_command_says_how_to_get_one() {
    let key = key();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("license.json");
    std::fs::write(&path, sign(&key, &claims(Duration::days(30))).to_string()).unwrap();
    let (code, out) = verify_args(&[], &path);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("--hub-url") && out.contains("--public-key"),
        "{out}"
    );
    // A key placed beside the file by hand is used.
    std::fs::write(
        dir.path().join("license.json.pub"),
        public(&key).to_base64(),
    )
    .unwrap();
    let (code, out) = verify_args(&[], &path);
    assert_eq!(code, Some(0), "{out}");
}
