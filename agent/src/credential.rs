//! The agent's long-lived credential, stored in its state directory after enrolment.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use secrecy::SecretString;

/// The credential in use, shared by the connection and the updater; replaced when the agent
/// enrols again. `Debug` never shows it.
#[derive(Clone)]
pub struct SharedCredential(Arc<RwLock<SecretString>>);

impl SharedCredential {
    /// Shares `credential`.
    pub fn new(credential: SecretString) -> Self {
        Self(Arc::new(RwLock::new(credential)))
    }

    /// The current credential.
    pub fn get(&self) -> SecretString {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces the credential.
    pub fn set(&self, credential: SecretString) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = credential;
    }
}

impl std::fmt::Debug for SharedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedCredential([redacted])")
    }
}

/// Where the credential lives inside the state directory.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("credential")
}

/// The stored credential, if there is a non-empty one.
pub fn load(state_dir: &Path) -> Option<SecretString> {
    let text = std::fs::read_to_string(path(state_dir)).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| SecretString::from(text.to_string()))
}

/// Stores the credential with mode 0600, atomically: a crash leaves the old file or the new
/// one, never half of one.
pub fn store(state_dir: &Path, credential: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    write_private(&path(state_dir), credential.as_bytes())
}

/// Writes `bytes` to `path` through a temporary file created with mode 0600, then renames it.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_stored_credential_is_private_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).is_none());
        store(dir.path(), "cred-1").unwrap();
        store(dir.path(), "cred-2").unwrap();
        let mode = std::fs::metadata(path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load(dir.path()).unwrap().expose_secret(), "cred-2");
    }
}
