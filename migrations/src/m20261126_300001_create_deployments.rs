//! Adds deployment targets (agent slots), deployments with immutable revisions, their status
//! history, container logs, host metrics and encrypted secrets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade(name: &str, from: (Alias, Alias), to: (Alias, Alias)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(a("deployment_target"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("organization_id")))
                    .col(uuid_null(a("customer_organization_id")))
                    .col(string_len(a("name"), 100))
                    // SHA-256 of the one-time enrolment secret; NULL once used.
                    .col(string_len_null(a("secret_hash"), 64))
                    .col(timestamp_with_time_zone(a("secret_created_at")))
                    .col(timestamp_with_time_zone_null(a("secret_used_at")))
                    // SHA-256 of the agent's long-lived credential.
                    .col(string_len_null(a("credential_hash"), 64))
                    .col(string_len_null(a("agent_version"), 64))
                    .col(timestamp_with_time_zone_null(a("last_seen_at")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .foreign_key(&mut cascade(
                        "fk_deployment_target_organization",
                        (a("deployment_target"), a("organization_id")),
                        (a("organization"), a("id")),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_deployment_target_customer",
                        (a("deployment_target"), a("customer_organization_id")),
                        (a("customer_organization"), a("id")),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_deployment_target_credential")
                    .table(a("deployment_target"))
                    .col(a("credential_hash"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("deployment"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("deployment_target_id")))
                    .col(uuid(a("application_id")))
                    .col(string_len(a("project_name"), 63))
                    .col(uuid_null(a("license_id")))
                    .col(boolean(a("logs_enabled")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone_null(a("undeploy_requested_at")))
                    .col(boolean(a("delete_data")))
                    // Set when the agent reported `undeployed`: the row then leaves the desired state.
                    .col(timestamp_with_time_zone_null(a("undeployed_at")))
                    .foreign_key(&mut cascade(
                        "fk_deployment_target",
                        (a("deployment"), a("deployment_target_id")),
                        (a("deployment_target"), a("id")),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_deployment_application",
                        (a("deployment"), a("application_id")),
                        (a("application"), a("id")),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("deployment_revision"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("deployment_id")))
                    .col(uuid(a("application_version_id")))
                    // The env form as the user filled it (placeholders unrendered).
                    .col(text(a("env_values")))
                    .col(big_integer(a("restart_generation")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .foreign_key(&mut cascade(
                        "fk_deployment_revision_deployment",
                        (a("deployment_revision"), a("deployment_id")),
                        (a("deployment"), a("id")),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deployment_revision_version")
                            .from(a("deployment_revision"), a("application_version_id"))
                            .to(a("application_version"), a("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deployment_revision_deployment")
                    .table(a("deployment_revision"))
                    .col(a("deployment_id"))
                    .col(a("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("deployment_status"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("deployment_id")))
                    .col(uuid_null(a("revision_id")))
                    .col(string_len(a("state"), 16))
                    .col(text(a("message")))
                    .col(timestamp_with_time_zone(a("at")))
                    .foreign_key(&mut cascade(
                        "fk_deployment_status_deployment",
                        (a("deployment_status"), a("deployment_id")),
                        (a("deployment"), a("id")),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deployment_status_deployment")
                    .table(a("deployment_status"))
                    .col(a("deployment_id"))
                    .col(a("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("deployment_log"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("deployment_id")))
                    .col(string_len(a("service"), 100))
                    .col(string_len(a("stream"), 8))
                    .col(timestamp_with_time_zone(a("at")))
                    .col(text(a("line")))
                    .foreign_key(&mut cascade(
                        "fk_deployment_log_deployment",
                        (a("deployment_log"), a("deployment_id")),
                        (a("deployment"), a("id")),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deployment_log_deployment")
                    .table(a("deployment_log"))
                    .col(a("deployment_id"))
                    .col(a("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("target_metric"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("deployment_target_id")))
                    .col(double(a("cpu_percent")))
                    .col(integer(a("cpu_cores")))
                    .col(big_integer(a("memory_used_bytes")))
                    .col(big_integer(a("memory_total_bytes")))
                    .col(timestamp_with_time_zone(a("at")))
                    .foreign_key(&mut cascade(
                        "fk_target_metric_target",
                        (a("target_metric"), a("deployment_target_id")),
                        (a("deployment_target"), a("id")),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_target_metric_target")
                    .table(a("target_metric"))
                    .col(a("deployment_target_id"))
                    .col(a("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("secret"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("organization_id")))
                    .col(uuid_null(a("customer_organization_id")))
                    // The vendor's own scope as "vendor", a customer's as its id: a unique index
                    // over a nullable column would let duplicates through on both databases.
                    .col(string_len(a("scope"), 40))
                    .col(string_len(a("key"), 100))
                    // base64(nonce ‖ ChaCha20-Poly1305 ciphertext) under the hub's secrets key.
                    .col(text(a("sealed_value")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut cascade(
                        "fk_secret_organization",
                        (a("secret"), a("organization_id")),
                        (a("organization"), a("id")),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_secret_customer",
                        (a("secret"), a("customer_organization_id")),
                        (a("customer_organization"), a("id")),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_secret_scope_key")
                    .table(a("secret"))
                    .col(a("organization_id"))
                    .col(a("scope"))
                    .col(a("key"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "secret",
            "target_metric",
            "deployment_log",
            "deployment_status",
            "deployment_revision",
            "deployment",
            "deployment_target",
        ] {
            manager
                .drop_table(Table::drop().table(a(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
