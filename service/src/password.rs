//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane,
//! the OWASP recommendation). Hashing runs on the blocking pool so it never stalls the server.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;

use crate::{Error, Result};
use types::NameError;

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest password accepted (bounds hashing work per request).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Checks a new password's length; says what is wrong.
pub fn validate(password: &str) -> Result<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(NameError::TooShort {
            field: "password",
            min: MIN_PASSWORD_LEN,
        }
        .into());
    }
    if len > MAX_PASSWORD_LEN {
        return Err(NameError::TooLong {
            field: "password",
            max: MAX_PASSWORD_LEN,
        }
        .into());
    }
    Ok(())
}

/// Hashes `password` into a PHC string with a fresh random salt.
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| Error::PasswordHash(e.to_string()))?
}

/// Verifies `password` against a stored PHC string. A missing account is checked against a
/// fixed dummy hash (`phc = None`) so that it costs the same time as a wrong password.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let phc = phc.as_deref().unwrap_or(DUMMY_HASH.as_str());
        let parsed = PasswordHash::new(phc).map_err(|e| Error::PasswordHash(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| Error::PasswordHash(e.to_string()))?
}

fn hash_blocking(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::PasswordHash(e.to_string()))
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_blocking("consign-dummy-password").unwrap_or_else(|_| String::from("$argon2id$invalid"))
});

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(
            verify("correct horse battery".into(), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery".into(), Some(phc))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_missing_account_never_verifies() {
        assert!(
            !verify("consign-dummy-passwordX".into(), None)
                .await
                .unwrap()
        );
    }

    #[test]
    fn short_and_huge_passwords_are_refused_with_the_limit() {
        assert!(
            validate("short")
                .unwrap_err()
                .to_string()
                .contains("at least 10")
        );
        assert!(
            validate(&"x".repeat(300))
                .unwrap_err()
                .to_string()
                .contains("at most 256")
        );
        assert!(validate("long enough now").is_ok());
    }
}
