//! Licenses: a vendor grants one customer one application (every version or a chosen set), on
//! the release channels the customer follows, until an optional expiry, with entitlements the
//! deployed application receives.

mod enforcement;
mod file;
mod overview;

use crate::Services;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::{
    ApplicationId, ApplicationVersionId, ChannelName, CustomerOrganizationId, EntitlementKey,
    LicenseId, OrganizationId,
};

pub use enforcement::{Denial, VersionFacts, decide, why_none_in_force};
pub(crate) use file::write_private;
pub use file::{LicenseSigner, SignerError, signed_file};
pub use overview::{LicenseSummary, LicensesOverview, overview, version_ids};

use crate::auth::Actor;
use crate::entity::license as row;
use crate::{Error, Result, repo};

/// The most entitlements one license may carry, and the longest value.
const MAX_ENTITLEMENTS: usize = 100;
const MAX_ENTITLEMENT_VALUE: usize = 1000;

/// A license as the service hands it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct License {
    /// Its id.
    pub id: LicenseId,
    /// Its name, unique within the vendor.
    pub name: String,
    /// The customer it grants.
    pub customer_organization_id: CustomerOrganizationId,
    /// The application it grants.
    pub application_id: ApplicationId,
    /// The granted versions; `None` for every version.
    pub versions: Option<Vec<ApplicationVersionId>>,
    /// The channels the customer follows.
    pub channels: Vec<ChannelName>,
    /// Entitlements (seats, feature flags…).
    pub entitlements: BTreeMap<EntitlementKey, String>,
    /// When it was granted.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// When it ends; `None` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the vendor revoked it.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl License {
    /// The entitlements as environment variables for the deployed application:
    /// `seats` → `CONSIGN_ENTITLEMENT_SEATS`, `feature.sso` → `CONSIGN_ENTITLEMENT_FEATURE_SSO`.
    pub fn entitlement_env(&self) -> BTreeMap<String, String> {
        self.entitlements
            .iter()
            .map(|(key, value)| {
                let name: String = key
                    .as_str()
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_uppercase()
                        } else {
                            '_'
                        }
                    })
                    .collect();
                (format!("CONSIGN_ENTITLEMENT_{name}"), value.clone())
            })
            .collect()
    }
}

/// What a vendor fills in to grant a license.
#[derive(Clone, Debug)]
pub struct NewLicense {
    /// Its name; `None` names it after the customer and the application.
    pub name: Option<String>,
    /// The customer (one of the vendor's).
    pub customer_organization_id: CustomerOrganizationId,
    /// The application (one of the vendor's).
    pub application_id: ApplicationId,
    /// The granted versions; `None` for every version, including future ones.
    pub versions: Option<Vec<ApplicationVersionId>>,
    /// The channels the customer follows (at least one).
    pub channels: Vec<ChannelName>,
    /// When it ends; `None` for never. Must be in the future.
    pub expires_at: Option<DateTime<Utc>>,
    /// Entitlements.
    pub entitlements: BTreeMap<EntitlementKey, String>,
}

/// Channel names as a form or a request body gives them, each checked; a bad one is refused on
/// `channels`. (An empty list is refused when the license is saved.)
pub fn channels(names: Vec<String>) -> Result<Vec<ChannelName>> {
    names
        .into_iter()
        .map(|name| ChannelName::parse(name).map_err(|e| Error::invalid("channels", e.to_string())))
        .collect()
}

/// Entitlements as a form or a request body gives them, with their keys checked; a bad key is
/// refused on `entitlements`. (Their number and length are checked when the license is saved.)
pub fn entitlements(pairs: BTreeMap<String, String>) -> Result<BTreeMap<EntitlementKey, String>> {
    pairs
        .into_iter()
        .map(|(key, value)| {
            EntitlementKey::parse(key)
                .map(|key| (key, value))
                .map_err(|e| Error::invalid("entitlements", e.to_string()))
        })
        .collect()
}

/// A change to a license; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct LicenseUpdate {
    /// A new name.
    pub name: Option<String>,
    /// New granted versions (`Some(None)` for every version).
    pub versions: Option<Option<Vec<ApplicationVersionId>>>,
    /// New channels.
    pub channels: Option<Vec<ChannelName>>,
    /// A new expiry (`Some(None)` for never).
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// New entitlements (replacing the old ones).
    pub entitlements: Option<BTreeMap<EntitlementKey, String>>,
}

