//! Queries on `artifact_upstream`: the repository an artifact pulls through from.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::Result;
use crate::entity::artifact_upstream as upstream;

/// The upstream of an artifact, if it has one.
pub async fn find(db: &impl ConnectionTrait, artifact_id: Uuid) -> Result<Option<upstream::Model>> {
    Ok(upstream::Entity::find_by_id(artifact_id).one(db).await?)
}

/// The upstreams of the given artifacts.
pub async fn find_many(
    db: &impl ConnectionTrait,
    artifact_ids: &[Uuid],
) -> Result<Vec<upstream::Model>> {
    Ok(upstream::Entity::find()
        .filter(upstream::Column::ArtifactId.is_in(artifact_ids.iter().copied()))
        .all(db)
        .await?)
}

/// Links an artifact to its upstream, replacing what it had: one statement, so concurrent
/// saves leave one whole row.
pub async fn save(db: &impl ConnectionTrait, row: upstream::Model) -> Result<()> {
    upstream::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::column(upstream::Column::ArtifactId)
                .update_columns([
                    upstream::Column::Url,
                    upstream::Column::Repository,
                    upstream::Column::Username,
                    upstream::Column::PasswordSealed,
                    upstream::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Unlinks an artifact from its upstream; whether it had one.
pub async fn delete(db: &impl ConnectionTrait, artifact_id: Uuid) -> Result<bool> {
    Ok(upstream::Entity::delete_by_id(artifact_id)
        .exec(db)
        .await?
        .rows_affected
        > 0)
}
