//! Adds the catalogue: applications, their immutable versions and their release channels.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Application::Table)
                    .col(pk_uuid(Application::Id))
                    .col(uuid(Application::OrganizationId))
                    .col(string_len(Application::Name, 100))
                    .col(string_len(Application::Kind, 20))
                    .col(timestamp_with_time_zone(Application::CreatedAt))
                    .col(timestamp_with_time_zone_null(Application::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_organization")
                            .from(Application::Table, Application::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_application_organization_name")
                    .table(Application::Table)
                    .col(Application::OrganizationId)
                    .col(Application::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationVersion::Table)
                    .col(pk_uuid(ApplicationVersion::Id))
                    .col(uuid(ApplicationVersion::ApplicationId))
                    .col(string_len(ApplicationVersion::Name, 64))
                    .col(string_len(ApplicationVersion::Channel, 32))
                    // Publication order within the application: "older than the minimum" and
                    // "latest" compare these, never free-form version names.
                    .col(big_integer(ApplicationVersion::Sequence))
                    .col(text_null(ApplicationVersion::ComposeFile))
                    .col(text_null(ApplicationVersion::EnvTemplate))
                    .col(text_null(ApplicationVersion::LinkTemplate))
                    .col(string_len_null(ApplicationVersion::ChartUrl, 500))
                    .col(string_len_null(ApplicationVersion::ChartName, 200))
                    .col(string_len_null(ApplicationVersion::ChartVersion, 64))
                    .col(text_null(ApplicationVersion::BaseValues))
                    .col(text_null(ApplicationVersion::ValuesTemplate))
                    .col(timestamp_with_time_zone(ApplicationVersion::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        ApplicationVersion::ArchivedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_version_application")
                            .from(ApplicationVersion::Table, ApplicationVersion::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("uq_application_version_name", ApplicationVersion::Name),
            (
                "uq_application_version_sequence",
                ApplicationVersion::Sequence,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ApplicationVersion::Table)
                        .col(ApplicationVersion::ApplicationId)
                        .col(column)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ApplicationChannel::Table)
                    .col(uuid(ApplicationChannel::ApplicationId))
                    .col(string_len(ApplicationChannel::Name, 32))
                    .col(uuid_null(ApplicationChannel::MinimumVersionId))
                    .primary_key(
                        Index::create()
                            .col(ApplicationChannel::ApplicationId)
                            .col(ApplicationChannel::Name),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_channel_application")
                            .from(ApplicationChannel::Table, ApplicationChannel::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_channel_minimum")
                            .from(
                                ApplicationChannel::Table,
                                ApplicationChannel::MinimumVersionId,
                            )
                            .to(ApplicationVersion::Table, ApplicationVersion::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApplicationChannel::Table.into_iden(),
            ApplicationVersion::Table.into_iden(),
            Application::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
    OrganizationId,
    Name,
    Kind,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum ApplicationVersion {
    Table,
    Id,
    ApplicationId,
    Name,
    Channel,
    Sequence,
    ComposeFile,
    EnvTemplate,
    LinkTemplate,
    ChartUrl,
    ChartName,
    ChartVersion,
    BaseValues,
    ValuesTemplate,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum ApplicationChannel {
    Table,
    ApplicationId,
    Name,
    MinimumVersionId,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
