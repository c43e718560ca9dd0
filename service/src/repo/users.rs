//! Queries on `user_account`.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::user_account;
use crate::{Error, Result};

/// Inserts an account; a taken email is [`Error::Conflict`] on `email`.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: user_account::Model,
) -> Result<user_account::Model> {
    user_account::ActiveModel {
        id: Set(row.id),
        email: Set(row.email),
        name: Set(row.name),
        password_hash: Set(row.password_hash),
        created_at: Set(row.created_at),
    }
    .insert(db)
    .await
    .map_err(Error::conflict_on("email"))
}

/// The account with this (normalised) email, if any.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user_account::Model>> {
    Ok(user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// The account with this id, if any.
pub async fn find(db: &impl ConnectionTrait, id: uuid::Uuid) -> Result<Option<user_account::Model>> {
    Ok(user_account::Entity::find_by_id(id).one(db).await?)
}
