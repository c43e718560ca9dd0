//! Queries on `customer_organization`.

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Order,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::customer_organization as customer;
use crate::{Error, Result};

/// Inserts a customer; a name taken within the vendor is a conflict on `name`.
pub async fn insert(db: &impl ConnectionTrait, row: customer::Model) -> Result<customer::Model> {
    row.into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("name"))
}

/// The vendor's customers, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
) -> Result<Vec<customer::Model>> {
    Ok(customer::Entity::find()
        .filter(customer::Column::OrganizationId.eq(organization_id))
        .order_by_asc(customer::Column::Name)
        .all(db)
        .await?)
}

/// One page of the vendor's customers (or only `only`), matching `search`, in `order` then by
/// id; and how many match in all.
pub async fn page(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    only: Option<uuid::Uuid>,
    search: Option<Condition>,
    order: Vec<(Expr, Order)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<customer::Model>, u64)> {
    let mut query =
        customer::Entity::find().filter(customer::Column::OrganizationId.eq(organization_id));
    if let Some(id) = only {
        query = query.filter(customer::Column::Id.eq(id));
    }
    let (query, total) =
        super::paging::searched_and_ordered(db, query, search, order, customer::Column::Id).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// One customer of one vendor (a customer of another vendor is `None`).
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<customer::Model>> {
    Ok(customer::Entity::find_by_id(id)
        .filter(customer::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// Deletes a customer (its invitations go with it by foreign key).
pub async fn delete(db: &impl ConnectionTrait, id: uuid::Uuid) -> Result<()> {
    customer::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Renames one customer of one vendor; a name taken within the vendor is a conflict on `name`.
/// Returns whether the customer exists.
pub async fn set_name(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    id: uuid::Uuid,
    name: &str,
) -> Result<bool> {
    let result = customer::Entity::update_many()
        .col_expr(customer::Column::Name, Expr::value(name))
        .filter(customer::Column::Id.eq(id))
        .filter(customer::Column::OrganizationId.eq(organization_id))
        .exec(db)
        .await
        .map_err(Error::conflict_on("name"))?;
    Ok(result.rows_affected == 1)
}
