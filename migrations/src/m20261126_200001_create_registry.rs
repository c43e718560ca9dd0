//! Adds the OCI registry: artifacts (repositories), their blobs, manifests, tags and pulls, and
//! each vendor's registry settings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Artifact::Table)
                    .col(pk_uuid(Artifact::Id))
                    .col(uuid(Artifact::OrganizationId))
                    .col(string_len(Artifact::Name, 200))
                    .col(timestamp_with_time_zone(Artifact::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_organization")
                            .from(Artifact::Table, Artifact::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_organization_name")
                    .table(Artifact::Table)
                    .col(Artifact::OrganizationId)
                    .col(Artifact::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // A blob linked to an artifact: pushed into it or mounted from another of the vendor's.
        manager
            .create_table(
                Table::create()
                    .table(ArtifactBlob::Table)
                    .col(uuid(ArtifactBlob::ArtifactId))
                    .col(string_len(ArtifactBlob::Digest, 80))
                    .col(big_integer(ArtifactBlob::Size))
                    .col(timestamp_with_time_zone(ArtifactBlob::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ArtifactBlob::ArtifactId)
                            .col(ArtifactBlob::Digest),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_blob_artifact")
                            .from(ArtifactBlob::Table, ArtifactBlob::ArtifactId)
                            .to(Artifact::Table, Artifact::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_blob_digest")
                    .table(ArtifactBlob::Table)
                    .col(ArtifactBlob::Digest)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ArtifactManifest::Table)
                    .col(pk_uuid(ArtifactManifest::Id))
                    .col(uuid(ArtifactManifest::ArtifactId))
                    .col(string_len(ArtifactManifest::Digest, 80))
                    .col(string_len(ArtifactManifest::MediaType, 255))
                    .col(string_len_null(ArtifactManifest::ArtifactType, 255))
                    .col(string_len_null(ArtifactManifest::SubjectDigest, 80))
                    .col(text_null(ArtifactManifest::Annotations))
                    .col(big_integer(ArtifactManifest::Size))
                    .col(big_integer(ArtifactManifest::TotalSize))
                    .col(blob(ArtifactManifest::Content))
                    .col(timestamp_with_time_zone(ArtifactManifest::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_manifest_artifact")
                            .from(ArtifactManifest::Table, ArtifactManifest::ArtifactId)
                            .to(Artifact::Table, Artifact::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_manifest_digest")
                    .table(ArtifactManifest::Table)
                    .col(ArtifactManifest::ArtifactId)
                    .col(ArtifactManifest::Digest)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_manifest_subject")
                    .table(ArtifactManifest::Table)
                    .col(ArtifactManifest::ArtifactId)
                    .col(ArtifactManifest::SubjectDigest)
                    .to_owned(),
            )
            .await?;

        // What a manifest holds on to: config and layer blobs, or an index's child manifests.
        manager
            .create_table(
                Table::create()
                    .table(ArtifactManifestRef::Table)
                    .col(uuid(ArtifactManifestRef::ManifestId))
                    .col(string_len(ArtifactManifestRef::Digest, 80))
                    .col(boolean(ArtifactManifestRef::IsManifest))
                    .primary_key(
                        Index::create()
                            .col(ArtifactManifestRef::ManifestId)
                            .col(ArtifactManifestRef::Digest),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_manifest_ref_manifest")
                            .from(ArtifactManifestRef::Table, ArtifactManifestRef::ManifestId)
                            .to(ArtifactManifest::Table, ArtifactManifest::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_manifest_ref_digest")
                    .table(ArtifactManifestRef::Table)
                    .col(ArtifactManifestRef::Digest)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ArtifactTag::Table)
                    .col(uuid(ArtifactTag::ArtifactId))
                    .col(string_len(ArtifactTag::Name, 128))
                    .col(uuid(ArtifactTag::ManifestId))
                    .col(timestamp_with_time_zone(ArtifactTag::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ArtifactTag::ArtifactId)
                            .col(ArtifactTag::Name),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_tag_artifact")
                            .from(ArtifactTag::Table, ArtifactTag::ArtifactId)
                            .to(Artifact::Table, Artifact::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_tag_manifest")
                            .from(ArtifactTag::Table, ArtifactTag::ManifestId)
                            .to(ArtifactManifest::Table, ArtifactManifest::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ArtifactPull::Table)
                    .col(pk_uuid(ArtifactPull::Id))
                    .col(uuid(ArtifactPull::ArtifactId))
                    .col(string_len(ArtifactPull::Reference, 128))
                    .col(string_len(ArtifactPull::Digest, 80))
                    .col(uuid_null(ArtifactPull::UserId))
                    .col(uuid_null(ArtifactPull::CustomerOrganizationId))
                    .col(string_len_null(ArtifactPull::RemoteAddress, 64))
                    .col(timestamp_with_time_zone(ArtifactPull::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_pull_artifact")
                            .from(ArtifactPull::Table, ArtifactPull::ArtifactId)
                            .to(Artifact::Table, Artifact::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_pull_user")
                            .from(ArtifactPull::Table, ArtifactPull::UserId)
                            .to(UserAccount::Table, UserAccount::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_pull_customer")
                            .from(ArtifactPull::Table, ArtifactPull::CustomerOrganizationId)
                            .to(CustomerOrganization::Table, CustomerOrganization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_pull_artifact")
                    .table(ArtifactPull::Table)
                    .col(ArtifactPull::ArtifactId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RegistrySetting::Table)
                    .col(pk_uuid(RegistrySetting::OrganizationId))
                    .col(boolean(RegistrySetting::TagsMutable))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registry_setting_organization")
                            .from(RegistrySetting::Table, RegistrySetting::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RegistrySetting::Table.into_iden(),
            ArtifactPull::Table.into_iden(),
            ArtifactTag::Table.into_iden(),
            ArtifactManifestRef::Table.into_iden(),
            ArtifactManifest::Table.into_iden(),
            ArtifactBlob::Table.into_iden(),
            Artifact::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Artifact {
    Table,
    Id,
    OrganizationId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ArtifactBlob {
    Table,
    ArtifactId,
    Digest,
    Size,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ArtifactManifest {
    Table,
    Id,
    ArtifactId,
    Digest,
    MediaType,
    ArtifactType,
    SubjectDigest,
    Annotations,
    Size,
    TotalSize,
    Content,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ArtifactManifestRef {
    Table,
    ManifestId,
    Digest,
    IsManifest,
}

#[derive(DeriveIden)]
enum ArtifactTag {
    Table,
    ArtifactId,
    Name,
    ManifestId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ArtifactPull {
    Table,
    Id,
    ArtifactId,
    Reference,
    Digest,
    UserId,
    CustomerOrganizationId,
    RemoteAddress,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RegistrySetting {
    Table,
    OrganizationId,
    TagsMutable,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CustomerOrganization {
    Table,
    Id,
}
