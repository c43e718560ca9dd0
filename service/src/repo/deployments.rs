//! Queries on `deployment`, `deployment_revision`, `deployment_status` and `deployment_log`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::{
    deployment, deployment_log as log, deployment_revision as revision, deployment_status as status,
};

/// Inserts a deployment.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: deployment::Model,
) -> Result<deployment::Model> {
    Ok(row.into_active_model().reset_all().insert(db).await?)
}

/// Writes every column of an existing deployment.
pub async fn update(
    db: &impl ConnectionTrait,
    row: deployment::Model,
) -> Result<deployment::Model> {
    Ok(row.into_active_model().reset_all().update(db).await?)
}

/// One deployment.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<deployment::Model>> {
    Ok(deployment::Entity::find_by_id(id).one(db).await?)
}

/// The deployments on the given targets, oldest first.
pub async fn list_on(
    db: &impl ConnectionTrait,
    target_ids: &[Uuid],
) -> Result<Vec<deployment::Model>> {
    Ok(deployment::Entity::find()
        .filter(deployment::Column::DeploymentTargetId.is_in(target_ids.iter().copied()))
        .order_by_asc(deployment::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Marks a deployment undeployed (the agent reported it).
pub async fn set_undeployed(db: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<()> {
    deployment::Entity::update_many()
        .col_expr(deployment::Column::UndeployedAt, Expr::value(at))
        .filter(deployment::Column::Id.eq(id))
        .filter(deployment::Column::UndeployRequestedAt.is_not_null())
        .filter(deployment::Column::UndeployedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Inserts a revision.
pub async fn insert_revision(
    db: &impl ConnectionTrait,
    row: revision::Model,
) -> Result<revision::Model> {
    Ok(row.into_active_model().reset_all().insert(db).await?)
}

/// The newest revision of a deployment.
pub async fn latest_revision(
    db: &impl ConnectionTrait,
    deployment_id: Uuid,
) -> Result<Option<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::DeploymentId.eq(deployment_id))
        .order_by_desc(revision::Column::CreatedAt)
        .order_by_desc(revision::Column::RestartGeneration)
        .one(db)
        .await?)
}

/// Inserts a status and keeps only the newest `keep` of the deployment.
pub async fn insert_status(db: &impl ConnectionTrait, row: status::Model, keep: u64) -> Result<()> {
    let deployment_id = row.deployment_id;
    row.into_active_model().reset_all().insert(db).await?;
    let cut = status::Entity::find()
        .filter(status::Column::DeploymentId.eq(deployment_id))
        .order_by_desc(status::Column::At)
        .offset(keep)
        .limit(1)
        .one(db)
        .await?;
    if let Some(cut) = cut {
        status::Entity::delete_many()
            .filter(status::Column::DeploymentId.eq(deployment_id))
            .filter(status::Column::At.lte(cut.at))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Counts one more report of status `id` (the same state, message and revision as before),
/// seen last at `at`: an atomic increment, so concurrent repeats are all counted.
pub async fn repeat_status(db: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<()> {
    status::Entity::update_many()
        .col_expr(
            status::Column::Repeats,
            Expr::col(status::Column::Repeats).add(1),
        )
        .col_expr(status::Column::LastAt, Expr::value(at))
        .filter(status::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The newest `limit` statuses of a deployment, newest first.
pub async fn statuses(
    db: &impl ConnectionTrait,
    deployment_id: Uuid,
    limit: u64,
) -> Result<Vec<status::Model>> {
    Ok(status::Entity::find()
        .filter(status::Column::DeploymentId.eq(deployment_id))
        .order_by_desc(status::Column::At)
        .limit(limit)
        .all(db)
        .await?)
}

/// Inserts log lines and keeps only the newest `keep` of the deployment.
pub async fn insert_logs(
    db: &impl ConnectionTrait,
    deployment_id: Uuid,
    rows: Vec<log::Model>,
    keep: u64,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    log::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
        .exec(db)
        .await?;
    let cut = log::Entity::find()
        .filter(log::Column::DeploymentId.eq(deployment_id))
        .order_by_desc(log::Column::At)
        .offset(keep)
        .limit(1)
        .one(db)
        .await?;
    if let Some(cut) = cut {
        log::Entity::delete_many()
            .filter(log::Column::DeploymentId.eq(deployment_id))
            .filter(log::Column::At.lte(cut.at))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The newest `limit` log lines of a deployment, newest first.
pub async fn logs(
    db: &impl ConnectionTrait,
    deployment_id: Uuid,
    limit: u64,
) -> Result<Vec<log::Model>> {
    Ok(log::Entity::find()
        .filter(log::Column::DeploymentId.eq(deployment_id))
        .order_by_desc(log::Column::At)
        .limit(limit)
        .all(db)
        .await?)
}
