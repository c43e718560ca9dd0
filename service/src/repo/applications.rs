//! Queries on `application`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use crate::entity::application as app;
use crate::{Error, Result};

/// Inserts an application; a name taken within the vendor is a conflict on `name`.
pub async fn insert(db: &impl ConnectionTrait, row: app::Model) -> Result<app::Model> {
    row.into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("name"))
}

/// The vendor's applications, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
) -> Result<Vec<app::Model>> {
    Ok(app::Entity::find()
        .filter(app::Column::OrganizationId.eq(organization_id))
        .order_by_asc(app::Column::Name)
        .all(db)
        .await?)
}

/// One application of one vendor (another vendor's is `None`).
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<app::Model>> {
    Ok(app::Entity::find_by_id(id)
        .filter(app::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// Renames an application; a taken name is a conflict on `name`.
pub async fn rename(
    db: &impl ConnectionTrait,
    row: app::Model,
    name: String,
) -> Result<app::Model> {
    let mut active = row.into_active_model();
    active.name = Set(name);
    active.update(db).await.map_err(Error::conflict_on("name"))
}

/// Sets or clears the archive time.
pub async fn set_archived(
    db: &impl ConnectionTrait,
    row: app::Model,
    archived_at: Option<DateTime<Utc>>,
) -> Result<app::Model> {
    let mut active = row.into_active_model();
    active.archived_at = Set(archived_at);
    Ok(active.update(db).await?)
}
