//! Queries on the registry's tables: artifacts, their blob links, manifests, tags, pulls and
//! settings.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::{
    artifact, artifact_blob, artifact_manifest, artifact_manifest_ref, artifact_pull, artifact_tag,
    registry_setting,
};

/// The artifact `name` of a vendor.
pub async fn find_artifact(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    name: &str,
) -> Result<Option<artifact::Model>> {
    Ok(artifact::Entity::find()
        .filter(artifact::Column::OrganizationId.eq(organization_id))
        .filter(artifact::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// The artifact `name` of a vendor, created if it does not exist yet (concurrent first pushes
/// end up with the same row).
pub async fn find_or_create_artifact(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    name: &str,
) -> Result<artifact::Model> {
    if let Some(found) = find_artifact(db, organization_id, name).await? {
        return Ok(found);
    }
    artifact::Entity::insert(
        artifact::Model {
            id: Uuid::new_v4(),
            organization_id,
            name: name.to_string(),
            created_at: Utc::now(),
        }
        .into_active_model(),
    )
    .on_conflict_do_nothing_on([artifact::Column::OrganizationId, artifact::Column::Name])
    .exec_without_returning(db)
    .await?;
    find_artifact(db, organization_id, name)
        .await?
        .ok_or(crate::Error::NotFound { what: "artifact" })
}

/// A vendor's artifacts, by name.
pub async fn list_artifacts(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<artifact::Model>> {
    Ok(artifact::Entity::find()
        .filter(artifact::Column::OrganizationId.eq(organization_id))
        .order_by_asc(artifact::Column::Name)
        .all(db)
        .await?)
}

/// An artifact that holds at least one manifest, or pulls through from an upstream
/// repository (which holds them).
fn committed() -> sea_orm::sea_query::Condition {
    sea_orm::sea_query::Condition::any()
        .add(
            artifact::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(artifact_manifest::Column::ArtifactId)
                    .from(artifact_manifest::Entity)
                    .to_owned(),
            ),
        )
        .add(
            artifact::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(crate::entity::artifact_upstream::Column::ArtifactId)
                    .from(crate::entity::artifact_upstream::Entity)
                    .to_owned(),
            ),
        )
}

/// A vendor's artifacts that hold at least one manifest or pull through from an upstream, by
/// name. An artifact row is made when
/// a push starts, but a repository exists for everyone else only once something in it is
/// committed: an upload that fails or is abandoned leaves nothing listed.
pub async fn list_committed_artifacts(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<artifact::Model>> {
    Ok(artifact::Entity::find()
        .filter(artifact::Column::OrganizationId.eq(organization_id))
        .filter(committed())
        .order_by_asc(artifact::Column::Name)
        .all(db)
        .await?)
}

/// One page of a vendor's artifacts that hold at least one manifest or have an upstream (see
/// [`list_committed_artifacts`]), optionally only those in `only`, matching `search`, in
/// `order` then by id; and how many match in all.
#[allow(clippy::too_many_arguments)]
pub async fn page_committed_artifacts(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    only: Option<Vec<Uuid>>,
    search: Option<sea_orm::sea_query::Condition>,
    order: Vec<(sea_orm::sea_query::Expr, sea_orm::Order)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<artifact::Model>, u64)> {
    let mut query = artifact::Entity::find()
        .filter(artifact::Column::OrganizationId.eq(organization_id))
        .filter(committed());
    if let Some(only) = only {
        query = query.filter(artifact::Column::Id.is_in(only));
    }
    let (query, total) =
        super::paging::searched_and_ordered(db, query, search, order, artifact::Column::Id).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// One artifact of a vendor by id.
pub async fn find_artifact_by_id(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<artifact::Model>> {
    Ok(artifact::Entity::find_by_id(id)
        .filter(artifact::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// Links a stored blob into an artifact (linking twice is not an error).
pub async fn link_blob(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    digest: &str,
    size: u64,
) -> Result<()> {
    artifact_blob::Entity::insert(
        artifact_blob::Model {
            artifact_id,
            digest: digest.to_string(),
            size: i64::try_from(size).unwrap_or(i64::MAX),
            created_at: Utc::now(),
        }
        .into_active_model(),
    )
    .on_conflict_do_nothing_on([
        artifact_blob::Column::ArtifactId,
        artifact_blob::Column::Digest,
    ])
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A blob linked into an artifact.
pub async fn find_blob(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    digest: &str,
) -> Result<Option<artifact_blob::Model>> {
    Ok(artifact_blob::Entity::find()
        .filter(artifact_blob::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_blob::Column::Digest.eq(digest))
        .one(db)
        .await?)
}

/// Which of `digests` are linked into an artifact.
pub async fn linked_blobs(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    digests: Vec<String>,
) -> Result<HashSet<String>> {
    let found: Vec<String> = artifact_blob::Entity::find()
        .select_only()
        .column(artifact_blob::Column::Digest)
        .filter(artifact_blob::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_blob::Column::Digest.is_in(digests))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// Unlinks a blob from an artifact; returns whether it was linked.
pub async fn unlink_blob(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    digest: &str,
) -> Result<bool> {
    let result = artifact_blob::Entity::delete_many()
        .filter(artifact_blob::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_blob::Column::Digest.eq(digest))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Whether any artifact links `digest`.
pub async fn blob_linked_anywhere(db: &impl ConnectionTrait, digest: &str) -> Result<bool> {
    Ok(artifact_blob::Entity::find()
        .filter(artifact_blob::Column::Digest.eq(digest))
        .one(db)
        .await?
        .is_some())
}

/// Removes links made before `before` that no manifest of their artifact references (blobs
/// pushed for a manifest that never came, or left behind by deleted manifests). Returns how
/// many went.
pub async fn delete_unreferenced_links(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64> {
    let placeholder = match db.get_database_backend() {
        DbBackend::Postgres => "$1",
        _ => "?",
    };
    let sql = format!(
        "DELETE FROM artifact_blob WHERE created_at < {placeholder} AND NOT EXISTS (\
           SELECT 1 FROM artifact_manifest_ref r \
           JOIN artifact_manifest m ON m.id = r.manifest_id \
           WHERE m.artifact_id = artifact_blob.artifact_id AND r.digest = artifact_blob.digest)"
    );
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [before.into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// A manifest of an artifact by digest.
pub async fn find_manifest(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    digest: &str,
) -> Result<Option<artifact_manifest::Model>> {
    Ok(artifact_manifest::Entity::find()
        .filter(artifact_manifest::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_manifest::Column::Digest.eq(digest))
        .one(db)
        .await?)
}

/// Stores a manifest with what it references (call inside a transaction).
pub async fn insert_manifest(
    db: &impl ConnectionTrait,
    row: artifact_manifest::Model,
    refs: Vec<(String, bool)>,
) -> Result<artifact_manifest::Model> {
    let id = row.id;
    let saved = row.into_active_model().reset_all().insert(db).await?;
    if !refs.is_empty() {
        artifact_manifest_ref::Entity::insert_many(refs.into_iter().map(
            |(digest, is_manifest)| {
                artifact_manifest_ref::Model {
                    manifest_id: id,
                    digest,
                    is_manifest,
                }
                .into_active_model()
            },
        ))
        .on_conflict_do_nothing_on([
            artifact_manifest_ref::Column::ManifestId,
            artifact_manifest_ref::Column::Digest,
        ])
        .exec_without_returning(db)
        .await?;
    }
    Ok(saved)
}

/// Deletes a manifest (its tags and references go with it).
pub async fn delete_manifest(db: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    artifact_tag::Entity::delete_many()
        .filter(artifact_tag::Column::ManifestId.eq(id))
        .exec(db)
        .await?;
    artifact_manifest_ref::Entity::delete_many()
        .filter(artifact_manifest_ref::Column::ManifestId.eq(id))
        .exec(db)
        .await?;
    artifact_manifest::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The manifests of an artifact whose subject is `subject`, optionally of one artifact type.
pub async fn referrers(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    subject: &str,
    artifact_type: Option<&str>,
) -> Result<Vec<artifact_manifest::Model>> {
    let mut query = artifact_manifest::Entity::find()
        .filter(artifact_manifest::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_manifest::Column::SubjectDigest.eq(subject));
    if let Some(t) = artifact_type {
        query = query.filter(artifact_manifest::Column::ArtifactType.eq(t));
    }
    Ok(query
        .order_by_asc(artifact_manifest::Column::CreatedAt)
        .all(db)
        .await?)
}

/// What the manifests `ids` reference: `(digest, is_manifest)`.
pub async fn manifest_refs(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<(String, bool)>> {
    Ok(artifact_manifest_ref::Entity::find()
        .select_only()
        .column(artifact_manifest_ref::Column::Digest)
        .column(artifact_manifest_ref::Column::IsManifest)
        .filter(artifact_manifest_ref::Column::ManifestId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?)
}

/// Whether a manifest of the artifact names `digest` among what it references.
pub async fn manifest_names_blob(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    digest: &str,
) -> Result<bool> {
    let of_artifact = sea_orm::sea_query::Query::select()
        .column(artifact_manifest::Column::Id)
        .from(artifact_manifest::Entity)
        .and_where(artifact_manifest::Column::ArtifactId.eq(artifact_id))
        .to_owned();
    Ok(artifact_manifest_ref::Entity::find()
        .filter(artifact_manifest_ref::Column::Digest.eq(digest))
        .filter(artifact_manifest_ref::Column::ManifestId.in_subquery(of_artifact))
        .one(db)
        .await?
        .is_some())
}

/// A tag of an artifact with the manifest it points at.
pub async fn find_tag(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    name: &str,
) -> Result<Option<artifact_manifest::Model>> {
    let Some(tag) = artifact_tag::Entity::find()
        .filter(artifact_tag::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_tag::Column::Name.eq(name))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(artifact_manifest::Entity::find_by_id(tag.manifest_id)
        .one(db)
        .await?)
}

/// Points a tag at a manifest: only if the tag is new, or, with `overwrite`, whatever it
/// pointed at.
pub async fn set_tag(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    name: &str,
    manifest_id: Uuid,
    overwrite: bool,
) -> Result<()> {
    let row = artifact_tag::Model {
        artifact_id,
        name: name.to_string(),
        manifest_id,
        updated_at: Utc::now(),
    }
    .into_active_model();
    let key = [artifact_tag::Column::ArtifactId, artifact_tag::Column::Name];
    if overwrite {
        artifact_tag::Entity::insert(row)
            .on_conflict(
                OnConflict::columns(key)
                    .update_columns([
                        artifact_tag::Column::ManifestId,
                        artifact_tag::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    } else {
        artifact_tag::Entity::insert(row)
            .on_conflict_do_nothing_on(key)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Deletes a tag; returns whether it existed.
pub async fn delete_tag(db: &impl ConnectionTrait, artifact_id: Uuid, name: &str) -> Result<bool> {
    let result = artifact_tag::Entity::delete_many()
        .filter(artifact_tag::Column::ArtifactId.eq(artifact_id))
        .filter(artifact_tag::Column::Name.eq(name))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The tags of an artifact with their manifest ids, in lexical order.
pub async fn list_tags(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
) -> Result<Vec<artifact_tag::Model>> {
    Ok(artifact_tag::Entity::find()
        .filter(artifact_tag::Column::ArtifactId.eq(artifact_id))
        .order_by_asc(artifact_tag::Column::Name)
        .all(db)
        .await?)
}

/// Manifests by id.
pub async fn manifests_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<artifact_manifest::Model>> {
    Ok(artifact_manifest::Entity::find()
        .filter(artifact_manifest::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Every digest any artifact links (for the garbage collector).
pub async fn all_linked_digests(db: &impl ConnectionTrait) -> Result<HashSet<String>> {
    let found: Vec<String> = artifact_blob::Entity::find()
        .select_only()
        .column(artifact_blob::Column::Digest)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// Records a pull.
pub async fn insert_pull(db: &impl ConnectionTrait, row: artifact_pull::Model) -> Result<()> {
    row.into_active_model().reset_all().insert(db).await?;
    Ok(())
}

/// Pull counts per artifact.
pub async fn pull_counts(
    db: &impl ConnectionTrait,
    artifact_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = artifact_pull::Entity::find()
        .select_only()
        .column(artifact_pull::Column::ArtifactId)
        .column_as(artifact_pull::Column::Id.count(), "pulls")
        .filter(artifact_pull::Column::ArtifactId.is_in(artifact_ids))
        .group_by(artifact_pull::Column::ArtifactId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// The pulls of an artifact, newest first.
pub async fn list_pulls(
    db: &impl ConnectionTrait,
    artifact_id: Uuid,
    limit: u64,
) -> Result<Vec<artifact_pull::Model>> {
    Ok(artifact_pull::Entity::find()
        .filter(artifact_pull::Column::ArtifactId.eq(artifact_id))
        .order_by_desc(artifact_pull::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Whether a vendor lets pushes move existing tags.
pub async fn tags_mutable(db: &impl ConnectionTrait, organization_id: Uuid) -> Result<bool> {
    Ok(registry_setting::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .is_some_and(|s| s.tags_mutable))
}

/// Sets whether a vendor lets pushes move existing tags.
pub async fn set_tags_mutable(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    mutable: bool,
) -> Result<()> {
    registry_setting::Entity::insert(
        registry_setting::Model {
            organization_id,
            tags_mutable: mutable,
        }
        .into_active_model(),
    )
    .on_conflict(
        OnConflict::column(registry_setting::Column::OrganizationId)
            .update_column(registry_setting::Column::TagsMutable)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
