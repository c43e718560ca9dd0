//! Validated strings: once a value has one of these types it is known to be well-formed, so
//! every boundary (form, REST body, database row) validates by parsing.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string was refused; the message names the field and what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum NameError {
    /// The value is empty or only white space.
    #[error("{field} must not be empty")]
    Empty {
        /// The field that was empty.
        field: &'static str,
    },
    /// The value is longer than allowed.
    #[error("{field} must be at most {max} characters long")]
    TooLong {
        /// The field that was too long.
        field: &'static str,
        /// The maximum length in characters.
        max: usize,
    },
    /// The value is shorter than allowed.
    #[error("{field} must be at least {min} characters long")]
    TooShort {
        /// The field that was too short.
        field: &'static str,
        /// The minimum length in characters.
        min: usize,
    },
    /// The value contains characters that are not allowed here.
    #[error("{field} {rule}")]
    Invalid {
        /// The field that was malformed.
        field: &'static str,
        /// What the value must look like.
        rule: &'static str,
    },
}

/// Declares a validated string newtype with serde, `Display` and `TryFrom<String>`.
macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $parse:path) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses and normalises the value, or says what is wrong with it.
            pub fn parse(value: impl Into<String>) -> Result<Self, NameError> {
                $parse(value.into()).map(Self)
            }

            /// The validated value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = NameError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype!(
    /// A URL- and registry-safe identifier: lower-case letters, digits and single hyphens,
    /// 2 to 40 characters, starting with a letter. Used in paths such as `<vendor-slug>/<artifact>`.
    Slug,
    parse_slug
);
string_newtype!(
    /// A human-readable organization name, trimmed, 1 to 100 characters, no control characters.
    OrganizationName,
    parse_organization_name
);
string_newtype!(
    /// An email address, trimmed and lower-cased; one `@` with a dotted domain after it.
    Email,
    parse_email
);

fn parse_slug(value: String) -> Result<String, NameError> {
    const FIELD: &str = "slug";
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(NameError::Empty { field: FIELD });
    }
    if value.chars().count() > 40 {
        return Err(NameError::TooLong {
            field: FIELD,
            max: 40,
        });
    }
    let well_formed = value.len() >= 2
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && !value.ends_with('-')
        && !value.contains("--")
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Err(NameError::Invalid {
            field: FIELD,
            rule: "must be 2 or more lower-case letters, digits or single hyphens, starting with a letter",
        });
    }
    Ok(value)
}

fn parse_organization_name(value: String) -> Result<String, NameError> {
    parse_display_name(value, "name", 100)
}

/// A trimmed human-readable name of 1 to `max` characters without control characters.
pub(crate) fn parse_display_name(
    value: String,
    field: &'static str,
    max: usize,
) -> Result<String, NameError> {
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(NameError::Empty { field });
    }
    if value.chars().count() > max {
        return Err(NameError::TooLong { field, max });
    }
    if value.chars().any(char::is_control) {
        return Err(NameError::Invalid {
            field,
            rule: "must not contain control characters",
        });
    }
    Ok(value)
}

fn parse_email(value: String) -> Result<String, NameError> {
    const FIELD: &str = "email";
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return Err(NameError::Empty { field: FIELD });
    }
    if value.len() > 254 {
        return Err(NameError::TooLong {
            field: FIELD,
            max: 254,
        });
    }
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        return Err(NameError::Invalid {
            field: FIELD,
            rule: "must look like name@example.com",
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_the_documented_shape() {
        assert_eq!(Slug::parse(" acme-corp2 ").unwrap().as_str(), "acme-corp2");
    }

    #[test]
    fn slugs_refuse_each_malformed_shape_with_a_reason() {
        for bad in [
            "",
            "a",
            "Acme",
            "1acme",
            "acme-",
            "ac--me",
            "ac_me",
            &"a".repeat(41),
        ] {
            let err = Slug::parse(bad).unwrap_err();
            assert!(err.to_string().starts_with("slug"), "{bad:?} gave {err}");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ops@Example.COM ").unwrap().as_str(),
            "ops@example.com"
        );
        for bad in [
            "",
            "ops",
            "ops@",
            "@example.com",
            "ops@example",
            "o ps@example.com",
            "a@b@c.d",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn organization_names_are_trimmed_and_bounded() {
        assert_eq!(
            OrganizationName::parse("  Acme  ").unwrap().as_str(),
            "Acme"
        );
        assert_eq!(
            OrganizationName::parse("x".repeat(101)).unwrap_err(),
            NameError::TooLong {
                field: "name",
                max: 100
            }
        );
    }

    #[test]
    fn deserializing_validates_too() {
        let err = serde_json::from_str::<Slug>("\"Not A Slug\"").unwrap_err();
        assert!(err.to_string().contains("slug"), "{err}");
    }
}
