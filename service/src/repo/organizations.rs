//! Queries on `organization`.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use crate::entity::organization;
use crate::{Error, Result};

/// Inserts an organization; a taken slug is [`Error::Conflict`] on `slug`.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: organization::Model,
) -> Result<organization::Model> {
    organization::ActiveModel {
        id: Set(row.id),
        name: Set(row.name),
        slug: Set(row.slug),
        created_at: Set(row.created_at),
    }
    .insert(db)
    .await
    .map_err(Error::conflict_on("slug"))
}

/// The organization with this slug, if any.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The organization with this id, if any.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<organization::Model>> {
    Ok(organization::Entity::find_by_id(id).one(db).await?)
}

/// How many vendor organizations the hub has.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(organization::Entity::find().count(db).await?)
}

/// Whether a slug is taken.
pub async fn slug_taken(db: &impl ConnectionTrait, slug: &str) -> Result<bool> {
    Ok(find_by_slug(db, slug).await?.is_some())
}

/// Any one organization (the oldest).
pub async fn first(db: &impl ConnectionTrait) -> Result<Option<organization::Model>> {
    use sea_orm::QueryOrder;
    Ok(organization::Entity::find()
        .order_by_asc(organization::Column::CreatedAt)
        .one(db)
        .await?)
}

/// Renames an organization.
pub async fn set_name(db: &impl ConnectionTrait, id: uuid::Uuid, name: &str) -> Result<()> {
    organization::Entity::update_many()
        .col_expr(organization::Column::Name, Expr::value(name))
        .filter(organization::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
