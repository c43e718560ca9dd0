//! Secrets: key/values of the vendor's own scope or of one customer's, encrypted at rest with
//! ChaCha20-Poly1305 under the hub's secrets key, rendered into env files as
//! `{{ secrets.NAME }}` when the hub sends a desired state, never shown back to a browser.

use crate::Services;
use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::CustomerOrganizationId;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::secret as row;
use crate::{Error, Result, repo};

/// The longest secret value accepted.
const MAX_VALUE: usize = 64 * 1024;

/// What a masked secret looks like in logs.
pub const MASK: &str = "********";

/// The hub's key for secrets at rest.
pub struct SecretKey {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Why the secrets key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    /// Reading or writing the key file failed.
    #[error("secrets key {path}: {source}")]
    Io {
        /// The key file.
        path: String,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// The key file does not hold a key.
    #[error(
        "secrets key {path} is not 32 bytes of key material: restore it from backup (without it the stored secrets cannot be read)"
    )]
    Corrupt {
        /// The key file.
        path: String,
    },
}

impl SecretKey {
    /// Loads the key from `path`, or creates one there (0600) when the file does not exist.
    pub fn load_or_create(path: &Path) -> std::result::Result<Self, SecretKeyError> {
        let shown = || path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                let bytes: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| SecretKeyError::Corrupt { path: shown() })?;
                Ok(Self::from_bytes(&bytes))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = ChaCha20Poly1305::generate_key(&mut OsRng);
                crate::licenses::write_private(path, key.as_slice()).map_err(|source| {
                    SecretKeyError::Io {
                        path: shown(),
                        source,
                    }
                })?;
                Ok(Self::from_bytes(&key.into()))
            }
            Err(source) => Err(SecretKeyError::Io {
                path: shown(),
                source,
            }),
        }
    }

    /// A fresh key kept in memory only (tests and tools).
    pub fn generate() -> Self {
        Self::from_bytes(&ChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(bytes)),
        }
    }

    /// Encrypts `plain` under a fresh random nonce: base64(nonce ‖ ciphertext).
    pub fn seal(&self, plain: &str) -> Result<String> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| Error::invalid("value", "cannot be encrypted"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(BASE64.encode(out))
    }

    /// Decrypts what [`SecretKey::seal`] produced; a wrong key or tampered text is an error.
    pub fn open(&self, sealed: &str) -> Result<String> {
        let corrupt = || {
            Error::Database(sea_orm::DbErr::Custom(
                "a stored secret cannot be decrypted with this hub's secrets key".into(),
            ))
        };
        let bytes = BASE64.decode(sealed).map_err(|_| corrupt())?;
        if bytes.len() < 12 {
            return Err(corrupt());
        }
        let (nonce, text) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), text)
            .map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }
}

/// Whose secrets: the vendor's own, or one customer's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretScope {
    /// The vendor's own scope (used by vendor-managed targets).
    Vendor,
    /// One customer's scope (used by that customer's targets).
    Customer(CustomerOrganizationId),
}

impl SecretScope {
    fn stored(self) -> String {
        match self {
            SecretScope::Vendor => "vendor".into(),
            SecretScope::Customer(id) => id.0.to_string(),
        }
    }

    fn customer(self) -> Option<Uuid> {
        match self {
            SecretScope::Vendor => None,
            SecretScope::Customer(id) => Some(id.0),
        }
    }
}

/// A secret as the service hands it out: never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInfo {
    /// Its id.
    pub id: Uuid,
    /// Its key.
    pub key: String,
    /// The customer whose scope holds it; `None` for the vendor's.
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// When it was last set.
    pub updated_at: DateTime<Utc>,
}

impl From<row::Model> for SecretInfo {
    fn from(r: row::Model) -> Self {
        Self {
            id: r.id,
            key: r.key,
            customer_organization_id: r.customer_organization_id.map(Into::into),
            updated_at: r.updated_at,
        }
    }
}

