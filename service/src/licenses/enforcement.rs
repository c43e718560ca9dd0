//! Whether a customer may deploy a version, and if not, why: the one rule every deployment
//! path (portal, REST API, agent desired state) asks.

use chrono::{DateTime, Utc};

use super::License;
use types::{ApplicationVersionId, LicenseStanding};

/// What the rule needs to know of a version.
#[derive(Clone, Debug)]
pub struct VersionFacts<'a> {
    /// The version.
    pub id: ApplicationVersionId,
    /// Its name, for messages.
    pub name: &'a str,
    /// The channel it was published to.
    pub channel: &'a str,
    /// Whether the vendor archived it (or its application).
    pub archived: bool,
}

/// Why no license lets the customer deploy a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    /// The customer holds no license for the application.
    NoLicense,
    /// The only licenses for the application were revoked.
    Revoked {
        /// The license's name.
        license: String,
        /// When it was revoked.
        at: DateTime<Utc>,
    },
    /// The licenses for the application have expired.
    Expired {
        /// The license's name.
        license: String,
        /// When it ended.
        at: DateTime<Utc>,
    },
    /// A valid license exists but grants other versions only.
    VersionNotGranted {
        /// The license's name.
        license: String,
        /// The version asked for.
        version: String,
    },
    /// A valid license exists but does not follow the version's channel.
    ChannelNotFollowed {
        /// The license's name.
        license: String,
        /// The version asked for.
        version: String,
        /// Its channel.
        channel: String,
    },
    /// The vendor withdrew the version.
    Archived {
        /// The version asked for.
        version: String,
    },
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let day = |at: &DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
        match self {
            Denial::NoLicense => {
                write!(f, "your organization holds no license for this application")
            }
            Denial::Revoked { license, at } => {
                write!(f, "license \"{license}\" was revoked on {}", day(at))
            }
            Denial::Expired { license, at } => {
                write!(f, "license \"{license}\" expired on {}", day(at))
            }
            Denial::VersionNotGranted { license, version } => {
                write!(
                    f,
                    "license \"{license}\" does not include version {version}"
                )
            }
            Denial::ChannelNotFollowed {
                license,
                version,
                channel,
            } => write!(
                f,
                "version {version} is on the {channel} channel, which license \"{license}\" does not follow"
            ),
            Denial::Archived { version } => {
                write!(f, "version {version} was withdrawn by the vendor")
            }
        }
    }
}

impl From<Denial> for crate::Error {
    fn from(denial: Denial) -> Self {
        crate::Error::NotLicensed(denial.to_string())
    }
}

impl License {
    /// The license's standing at `now` (revocation wins over expiry).
    pub fn standing(&self, now: DateTime<Utc>) -> LicenseStanding {
        if self.revoked_at.is_some() {
            LicenseStanding::Revoked
        } else if self.expires_at.is_some_and(|end| end <= now) {
            LicenseStanding::Expired
        } else {
            LicenseStanding::Active
        }
    }

    /// Whether this license, ignoring its standing, covers the version's id and channel.
    fn covers(&self, version: &VersionFacts<'_>) -> Result<(), Denial> {
        if let Some(granted) = &self.versions
            && !granted.contains(&version.id)
        {
            return Err(Denial::VersionNotGranted {
                license: self.name.clone(),
                version: version.name.to_string(),
            });
        }
        if !self.channels.iter().any(|c| c.as_str() == version.channel) {
            return Err(Denial::ChannelNotFollowed {
                license: self.name.clone(),
                version: version.name.to_string(),
                channel: version.channel.to_string(),
            });
        }
        Ok(())
    }
}

/// Picks the license that lets the customer deploy `version`, or the most useful reason why
/// none does. `licenses` are the customer's licenses for the version's application.
pub fn decide<'l>(
    licenses: &'l [License],
    version: &VersionFacts<'_>,
    now: DateTime<Utc>,
) -> Result<&'l License, Denial> {
    if version.archived {
        return Err(Denial::Archived {
            version: version.name.to_string(),
        });
    }
    let mut active_reason = None;
    for license in licenses
        .iter()
        .filter(|l| l.standing(now) == LicenseStanding::Active)
    {
        match license.covers(version) {
            Ok(()) => return Ok(license),
            Err(why) => {
                active_reason.get_or_insert(why);
            }
        }
    }
    if let Some(why) = active_reason {
        return Err(why);
    }
    Err(why_none_in_force(licenses, now).unwrap_or(Denial::NoLicense))
}

