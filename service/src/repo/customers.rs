//! Queries on `customer_organization`.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
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
