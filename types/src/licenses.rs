//! What the portals, the REST API and the service say about a license beyond its ids.

use serde::{Deserialize, Serialize};

/// Where a license stands at a moment: revocation wins over expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseStanding {
    /// Usable.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by the vendor.
    Revoked,
}

impl LicenseStanding {
    /// The word the JSON and the portals use: `active`, `expired` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl std::fmt::Display for LicenseStanding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_standing_is_its_lower_case_word_in_json_and_text() {
        for s in [
            LicenseStanding::Active,
            LicenseStanding::Expired,
            LicenseStanding::Revoked,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap_or_default(),
                format!("\"{s}\"")
            );
        }
    }
}
