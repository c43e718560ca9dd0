//! Adds licenses: a customer's grant of one application (all or some versions, some channels,
//! an optional expiry, entitlements).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(License::Table)
                    .col(pk_uuid(License::Id))
                    .col(uuid(License::OrganizationId))
                    .col(uuid(License::CustomerOrganizationId))
                    .col(uuid(License::ApplicationId))
                    .col(string_len(License::Name, 100))
                    .col(boolean(License::AllVersions))
                    // JSON arrays/objects as text: small, read whole, never queried inside.
                    .col(text(License::Channels))
                    .col(text(License::Entitlements))
                    .col(timestamp_with_time_zone(License::CreatedAt))
                    .col(timestamp_with_time_zone(License::UpdatedAt))
                    .col(timestamp_with_time_zone_null(License::ExpiresAt))
                    .col(timestamp_with_time_zone_null(License::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_organization")
                            .from(License::Table, License::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_customer")
                            .from(License::Table, License::CustomerOrganizationId)
                            .to(CustomerOrganization::Table, CustomerOrganization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_application")
                            .from(License::Table, License::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_license_organization_name")
                    .table(License::Table)
                    .col(License::OrganizationId)
                    .col(License::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_license_customer")
                    .table(License::Table)
                    .col(License::CustomerOrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LicenseVersion::Table)
                    .col(uuid(LicenseVersion::LicenseId))
                    .col(uuid(LicenseVersion::VersionId))
                    .primary_key(
                        Index::create()
                            .col(LicenseVersion::LicenseId)
                            .col(LicenseVersion::VersionId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_version_license")
                            .from(LicenseVersion::Table, LicenseVersion::LicenseId)
                            .to(License::Table, License::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_version_version")
                            .from(LicenseVersion::Table, LicenseVersion::VersionId)
                            .to(ApplicationVersion::Table, ApplicationVersion::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LicenseVersion::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(License::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum License {
    Table,
    Id,
    OrganizationId,
    CustomerOrganizationId,
    ApplicationId,
    Name,
    AllVersions,
    Channels,
    Entitlements,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LicenseVersion {
    Table,
    LicenseId,
    VersionId,
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
enum Application {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApplicationVersion {
    Table,
    Id,
}
