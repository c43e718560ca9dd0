//! Queries on `license` and `license_version`.

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType, Order,
    QueryFilter, QueryOrder, QuerySelect, RelationDef, RelationTrait,
};

use crate::entity::{customer_organization as customer, license, license_version};
use crate::{Error, Result};

/// Inserts a license; a name taken within the vendor is a conflict on `name`.
pub async fn insert(db: &impl ConnectionTrait, row: license::Model) -> Result<license::Model> {
    row.into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("name"))
}

/// Writes every column of an existing license; a taken name is a conflict on `name`.
pub async fn update(db: &impl ConnectionTrait, row: license::Model) -> Result<license::Model> {
    row.into_active_model()
        .reset_all()
        .update(db)
        .await
        .map_err(Error::conflict_on("name"))
}

/// The vendor's licenses, optionally only one customer's, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    customer_organization_id: Option<uuid::Uuid>,
) -> Result<Vec<license::Model>> {
    let mut query =
        license::Entity::find().filter(license::Column::OrganizationId.eq(organization_id));
    if let Some(customer) = customer_organization_id {
        query = query.filter(license::Column::CustomerOrganizationId.eq(customer));
    }
    Ok(query
        .order_by_desc(license::Column::CreatedAt)
        .order_by_asc(license::Column::Name)
        .all(db)
        .await?)
}

/// One page of the vendor's licenses (optionally one customer's), joined with their customer
/// and application so `search` and `order` may name their columns, in `order` then by id; and
/// how many match in all.
#[allow(clippy::too_many_arguments)]
pub async fn page(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    customer_organization_id: Option<uuid::Uuid>,
    search: Option<Condition>,
    order: Vec<(Expr, Order)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<license::Model>, u64)> {
    let to_customer: RelationDef = license::Entity::belongs_to(customer::Entity)
        .from(license::Column::CustomerOrganizationId)
        .to(customer::Column::Id)
        .into();
    let mut query = license::Entity::find()
        .join(JoinType::InnerJoin, to_customer)
        .join(JoinType::InnerJoin, license::Relation::Application.def())
        .filter(license::Column::OrganizationId.eq(organization_id));
    if let Some(customer) = customer_organization_id {
        query = query.filter(license::Column::CustomerOrganizationId.eq(customer));
    }
    let (query, total) =
        super::paging::searched_and_ordered(db, query, search, order, license::Column::Id).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// One license of one vendor.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<license::Model>> {
    Ok(license::Entity::find_by_id(id)
        .filter(license::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// The granted versions of the given licenses, as `(license, version)` pairs.
pub async fn versions_of(
    db: &impl ConnectionTrait,
    license_ids: &[uuid::Uuid],
) -> Result<Vec<license_version::Model>> {
    Ok(license_version::Entity::find()
        .filter(license_version::Column::LicenseId.is_in(license_ids.iter().copied()))
        .all(db)
        .await?)
}

/// Replaces the granted versions of a license.
pub async fn replace_versions(
    db: &impl ConnectionTrait,
    license_id: uuid::Uuid,
    version_ids: &[uuid::Uuid],
) -> Result<()> {
    license_version::Entity::delete_many()
        .filter(license_version::Column::LicenseId.eq(license_id))
        .exec(db)
        .await?;
    if version_ids.is_empty() {
        return Ok(());
    }
    license_version::Entity::insert_many(version_ids.iter().map(|&version_id| {
        license_version::Model {
            license_id,
            version_id,
        }
        .into_active_model()
    }))
    .exec(db)
    .await?;
    Ok(())
}
