//! Queries on `deployment`, `deployment_revision`, `deployment_status` and `deployment_log`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    JoinType, Order, QueryFilter, QueryOrder, QuerySelect, RelationDef, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::{
    application, deployment, deployment_log as log, deployment_revision as revision,
    deployment_status as status, deployment_target as target,
};

/// Inserts a deployment.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: deployment::Model,
) -> Result<deployment::Model> {
    Ok(row.into_active_model().reset_all().insert(db).await?)
}

/// Writes the columns people change of an existing deployment; what it is now (its latest
/// report's state, its newest revision's version) is left as the reports and revisions wrote
/// it, which may be newer than `row`.
pub async fn update(
    db: &impl ConnectionTrait,
    row: deployment::Model,
) -> Result<deployment::Model> {
    let mut active = row.into_active_model().reset_all();
    active.reported_state = ActiveValue::NotSet;
    active.reported_at = ActiveValue::NotSet;
    active.running_version_id = ActiveValue::NotSet;
    active.revised_at = ActiveValue::NotSet;
    Ok(active.update(db).await?)
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

/// The deployments on the given targets that are not undeployed, oldest first.
pub async fn running_on(
    db: &impl ConnectionTrait,
    target_ids: &[Uuid],
) -> Result<Vec<deployment::Model>> {
    Ok(deployment::Entity::find()
        .filter(deployment::Column::DeploymentTargetId.is_in(target_ids.iter().copied()))
        .filter(deployment::Column::UndeployedAt.is_null())
        .order_by_asc(deployment::Column::CreatedAt)
        .order_by_asc(deployment::Column::Id)
        .all(db)
        .await?)
}

/// The given deployments, in no particular order.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<deployment::Model>> {
    Ok(deployment::Entity::find()
        .filter(deployment::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The newest revision of each given deployment, in one query: those created at their
/// deployment's latest time (a force restart made in the same instant as another revision
/// ties; the caller keeps the highest restart generation).
pub async fn latest_revisions(
    db: &impl ConnectionTrait,
    deployment_ids: &[Uuid],
) -> Result<Vec<revision::Model>> {
    let newer = Alias::new("newer");
    let latest = Query::select()
        .expr(Expr::col((newer.clone(), revision::Column::CreatedAt)).max())
        .from_as(revision::Entity, newer.clone())
        .and_where(
            Expr::col((newer, revision::Column::DeploymentId))
                .equals((revision::Entity, revision::Column::DeploymentId)),
        )
        .to_owned();
    Ok(revision::Entity::find()
        .filter(revision::Column::DeploymentId.is_in(deployment_ids.iter().copied()))
        .filter(
            Expr::col((revision::Entity, revision::Column::CreatedAt))
                .eq(Expr::SubQuery(None, Box::new(latest.into()))),
        )
        .all(db)
        .await?)
}

/// The latest status of each given deployment, in one query (the caller keeps one of two
/// reported in the same instant).
pub async fn latest_statuses(
    db: &impl ConnectionTrait,
    deployment_ids: &[Uuid],
) -> Result<Vec<status::Model>> {
    Ok(status::Entity::find()
        .filter(status::Column::DeploymentId.is_in(deployment_ids.iter().copied()))
        .filter(
            Expr::col((status::Entity, status::Column::At))
                .eq(Expr::SubQuery(None, Box::new(latest_status_at().into()))),
        )
        .all(db)
        .await?)
}

/// `SELECT MAX(at) FROM deployment_status WHERE deployment_id = deployment.id`, correlated
/// with the outer `deployment` (or `deployment_status`) row's id.
fn latest_status_at() -> sea_orm::sea_query::SelectStatement {
    let newer = Alias::new("newer");
    Query::select()
        .expr(Expr::col((newer.clone(), status::Column::At)).max())
        .from_as(status::Entity, newer.clone())
        .and_where(
            Expr::col((newer, status::Column::DeploymentId))
                .equals((status::Entity, status::Column::DeploymentId)),
        )
        .to_owned()
}

/// `COALESCE(deployment.reported_at, deployment.created_at)`: when a deployment last changed
/// (its latest report, else its creation), for sorting.
pub(crate) fn updated_at() -> Expr {
    Func::coalesce([
        Expr::col((deployment::Entity, deployment::Column::ReportedAt)),
        Expr::col((deployment::Entity, deployment::Column::CreatedAt)),
    ])
    .into()
}

/// One page of the deployments (not undeployed) on the vendor's targets (optionally one
/// customer's), joined with their target, application and customer so `search` and `order`
/// may name their columns; the ids in order, and how many match in all.
#[allow(clippy::too_many_arguments)]
pub async fn page(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    customer_organization_id: Option<Uuid>,
    search: Option<Condition>,
    order: Vec<(Expr, Order)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Uuid>, u64)> {
    let to_target: RelationDef = deployment::Entity::belongs_to(target::Entity)
        .from(deployment::Column::DeploymentTargetId)
        .to(target::Column::Id)
        .into();
    let to_application: RelationDef = deployment::Entity::belongs_to(application::Entity)
        .from(deployment::Column::ApplicationId)
        .to(application::Column::Id)
        .into();
    let mut query = deployment::Entity::find()
        .join(JoinType::InnerJoin, to_target)
        .join(JoinType::InnerJoin, to_application)
        .join(JoinType::LeftJoin, super::targets::to_customer())
        .filter(target::Column::OrganizationId.eq(organization_id))
        .filter(deployment::Column::UndeployedAt.is_null());
    if let Some(customer) = customer_organization_id {
        query = query.filter(target::Column::CustomerOrganizationId.eq(customer));
    }
    let (query, total) =
        super::paging::searched_and_ordered(db, query, search, order, deployment::Column::Id)
            .await?;
    let ids: Vec<Uuid> = query
        .select_only()
        .column(deployment::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok((ids, total))
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

/// Inserts a revision, and makes its version the deployment's running one unless a newer
/// revision was made meanwhile. Callers run both in one transaction.
pub async fn insert_revision(
    db: &impl ConnectionTrait,
    row: revision::Model,
) -> Result<revision::Model> {
    let saved = row.into_active_model().reset_all().insert(db).await?;
    // A condition on the row itself, so PostgreSQL re-checks it after waiting for a
    // concurrent writer of the same deployment.
    deployment::Entity::update_many()
        .col_expr(
            deployment::Column::RunningVersionId,
            Expr::value(saved.application_version_id),
        )
        .col_expr(deployment::Column::RevisedAt, Expr::value(saved.created_at))
        .filter(deployment::Column::Id.eq(saved.deployment_id))
        .filter(
            Condition::any()
                .add(deployment::Column::RevisedAt.is_null())
                .add(deployment::Column::RevisedAt.lte(saved.created_at)),
        )
        .exec(db)
        .await?;
    Ok(saved)
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

/// Inserts a status, makes its state the deployment's reported one unless a newer report was
/// kept meanwhile, and keeps only the newest `keep` statuses of the deployment; all in one
/// transaction.
pub async fn insert_status<C>(db: &C, row: status::Model, keep: u64) -> Result<()>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let deployment_id = row.deployment_id;
    let saved = row.into_active_model().reset_all().insert(&txn).await?;
    // Conditioned on the row itself, as in `insert_revision`.
    deployment::Entity::update_many()
        .col_expr(deployment::Column::ReportedState, Expr::value(saved.state))
        .col_expr(deployment::Column::ReportedAt, Expr::value(saved.at))
        .filter(deployment::Column::Id.eq(deployment_id))
        .filter(
            Condition::any()
                .add(deployment::Column::ReportedAt.is_null())
                .add(deployment::Column::ReportedAt.lte(saved.at)),
        )
        .exec(&txn)
        .await?;
    let db = &txn;
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
    txn.commit().await?;
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
