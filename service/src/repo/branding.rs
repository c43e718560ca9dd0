//! Queries on `branding`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
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

/// The vendor whose customer portal is served on `host`: only a verified host counts.
pub async fn find_by_verified_host(
    db: &impl ConnectionTrait,
    host: &str,
) -> Result<Option<branding::Model>> {
    Ok(branding::Entity::find()
        .filter(branding::Column::CustomHost.eq(host))
        .filter(branding::Column::CustomHostVerifiedAt.is_not_null())
        .one(db)
        .await?)
}

/// Gives a host saved without a token (before verification existed) its token; a no-op when it
/// has one by now.
pub async fn give_host_token(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    host: &str,
    token: &str,
) -> Result<()> {
    branding::Entity::update_many()
        .col_expr(branding::Column::CustomHostToken, Expr::value(token))
        .filter(branding::Column::OrganizationId.eq(organization_id))
        .filter(branding::Column::CustomHost.eq(host))
        .filter(branding::Column::CustomHostToken.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a vendor's host verified, if it still has that host and token; `false` otherwise.
pub async fn mark_host_verified(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    host: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = branding::Entity::update_many()
        .col_expr(
            branding::Column::CustomHostVerifiedAt,
            Expr::value(Some(now)),
        )
        .filter(branding::Column::OrganizationId.eq(organization_id))
        .filter(branding::Column::CustomHost.eq(host))
        .filter(branding::Column::CustomHostToken.eq(token))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
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
