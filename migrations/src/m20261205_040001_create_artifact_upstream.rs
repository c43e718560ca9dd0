//! Creates `artifact_upstream`: the registry repository an artifact pulls through from, with
//! its credentials sealed by the hub.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ArtifactUpstream {
    Table,
    ArtifactId,
    Url,
    Repository,
    Username,
    PasswordSealed,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Artifact {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ArtifactUpstream::Table)
                    .col(pk_uuid(ArtifactUpstream::ArtifactId))
                    .col(string(ArtifactUpstream::Url))
                    .col(string(ArtifactUpstream::Repository))
                    .col(string_null(ArtifactUpstream::Username))
                    .col(text_null(ArtifactUpstream::PasswordSealed))
                    .col(timestamp_with_time_zone(ArtifactUpstream::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArtifactUpstream::Table, ArtifactUpstream::ArtifactId)
                            .to(Artifact::Table, Artifact::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ArtifactUpstream::Table).to_owned())
            .await
    }
}
