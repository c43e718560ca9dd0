//! Queries on `artifact_license` and `artifact_license_item`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::entity::{artifact_license as license, artifact_license_item as item};
use crate::{Error, Result};

/// Inserts a license with its items (call inside a transaction); a taken name is
/// [`Error::Conflict`] on `name`.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: license::Model,
    items: Vec<item::Model>,
) -> Result<license::Model> {
    let saved = row
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("name"))?;
    if !items.is_empty() {
        item::Entity::insert_many(items.into_iter().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    Ok(saved)
}

/// A vendor's licenses, newest first (all customers, or one).
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    customer: Option<Uuid>,
) -> Result<Vec<license::Model>> {
    let mut query =
        license::Entity::find().filter(license::Column::OrganizationId.eq(organization_id));
    if let Some(c) = customer {
        query = query.filter(license::Column::CustomerOrganizationId.eq(c));
    }
    Ok(query
        .order_by_desc(license::Column::CreatedAt)
        .order_by_asc(license::Column::Name)
        .all(db)
        .await?)
}

/// One license of a vendor.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<license::Model>> {
    Ok(license::Entity::find_by_id(id)
        .filter(license::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// The items of some licenses.
pub async fn items(db: &impl ConnectionTrait, license_ids: Vec<Uuid>) -> Result<Vec<item::Model>> {
    Ok(item::Entity::find()
        .filter(item::Column::ArtifactLicenseId.is_in(license_ids))
        .all(db)
        .await?)
}

/// The unrevoked licenses of a customer (expired ones included: the caller tells them apart,
/// so it can say why a pull is refused).
pub async fn unrevoked_for_customer(
    db: &impl ConnectionTrait,
    customer: Uuid,
) -> Result<Vec<license::Model>> {
    Ok(license::Entity::find()
        .filter(license::Column::CustomerOrganizationId.eq(customer))
        .filter(license::Column::RevokedAt.is_null())
        .all(db)
        .await?)
}

/// Marks a license revoked (again is not an error).
pub async fn revoke(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    license::Entity::update_many()
        .col_expr(license::Column::RevokedAt, Expr::value(Some(now)))
        .filter(license::Column::Id.eq(id))
        .filter(license::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Changes when a license expires.
pub async fn set_expiry(
    db: &impl ConnectionTrait,
    id: Uuid,
    expires_at: Option<DateTime<Utc>>,
) -> Result<()> {
    license::Entity::update_many()
        .col_expr(license::Column::ExpiresAt, Expr::value(expires_at))
        .filter(license::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
