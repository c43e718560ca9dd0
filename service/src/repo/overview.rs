//! Queries behind the portals' overviews.

use sea_orm::sea_query::Query;
use sea_orm::{
    ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, prelude::*,
};

use crate::Result;
use crate::entity::{deployment, deployment_status as status, deployment_target as target};

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

fn to_target() -> sea_orm::RelationDef {
    deployment::Entity::belongs_to(target::Entity)
        .from(deployment::Column::DeploymentTargetId)
        .to(target::Column::Id)
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
/// vendor's live deployments that have reported at all, in one query over their rows.
pub async fn latest_state_counts(
    db: &impl ConnectionTrait,
    vendor: Uuid,
) -> Result<Vec<(String, i64, i64)>> {
    Ok(deployment::Entity::find()
        .select_only()
        .column(deployment::Column::ReportedState)
        .column_as(deployment::Column::Id.count(), "all")
        .column_as(
            deployment::Column::UndeployRequestedAt.count(),
            "undeploying",
        )
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::UndeployedAt.is_null())
        .filter(deployment::Column::ReportedState.is_not_null())
        .group_by(deployment::Column::ReportedState)
        .into_tuple()
        .all(db)
        .await?)
}

/// Per version the vendor's live deployments run now (their newest revision names it):
/// `(application id, version id, deployments)`, in one query over their rows.
pub async fn live_version_counts(
    db: &impl ConnectionTrait,
    vendor: Uuid,
) -> Result<Vec<(Uuid, Uuid, i64)>> {
    Ok(deployment::Entity::find()
        .select_only()
        .column(deployment::Column::ApplicationId)
        .column(deployment::Column::RunningVersionId)
        .column_as(deployment::Column::Id.count(), "deployments")
        .join(JoinType::InnerJoin, to_target())
        .filter(target::Column::OrganizationId.eq(vendor))
        .filter(deployment::Column::UndeployedAt.is_null())
        .filter(deployment::Column::RunningVersionId.is_not_null())
        .group_by(deployment::Column::ApplicationId)
        .group_by(deployment::Column::RunningVersionId)
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
        Pick::Running(versions) => {
            query.filter(deployment::Column::RunningVersionId.is_in(versions.iter().copied()))
        }
        Pick::Failing => query
            .filter(deployment::Column::UndeployRequestedAt.is_null())
            .filter(deployment::Column::ReportedState.eq("error")),
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
