//! Artifact licenses: a vendor grants one customer a set of registry artifacts, each with every
//! version or only some tags, optionally until a date; the vendor can revoke it. The registry
//! asks [`grant`] on every customer pull.

use crate::Services;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::{ArtifactId, ArtifactLicenseId, CustomerOrganizationId};
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::{artifact_license as row, artifact_license_item as item_row};
use crate::registry::access::{Grant, Granted};
use crate::registry::{RegistryCode, RepositoryName, is_tag};
use crate::{Error, Result, repo};

/// The longest license name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// One granted artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseItem {
    /// The artifact.
    pub artifact_id: ArtifactId,
    /// Its name inside the vendor's namespace.
    pub artifact_name: String,
    /// The granted tag; `None` for every version.
    pub tag: Option<String>,
}

/// A license as the vendor (or its customer) sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactLicense {
    /// Its id.
    pub id: ArtifactLicenseId,
    /// Its name, unique per vendor.
    pub name: String,
    /// The licensed customer.
    pub customer_organization_id: CustomerOrganizationId,
    /// When it stops granting; `None` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the vendor revoked it.
    pub revoked: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// What it grants.
    pub items: Vec<LicenseItem>,
}

impl ArtifactLicense {
    /// Whether it grants anything at `now`.
    pub fn is_active_at(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.expires_at.is_none_or(|at| at > now)
    }
}

/// What a new license grants.
#[derive(Clone, Debug)]
pub struct NewArtifactLicense {
    /// Its name.
    pub name: String,
    /// The customer.
    pub customer: CustomerOrganizationId,
    /// When it stops granting.
    pub expires_at: Option<DateTime<Utc>>,
    /// The artifacts, each with a tag or `None` for every version.
    pub items: Vec<(ArtifactId, Option<String>)>,
}

fn invalid(field: &'static str, rule: &'static str) -> Error {
    types::NameError::Invalid { field, rule }.into()
}

/// Creates a license (vendor writers only). The customer and every artifact must be the
/// vendor's own; tags must be well-formed.
pub async fn create(
    services: &Services,
    actor: &Actor,
    new: NewArtifactLicense,
) -> Result<ArtifactLicense> {
    actor.require_vendor_write("manage artifact licenses")?;
    let name = crate::access_tokens::validate_label(new.name).map_err(|_| {
        invalid(
            "name",
            "must be 1 to 100 characters without control characters",
        )
    })?;
    repo::customers::find(&services.db, actor.organization_id.0, new.customer.0)
        .await?
        .ok_or(Error::NotFound { what: "customer" })?;
    if new.items.is_empty() {
        return Err(invalid(
            "artifacts",
            "a license must grant at least one artifact",
        ));
    }
    let mut items = Vec::new();
    for (artifact_id, tag) in new.items {
        repo::registry::find_artifact_by_id(&services.db, actor.organization_id.0, artifact_id.0)
            .await?
            .ok_or(Error::NotFound { what: "artifact" })?;
        if let Some(t) = &tag
            && !is_tag(t)
        {
            return Err(invalid(
                "tag",
                "must be a tag: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'",
            ));
        }
        items.push(item_row::Model {
            id: Uuid::new_v4(),
            artifact_license_id: Uuid::nil(),
            artifact_id: artifact_id.0,
            tag,
        });
    }
    let id = Uuid::new_v4();
    for i in &mut items {
        i.artifact_license_id = id;
    }
    let txn = crate::db::begin_writer(&services.db).await?;
    repo::artifact_licenses::insert(
        &txn,
        row::Model {
            id,
            organization_id: actor.organization_id.0,
            customer_organization_id: new.customer.0,
            name,
            expires_at: new.expires_at,
            revoked_at: None,
            created_at: Utc::now(),
        },
        items,
    )
    .await?;
    txn.commit().await?;
    get(services, actor, ArtifactLicenseId(id)).await
}

/// The licenses the actor may see: all of the vendor's for vendor members, their own
/// customer's for customer members. Newest first.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<ArtifactLicense>> {
    let rows = repo::artifact_licenses::list(
        &services.db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
    )
    .await?;
    with_items(&services.db, actor, rows).await
}

/// One license the actor may see.
pub async fn get(
    services: &Services,
    actor: &Actor,
    id: ArtifactLicenseId,
) -> Result<ArtifactLicense> {
    let found = repo::artifact_licenses::find(&services.db, actor.organization_id.0, id.0)
        .await?
        .filter(|r| {
            actor
                .customer_organization_id
                .is_none_or(|own| own.0 == r.customer_organization_id)
        })
        .ok_or(Error::NotFound {
            what: "artifact license",
        })?;
    with_items(&services.db, actor, vec![found])
        .await?
        .pop()
        .ok_or(Error::NotFound {
            what: "artifact license",
        })
}

