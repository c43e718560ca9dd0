//! Queries on `application_version`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entity::application_version as version;
use crate::{Error, Result};

/// Inserts a version; a name taken within the application is a conflict on `name`.
pub async fn insert(db: &impl ConnectionTrait, row: version::Model) -> Result<version::Model> {
    row.into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("name"))
}

/// The next publication number of an application (1 for its first version).
pub async fn next_sequence(db: &impl ConnectionTrait, application_id: uuid::Uuid) -> Result<i64> {
    let last: Option<Option<i64>> = version::Entity::find()
        .select_only()
        .column_as(version::Column::Sequence.max(), "max")
        .filter(version::Column::ApplicationId.eq(application_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0) + 1)
}

/// An application's versions, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    application_id: uuid::Uuid,
) -> Result<Vec<version::Model>> {
    list_for(db, &[application_id]).await
}

/// The versions of several applications, newest first.
pub async fn list_for(
    db: &impl ConnectionTrait,
    application_ids: &[uuid::Uuid],
) -> Result<Vec<version::Model>> {
    Ok(version::Entity::find()
        .filter(version::Column::ApplicationId.is_in(application_ids.iter().copied()))
        .order_by_desc(version::Column::Sequence)
        .all(db)
        .await?)
}

/// One version of one application.
pub async fn find(
    db: &impl ConnectionTrait,
    application_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<version::Model>> {
    Ok(version::Entity::find_by_id(id)
        .filter(version::Column::ApplicationId.eq(application_id))
        .one(db)
        .await?)
}

/// A version by id alone (its application is checked by the caller).
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<version::Model>> {
    Ok(version::Entity::find_by_id(id).one(db).await?)
}

/// Sets or clears the archive time (the only change a version allows).
pub async fn set_archived(
    db: &impl ConnectionTrait,
    row: version::Model,
    archived_at: Option<DateTime<Utc>>,
) -> Result<version::Model> {
    let mut active = row.into_active_model();
    active.archived_at = Set(archived_at);
    Ok(active.update(db).await?)
}