/// Grants a license (vendor writers only). Every reference is checked against the actor's own
/// vendor, so a license for another vendor's customer or application names the field at fault.
pub async fn create(
    services: &Services,
    actor: &Actor,
    new: NewLicense,
    now: DateTime<Utc>,
) -> Result<License> {
    actor.require_vendor_write("grant licenses")?;
    let org = actor.organization_id.0;
    let customer = repo::customers::find(&services.db, org, new.customer_organization_id.0)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "customerOrganizationId",
                "no such customer in your organization",
            )
        })?;
    let application = repo::applications::find(&services.db, org, new.application_id.0)
        .await?
        .ok_or_else(|| {
            Error::invalid("applicationId", "no such application in your organization")
        })?;
    check_terms(
        &services.db,
        new.application_id,
        &new.versions,
        &new.channels,
        new.expires_at,
        &new.entitlements,
        now,
    )
    .await?;
    let name = match new.name {
        Some(name) => license_name(&name)?,
        None => format!("{} – {}", customer.name, application.name),
    };
    let txn = crate::db::begin_writer(&services.db).await?;
    let saved = repo::licenses::insert(
        &txn,
        row::Model {
            id: LicenseId::new().0,
            organization_id: org,
            customer_organization_id: customer.id,
            application_id: application.id,
            name,
            all_versions: new.versions.is_none(),
            channels: to_json(&new.channels),
            entitlements: to_json(&new.entitlements),
            created_at: now,
            updated_at: now,
            expires_at: new.expires_at,
            revoked_at: None,
        },
    )
    .await?;
    let version_ids: Vec<_> = new.versions.iter().flatten().map(|v| v.0).collect();
    repo::licenses::replace_versions(&txn, saved.id, &version_ids).await?;
    txn.commit().await?;
    get(services, actor, LicenseId(saved.id)).await
}

/// The licenses the actor may see: all of the vendor's, or the customer's own.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<License>> {
    list_in(&services.db, actor).await
}

pub(crate) async fn list_in(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<License>> {
    let rows = repo::licenses::list(
        db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
    )
    .await?;
    hydrate(db, rows).await
}

/// One license the actor may see (another tenant's is [`Error::NotFound`]).
pub async fn get(services: &Services, actor: &Actor, id: LicenseId) -> Result<License> {
    let row = find_visible(&services.db, actor, id).await?;
    Ok(hydrate(&services.db, vec![row]).await?.remove(0))
}

/// Changes a license (vendor writers only). A revoked license stays revoked: grant a new one.
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: LicenseId,
    change: LicenseUpdate,
    now: DateTime<Utc>,
) -> Result<License> {
    actor.require_vendor_write("change licenses")?;
    let current = get(services, actor, id).await?;
    if current.revoked_at.is_some() {
        return Err(Error::invalid(
            "revokedAt",
            "this license was revoked and cannot change: grant a new one",
        ));
    }
    let versions = change.versions.unwrap_or(current.versions.clone());
    let channels = change.channels.unwrap_or(current.channels.clone());
    let entitlements = change.entitlements.unwrap_or(current.entitlements.clone());
    let expires_at = change.expires_at.unwrap_or(current.expires_at);
    // An unchanged expiry may lie in the past (the license simply expired); a new one may not.
    let new_expiry = (expires_at != current.expires_at)
        .then_some(expires_at)
        .flatten();
    check_terms(
        &services.db,
        current.application_id,
        &versions,
        &channels,
        new_expiry,
        &entitlements,
        now,
    )
    .await?;
    let name = match change.name {
        Some(name) => license_name(&name)?,
        None => current.name.clone(),
    };
    let txn = crate::db::begin_writer(&services.db).await?;
    repo::licenses::update(
        &txn,
        row::Model {
            id: current.id.0,
            organization_id: actor.organization_id.0,
            customer_organization_id: current.customer_organization_id.0,
            application_id: current.application_id.0,
            name,
            all_versions: versions.is_none(),
            channels: to_json(&channels),
            entitlements: to_json(&entitlements),
            created_at: current.created_at,
            updated_at: now,
            expires_at,
            revoked_at: None,
        },
    )
    .await?;
    let version_ids: Vec<_> = versions.iter().flatten().map(|v| v.0).collect();
    repo::licenses::replace_versions(&txn, current.id.0, &version_ids).await?;
    txn.commit().await?;
    get(services, actor, id).await
}

/// Revokes a license (vendor writers only): new deployments and updates stop at once; running
/// installations keep running. Revoking twice keeps the first time.
pub async fn revoke(
    services: &Services,
    actor: &Actor,
    id: LicenseId,
    now: DateTime<Utc>,
) -> Result<License> {
    actor.require_vendor_write("revoke licenses")?;
    let mut current = find_visible(&services.db, actor, id).await?;
    if current.revoked_at.is_none() {
        current.revoked_at = Some(now);
        current.updated_at = now;
        repo::licenses::update(&services.db, current).await?;
    }
    get(services, actor, id).await
}

