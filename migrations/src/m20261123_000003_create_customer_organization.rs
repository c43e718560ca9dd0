//! Adds customer organizations (tenants inside a vendor) and ties customer members to one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CustomerOrganization::Table)
                    .col(pk_uuid(CustomerOrganization::Id))
                    .col(uuid(CustomerOrganization::OrganizationId))
                    .col(string_len(CustomerOrganization::Name, 100))
                    .col(timestamp_with_time_zone(CustomerOrganization::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_customer_organization_organization")
                            .from(
                                CustomerOrganization::Table,
                                CustomerOrganization::OrganizationId,
                            )
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_customer_organization_name")
                    .table(CustomerOrganization::Table)
                    .col(CustomerOrganization::OrganizationId)
                    .col(CustomerOrganization::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // NULL for vendor members; the customer organization for customer members. SQLite cannot
        // add a foreign key to an existing table, so removal is handled by the service layer.
        manager
            .alter_table(
                Table::alter()
                    .table(Membership::Table)
                    .add_column(uuid_null(Membership::CustomerOrganizationId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_membership_customer_organization")
                    .table(Membership::Table)
                    .col(Membership::CustomerOrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_membership_customer_organization")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Membership::Table)
                    .drop_column(Membership::CustomerOrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CustomerOrganization::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CustomerOrganization {
    Table,
    Id,
    OrganizationId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    CustomerOrganizationId,
}
