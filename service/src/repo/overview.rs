//! Queries behind the portals' overviews.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, prelude::*,
};

use crate::Result;
use crate::entity::{
    deployment, deployment_revision as revision, deployment_status as status,
    deployment_target as target,
};

/// The newest `limit` status changes on the deployments of the vendor's targets (of one
/// customer's only, when `customer` is given), newest first. One query, whatever the fleet's
/// size.
pub async fn recent_statuses(
    db: &impl ConnectionTrait,
    vendor: Uuid,
    customer: Option<Uuid>,
    limit: u64,
) -> Result<Vec<status::Model>> {
    let mut targets = Query::select();
    targets
        .column(target::Column::Id)
        .from(target::Entity)
        .and_where(target::Column::OrganizationId.eq(vendor));
    if let Some(customer) = customer {
        targets.and_where(target::Column::CustomerOrganizationId.eq(customer));
    }
    let deployments = Query::select()
        .column(deployment::Column::Id)
        .from(deployment::Entity)
        .and_where(deployment::Column::DeploymentTargetId.in_subquery(targets.to_owned()))
        .to_owned();
    Ok(status::Entity::find()
        .filter(status::Column::DeploymentId.in_subquery(deployments))
        .order_by_desc(status::Column::At)
        .limit(limit)
        .all(db)
        .await?)
}

/// `NOT EXISTS` a status of the same deployment newer than the `deployment_status` row in the
/// outer query (by time, then id, as [`super::deployments::latest_statuses`]' callers keep).
pub(crate) fn is_newest_status() -> sea_orm::sea_query::Condition {
    let newer = Alias::new("newer_status");
    let own = |c: status::Column| Expr::col((status::Entity, c));
    let other = |c: status::Column| Expr::col((newer.clone(), c));
    let newer_status = Query::select()
        .expr(Expr::val(1))
        .from_as(status::Entity, newer.clone())
        .and_where(
            other(status::Column::DeploymentId)
                .equals((status::Entity, status::Column::DeploymentId)),
        )
        .and_where(
            other(status::Column::At)
                .gt(own(status::Column::At))
                .or(other(status::Column::At)
                    .eq(own(status::Column::At))
                    .and(other(status::Column::Id).gt(own(status::Column::Id)))),
        )
        .to_owned();
    sea_orm::sea_query::Condition::all().add(Expr::exists(newer_status).not())
}

/// `NOT EXISTS` a revision of the same deployment newer than the `deployment_revision` row in
/// the outer query: by time, then by restart counter (as `deployments::hydrate_many` keeps).
pub(crate) fn is_newest_revision() -> sea_orm::sea_query::Condition {
    let later = Alias::new("later_revision");
    let own = |c: revision::Column| Expr::col((revision::Entity, c));
    let other = |c: revision::Column| Expr::col((later.clone(), c));
    let newer_revision = Query::select()
        .expr(Expr::val(1))
        .from_as(revision::Entity, later.clone())
        .and_where(
            other(revision::Column::DeploymentId)
                .equals((revision::Entity, revision::Column::DeploymentId)),
        )
        .and_where(
            other(revision::Column::CreatedAt)
                .gt(own(revision::Column::CreatedAt))
                .or(other(revision::Column::CreatedAt)
                    .eq(own(revision::Column::CreatedAt))
                    .and(
                        other(revision::Column::RestartGeneration)
                            .gt(own(revision::Column::RestartGeneration)),
                    )),
        )
        .to_owned();
    sea_orm::sea_query::Condition::all().add(Expr::exists(newer_revision).not())
}

fn to_target() -> sea_orm::RelationDef {
    deployment::Entity::belongs_to(target::Entity)
        .from(deployment::Column::DeploymentTargetId)
        .to(target::Column::Id)
        .into()
}

fn to_deployment<E: EntityTrait>(from: E::Column) -> sea_orm::RelationDef {
    E::belongs_to(deployment::Entity)
        .from(from)
        .to(deployment::Column::Id)
        .into()
}

