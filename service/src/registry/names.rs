//! Repository names (`<vendor-slug>/<artifact>`) and tags, with the spec's grammar.

use std::fmt;

use super::RegistryCode;
use crate::{Error, Result};

/// The longest repository name accepted, in bytes (the spec asks registries to take 255).
pub const MAX_NAME_LEN: usize = 255;

/// A validated repository name: the vendor's slug, then the artifact's own path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepositoryName {
    namespace: String,
    artifact: String,
}

impl RepositoryName {
    /// Parses `namespace/artifact[/more]`; each component must match
    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |why: &str| {
            Error::registry(
                RegistryCode::NameInvalid,
                format!("repository name {text:?} {why}"),
            )
        };
        if text.len() > MAX_NAME_LEN {
            return Err(invalid("is longer than 255 characters"));
        }
        let Some((namespace, artifact)) = text.split_once('/') else {
            return Err(invalid(
                "must be <vendor-slug>/<artifact>, such as acme/app",
            ));
        };
        if !text.split('/').all(is_component) {
            return Err(invalid(
                "must be lower-case letters and digits, separated by '.', '_', '__', '-' or '/'",
            ));
        }
        Ok(Self {
            namespace: namespace.to_string(),
            artifact: artifact.to_string(),
        })
    }

    /// From a namespace and an artifact name already known to be valid.
    pub fn from_parts(namespace: &str, artifact: &str) -> Self {
        Self {
            namespace: namespace.to_string(),
            artifact: artifact.to_string(),
        }
    }

    /// The vendor's slug.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The artifact's name inside the namespace.
    pub fn artifact(&self) -> &str {
        &self.artifact
    }
}

impl fmt::Display for RepositoryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.artifact)
    }
}

/// Whether `path` is a repository path as the spec's grammar has it: components separated by
/// `/`, each lower-case letters and digits joined by `.`, `_`, `__` or runs of `-`, at most
/// [`MAX_NAME_LEN`] bytes in all (an artifact's name under its namespace, or a repository of
/// another registry).
pub fn is_repository_path(path: &str) -> bool {
    path.len() <= MAX_NAME_LEN && path.split('/').all(is_component)
}

fn is_component(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    // Separators: '.', '_', '__' or any run of '-', always between alphanumerics.
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &part[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// Whether `tag` matches `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
pub fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b))
}

/// A manifest reference: a tag or a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// A tag.
    Tag(String),
    /// A digest.
    Digest(super::Digest),
}

impl Reference {
    /// Parses a tag or a digest (`MANIFEST_UNKNOWN`-free: bad shapes are `DIGEST_INVALID` or
    /// `TAG_INVALID`, naming the reference; a reader answers a malformed tag as unknown, since
    /// no such tag can exist).
    pub fn parse(text: &str) -> Result<Self> {
        if text.contains(':') {
            return super::Digest::parse(text).map(Self::Digest);
        }
        if is_tag(text) {
            Ok(Self::Tag(text.to_string()))
        } else {
            Err(Error::registry(
                RegistryCode::TagInvalid,
                format!(
                    "reference {text:?} is neither a tag ([A-Za-z0-9_][A-Za-z0-9._-], at most 128 characters) nor a digest"
                ),
            ))
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tag(t) => f.write_str(t),
            Self::Digest(d) => d.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_need_a_namespace_and_follow_the_spec_grammar() {
        let name = RepositoryName::parse("acme/charts/app-1.x").unwrap();
        assert_eq!(name.namespace(), "acme");
        assert_eq!(name.artifact(), "charts/app-1.x");
        for good in ["acme/a__b", "acme/a---b", "ac-me/x.y_z"] {
            assert!(RepositoryName::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "app",
            "Acme/app",
            "acme//app",
            "acme/app/",
            "acme/-app",
            "acme/a___b",
            "acme/a..b",
        ] {
            assert!(RepositoryName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_follow_the_spec_grammar() {
        assert!(is_tag("1.0.0-rc_1"));
        assert!(is_tag("_x"));
        assert!(!is_tag("-x"));
        assert!(!is_tag(".x"));
        assert!(!is_tag(&"a".repeat(129)));
        assert!(is_tag(&"a".repeat(128)));
    }
}
