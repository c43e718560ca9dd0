//! Adds a vendor's branding of the customer portal and its emails.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Branding::Table)
                    .col(uuid(Branding::OrganizationId).primary_key())
                    .col(string_len(Branding::Title, 100))
                    .col(string_len(Branding::PrimaryColor, 7))
                    .col(text(Branding::HomeMarkdown))
                    .col(blob_null(Branding::Logo))
                    .col(string_len_null(Branding::LogoContentType, 40))
                    .col(string_len_null(Branding::CustomHost, 253).unique_key())
                    .col(timestamp_with_time_zone(Branding::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_branding_organization")
                            .from(Branding::Table, Branding::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Branding::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Branding {
    Table,
    OrganizationId,
    Title,
    PrimaryColor,
    HomeMarkdown,
    Logo,
    LogoContentType,
    CustomHost,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
