//! Queries on `session`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};

use crate::Result;
use crate::entity::{session, user_account};

/// Inserts a session.
pub async fn insert(db: &impl ConnectionTrait, row: session::Model) -> Result<()> {
    row.into_active_model().reset_all().insert(db).await?;
    Ok(())
}

/// The unexpired session and its account, if any.
pub async fn find_user(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(session::Model, user_account::Model)>> {
    let found = session::Entity::find_by_id(token_hash.to_string())
        .filter(session::Column::ExpiresAt.gt(now))
        .find_also_related(user_account::Entity)
        .limit(1)
        .one(db)
        .await?;
    Ok(found.and_then(|(session, user)| user.map(|u| (session, u))))
}

/// Deletes one session (sign-out).
pub async fn delete(db: &impl ConnectionTrait, token_hash: &str) -> Result<()> {
    session::Entity::delete_by_id(token_hash.to_string())
        .exec(db)
        .await?;
    Ok(())
}

/// Points a session at another organization.
pub async fn set_organization(
    db: &impl ConnectionTrait,
    token_hash: &str,
    organization_id: uuid::Uuid,
) -> Result<()> {
    session::Entity::update_many()
        .col_expr(
            session::Column::OrganizationId,
            sea_orm::sea_query::Expr::value(Some(organization_id)),
        )
        .filter(session::Column::TokenHash.eq(token_hash))
        .exec(db)
        .await?;
    Ok(())
}
