//! Queries on `application_channel`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use crate::Result;
use crate::entity::application_channel as channel;

/// Records that `name` is a channel of the application (no-op when it already is).
pub async fn ensure(
    db: &impl ConnectionTrait,
    application_id: uuid::Uuid,
    name: &str,
) -> Result<()> {
    let row = channel::ActiveModel {
        application_id: Set(application_id),
        name: Set(name.to_string()),
        minimum_version_id: Set(None),
    };
    channel::Entity::insert(row)
        .on_conflict_do_nothing_on([channel::Column::ApplicationId, channel::Column::Name])
        .exec(db)
        .await?;
    Ok(())
}

/// The channels of several applications, by name.
pub async fn list_for(
    db: &impl ConnectionTrait,
    application_ids: &[uuid::Uuid],
) -> Result<Vec<channel::Model>> {
    Ok(channel::Entity::find()
        .filter(channel::Column::ApplicationId.is_in(application_ids.iter().copied()))
        .order_by_asc(channel::Column::Name)
        .all(db)
        .await?)
}

/// One channel of an application.
pub async fn find(
    db: &impl ConnectionTrait,
    application_id: uuid::Uuid,
    name: &str,
) -> Result<Option<channel::Model>> {
    Ok(
        channel::Entity::find_by_id((application_id, name.to_string()))
            .one(db)
            .await?,
    )
}

/// Sets or clears a channel's minimum version.
pub async fn set_minimum(
    db: &impl ConnectionTrait,
    row: channel::Model,
    minimum_version_id: Option<uuid::Uuid>,
) -> Result<channel::Model> {
    let mut active = row.into_active_model();
    active.minimum_version_id = Set(minimum_version_id);
    Ok(active.update(db).await?)
}
