//! Queries on `membership`.

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use crate::entity::{membership, user_account};
use crate::{Error, Result};

/// Inserts a membership; a user can be a member of an organization only once.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: membership::Model,
) -> Result<membership::Model> {
    row.into_active_model()
        .reset_all()
        .insert(db)
        .await
        .map_err(Error::conflict_on("membership"))
}

/// Every membership of a user, oldest first.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
) -> Result<Vec<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One membership.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    organization_id: uuid::Uuid,
) -> Result<Option<membership::Model>> {
    Ok(membership::Entity::find_by_id((user_id, organization_id))
        .one(db)
        .await?)
}

/// The members of a vendor (`customer = None`) or of one of its customers, with their accounts.
pub async fn list_members(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    customer: Option<uuid::Uuid>,
) -> Result<Vec<(membership::Model, user_account::Model)>> {
    let mut query = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .find_also_related(user_account::Entity);
    query = match customer {
        Some(c) => query.filter(membership::Column::CustomerOrganizationId.eq(c)),
        None => query.filter(membership::Column::CustomerOrganizationId.is_null()),
    };
    let rows = query
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| u.map(|u| (m, u)))
        .collect())
}

/// One page of the members of a vendor (`customer = None`) or of one of its customers, with
/// their accounts, matching `search`, in `order` then by account id; and how many match in all.
pub async fn page_members(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    customer: Option<uuid::Uuid>,
    search: Option<Condition>,
    order: Vec<(Expr, Order)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<(membership::Model, user_account::Model)>, u64)> {
    let mut query = membership::Entity::find()
        .join(JoinType::InnerJoin, membership::Relation::UserAccount.def())
        .filter(membership::Column::OrganizationId.eq(organization_id));
    query = match customer {
        Some(c) => query.filter(membership::Column::CustomerOrganizationId.eq(c)),
        None => query.filter(membership::Column::CustomerOrganizationId.is_null()),
    };
    let (query, total) =
        super::paging::searched_and_ordered(db, query, search, order, membership::Column::UserId)
            .await?;
    let rows = query
        .select_also(user_account::Entity)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    let rows = rows
        .into_iter()
        .filter_map(|(m, u)| u.map(|u| (m, u)))
        .collect();
    Ok((rows, total))
}

/// Every member of a vendor and of all its customers, with their accounts.
pub async fn list_all_members(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
) -> Result<Vec<(membership::Model, user_account::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .find_also_related(user_account::Entity)
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| u.map(|u| (m, u)))
        .collect())
}

/// One membership with its account.
pub async fn find_member(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    organization_id: uuid::Uuid,
) -> Result<Option<(membership::Model, user_account::Model)>> {
    Ok(membership::Entity::find_by_id((user_id, organization_id))
        .find_also_related(user_account::Entity)
        .one(db)
        .await?
        .and_then(|(m, u)| u.map(|u| (m, u))))
}

/// How many admins the vendor (`customer = None`) or customer organization has.
pub async fn count_admins(
    db: &impl ConnectionTrait,
    organization_id: uuid::Uuid,
    customer: Option<uuid::Uuid>,
) -> Result<u64> {
    let mut query = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::Role.eq("admin"));
    query = match customer {
        Some(c) => query.filter(membership::Column::CustomerOrganizationId.eq(c)),
        None => query.filter(membership::Column::CustomerOrganizationId.is_null()),
    };
    Ok(query.count(db).await?)
}

/// Changes a member's role.
pub async fn set_role(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    organization_id: uuid::Uuid,
    role: &str,
) -> Result<()> {
    membership::Entity::update_many()
        .col_expr(membership::Column::Role, Expr::value(role))
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes a membership.
pub async fn delete(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    organization_id: uuid::Uuid,
) -> Result<()> {
    membership::Entity::delete_by_id((user_id, organization_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes every membership in a customer organization (when it is deleted).
pub async fn delete_for_customer(db: &impl ConnectionTrait, customer: uuid::Uuid) -> Result<()> {
    membership::Entity::delete_many()
        .filter(membership::Column::CustomerOrganizationId.eq(customer))
        .exec(db)
        .await?;
    Ok(())
}
