//! Queries on `deployment_target` and `target_metric`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType, Order,
    QueryFilter, QueryOrder, QuerySelect, RelationDef,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::{
    customer_organization as customer, deployment_target as target, target_metric as metric,
};

/// Inserts a target.
pub async fn insert(db: &impl ConnectionTrait, row: target::Model) -> Result<target::Model> {
    Ok(row.into_active_model().reset_all().insert(db).await?)
}

/// Spends the enrolment secret whose hash is `secret_hash` and stores the agent's credential
/// hash; `false` when the target no longer holds that secret (another agent spent it first, or
/// it was rotated). The condition on the secret is what lets only one of two racing agents win,
/// on every database.
pub async fn claim_enrolment(
    db: &impl ConnectionTrait,
    id: Uuid,
    secret_hash: &str,
    credential_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = target::Entity::update_many()
        .col_expr(target::Column::SecretHash, Expr::value(None::<String>))
        .col_expr(target::Column::SecretUsedAt, Expr::value(Some(now)))
        .col_expr(target::Column::CredentialHash, Expr::value(credential_hash))
        .filter(target::Column::Id.eq(id))
        .filter(target::Column::SecretHash.eq(secret_hash))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Replaces a vendor's target's enrolment secret, touching no other column (so an agent that
/// enrols meanwhile keeps its credential); `false` when the target is gone.
pub async fn replace_secret(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
    secret_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = target::Entity::update_many()
        .col_expr(target::Column::SecretHash, Expr::value(secret_hash))
        .col_expr(target::Column::SecretCreatedAt, Expr::value(now))
        .col_expr(
            target::Column::SecretUsedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(target::Column::Id.eq(id))
        .filter(target::Column::OrganizationId.eq(organization_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The vendor's targets, optionally only one customer's, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    customer_organization_id: Option<Uuid>,
) -> Result<Vec<target::Model>> {
    let mut query =
        target::Entity::find().filter(target::Column::OrganizationId.eq(organization_id));
    if let Some(customer) = customer_organization_id {
        query = query.filter(target::Column::CustomerOrganizationId.eq(customer));
    }
    Ok(query
        .order_by_asc(target::Column::Name)
        .order_by_asc(target::Column::CreatedAt)
        .all(db)
        .await?)
}

/// `deployment_target` → its customer (none for a vendor-managed target).
pub(crate) fn to_customer() -> RelationDef {
    target::Entity::belongs_to(customer::Entity)
        .from(target::Column::CustomerOrganizationId)
        .to(customer::Column::Id)
        .into()
}

/// One page of the vendor's targets (optionally one customer's) with their customer's name,
/// matching `search` (which may name the customer's columns), in `order` then by id; and how
/// many match in all.
#[allow(clippy::too_many_arguments)]
pub async fn page(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    customer_organization_id: Option<Uuid>,
    search: Option<Condition>,
    order: Vec<(Expr, Order)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<(target::Model, Option<String>)>, u64)> {
    let mut query = target::Entity::find()
        .join(JoinType::LeftJoin, to_customer())
        .filter(target::Column::OrganizationId.eq(organization_id));
    if let Some(customer) = customer_organization_id {
        query = query.filter(target::Column::CustomerOrganizationId.eq(customer));
    }
    let (query, total) =
        super::paging::searched_and_ordered(db, query, search, order, target::Column::Id).await?;
    let rows = query
        .select_also(customer::Entity)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((
        rows.into_iter()
            .map(|(t, c)| (t, c.map(|c| c.name)))
            .collect(),
        total,
    ))
}

/// The given targets of the vendor with their customer's name.
pub async fn named(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<(target::Model, Option<String>)>> {
    let rows = target::Entity::find()
        .join(JoinType::LeftJoin, to_customer())
        .filter(target::Column::OrganizationId.eq(organization_id))
        .filter(target::Column::Id.is_in(ids.iter().copied()))
        .select_also(customer::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(t, c)| (t, c.map(|c| c.name)))
        .collect())
}

/// The customers of the vendor that have at least one target.
pub async fn customers_with_targets(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<Uuid>> {
    let ids: Vec<Option<Uuid>> = target::Entity::find()
        .select_only()
        .column(target::Column::CustomerOrganizationId)
        .distinct()
        .filter(target::Column::OrganizationId.eq(organization_id))
        .filter(target::Column::CustomerOrganizationId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

/// One target of one vendor.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<target::Model>> {
    Ok(target::Entity::find_by_id(id)
        .filter(target::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// One target by id alone (for the agent, which authenticates by secret or credential).
pub async fn find_any(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<target::Model>> {
    Ok(target::Entity::find_by_id(id).one(db).await?)
}

/// The target holding this credential hash.
pub async fn find_by_credential(
    db: &impl ConnectionTrait,
    credential_hash: &str,
) -> Result<Option<target::Model>> {
    Ok(target::Entity::find()
        .filter(target::Column::CredentialHash.eq(credential_hash))
        .one(db)
        .await?)
}

/// Deletes a target (its deployments, statuses, logs and metrics go with it).
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    target::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Records what the agent said in its `hello`, and that it was seen.
pub async fn set_seen(
    db: &impl ConnectionTrait,
    id: Uuid,
    agent_version: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut update = target::Entity::update_many()
        .col_expr(target::Column::LastSeenAt, Expr::value(at))
        .filter(target::Column::Id.eq(id));
    if let Some(version) = agent_version {
        update = update.col_expr(target::Column::AgentVersion, Expr::value(version));
    }
    update.exec(db).await?;
    Ok(())
}

/// Inserts a metrics sample and keeps only the newest `keep` of the target.
pub async fn insert_metric(db: &impl ConnectionTrait, row: metric::Model, keep: u64) -> Result<()> {
    let target_id = row.deployment_target_id;
    row.into_active_model().reset_all().insert(db).await?;
    let oldest_kept = metric::Entity::find()
        .filter(metric::Column::DeploymentTargetId.eq(target_id))
        .order_by_desc(metric::Column::At)
        .offset(keep)
        .limit(1)
        .one(db)
        .await?;
    if let Some(cut) = oldest_kept {
        metric::Entity::delete_many()
            .filter(metric::Column::DeploymentTargetId.eq(target_id))
            .filter(metric::Column::At.lte(cut.at))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The newest `limit` metrics samples of a target, newest first.
pub async fn metrics(
    db: &impl ConnectionTrait,
    target_id: Uuid,
    limit: u64,
) -> Result<Vec<metric::Model>> {
    Ok(metric::Entity::find()
        .filter(metric::Column::DeploymentTargetId.eq(target_id))
        .order_by_desc(metric::Column::At)
        .limit(limit)
        .all(db)
        .await?)
}
