//! Queries on `session`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

use crate::Result;
use crate::entity::{session, user_account};

/// Inserts a session.
pub async fn insert(db: &impl ConnectionTrait, row: session::Model) -> Result<()> {
    session::ActiveModel {
        token_hash: Set(row.token_hash),
        user_id: Set(row.user_id),
        created_at: Set(row.created_at),
        expires_at: Set(row.expires_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The account behind an unexpired session, if any.
pub async fn find_user(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<user_account::Model>> {
    let found = session::Entity::find_by_id(token_hash.to_string())
        .filter(session::Column::ExpiresAt.gt(now))
        .find_also_related(user_account::Entity)
        .limit(1)
        .one(db)
        .await?;
    Ok(found.and_then(|(_, user)| user))
}

/// Deletes one session (sign-out).
pub async fn delete(db: &impl ConnectionTrait, token_hash: &str) -> Result<()> {
    session::Entity::delete_by_id(token_hash.to_string())
        .exec(db)
        .await?;
    Ok(())
}
