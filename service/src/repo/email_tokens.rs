//! Queries on `email_token`, and the account changes those links make.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::entity::{email_token, session, user_account};
use crate::{Error, Result};

/// Inserts a link.
pub async fn insert(db: &impl ConnectionTrait, row: email_token::Model) -> Result<()> {
    row.into_active_model().reset_all().insert(db).await?;
    Ok(())
}

/// The unused, unexpired link of `purpose` behind a token hash.
pub async fn find_usable(
    db: &impl ConnectionTrait,
    token_hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<email_token::Model>> {
    Ok(email_token::Entity::find_by_id(token_hash.to_string())
        .filter(email_token::Column::Purpose.eq(purpose))
        .filter(email_token::Column::UsedAt.is_null())
        .filter(email_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?)
}

/// Spends a link; `false` if another request spent it first.
pub async fn mark_used(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(email_token::Column::TokenHash.eq(token_hash))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Spends every open link of `purpose` for a user (a new one supersedes them).
pub async fn spend_all(
    db: &impl ConnectionTrait,
    user: uuid::Uuid,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(email_token::Column::UserId.eq(user))
        .filter(email_token::Column::Purpose.eq(purpose))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces an account's password hash.
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    user: uuid::Uuid,
    hash: &str,
) -> Result<()> {
    user_account::Entity::update_many()
        .col_expr(user_account::Column::PasswordHash, Expr::value(hash))
        .filter(user_account::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks an account's address verified.
pub async fn set_verified(
    db: &impl ConnectionTrait,
    user: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    user_account::Entity::update_many()
        .col_expr(
            user_account::Column::EmailVerifiedAt,
            Expr::value(Some(now)),
        )
        .filter(user_account::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Changes an account's address (verified by the link that confirmed it).
pub async fn set_email(
    db: &impl ConnectionTrait,
    user: uuid::Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    user_account::Entity::update_many()
        .col_expr(user_account::Column::Email, Expr::value(email))
        .col_expr(
            user_account::Column::EmailVerifiedAt,
            Expr::value(Some(now)),
        )
        .filter(user_account::Column::Id.eq(user))
        .exec(db)
        .await
        .map_err(Error::conflict_on("email"))?;
    Ok(())
}

/// Ends every session of a user except `keep` (a token hash), e.g. after a password change.
pub async fn end_sessions(
    db: &impl ConnectionTrait,
    user: uuid::Uuid,
    keep: Option<&str>,
) -> Result<()> {
    let mut query = session::Entity::delete_many().filter(session::Column::UserId.eq(user));
    if let Some(keep) = keep {
        query = query.filter(session::Column::TokenHash.ne(keep));
    }
    query.exec(db).await?;
    Ok(())
}
