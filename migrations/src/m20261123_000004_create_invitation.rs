//! Adds invitations: single-use, expiring links (only the token's hash is stored).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Invitation::Table)
                    .col(pk_uuid(Invitation::Id))
                    .col(string_len_uniq(Invitation::TokenHash, 64))
                    .col(uuid(Invitation::OrganizationId))
                    .col(uuid_null(Invitation::CustomerOrganizationId))
                    .col(string_len(Invitation::Email, 254))
                    .col(string_len(Invitation::Role, 20))
                    .col(uuid(Invitation::InvitedBy))
                    .col(timestamp_with_time_zone(Invitation::CreatedAt))
                    .col(timestamp_with_time_zone(Invitation::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitation::AcceptedAt))
                    .col(timestamp_with_time_zone_null(Invitation::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitation_organization")
                            .from(Invitation::Table, Invitation::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitation_customer_organization")
                            .from(Invitation::Table, Invitation::CustomerOrganizationId)
                            .to(CustomerOrganization::Table, CustomerOrganization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitation_organization")
                    .table(Invitation::Table)
                    .col(Invitation::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Invitation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Invitation {
    Table,
    Id,
    TokenHash,
    OrganizationId,
    CustomerOrganizationId,
    Email,
    Role,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
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
