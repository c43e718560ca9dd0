//! Signed license files: what a hub issues for a license, and what an application or an
//! air-gapped site checks offline with nothing but the hub's public key.
//!
//! The file is JSON: `{format, keyId, payload, signature}`. `payload` is the base64 of the
//! claims' JSON bytes and `signature` the base64 ed25519 signature over exactly those bytes, so
//! checking never depends on how a JSON library orders or spaces fields.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ApplicationId, CustomerOrganizationId, LicenseId, OrganizationId};

/// The `format` of the files this build writes and reads.
pub const LICENSE_FILE_FORMAT: &str = "consign-license/1";

/// A signed license file as written to disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenseFile {
    /// Always [`LICENSE_FILE_FORMAT`] for files of this build.
    pub format: String,
    /// The fingerprint of the key that signed it ([`PublicKey::key_id`]).
    pub key_id: String,
    /// Base64 of the claims' JSON bytes.
    pub payload: String,
    /// Base64 ed25519 signature over the decoded payload bytes.
    pub signature: String,
}

/// What a license file asserts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseClaims {
    /// The license's id on the hub.
    pub license_id: LicenseId,
    /// The license's name.
    pub name: String,
    /// The vendor that granted it.
    pub organization_id: OrganizationId,
    /// The vendor's name.
    pub organization_name: String,
    /// The customer it was granted to.
    pub customer_organization_id: CustomerOrganizationId,
    /// The customer's name.
    pub customer_organization_name: String,
    /// The application it grants.
    pub application_id: ApplicationId,
    /// The application's name.
    pub application_name: String,
    /// The version names it grants; `None` for every version.
    pub versions: Option<Vec<String>>,
    /// The release channels the customer follows.
    pub channels: Vec<String>,
    /// Key/value entitlements (seats, feature flags…) the application reads.
    pub entitlements: BTreeMap<String, String>,
    /// When the file was issued.
    pub issued_at: DateTime<Utc>,
    /// When the license ends; `None` for never.
    pub expires_at: Option<DateTime<Utc>>,
}

impl LicenseClaims {
    /// Whether the license has ended at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|end| end <= now)
    }
}

/// A hub's license-signing public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Wraps raw ed25519 public key bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, LicenseFileError> {
        VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| LicenseFileError::BadKey("not a valid ed25519 public key".into()))
    }

    /// Parses the base64 form the portal shows (32 bytes).
    pub fn parse(text: &str) -> Result<Self, LicenseFileError> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|e| LicenseFileError::BadKey(format!("not base64: {e}")))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            LicenseFileError::BadKey(format!("expected 32 bytes, got {}", b.len()))
        })?;
        Self::from_bytes(&bytes)
    }

    /// The base64 form shown in the portal.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.as_bytes())
    }

    /// A short fingerprint: the first 16 hex digits of the key's SHA-256.
    pub fn key_id(&self) -> String {
        hex_prefix(&Sha256::digest(self.0.as_bytes()), 8)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_base64())
    }
}

fn hex_prefix(bytes: &[u8], n: usize) -> String {
    bytes.iter().take(n).map(|b| format!("{b:02x}")).collect()
}

/// Why a license file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LicenseFileError {
    /// The file is not a license file (bad JSON, bad base64, bad claims).
    #[error("not a Consign license file: {0}")]
    Malformed(String),
    /// The file was written by an unknown format version.
    #[error("unknown license file format {0:?}: update the tool that checks it")]
    UnknownFormat(String),
    /// The public key given to check with is unusable.
    #[error("the public key is unusable: {0}")]
    BadKey(String),
    /// The file was signed by another key.
    #[error("signed by key {found}, not by this hub's key {expected}")]
    WrongKey {
        /// The checking key's id.
        expected: String,
        /// The id the file names.
        found: String,
    },
    /// The signature does not match the content: the file was altered or forged.
    #[error("the signature does not match: the file was altered or not issued by this hub")]
    BadSignature,
}

impl LicenseFile {
    /// Reads a license file from its JSON text.
    pub fn parse(text: &str) -> Result<Self, LicenseFileError> {
        serde_json::from_str(text).map_err(|e| LicenseFileError::Malformed(e.to_string()))
    }

    /// Builds a file from claims' JSON bytes and their signature (the hub's signing side).
    pub fn from_signed(key: &PublicKey, payload: &[u8], signature: &[u8; 64]) -> Self {
        Self {
            format: LICENSE_FILE_FORMAT.into(),
            key_id: key.key_id(),
            payload: BASE64.encode(payload),
            signature: BASE64.encode(signature),
        }
    }

    /// Checks the signature with `key` and returns the claims. Expiry is the caller's to
    /// judge ([`LicenseClaims::is_expired`]): an expired license is still authentic.
    pub fn verify(&self, key: &PublicKey) -> Result<LicenseClaims, LicenseFileError> {
        if self.format != LICENSE_FILE_FORMAT {
            return Err(LicenseFileError::UnknownFormat(self.format.clone()));
        }
        if self.key_id != key.key_id() {
            return Err(LicenseFileError::WrongKey {
                expected: key.key_id(),
                found: self.key_id.clone(),
            });
        }
        let payload = BASE64
            .decode(&self.payload)
            .map_err(|e| LicenseFileError::Malformed(format!("payload is not base64: {e}")))?;
        let signature = BASE64
            .decode(&self.signature)
            .map_err(|_| LicenseFileError::BadSignature)?;
        let signature =
            Signature::from_slice(&signature).map_err(|_| LicenseFileError::BadSignature)?;
        key.0
            .verify(&payload, &signature)
            .map_err(|_| LicenseFileError::BadSignature)?;
        serde_json::from_slice(&payload)
            .map_err(|e| LicenseFileError::Malformed(format!("claims: {e}")))
    }
}

/// Serialises a file as pretty JSON (what the hub hands out).
impl fmt::Display for LicenseFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string_pretty(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}
