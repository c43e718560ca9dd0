//! Applications: what a vendor sells. Each is a Docker Compose or a Helm application with
//! immutable versions ([`crate::versions`]) and release channels ([`crate::channels`]).

use crate::Services;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::{ApplicationId, ApplicationKind, ApplicationName};

use crate::auth::Actor;
use crate::entity::application as row;
use crate::licenses;
use crate::{Error, Result, repo};
use types::LicenseStanding;

/// An application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// Its id.
    pub id: ApplicationId,
    /// Its name, unique within the vendor.
    pub name: String,
    /// Compose or Helm.
    pub kind: ApplicationKind,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the vendor archived it.
    pub archived_at: Option<DateTime<Utc>>,
}

impl TryFrom<row::Model> for Application {
    type Error = Error;

    fn try_from(r: row::Model) -> Result<Self> {
        Ok(Self {
            id: ApplicationId(r.id),
            kind: r.kind.parse().map_err(|_| {
                Error::Database(sea_orm::DbErr::Custom(format!(
                    "application {} has unknown kind {:?}",
                    r.id, r.kind
                )))
            })?,
            name: r.name,
            created_at: r.created_at,
            archived_at: r.archived_at,
        })
    }
}

/// Creates an application (vendor writers only).
pub async fn create(
    services: &Services,
    actor: &Actor,
    name: ApplicationName,
    kind: ApplicationKind,
    now: DateTime<Utc>,
) -> Result<Application> {
    actor.require_vendor_write("create applications")?;
    repo::applications::insert(
        &services.db,
        row::Model {
            id: ApplicationId::new().0,
            organization_id: actor.organization_id.0,
            name: name.into(),
            kind: kind.as_str().into(),
            created_at: now,
            archived_at: None,
        },
    )
    .await?
    .try_into()
}

/// The applications the actor may see: every one of the vendor's for vendor members; for a
/// customer member, the unarchived ones a valid license grants.
pub async fn list(
    services: &Services,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Application>> {
    let all = repo::applications::list(&services.db, actor.organization_id.0).await?;
    let licensed: Option<Vec<ApplicationId>> = match actor.customer_organization_id {
        None => None,
        Some(_) => Some(
            licenses::list(services, actor)
                .await?
                .into_iter()
                .filter(|l| l.standing(now) == LicenseStanding::Active)
                .map(|l| l.application_id)
                .collect(),
        ),
    };
    all.into_iter()
        .filter(|r| match &licensed {
            None => true,
            Some(ids) => r.archived_at.is_none() && ids.contains(&ApplicationId(r.id)),
        })
        .map(Application::try_from)
        .collect()
}

/// One application the actor may see. A customer member sees an application they hold any
/// license for (even an ended one, so the portal can say why it is blocked).
pub async fn get(services: &Services, actor: &Actor, id: ApplicationId) -> Result<Application> {
    get_in(&services.db, actor, id).await
}

pub(crate) async fn get_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: ApplicationId,
) -> Result<Application> {
    let found = repo::applications::find(db, actor.organization_id.0, id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "application",
        })?;
    if actor.customer_organization_id.is_some() {
        let held = licenses::list_in(db, actor).await?;
        if !held.iter().any(|l| l.application_id == id) {
            return Err(Error::NotFound {
                what: "application",
            });
        }
    }
    found.try_into()
}

/// Renames an application (vendor writers only).
pub async fn rename(
    services: &Services,
    actor: &Actor,
    id: ApplicationId,
    name: ApplicationName,
) -> Result<Application> {
    actor.require_vendor_write("rename applications")?;
    let found = find_own(&services.db, actor, id).await?;
    repo::applications::rename(&services.db, found, name.into())
        .await?
        .try_into()
}

/// Archives (or restores) an application (vendor writers only). An archived application is
/// hidden from customers' catalogues and takes no new deployments; what runs keeps running.
pub async fn set_archived(
    services: &Services,
    actor: &Actor,
    id: ApplicationId,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<Application> {
    actor.require_vendor_write("archive applications")?;
    let found = find_own(&services.db, actor, id).await?;
    let at = match (archived, found.archived_at) {
        (true, Some(already)) => Some(already),
        (true, None) => Some(now),
        (false, _) => None,
    };
    repo::applications::set_archived(&services.db, found, at)
        .await?
        .try_into()
}

/// The vendor's own application row, for changes.
pub(crate) async fn find_own(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: ApplicationId,
) -> Result<row::Model> {
    repo::applications::find(db, actor.organization_id.0, id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "application",
        })
}
