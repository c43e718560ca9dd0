//! Counting queries behind the portals' charts: each is one statement, whatever the fleet's size.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::{application_version as version, deployment, deployment_target as target};

/// Per version of `application`: `(version id, name, deployments)`, how many of the
/// application's deployments that are not undeployed run it now (the version of their newest
/// revision, kept on the deployment), newest version first; versions nobody runs are left out.
pub async fn live_versions(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Vec<(Uuid, String, i64)>> {
    // The entities have no relations of their own (joins are spelled in `repo`), hence the
    // `belongs_to` below.
    let to_version = deployment::Entity::belongs_to(version::Entity)
        .from(deployment::Column::RunningVersionId)
        .to(version::Column::Id);
    Ok(deployment::Entity::find()
        .select_only()
        .column(version::Column::Id)
        .column(version::Column::Name)
        .column_as(deployment::Column::Id.count(), "deployments")
        .join(JoinType::InnerJoin, to_version.into())
        .filter(deployment::Column::ApplicationId.eq(application_id))
        .filter(deployment::Column::UndeployedAt.is_null())
        .group_by(version::Column::Id)
        .group_by(version::Column::Name)
        .group_by(version::Column::Sequence)
        .order_by_desc(version::Column::Sequence)
        .into_tuple()
        .all(db)
        .await?)
}

/// Per day (UTC, `YYYY-MM-DD`) from `since`: how many deployments on a target of
/// `organization` were created that day (undeployed ones included: they were deployed all the
/// same), counted in SQL.
pub async fn deployments_per_day_since(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64)>> {
    use sea_orm::sea_query::Expr;
    let to_target = deployment::Entity::belongs_to(target::Entity)
        .from(deployment::Column::DeploymentTargetId)
        .to(target::Column::Id);
    // The day of a stored time: SQLite keeps RFC 3339 text in UTC, PostgreSQL a timestamptz.
    let day = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            Expr::cust("to_char(\"deployment\".\"created_at\" AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
        }
        _ => Expr::cust("substr(\"deployment\".\"created_at\", 1, 10)"),
    };
    Ok(deployment::Entity::find()
        .select_only()
        .column_as(day.clone(), "day")
        .column_as(deployment::Column::Id.count(), "deployments")
        .join(JoinType::InnerJoin, to_target.into())
        .filter(target::Column::OrganizationId.eq(organization_id))
        .filter(deployment::Column::CreatedAt.gte(since))
        .group_by(day)
        .into_tuple()
        .all(db)
        .await?)
}
