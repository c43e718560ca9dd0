//! Typed identifiers: a user id can never be passed where an organization id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random (v4) identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// Identifies an organization (a vendor tenant).
    OrganizationId
);
id_type!(
    /// Identifies a person's account on the hub.
    UserId
);

id_type!(
    /// Identifies a customer organization (a tenant inside a vendor).
    CustomerOrganizationId
);
id_type!(
    /// Identifies an invitation.
    InvitationId
);
id_type!(
    /// Identifies a deployment target: one agent slot in a customer's environment.
    DeploymentTargetId
);
id_type!(
    /// Identifies a deployment: one application installed on one deployment target.
    DeploymentId
);
id_type!(
    /// Identifies one immutable revision of a deployment's desired state.
    RevisionId
);

id_type!(
    /// Identifies an application in a vendor's catalogue.
    ApplicationId
);
id_type!(
    /// Identifies one immutable version of an application.
    ApplicationVersionId
);
id_type!(
    /// Identifies a license granting a customer an application.
    LicenseId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_bare_uuid_strings() {
        let id = OrganizationId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", id.0));
        let back: OrganizationId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn parsing_rejects_a_malformed_id() {
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}