/// Why none of `licenses` is in force, explained by the one that ended last; `None` when one is
/// in force or there are none.
pub fn why_none_in_force(licenses: &[License], now: DateTime<Utc>) -> Option<Denial> {
    if licenses
        .iter()
        .any(|l| l.standing(now) == LicenseStanding::Active)
    {
        return None;
    }
    licenses
        .iter()
        .filter_map(|l| match l.standing(now) {
            LicenseStanding::Revoked => l.revoked_at.map(|at| {
                (
                    at,
                    Denial::Revoked {
                        license: l.name.clone(),
                        at,
                    },
                )
            }),
            LicenseStanding::Expired => l.expires_at.map(|at| {
                (
                    at,
                    Denial::Expired {
                        license: l.name.clone(),
                        at,
                    },
                )
            }),
            LicenseStanding::Active => None,
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, why)| why)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Duration;
    use types::{ApplicationId, ChannelName, CustomerOrganizationId, LicenseId};

    use super::*;

    fn license(name: &str) -> License {
        License {
            id: LicenseId::new(),
            name: name.into(),
            customer_organization_id: CustomerOrganizationId::new(),
            application_id: ApplicationId::new(),
            versions: None,
            channels: vec![ChannelName::stable()],
            entitlements: BTreeMap::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            expires_at: None,
            revoked_at: None,
        }
    }

    fn version(id: ApplicationVersionId, channel: &str) -> VersionFacts<'_> {
        VersionFacts {
            id,
            name: "1.0",
            channel,
            archived: false,
        }
    }

    #[test]
    fn a_valid_license_for_every_version_grants_a_stable_version() {
        let now = Utc::now();
        let all = [license("all")];
        let v = ApplicationVersionId::new();
        assert_eq!(
            decide(&all, &version(v, "stable"), now).unwrap().name,
            "all"
        );
    }

    #[test]
    fn each_denial_names_its_reason() {
        let now = Utc::now();
        let v = ApplicationVersionId::new();
        assert_eq!(
            decide(&[], &version(v, "stable"), now).unwrap_err(),
            Denial::NoLicense
        );

        let mut expired = license("old");
        expired.expires_at = Some(now - Duration::days(1));
        assert!(matches!(
            decide(std::slice::from_ref(&expired), &version(v, "stable"), now),
            Err(Denial::Expired { .. })
        ));

        let mut revoked = license("gone");
        revoked.revoked_at = Some(now - Duration::hours(1));
        assert!(
            matches!(
                decide(&[expired.clone(), revoked], &version(v, "stable"), now),
                Err(Denial::Revoked { .. })
            ),
            "the license that ended last explains"
        );

        let mut subset = license("subset");
        subset.versions = Some(vec![ApplicationVersionId::new()]);
        assert!(
            matches!(
                decide(&[subset.clone(), expired], &version(v, "stable"), now),
                Err(Denial::VersionNotGranted { .. })
            ),
            "a valid license's reason wins over an ended one"
        );

        assert!(matches!(
            decide(&[license("stable only")], &version(v, "beta"), now),
            Err(Denial::ChannelNotFollowed { .. })
        ));

        let mut archived = version(v, "stable");
        archived.archived = true;
        assert!(matches!(
            decide(&[license("all")], &archived, now),
            Err(Denial::Archived { .. })
        ));
    }

    #[test]
    fn a_subset_license_grants_its_versions_and_another_license_can_fill_the_gap() {
        let now = Utc::now();
        let v = ApplicationVersionId::new();
        let mut subset = license("subset");
        subset.versions = Some(vec![v]);
        assert_eq!(
            decide(std::slice::from_ref(&subset), &version(v, "stable"), now)
                .unwrap()
                .name,
            "subset"
        );
        let mut beta = license("beta");
        beta.channels = vec![ChannelName::parse("beta").unwrap()];
        assert_eq!(
            decide(&[subset, beta], &version(v, "beta"), now)
                .unwrap()
                .name,
            "beta"
        );
    }

    #[test]
    fn a_license_expiring_now_is_expired() {
        let now = Utc::now();
        let mut l = license("edge");
        l.expires_at = Some(now);
        assert_eq!(l.standing(now), LicenseStanding::Expired);
        l.expires_at = Some(now + Duration::seconds(1));
        assert_eq!(l.standing(now), LicenseStanding::Active);
    }
}