/// Whether `key` may name a secret: `^[A-Za-z_][A-Za-z0-9_]*$`, at most 100 characters.
pub fn is_valid_key(key: &str) -> bool {
    key.len() <= 100
        && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks that the actor may read (`write` false) or change (`write` true) `scope`: vendor
/// members read every scope, vendor writers change every scope, customer members read and
/// (with write rights) change only their own. Another tenant's scope is not found.
async fn authorize(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: SecretScope,
    write: bool,
) -> Result<()> {
    match (scope, actor.customer_organization_id) {
        (SecretScope::Vendor, Some(_)) => Err(Error::NotFound {
            what: "secret scope",
        }),
        (SecretScope::Customer(customer), Some(own)) if customer != own => Err(Error::NotFound {
            what: "secret scope",
        }),
        (SecretScope::Customer(customer), None) => {
            repo::customers::find(db, actor.organization_id.0, customer.0)
                .await?
                .ok_or(Error::NotFound { what: "customer" })?;
            if write {
                actor.require_vendor_write("manage secrets")?;
            }
            Ok(())
        }
        _ if write && !actor.role.can_write() => Err(Error::Forbidden {
            action: "manage secrets",
        }),
        _ => Ok(()),
    }
}

/// Sets (creates or replaces) a secret.
pub async fn set(
    services: &Services,
    key: &SecretKey,
    actor: &Actor,
    scope: SecretScope,
    name: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<SecretInfo> {
    authorize(&services.db, actor, scope, true).await?;
    let name = name.trim();
    if !is_valid_key(name) {
        return Err(Error::invalid(
            "key",
            "use letters, digits and _, not starting with a digit, at most 100 characters",
        ));
    }
    if value.is_empty() || value.len() > MAX_VALUE {
        return Err(Error::invalid("value", "give a value of 1 byte to 64 KiB"));
    }
    let saved = repo::secrets::upsert(
        &services.db,
        row::Model {
            id: Uuid::new_v4(),
            organization_id: actor.organization_id.0,
            customer_organization_id: scope.customer(),
            scope: scope.stored(),
            key: name.to_string(),
            sealed_value: key.seal(value)?,
            updated_at: now,
        },
    )
    .await?;
    Ok(saved.into())
}

/// The secrets of a scope, without their values.
pub async fn list(
    services: &Services,
    actor: &Actor,
    scope: SecretScope,
) -> Result<Vec<SecretInfo>> {
    authorize(&services.db, actor, scope, false).await?;
    Ok(
        repo::secrets::list(&services.db, actor.organization_id.0, &scope.stored())
            .await?
            .into_iter()
            .map(SecretInfo::from)
            .collect(),
    )
}

/// Deletes a secret.
pub async fn delete(services: &Services, actor: &Actor, id: Uuid) -> Result<()> {
    let found = repo::secrets::find(&services.db, actor.organization_id.0, id)
        .await?
        .ok_or(Error::NotFound { what: "secret" })?;
    let scope = match found.customer_organization_id {
        Some(customer) => SecretScope::Customer(customer.into()),
        None => SecretScope::Vendor,
    };
    authorize(&services.db, actor, scope, true)
        .await
        .map_err(|err| match err {
            Error::NotFound { .. } => Error::NotFound { what: "secret" },
            other => other,
        })?;
    repo::secrets::delete(&services.db, id).await
}

/// The decrypted secrets of a scope, by key (for rendering a desired state; never for a
/// browser).
pub(crate) async fn values(
    db: &impl ConnectionTrait,
    key: &SecretKey,
    organization_id: Uuid,
    scope: SecretScope,
) -> Result<BTreeMap<String, String>> {
    repo::secrets::list(db, organization_id, &scope.stored())
        .await?
        .into_iter()
        .map(|r| Ok((r.key, key.open(&r.sealed_value)?)))
        .collect()
}

/// Replaces every secret value (of 4 characters or more) in `text` with [`MASK`].
pub fn mask<'a>(text: &str, values: impl IntoIterator<Item = &'a String>) -> String {
    let mut out = text.to_string();
    for value in values {
        if value.chars().count() >= 4 {
            out = out.replace(value.as_str(), MASK);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_same_key_only() {
        let key = SecretKey::generate();
        let sealed = key.seal("hunter2-long").unwrap_or_default();
        assert!(!sealed.contains("hunter2"));
        assert_eq!(key.open(&sealed).ok().as_deref(), Some("hunter2-long"));
        assert_ne!(key.seal("hunter2-long").unwrap_or_default(), sealed);
        assert!(SecretKey::generate().open(&sealed).is_err());
        assert!(key.open("not base64!").is_err());
    }

    #[test]
    fn keys_follow_the_env_name_rule() {
        for good in ["DB_PASSWORD", "_x", "a1"] {
            assert!(is_valid_key(good), "{good}");
        }
        for bad in ["", "1A", "A-B", "A B", "ä"] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn masking_hides_long_values_and_keeps_short_ones() {
        let values = ["s3cret-pw".to_string(), "ab".to_string()];
        assert_eq!(
            mask("pw=s3cret-pw ab", values.iter()),
            format!("pw={MASK} ab")
        );
    }

    #[test]
    fn a_key_file_is_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("consign-secrets-{}", Uuid::new_v4()));
        let path = dir.join("secrets.key");
        let first = SecretKey::load_or_create(&path).ok();
        let sealed = first
            .as_ref()
            .and_then(|k| k.seal("value-1").ok())
            .unwrap_or_default();
        let again = SecretKey::load_or_create(&path).ok();
        assert_eq!(
            again.and_then(|k| k.open(&sealed).ok()).as_deref(),
            Some("value-1")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .ok();
            assert_eq!(mode, Some(0o600));
        }
        std::fs::write(&path, b"short").ok();
        assert!(SecretKey::load_or_create(&path).is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
