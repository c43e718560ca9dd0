//! Adds artifact licenses: which registry artifacts (and, optionally, which of their tags) a
//! customer may pull, until when.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ArtifactLicense::Table)
                    .col(pk_uuid(ArtifactLicense::Id))
                    .col(uuid(ArtifactLicense::OrganizationId))
                    .col(uuid(ArtifactLicense::CustomerOrganizationId))
                    .col(string_len(ArtifactLicense::Name, 100))
                    .col(timestamp_with_time_zone_null(ArtifactLicense::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ArtifactLicense::RevokedAt))
                    .col(timestamp_with_time_zone(ArtifactLicense::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_license_organization")
                            .from(ArtifactLicense::Table, ArtifactLicense::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_license_customer")
                            .from(
                                ArtifactLicense::Table,
                                ArtifactLicense::CustomerOrganizationId,
                            )
                            .to(CustomerOrganization::Table, CustomerOrganization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_license_name")
                    .table(ArtifactLicense::Table)
                    .col(ArtifactLicense::OrganizationId)
                    .col(ArtifactLicense::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_license_customer")
                    .table(ArtifactLicense::Table)
                    .col(ArtifactLicense::CustomerOrganizationId)
                    .to_owned(),
            )
            .await?;
        // One granted artifact; `tag` NULL grants every version of it.
        manager
            .create_table(
                Table::create()
                    .table(ArtifactLicenseItem::Table)
                    .col(pk_uuid(ArtifactLicenseItem::Id))
                    .col(uuid(ArtifactLicenseItem::ArtifactLicenseId))
                    .col(uuid(ArtifactLicenseItem::ArtifactId))
                    .col(string_len_null(ArtifactLicenseItem::Tag, 128))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_license_item_license")
                            .from(
                                ArtifactLicenseItem::Table,
                                ArtifactLicenseItem::ArtifactLicenseId,
                            )
                            .to(ArtifactLicense::Table, ArtifactLicense::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_artifact_license_item_artifact")
                            .from(ArtifactLicenseItem::Table, ArtifactLicenseItem::ArtifactId)
                            .to(Artifact::Table, Artifact::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_artifact_license_item_license")
                    .table(ArtifactLicenseItem::Table)
                    .col(ArtifactLicenseItem::ArtifactLicenseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ArtifactLicenseItem::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ArtifactLicense::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ArtifactLicense {
    Table,
    Id,
    OrganizationId,
    CustomerOrganizationId,
    Name,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ArtifactLicenseItem {
    Table,
    Id,
    ArtifactLicenseId,
    ArtifactId,
    Tag,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CustomerOrganization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Artifact {
    Table,
    Id,
}
