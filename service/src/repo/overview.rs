//! Queries behind the portals' overviews.

use sea_orm::sea_query::Query;
use sea_orm::{
    ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, prelude::*,
};

use crate::Result;
use crate::entity::{deployment, deployment_status as status, deployment_target as target};

/// The newest `limit` status changes on the deployments of the vendor's targets (of one
/// customer's only, when `customer` is given), newest first, in two queries whatever the
/// fleet's size. They belong to the `limit` deployments reported most recently: each
/// deployment whose latest report is newer than a change has a change newer than it, so a
/// change among the newest `limit` cannot be on a deployment ranked past them. The index on
/// `reported_at` ends that ranking after `limit` rows instead of sorting every status.
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
    let newest: Vec<Uuid> = deployment::Entity::find()
        .select_only()
        .column(deployment::Column::Id)
        .filter(deployment::Column::DeploymentTargetId.in_subquery(targets.to_owned()))
        .filter(deployment::Column::ReportedAt.is_not_null())
        .order_by_desc(deployment::Column::ReportedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(status::Entity::find()
        .filter(status::Column::DeploymentId.is_in(newest))
        .order_by_desc(status::Column::At)
        .order_by_desc(status::Column::Id)
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

/// Per state of the latest report (`None`: never reported): `(state, deployments, of which
/// being undeployed)` over the vendor's live (not undeployed) deployments, in one query over
/// their rows.
pub async fn live_state_counts(
    db: &impl ConnectionTrait,
    vendor: Uuid,
) -> Result<Vec<(Option<String>, i64, i64)>> {
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
