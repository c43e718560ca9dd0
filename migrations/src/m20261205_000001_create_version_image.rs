//! Adds the images a compose version references, parsed once when it is published, so the
//! registry can let a customer pull what its application licenses grant without reading compose
//! files on every pull. Versions published before this migration are parsed by the hub at start
//! (`service::versions::backfill_images`): the parser lives in `service`, not here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VersionImage {
    Table,
    Id,
    VersionId,
    Position,
    Reference,
    Registry,
    Repository,
    Tag,
    Digest,
}

#[derive(DeriveIden)]
enum ApplicationVersion {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `registry`/`repository` are NULL when the reference could not be parsed (a compose
        // variable such as `${TAG}`): it is shown, never granted.
        manager
            .create_table(
                Table::create()
                    .table(VersionImage::Table)
                    .col(pk_uuid(VersionImage::Id))
                    .col(uuid(VersionImage::VersionId))
                    .col(integer(VersionImage::Position))
                    .col(text(VersionImage::Reference))
                    .col(string_len_null(VersionImage::Registry, 255))
                    .col(string_len_null(VersionImage::Repository, 255))
                    .col(string_len_null(VersionImage::Tag, 128))
                    .col(string_len_null(VersionImage::Digest, 160))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_version_image_version")
                            .from(VersionImage::Table, VersionImage::VersionId)
                            .to(ApplicationVersion::Table, ApplicationVersion::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_version_image_version")
                    .table(VersionImage::Table)
                    .col(VersionImage::VersionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_version_image_repository")
                    .table(VersionImage::Table)
                    .col(VersionImage::Repository)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VersionImage::Table).to_owned())
            .await
    }
}
