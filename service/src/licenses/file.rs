//! The hub's license-signing key and the signed license files made with it.
//!
//! The key lives in a file under the data directory (created on first start, mode 0600), like
//! an SSH host key: the vendor publishes the public half to their applications, so it must not
//! change between restarts. Several hub replicas share it by sharing the file.

use crate::Services;
use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use types::LicenseId;
use types::license_file::{LicenseClaims, LicenseFile, PublicKey};

use super::get;
use crate::auth::Actor;
use crate::{Error, Result, repo};
use types::LicenseStanding;

/// Signs license files with the hub's ed25519 key.
pub struct LicenseSigner {
    key: SigningKey,
}

impl std::fmt::Debug for LicenseSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private half.
        write!(f, "LicenseSigner({})", self.public_key().key_id())
    }
}

/// Why the signing key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// Reading or writing the key file failed.
    #[error("license signing key {path}: {source}")]
    Io {
        /// The key file.
        path: String,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// The key file does not hold a key.
    #[error(
        "license signing key {path} is not 32 bytes of key material: restore it from backup, or delete it to make a new key (existing license files then stop verifying)"
    )]
    Corrupt {
        /// The key file.
        path: String,
    },
}

impl LicenseSigner {
    /// Loads the key from `path`, or creates one there (0600) when the file does not exist.
    pub fn load_or_create(path: &Path) -> std::result::Result<Self, SignerError> {
        let io = |source| SignerError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let bytes: [u8; 32] = bytes.try_into().map_err(|_| SignerError::Corrupt {
                    path: path.display().to_string(),
                })?;
                Ok(Self {
                    key: SigningKey::from_bytes(&bytes),
                })
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let signer = Self::generate();
                write_private(path, signer.key.as_bytes()).map_err(io)?;
                Ok(signer)
            }
            Err(err) => Err(io(err)),
        }
    }

    /// A fresh key kept in memory only (tests and tools).
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        Self {
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// The public half, to verify files with.
    pub fn public_key(&self) -> PublicKey {
        // The bytes of a valid verifying key are always accepted back.
        PublicKey::from_bytes(self.key.verifying_key().as_bytes())
            .unwrap_or_else(|_| unreachable!("a dalek verifying key is valid"))
    }

    /// Signs claims into a license file.
    pub fn sign(&self, claims: &LicenseClaims) -> LicenseFile {
        // Serialising plain data with string keys cannot fail.
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let signature = self.key.sign(&payload);
        LicenseFile::from_signed(&self.public_key(), &payload, &signature.to_bytes())
    }
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The signed license file of a license the actor may see. A revoked license gets none.
pub async fn signed_file(
    services: &Services,
    signer: &LicenseSigner,
    actor: &Actor,
    id: LicenseId,
    now: DateTime<Utc>,
) -> Result<LicenseFile> {
    let license = get(services, actor, id).await?;
    if license.standing(now) == LicenseStanding::Revoked {
        return Err(Error::NotLicensed(format!(
            "license \"{}\" was revoked, so it has no license file",
            license.name
        )));
    }
    let org = actor.organization_id.0;
    let vendor = repo::organizations::find_by_id(&services.db, org)
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })?;
    let customer = repo::customers::find(&services.db, org, license.customer_organization_id.0)
        .await?
        .ok_or(Error::NotFound { what: "customer" })?;
    let application = repo::applications::find(&services.db, org, license.application_id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "application",
        })?;
    let versions = match &license.versions {
        None => None,
        Some(ids) => {
            let all = repo::versions::list(&services.db, application.id).await?;
            Some(
                all.into_iter()
                    .filter(|v| ids.iter().any(|id| id.0 == v.id))
                    .map(|v| v.name)
                    .collect(),
            )
        }
    };
    Ok(signer.sign(&LicenseClaims {
        license_id: license.id,
        name: license.name,
        organization_id: actor.organization_id,
        organization_name: vendor.name,
        customer_organization_id: license.customer_organization_id,
        customer_organization_name: customer.name,
        application_id: license.application_id,
        application_name: application.name,
        versions,
        channels: license.channels.iter().map(|c| c.to_string()).collect(),
        entitlements: license
            .entitlements
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        issued_at: now,
        expires_at: license.expires_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_and_reloaded() {
        let dir = tempfile_dir();
        let path = dir.join("license-signing.key");
        let first = LicenseSigner::load_or_create(&path).unwrap();
        let again = LicenseSigner::load_or_create(&path).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").unwrap();
        assert!(matches!(
            LicenseSigner::load_or_create(&path),
            Err(SignerError::Corrupt { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_debug_form_never_shows_the_private_key() {
        let signer = LicenseSigner::generate();
        let shown = format!("{signer:?}");
        assert!(shown.contains(&signer.public_key().key_id()));
        assert!(!shown.contains(&hex::encode(signer.key.as_bytes())));
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("consign-signer-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
