//! Queries on `invitation`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

use crate::Result;
use crate::entity::invitation;

/// Inserts an invitation.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: invitation::Model,
) -> Result<invitation::Model> {
    Ok(row.into_active_model().reset_all().insert(db).await?)
}

/// The invitations of a vendor, or of one of its customers, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    customer_organization_id: Option<uuid::Uuid>,
) -> Result<Vec<invitation::Model>> {
    let mut query =
        invitation::Entity::find().filter(invitation::Column::OrganizationId.eq(organization_id));
    query = match customer_organization_id {
        Some(c) => query.filter(invitation::Column::CustomerOrganizationId.eq(c)),
        None => query.filter(invitation::Column::CustomerOrganizationId.is_null()),
    };
    Ok(query
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One invitation of a vendor.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<invitation::Model>> {
    Ok(invitation::Entity::find_by_id(id)
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// The invitation behind a link's token hash.
pub async fn find_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<invitation::Model>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?)
}

/// Revokes every pending invitation of `email` into the same organization scope.
pub async fn revoke_pending(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::Email.eq(email))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Marks one pending invitation revoked; `false` if it was not pending.
pub async fn revoke(db: &impl ConnectionTrait, id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool> {
    let result = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Gives a pending invitation a new token and expiry (resend); `false` if it was not pending.
pub async fn renew(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    let result = invitation::Entity::update_many()
        .col_expr(invitation::Column::TokenHash, Expr::value(token_hash))
        .col_expr(invitation::Column::CreatedAt, Expr::value(now))
        .col_expr(invitation::Column::ExpiresAt, Expr::value(expires_at))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks an invitation used, only if it is still pending and unexpired: exactly one of two
/// concurrent acceptances wins. Returns whether this call won.
pub async fn mark_accepted(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