/// The customer's licenses for one application (for enforcement), whatever their standing.
pub async fn for_customer_application(
    services: &Services,
    actor: &Actor,
    customer: CustomerOrganizationId,
    application: ApplicationId,
) -> Result<Vec<License>> {
    for_customer_application_in(&services.db, actor, customer, application).await
}

pub(crate) async fn for_customer_application_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer: CustomerOrganizationId,
    application: ApplicationId,
) -> Result<Vec<License>> {
    let rows = repo::licenses::list(db, actor.organization_id.0, Some(customer.0)).await?;
    let rows = rows
        .into_iter()
        .filter(|r| r.application_id == application.0)
        .collect();
    hydrate(db, rows).await
}

/// Every license of one customer of one vendor, whatever its standing (for the registry, which
/// has no signed-in person to ask with).
pub(crate) async fn of_customer(
    db: &impl ConnectionTrait,
    organization_id: OrganizationId,
    customer: CustomerOrganizationId,
) -> Result<Vec<License>> {
    let rows = repo::licenses::list(db, organization_id.0, Some(customer.0)).await?;
    hydrate(db, rows).await
}

async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: LicenseId,
) -> Result<row::Model> {
    repo::licenses::find(db, actor.organization_id.0, id.0)
        .await?
        .filter(|r| {
            actor
                .customer_organization_id
                .is_none_or(|own| own.0 == r.customer_organization_id)
        })
        .ok_or(Error::NotFound { what: "license" })
}

/// Checks the terms of a license against its application.
async fn check_terms(
    db: &impl ConnectionTrait,
    application: ApplicationId,
    versions: &Option<Vec<ApplicationVersionId>>,
    channels: &[ChannelName],
    new_expiry: Option<DateTime<Utc>>,
    entitlements: &BTreeMap<EntitlementKey, String>,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(end) = new_expiry
        && end <= now
    {
        return Err(Error::invalid(
            "expiresAt",
            "the expiry lies in the past: choose a later date, or none",
        ));
    }
    if channels.is_empty() {
        return Err(Error::invalid(
            "channels",
            "name at least one channel the customer follows, such as stable",
        ));
    }
    if entitlements.len() > MAX_ENTITLEMENTS {
        return Err(Error::invalid(
            "entitlements",
            format!("at most {MAX_ENTITLEMENTS} entitlements"),
        ));
    }
    if let Some((key, _)) = entitlements
        .iter()
        .find(|(_, v)| v.chars().count() > MAX_ENTITLEMENT_VALUE)
    {
        return Err(Error::invalid(
            "entitlements",
            format!("the value of {key} is longer than {MAX_ENTITLEMENT_VALUE} characters"),
        ));
    }
    if let Some(wanted) = versions {
        if wanted.is_empty() {
            return Err(Error::invalid(
                "versions",
                "choose at least one version, or grant every version",
            ));
        }
        let known = repo::versions::list(db, application.0).await?;
        if let Some(missing) = wanted.iter().find(|v| !known.iter().any(|k| k.id == v.0)) {
            return Err(Error::invalid(
                "versions",
                format!("version {missing} is not a version of this application"),
            ));
        }
    }
    Ok(())
}

fn license_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "the name must not be empty"));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "the name must be at most 100 characters, without control characters",
        ));
    }
    Ok(name.to_string())
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising string lists and maps cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// Turns rows into licenses with their granted versions (one query for all of them).
pub(super) async fn hydrate(
    db: &impl ConnectionTrait,
    rows: Vec<row::Model>,
) -> Result<Vec<License>> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let granted = repo::licenses::versions_of(db, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let versions = (!r.all_versions).then(|| {
                granted
                    .iter()
                    .filter(|g| g.license_id == r.id)
                    .map(|g| ApplicationVersionId(g.version_id))
                    .collect()
            });
            let corrupt = |what: &str, e: serde_json::Error| {
                Error::Database(sea_orm::DbErr::Custom(format!(
                    "license {} has unreadable {what}: {e}",
                    r.id
                )))
            };
            Ok(License {
                id: LicenseId(r.id),
                name: r.name,
                customer_organization_id: CustomerOrganizationId(r.customer_organization_id),
                application_id: ApplicationId(r.application_id),
                versions,
                channels: serde_json::from_str(&r.channels).map_err(|e| corrupt("channels", e))?,
                entitlements: serde_json::from_str(&r.entitlements)
                    .map_err(|e| corrupt("entitlements", e))?,
                created_at: r.created_at,
                updated_at: r.updated_at,
                expires_at: r.expires_at,
                revoked_at: r.revoked_at,
            })
        })
        .collect()
}
