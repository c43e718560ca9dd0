//! Queries behind the portals' overviews.

use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, prelude::*};

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