/// How many of the vendor's live (not undeployed) deployments there are, and how many of them
/// are being undeployed.
pub async fn live_totals(db: &impl ConnectionTrait, vendor: Uuid) -> Result<(i64, i64)> {
    let row: Option<(i64, i64)> = deployment::Entity::find()
        .select_only()
        .column_as(deployment::Column::Id.count(), "all")
        .column_as(
            deployment::Column::UndeployRequestedAt.count(),
            "undeploying",
        )
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::UndeployedAt.is_null())
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.unwrap_or((0, 0)))
}

/// Per state of the latest report: `(state, deployments, of which being undeployed)` over the
/// vendor's live deployments that have reported at all, in one query.
pub async fn latest_state_counts(
    db: &impl ConnectionTrait,
    vendor: Uuid,
) -> Result<Vec<(String, i64, i64)>> {
    Ok(status::Entity::find()
        .select_only()
        .column(status::Column::State)
        .column_as(deployment::Column::Id.count(), "all")
        .column_as(
            deployment::Column::UndeployRequestedAt.count(),
            "undeploying",
        )
        .join(
            JoinType::InnerJoin,
            to_deployment::<status::Entity>(status::Column::DeploymentId),
        )
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::UndeployedAt.is_null())
        .filter(is_newest_status())
        .group_by(status::Column::State)
        .into_tuple()
        .all(db)
        .await?)
}

/// Per version the vendor's live deployments run now (their newest revision names it):
/// `(application id, version id, deployments)`, in one query.
pub async fn live_version_counts(
    db: &impl ConnectionTrait,
    vendor: Uuid,
) -> Result<Vec<(Uuid, Uuid, i64)>> {
    Ok(revision::Entity::find()
        .select_only()
        .column(deployment::Column::ApplicationId)
        .column(revision::Column::ApplicationVersionId)
        .column_as(revision::Column::Id.count(), "deployments")
        .join(
            JoinType::InnerJoin,
            to_deployment::<revision::Entity>(revision::Column::DeploymentId),
        )
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::UndeployedAt.is_null())
        .filter(is_newest_revision())
        .group_by(deployment::Column::ApplicationId)
        .group_by(revision::Column::ApplicationVersionId)
        .into_tuple()
        .all(db)
        .await?)
}

/// What [`first_live`] picks.
#[derive(Clone, Copy, Debug)]
pub enum Pick<'a> {
    /// Those whose newest revision runs one of these versions.
    Running(&'a [Uuid]),
    /// Those whose latest report is an error and that nobody asked to undeploy.
    Failing,
}

/// The first `limit` of the vendor's live deployments that `pick` selects, oldest first, in
/// one query.
pub async fn first_live(
    db: &impl ConnectionTrait,
    vendor: Uuid,
    pick: Pick<'_>,
    limit: u64,
) -> Result<Vec<deployment::Model>> {
    let mut query = deployment::Entity::find()
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::UndeployedAt.is_null());
    query = match pick {
        Pick::Running(versions) => query.filter(
            deployment::Column::Id.in_subquery(
                Query::select()
                    .column((revision::Entity, revision::Column::DeploymentId))
                    .from(revision::Entity)
                    .and_where(
                        Expr::col((revision::Entity, revision::Column::ApplicationVersionId))
                            .is_in(versions.iter().copied()),
                    )
                    .cond_where(is_newest_revision())
                    .to_owned(),
            ),
        ),
        Pick::Failing => query
            .filter(deployment::Column::UndeployRequestedAt.is_null())
            .filter(
                deployment::Column::Id.in_subquery(
                    Query::select()
                        .column((status::Entity, status::Column::DeploymentId))
                        .from(status::Entity)
                        .and_where(Expr::col((status::Entity, status::Column::State)).eq("error"))
                        .cond_where(is_newest_status())
                        .to_owned(),
                ),
            ),
    };
    Ok(query
        .order_by_asc(deployment::Column::CreatedAt)
        .order_by_asc(deployment::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// `(deployment id, target name, application id)` of each of the given deployments of the
/// vendor, in one query.
pub async fn subjects(
    db: &impl ConnectionTrait,
    vendor: Uuid,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, Uuid)>> {
    Ok(deployment::Entity::find()
        .select_only()
        .column(deployment::Column::Id)
        .column(target::Column::Name)
        .column(deployment::Column::ApplicationId)
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}
