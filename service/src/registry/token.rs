//! Registry bearer tokens: what `/v2/token` hands a client after checking its credential, for
//! the docker token flow. A token names its principal and expiry and is signed with
//! HMAC-SHA256 under a key kept in the registry's folder; the principal's current rights are
//! checked again on every request, so a token carries no permissions of its own.

use std::path::Path;

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use types::{OrganizationId, UserId};
use uuid::Uuid;

use super::Registry;
use super::access::RegistryPrincipal;
use crate::{Result, accounts, repo, targets};

/// How long a registry token works.
pub const TOKEN_TTL_SECS: i64 = 300;

/// The signing key.
pub(super) struct TokenKey([u8; 32]);

impl TokenKey {
    /// Reads the key at `path`, or makes one there (readable by the hub's user only).
    pub(super) fn load_or_create(path: &Path) -> std::io::Result<Self> {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(bytes) = hex::decode(text.trim())
            && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            return Ok(Self(key));
        }
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(&mut options.open(path)?, hex::encode(key).as_bytes())?;
        Ok(Self(key))
    }

    fn sign(&self, message: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.0, message)
    }
}

/// HMAC-SHA256 (RFC 2104) with a key of at most one block.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut inner_pad = [0x36u8; 64];
    let mut outer_pad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        inner_pad[i] ^= k;
        outer_pad[i] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

#[derive(Serialize, Deserialize)]
struct Claims {
    /// `person` (`sub` is a user) or `agent` (`sub` is a deployment target).
    kind: String,
    sub: Uuid,
    org: OrganizationId,
    exp: i64,
}

impl Registry {
    /// A token for `principal`, and how many seconds it works.
    pub fn issue_token(&self, principal: &RegistryPrincipal, now: DateTime<Utc>) -> (String, i64) {
        let (kind, sub, org) = match principal {
            RegistryPrincipal::Person(a) => ("person", a.user_id.0, a.organization_id),
            RegistryPrincipal::Agent(a) => ("agent", a.target_id.0, a.organization_id),
        };
        let claims = Claims {
            kind: kind.into(),
            sub,
            org,
            exp: now.timestamp() + TOKEN_TTL_SECS,
        };
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        let mac = self.token_key.sign(&payload);
        (
            format!("{}.{}", hex::encode(&payload), hex::encode(mac)),
            TOKEN_TTL_SECS,
        )
    }

    /// The principal behind a token: `None` when it is forged, expired or malformed, when the
    /// person is no longer a member of the organization it names, or when the agent's target
    /// was deleted or lost its credential.
    pub async fn verify_token(
        &self,
        db: &impl ConnectionTrait,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RegistryPrincipal>> {
        let Some((payload, mac)) = token.split_once('.') else {
            return Ok(None);
        };
        let (Ok(payload), Ok(mac)) = (hex::decode(payload), hex::decode(mac)) else {
            return Ok(None);
        };
        let expected = self.token_key.sign(&payload);
        // Compare in constant time, so the signature cannot be guessed byte by byte.
        if mac.len() != expected.len()
            || mac
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                != 0
        {
            return Ok(None);
        }
        let Ok(claims) = serde_json::from_slice::<Claims>(&payload) else {
            return Ok(None);
        };
        if claims.exp <= now.timestamp() {
            return Ok(None);
        }
        match claims.kind.as_str() {
            "person" => Ok(accounts::actor(db, UserId(claims.sub), Some(claims.org))
                .await?
                .filter(|a| a.organization_id == claims.org)
                .map(RegistryPrincipal::Person)),
            "agent" => Ok(repo::targets::find_any(db, claims.sub)
                .await?
                .filter(|t| t.organization_id == claims.org.0 && t.credential_hash.is_some())
                .map(|t| RegistryPrincipal::Agent(targets::agent_principal(&t)))),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_shape() {
        // RFC 4231 test case 2 uses a 4-byte key; padded with zeros it is the same HMAC.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
