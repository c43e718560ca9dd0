//! Queries on `version_image`.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Result;
use crate::entity::application_version as version;
use crate::entity::version_image as image;

/// Stores a version's images.
pub async fn insert_all(db: &impl ConnectionTrait, rows: Vec<image::Model>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<image::ActiveModel> = rows.into_iter().map(Into::into).collect();
    image::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// The images of the given versions, in compose-file order per version.
pub async fn for_versions(
    db: &impl ConnectionTrait,
    version_ids: &[Uuid],
) -> Result<Vec<image::Model>> {
    Ok(image::Entity::find()
        .filter(image::Column::VersionId.is_in(version_ids.iter().copied()))
        .order_by_asc(image::Column::VersionId)
        .order_by_asc(image::Column::Position)
        .all(db)
        .await?)
}

/// The images naming `repository` in any of `registries`.
pub async fn naming(
    db: &impl ConnectionTrait,
    registries: &[String],
    repository: &str,
) -> Result<Vec<image::Model>> {
    Ok(image::Entity::find()
        .filter(image::Column::Repository.eq(repository))
        .filter(image::Column::Registry.is_in(registries.iter().cloned()))
        .all(db)
        .await?)
}

/// The images in any of `registries` whose repository starts with `prefix`.
pub async fn under(
    db: &impl ConnectionTrait,
    registries: &[String],
    prefix: &str,
) -> Result<Vec<image::Model>> {
    Ok(image::Entity::find()
        .filter(image::Column::Repository.starts_with(prefix))
        .filter(image::Column::Registry.is_in(registries.iter().cloned()))
        .all(db)
        .await?)
}

/// The compose versions whose images were never parsed (published before the images were
/// stored).
pub async fn versions_without_images(db: &impl ConnectionTrait) -> Result<Vec<version::Model>> {
    let parsed: std::collections::HashSet<Uuid> = image::Entity::find()
        .select_only()
        .column(image::Column::VersionId)
        .distinct()
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let all = version::Entity::find()
        .filter(version::Column::ComposeFile.is_not_null())
        .all(db)
        .await?;
    Ok(all
        .into_iter()
        .filter(|v| !parsed.contains(&v.id))
        .collect())
}
