//! What a member of an organization may do.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A member's role in a vendor or customer organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing users and settings.
    Admin,
    /// Create and change resources, but not users or settings.
    ReadWrite,
    /// See, never change.
    ReadOnly,
}

impl Role {
    /// The stable name stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReadWrite => "read_write",
            Role::ReadOnly => "read_only",
        }
    }

    /// Whether this role may create and change resources.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Admin | Role::ReadWrite)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "read_write" => Ok(Role::ReadWrite),
            "read_only" => Ok(Role::ReadOnly),
            other => Err(format!(
                "unknown role {other:?}: use admin, read_write or read_only"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stable_names() {
        for role in [Role::Admin, Role::ReadWrite, Role::ReadOnly] {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
        }
        assert!("owner".parse::<Role>().unwrap_err().contains("owner"));
    }
}
