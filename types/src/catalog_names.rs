//! Validated names of the catalogue: applications, versions, release channels and license
//! entitlements.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::names::NameError;

string_newtype!(
    /// An application's name, trimmed, 1 to 100 characters, no control characters.
    ApplicationName,
    parse_application_name
);
string_newtype!(
    /// A version's name such as `1.4.2` or `2026.11-rc1`: 1 to 64 characters, no white space
    /// or control characters (it appears in file names, tags and URLs).
    VersionName,
    parse_version_name
);
string_newtype!(
    /// A release channel such as `stable` or `beta`: 1 to 32 lower-case letters, digits or
    /// hyphens, starting with a letter.
    ChannelName,
    parse_channel_name
);
string_newtype!(
    /// The key of a license entitlement such as `seats` or `feature.sso`: 1 to 64 letters,
    /// digits, `_`, `-` or `.`, starting with a letter.
    EntitlementKey,
    parse_entitlement_key
);

impl ChannelName {
    /// The channel a version goes to when none is named.
    pub fn stable() -> Self {
        Self("stable".into())
    }
}

fn parse_application_name(value: String) -> Result<String, NameError> {
    crate::names::parse_display_name(value, "name", 100)
}

fn parse_version_name(value: String) -> Result<String, NameError> {
    const FIELD: &str = "name";
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(NameError::Empty { field: FIELD });
    }
    if value.chars().count() > 64 {
        return Err(NameError::TooLong {
            field: FIELD,
            max: 64,
        });
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(NameError::Invalid {
            field: FIELD,
            rule: "must not contain spaces, slashes or control characters (for example 1.4.2)",
        });
    }
    Ok(value)
}

fn parse_channel_name(value: String) -> Result<String, NameError> {
    const FIELD: &str = "channel";
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(NameError::Empty { field: FIELD });
    }
    if value.len() > 32 {
        return Err(NameError::TooLong {
            field: FIELD,
            max: 32,
        });
    }
    let well_formed = value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Err(NameError::Invalid {
            field: FIELD,
            rule: "must be lower-case letters, digits or hyphens, starting with a letter (for example stable)",
        });
    }
    Ok(value)
}

fn parse_entitlement_key(value: String) -> Result<String, NameError> {
    const FIELD: &str = "entitlements";
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(NameError::Empty { field: FIELD });
    }
    if value.len() > 64 {
        return Err(NameError::TooLong {
            field: FIELD,
            max: 64,
        });
    }
    let well_formed = value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !well_formed {
        return Err(NameError::Invalid {
            field: FIELD,
            rule: "keys must be letters, digits, '_', '-' or '.', starting with a letter (for example seats)",
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_refuse_spaces_and_slashes() {
        assert_eq!(VersionName::parse(" 1.4.2 ").unwrap().as_str(), "1.4.2");
        for bad in ["", "1 .0", "a/b", &"1".repeat(65)] {
            let err = VersionName::parse(bad).unwrap_err();
            assert!(err.to_string().starts_with("name"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn channels_are_lower_case_words() {
        assert_eq!(ChannelName::parse("beta-2").unwrap().as_str(), "beta-2");
        for bad in ["", "Beta", "2beta", "be ta", &"a".repeat(33)] {
            let err = ChannelName::parse(bad).unwrap_err();
            assert!(err.to_string().starts_with("channel"), "{bad:?}: {err}");
        }
        assert_eq!(ChannelName::stable().as_str(), "stable");
    }

    #[test]
    fn entitlement_keys_name_the_entitlements_field() {
        assert!(EntitlementKey::parse("feature.sso").is_ok());
        for bad in ["", "1seats", "se ats", "seats!"] {
            let err = EntitlementKey::parse(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("entitlements"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn application_names_are_trimmed() {
        assert_eq!(ApplicationName::parse(" Shop ").unwrap().as_str(), "Shop");
        assert!(ApplicationName::parse("  ").is_err());
    }
}
