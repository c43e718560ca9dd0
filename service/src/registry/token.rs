//! Registry bearer tokens: what `/v2/token` hands a client after checking its credential, for
//! the docker token flow. A token names its principal and expiry and is signed with
//! HMAC-SHA256 under a key kept in the registry's folder; the principal's current rights are
//! checked again on every request, so a token carries no permissions of its own. It also names
//! the credential it was obtained with (the personal access token, or a fingerprint of the
//! agent's credential), and that credential is checked on every request too: revoking it, or
//! removing its owner, ends the token at once rather than when it expires.

use std::path::Path;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use types::{OrganizationId, UserId};
use uuid::Uuid;

use super::Registry;
use super::access::RegistryPrincipal;
use crate::access_tokens::{self, AccessTokenId};
use crate::{Result, repo, targets, tokens};

/// How long a registry token works.
pub const TOKEN_TTL_SECS: i64 = 300;

/// The signing key, ready to sign: HMAC-SHA256 keyed with the 32 bytes in `token.key`.
pub(super) struct TokenKey(HmacSha256);

impl TokenKey {
    /// Reads the key at `path`, or makes one there (readable by the hub's user only).
    pub(super) fn load_or_create(path: &Path) -> std::io::Result<Self> {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(bytes) = hex::decode(text.trim())
            && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            return Self::new(&key);
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
        Self::new(&key)
    }

    fn new(key: &[u8; 32]) -> std::io::Result<Self> {
        // HMAC takes keys of any length; the error exists for fixed-size MACs.
        HmacSha256::new_from_slice(key).map(Self).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the registry token key cannot key HMAC-SHA256",
            )
        })
    }

    /// The MAC of `message`, as raw bytes.
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `signature` is the MAC of `message`, compared in constant time so that it
    /// cannot be guessed byte by byte.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    }
}

type HmacSha256 = Hmac<Sha256>;

#[derive(Serialize, Deserialize)]
struct Claims {
    /// `person` (`sub` is a user) or `agent` (`sub` is a deployment target).
    kind: String,
    sub: Uuid,
    org: OrganizationId,
    exp: i64,
    /// The credential the token was obtained with: the access token's id for `person`, a
    /// fingerprint of the credential's hash for `agent`. Tokens from before it existed fail
    /// to parse, and the client simply asks for a new one.
    src: String,
}

/// How many hex digits of an agent credential's hash a token carries: enough to tell a
/// re-enrolled agent's new credential from the old one, too few to matter if a token leaks.
const FINGERPRINT_HEX: usize = 16;

fn fingerprint(credential_hash: &str) -> String {
    credential_hash.chars().take(FINGERPRINT_HEX).collect()
}

impl Registry {
    /// Checks `secret` (a personal access token, or a deployment agent's credential) and
    /// issues a registry token for whom it names, bound to it; also how many seconds the token
    /// works. `None` when the secret is not valid.
    pub async fn token_for_secret(
        &self,
        services: &crate::Services,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, i64)>> {
        let claims = if targets::is_agent_credential(secret) {
            let hash = tokens::hash(secret);
            repo::targets::find_by_credential(&services.db, &hash)
                .await?
                .map(|t| Claims {
                    kind: "agent".into(),
                    sub: t.id,
                    org: t.organization_id.into(),
                    exp: now.timestamp() + TOKEN_TTL_SECS,
                    src: fingerprint(&hash),
                })
        } else {
            access_tokens::authenticate_with_id(services, secret)
                .await?
                .map(|(id, actor)| Claims {
                    kind: "person".into(),
                    sub: actor.user_id.0,
                    org: actor.organization_id,
                    exp: now.timestamp() + TOKEN_TTL_SECS,
                    src: id.to_string(),
                })
        };
        Ok(claims.map(|claims| (self.sign_claims(&claims), TOKEN_TTL_SECS)))
    }

    fn sign_claims(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let mac = self.token_key.sign(&payload);
        format!("{}.{}", hex::encode(&payload), hex::encode(mac))
    }

    /// The principal behind a token: `None` when it is forged, expired or malformed, when the
    /// access token it came from was revoked or expired or its owner is no longer a member of
    /// the organization it names, or when the agent's target was deleted or its credential
    /// replaced.
    pub async fn verify_token(
        &self,
        services: &crate::Services,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RegistryPrincipal>> {
        let Some((payload, mac)) = token.split_once('.') else {
            return Ok(None);
        };
        let (Ok(payload), Ok(mac)) = (hex::decode(payload), hex::decode(mac)) else {
            return Ok(None);
        };
        if !self.token_key.verify(&payload, &mac) {
            return Ok(None);
        }
        let Ok(claims) = serde_json::from_slice::<Claims>(&payload) else {
            return Ok(None);
        };
        if claims.exp <= now.timestamp() {
            return Ok(None);
        }
        match claims.kind.as_str() {
            "person" => {
                let Ok(source) = claims.src.parse::<AccessTokenId>() else {
                    return Ok(None);
                };
                Ok(access_tokens::actor_of(services, source, now)
                    .await?
                    .filter(|a| a.user_id == UserId(claims.sub) && a.organization_id == claims.org)
                    .map(RegistryPrincipal::Person))
            }
            "agent" => Ok(repo::targets::find_any(&services.db, claims.sub)
                .await?
                .filter(|t| {
                    t.organization_id == claims.org.0
                        && claims.src.len() == FINGERPRINT_HEX
                        && t.credential_hash
                            .as_deref()
                            .is_some_and(|h| fingerprint(h) == claims.src)
                })
                .map(|t| RegistryPrincipal::Agent(targets::agent_principal(&t)))),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_is_hmac_sha256_as_rfc_4231_gives_it() {
        // RFC 4231 test case 2 uses a 4-byte key; padded with zeros to a block it is the same
        // HMAC, and the hub's keys are 32 bytes.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let key = TokenKey::new(&key).unwrap();
        let message = b"what do ya want for nothing?";
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(hex::encode(key.sign(message)), expected);
        assert!(key.verify(message, &hex::decode(expected).unwrap()));
    }

    #[test]
    fn a_changed_short_or_long_signature_does_not_verify() {
        let key = TokenKey::new(&[7; 32]).unwrap();
        let signature = key.sign(b"payload");
        let mut changed = signature.clone();
        changed[31] ^= 1;
        for bad in [
            changed,
            signature[..16].to_vec(),
            [signature.as_slice(), &[0]].concat(),
            Vec::new(),
        ] {
            assert!(!key.verify(b"payload", &bad), "{}", hex::encode(&bad));
        }
        assert!(!key.verify(b"other payload", &signature));
    }
}
