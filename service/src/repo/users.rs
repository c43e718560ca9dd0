//! Queries on `user_account`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::entity::user_account;
use crate::{Error, Result};

/// Inserts an account; a taken email is [`Error::Conflict`] on `email`.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: user_account::Model,
) -> Result<user_account::Model> {
    row.into_active_model()
        .reset_all()
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
pub async fn find(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<user_account::Model>> {
    Ok(user_account::Entity::find_by_id(id).one(db).await?)
}
