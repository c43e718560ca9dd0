//! Adds single-use email links (password reset, address verification, address change) and the
//! time an account's address was verified.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailToken::Table)
                    .col(string_len(EmailToken::TokenHash, 64).primary_key())
                    .col(uuid(EmailToken::UserId))
                    .col(string_len(EmailToken::Purpose, 20))
                    .col(string_len_null(EmailToken::NewEmail, 254))
                    .col(timestamp_with_time_zone(EmailToken::CreatedAt))
                    .col(timestamp_with_time_zone(EmailToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailToken::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_email_token_user")
                            .from(EmailToken::Table, EmailToken::UserId)
                            .to(UserAccount::Table, UserAccount::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_token_user")
                    .table(EmailToken::Table)
                    .col(EmailToken::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UserAccount::Table)
                    .add_column(timestamp_with_time_zone_null(UserAccount::EmailVerifiedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserAccount::Table)
                    .drop_column(UserAccount::EmailVerifiedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(EmailToken::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EmailToken {
    Table,
    TokenHash,
    UserId,
    Purpose,
    NewEmail,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
    EmailVerifiedAt,
}
