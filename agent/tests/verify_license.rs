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
