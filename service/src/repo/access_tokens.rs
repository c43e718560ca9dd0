//! Queries on `access_token`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};

use crate::entity::access_token;
use crate::{Error, Result};

/// Inserts a token.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: access_token::Model,
) -> Result<access_token::Model> {
    row.into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("token_hash"))
}

/// The tokens of one user in one organization, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    organization_id: uuid::Uuid,
) -> Result<Vec<access_token::Model>> {
    Ok(access_token::Entity::find()
        .filter(access_token::Column::UserId.eq(user_id))
        .filter(access_token::Column::OrganizationId.eq(organization_id))
        .order_by_desc(access_token::Column::CreatedAt)
        .order_by_desc(access_token::Column::Id)
        .all(db)
        .await?)
}

/// One token of one user in one organization (anyone else's is `None`).
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    organization_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<access_token::Model>> {
    Ok(access_token::Entity::find_by_id(id)
        .filter(access_token::Column::UserId.eq(user_id))
        .filter(access_token::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// The token behind a secret's hash, if it is neither revoked nor expired at `now`.
pub async fn find_usable(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<access_token::Model>> {
    Ok(access_token::Entity::find()
        .filter(access_token::Column::TokenHash.eq(token_hash))
        .filter(access_token::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(access_token::Column::ExpiresAt.is_null())
                .add(access_token::Column::ExpiresAt.gt(now)),
        )
        .one(db)
        .await?)
}

/// The token `id`, if it is neither revoked nor expired at `now`.
pub async fn find_usable_by_id(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Option<access_token::Model>> {
    Ok(access_token::Entity::find_by_id(id)
        .filter(access_token::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(access_token::Column::ExpiresAt.is_null())
                .add(access_token::Column::ExpiresAt.gt(now)),
        )
        .one(db)
        .await?)
}

/// Marks a token revoked unless it already is; returns whether this call revoked it.
pub async fn revoke(db: &impl ConnectionTrait, id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool> {
    let result = access_token::Entity::update_many()
        .col_expr(access_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(access_token::Column::Id.eq(id))
        .filter(access_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records a use at `now`, unless the last recorded use is after `stale_before` (so a busy
/// token costs one write a minute, not one per request).
pub async fn touch(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<()> {
    access_token::Entity::update_many()
        .col_expr(access_token::Column::LastUsedAt, Expr::value(Some(now)))
        .filter(access_token::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(access_token::Column::LastUsedAt.is_null())
                .add(access_token::Column::LastUsedAt.lt(stale_before)),
        )
        .exec(db)
        .await?;
    Ok(())
}
