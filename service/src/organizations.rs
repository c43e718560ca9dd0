//! Vendor organizations: the tenants of a hub.

use crate::Services;
use chrono::{DateTime, Utc};
use types::{OrganizationId, OrganizationName, Slug};

use crate::auth::Actor;
use crate::entity::organization;
use crate::{Error, Result, repo};

/// A vendor organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    /// Its id.
    pub id: OrganizationId,
    /// Its display name.
    pub name: OrganizationName,
    /// Its unique slug, used in registry paths.
    pub slug: Slug,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<organization::Model> for Organization {
    type Error = Error;
    fn try_from(row: organization::Model) -> Result<Self> {
        Ok(Self {
            id: row.id.into(),
            name: OrganizationName::parse(row.name)?,
            slug: Slug::parse(row.slug)?,
            created_at: row.created_at,
        })
    }
}

/// Creates an organization; a taken slug is [`Error::Conflict`] on `slug`.
pub async fn create(
    services: &Services,
    name: OrganizationName,
    slug: Slug,
) -> Result<Organization> {
    let row = organization::Model {
        id: OrganizationId::new().0,
        name: name.into(),
        slug: slug.into(),
        created_at: Utc::now(),
    };
    repo::organizations::insert(&services.db, row)
        .await?
        .try_into()
}

/// The organization with this slug, or [`Error::NotFound`].
pub async fn get_by_slug(services: &Services, slug: &Slug) -> Result<Organization> {
    repo::organizations::find_by_slug(&services.db, slug.as_str())
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })?
        .try_into()
}

/// The actor's own vendor organization.
pub async fn current(services: &Services, actor: &Actor) -> Result<Organization> {
    repo::organizations::find_by_id(&services.db, actor.organization_id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })?
        .try_into()
}

/// Renames the actor's vendor organization (vendor admins only); the slug stays, because
/// registry paths are built from it.
pub async fn rename(
    services: &Services,
    actor: &Actor,
    name: OrganizationName,
) -> Result<Organization> {
    actor.require_vendor_admin("rename the organization")?;
    repo::organizations::set_name(&services.db, actor.organization_id.0, name.as_str()).await?;
    current(services, actor).await
}

/// The hub's vendor when it has exactly one (then an unbranded request can still be branded).
pub async fn only_one(services: &Services) -> Result<Option<OrganizationId>> {
    if repo::organizations::count(&services.db).await? != 1 {
        return Ok(None);
    }
    Ok(repo::organizations::first(&services.db)
        .await?
        .map(|o| o.id.into()))
}
