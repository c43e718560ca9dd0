//! Queries on `secret`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::secret;

/// The secrets of one scope (`vendor` or a customer id), by key.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    scope: &str,
) -> Result<Vec<secret::Model>> {
    Ok(secret::Entity::find()
        .filter(secret::Column::OrganizationId.eq(organization_id))
        .filter(secret::Column::Scope.eq(scope))
        .order_by_asc(secret::Column::Key)
        .all(db)
        .await?)
}

/// One secret of one vendor.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<secret::Model>> {
    Ok(secret::Entity::find_by_id(id)
        .filter(secret::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// Inserts a new secret or writes an existing one (same scope and key).
pub async fn upsert(db: &impl ConnectionTrait, row: secret::Model) -> Result<secret::Model> {
    let existing = secret::Entity::find()
        .filter(secret::Column::OrganizationId.eq(row.organization_id))
        .filter(secret::Column::Scope.eq(row.scope.as_str()))
        .filter(secret::Column::Key.eq(row.key.as_str()))
        .one(db)
        .await?;
    match existing {
        Some(found) => Ok(secret::Model {
            id: found.id,
            ..row
        }
        .into_active_model()
        .reset_all()
        .update(db)
        .await?),
        None => Ok(row.into_active_model().reset_all().insert(db).await?),
    }
}

/// Deletes a secret.
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    secret::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
