//! Queries on `branding`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::entity::branding;
use crate::{Error, Result};

/// The branding of a vendor, if it was ever saved.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
) -> Result<Option<branding::Model>> {
    Ok(branding::Entity::find_by_id(organization_id)
        .one(db)
        .await?)
}

/// The vendor whose customer portal is served on `host`.
pub async fn find_by_host(
    db: &impl ConnectionTrait,
    host: &str,
) -> Result<Option<branding::Model>> {
    Ok(branding::Entity::find()
        .filter(branding::Column::CustomHost.eq(host))
        .one(db)
        .await?)
}

/// Inserts or replaces a vendor's branding; a host name used by another vendor is a conflict.
pub async fn upsert(db: &impl ConnectionTrait, row: branding::Model) -> Result<branding::Model> {
    let exists = branding::Entity::find_by_id(row.organization_id)
        .one(db)
        .await?
        .is_some();
    let active = row.into_active_model().reset_all();
    let saved = if exists {
        active.update(db).await
    } else {
        active.insert(db).await
    };
    saved.map_err(Error::conflict_on("custom host"))
}