/// Revokes a license (vendor writers only); pulls it granted stop at once.
pub async fn revoke(services: &Services, actor: &Actor, id: ArtifactLicenseId) -> Result<()> {
    actor.require_vendor_write("manage artifact licenses")?;
    get(services, actor, id).await?;
    repo::artifact_licenses::revoke(&services.db, id.0, Utc::now()).await
}

/// Changes when a license expires (vendor writers only).
pub async fn set_expiry(
    services: &Services,
    actor: &Actor,
    id: ArtifactLicenseId,
    expires_at: Option<DateTime<Utc>>,
) -> Result<()> {
    actor.require_vendor_write("manage artifact licenses")?;
    get(services, actor, id).await?;
    repo::artifact_licenses::set_expiry(&services.db, id.0, expires_at).await
}

async fn with_items(
    db: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<row::Model>,
) -> Result<Vec<ArtifactLicense>> {
    let items = repo::artifact_licenses::items(db, rows.iter().map(|r| r.id).collect()).await?;
    let names: HashMap<Uuid, String> = repo::registry::list_artifacts(db, actor.organization_id.0)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut by_license: HashMap<Uuid, Vec<LicenseItem>> = HashMap::new();
    for i in items {
        by_license
            .entry(i.artifact_license_id)
            .or_default()
            .push(LicenseItem {
                artifact_id: ArtifactId(i.artifact_id),
                artifact_name: names.get(&i.artifact_id).cloned().unwrap_or_default(),
                tag: i.tag,
            });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut items = by_license.remove(&r.id).unwrap_or_default();
            items.sort_by(|a, b| (&a.artifact_name, &a.tag).cmp(&(&b.artifact_name, &b.tag)));
            ArtifactLicense {
                id: ArtifactLicenseId(r.id),
                name: r.name,
                customer_organization_id: CustomerOrganizationId(r.customer_organization_id),
                expires_at: r.expires_at,
                revoked: r.revoked_at.is_some(),
                created_at: r.created_at,
                items,
            }
        })
        .collect())
}

/// What `customer` may pull from `artifact` now. No unrevoked license naming it is
/// `NAME_UNKNOWN` (the customer need not learn it exists); licenses that all expired are
/// `DENIED`, saying so.
pub async fn grant(
    services: &Services,
    customer: CustomerOrganizationId,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
) -> Result<Grant> {
    let now = Utc::now();
    let licenses =
        repo::artifact_licenses::unrevoked_for_customer(&services.db, customer.0).await?;
    let items =
        repo::artifact_licenses::items(&services.db, licenses.iter().map(|l| l.id).collect())
            .await?;
    let expiry: HashMap<Uuid, Option<DateTime<Utc>>> =
        licenses.iter().map(|l| (l.id, l.expires_at)).collect();
    let mut named = false;
    let mut last_expiry = None;
    let mut tags = HashSet::new();
    for i in items.into_iter().filter(|i| i.artifact_id == artifact.id.0) {
        named = true;
        let expires_at = expiry.get(&i.artifact_license_id).copied().flatten();
        if let Some(at) = expires_at
            && at <= now
        {
            last_expiry = last_expiry.max(Some(at));
            continue;
        }
        match i.tag {
            None => return Ok(Grant::Everything),
            Some(t) => {
                tags.insert(t);
            }
        }
    }
    if !tags.is_empty() {
        return Ok(Grant::Only(Granted {
            tags,
            digests: HashSet::new(),
        }));
    }
    match (named, last_expiry) {
        (true, Some(at)) => Err(Error::registry(
            RegistryCode::Denied,
            format!(
                "your license for {name} expired on {}: ask the vendor to renew it",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        )),
        _ => Err(Error::registry(
            RegistryCode::NameUnknown,
            format!("repository {name} is not known to this registry"),
        )),
    }
}

/// The artifacts `customer` holds an active license for.
pub async fn licensed_artifacts(
    services: &Services,
    customer: CustomerOrganizationId,
) -> Result<HashSet<Uuid>> {
    let now = Utc::now();
    let licenses: Vec<Uuid> =
        repo::artifact_licenses::unrevoked_for_customer(&services.db, customer.0)
            .await?
            .into_iter()
            .filter(|l| l.expires_at.is_none_or(|at| at > now))
            .map(|l| l.id)
            .collect();
    Ok(repo::artifact_licenses::items(&services.db, licenses)
        .await?
        .into_iter()
        .map(|i| i.artifact_id)
        .collect())
}
