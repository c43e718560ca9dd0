//! Content digests: `sha256:` and 64 lower-case hex digits, the only algorithm the hub stores.

use std::fmt;

use sha2::{Digest as _, Sha256};

use super::RegistryCode;
use crate::{Error, Result};

/// A validated `sha256:<64 hex>` digest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Parses a digest; anything but well-formed sha256 is `DIGEST_INVALID` (or `UNSUPPORTED`
    /// for another well-formed algorithm), naming what was wrong.
    pub fn parse(text: &str) -> Result<Self> {
        let Some((algorithm, hex)) = text.split_once(':') else {
            return Err(Error::registry(
                RegistryCode::DigestInvalid,
                format!("digest {text:?} is not of the form sha256:<64 hex digits>"),
            ));
        };
        if algorithm != "sha256" {
            return Err(Error::registry(
                RegistryCode::DigestInvalid,
                format!("digest algorithm {algorithm:?} is not supported: use sha256"),
            ));
        }
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(Error::registry(
                RegistryCode::DigestInvalid,
                format!("digest {text:?} must have 64 lower-case hex digits after sha256:"),
            ));
        }
        Ok(Self(text.to_string()))
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self::from_hasher(Sha256::new_with_prefix(bytes))
    }

    /// The digest a finished hasher computed.
    pub fn from_hasher(hasher: Sha256) -> Self {
        Self(format!("sha256:{}", hex::encode(hasher.finalize())))
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// The whole digest, `sha256:…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_sha256_digests_parse() {
        let good = format!("sha256:{}", "a".repeat(64));
        assert_eq!(Digest::parse(&good).unwrap().hex(), "a".repeat(64));
        for bad in [
            "",
            "sha256:",
            "sha256:abc",
            &format!("sha256:{}", "A".repeat(64)),
            &format!("sha512:{}", "a".repeat(128)),
            &"a".repeat(64),
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_digest_of_empty_content_is_the_well_known_one() {
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
