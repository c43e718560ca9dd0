//! Queries on `membership`.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::membership;
use crate::{Error, Result};

/// Inserts a membership; a user can be a member of an organization only once.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: membership::Model,
) -> Result<membership::Model> {
    membership::ActiveModel {
        user_id: Set(row.user_id),
        organization_id: Set(row.organization_id),
        role: Set(row.role),
        created_at: Set(row.created_at),
    }
    .insert(db)
    .await
    .map_err(Error::conflict_on("membership"))
}

/// Every membership of a user.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
) -> Result<Vec<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?)
}
