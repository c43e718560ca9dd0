//! Deployment targets, enrolment, secrets, deployments and what agents report, on SQLite and
//! PostgreSQL: single-use and rotated secrets, credentials cut off by deletion, secrets sealed
//! at rest and never listed with values, the desired state rendered with secrets and
//! entitlements, license enforcement for new deployments and updates, tenants kept apart,
//! undeploy kept until the agent reports it, masking and retention of reports.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use consign_service::agent_hub::AgentCommand;
use consign_service::auth::Actor;
use consign_service::deployments::{self, DeploymentUpdate, KEEP_STATUSES, NewDeployment};
use consign_service::licenses::{self, NewLicense};
use consign_service::secrets::{self, SecretScope};
use consign_service::testing::world::World;
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{
    Error, Services, agent_session, agent_update, applications, on_both_databases, targets,
};
use sea_orm::EntityTrait;
use types::protocol::{DeploymentState, LogBatch, LogLine, LogStream, StatusReport};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    DeploymentTargetId, EntitlementKey, VersionName,
};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";
const ENV: &str = "HOST=shop.local\nPASSWORD={{ secrets.DB_PASSWORD }}\n";

async fn shop(
    s: &Services,
    vendor: &Actor,
) -> (ApplicationId, ApplicationVersionId, ApplicationVersionId) {
    let app = applications::create(
        s,
        vendor,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let mut ids = Vec::new();
    for name in ["1.0", "2.0"] {
        let v = versions::create(
            s,
            vendor,
            app,
            NewVersion {
                name: VersionName::parse(name).unwrap(),
                channel: ChannelName::stable(),
                link_template: None,
                package: Package::Compose {
                    compose_file: COMPOSE.into(),
                    env_template: Some(ENV.into()),
                },
            },
            Utc::now(),
        )
        .await
        .unwrap();
        ids.push(v.id);
    }
    (app, ids[0], ids[1])
}

async fn license(s: &Services, w: &World, app: ApplicationId) -> licenses::License {
    licenses::create(
        s,
        &w.vendor_rw,
        NewLicense {
            name: None,
            customer_organization_id: w.customer,
            application_id: app,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::from([(
                EntitlementKey::parse("seats").unwrap(),
                "25".to_string(),
            )]),
        },
        Utc::now(),
    )
    .await
    .unwrap()
}

fn status(deployment: types::DeploymentId, state: DeploymentState, message: &str) -> StatusReport {
    StatusReport {
        deployment_id: deployment,
        revision_id: None,
        state,
        message: message.into(),
        observed_at: Utc::now(),
    }
}

async fn a_customer_enrols_an_agent_once_and_rotation_and_deletion_cut_it_off(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let issued = targets::create(&s, &w.customer_rw, "edge-1", None, now)
        .await
        .unwrap();
    assert_eq!(issued.target.customer_organization_id, Some(w.customer));
    assert!(!issued.target.enrolled);

    // Who sees it: the customer and its vendor; not another customer or vendor.
    assert_eq!(
        targets::list(services, &w.vendor_ro).await.unwrap().len(),
        1
    );
    assert_eq!(
        targets::list(services, &w.customer_ro).await.unwrap().len(),
        1
    );
    assert!(
        targets::list(services, &w.other_vendor)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        targets::get(services, &w.other_vendor, issued.target.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        targets::create(&s, &w.customer_ro, "x", None, now).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        targets::create(&s, &w.customer_rw, "x", Some(w.second_customer), now).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        targets::create(&s, &w.vendor_rw, "x", Some(w.other_customer), now).await,
        Err(Error::NotFound { .. })
    ));
    let bad_name = targets::create(&s, &w.vendor_rw, "  ", None, now).await;
    assert!(
        matches!(bad_name, Err(Error::InvalidInput { field: "name", .. })),
        "{bad_name:?}"
    );

    // Rotation invalidates the first secret; the new one works once.
    let rotated = targets::rotate_secret(&s, &w.customer_rw, issued.target.id, now)
        .await
        .unwrap();
    assert_ne!(rotated.secret, issued.secret);
    assert!(
        targets::enroll(&s, issued.target.id, &issued.secret, now)
            .await
            .unwrap()
            .is_none()
    );
    let credential = targets::enroll(&s, issued.target.id, &rotated.secret, now)
        .await
        .unwrap()
        .unwrap();
    assert!(
        targets::enroll(&s, issued.target.id, &rotated.secret, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        targets::enroll(&s, DeploymentTargetId::new(), &rotated.secret, now)
            .await
            .unwrap()
            .is_none()
    );
    let (agent_target, _) = targets::authenticate_agent(services, &credential)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(agent_target.id, issued.target.id);
    assert!(agent_target.enrolled);
    assert!(
        targets::authenticate_agent(services, "consign_agent_wrong")
            .await
            .unwrap()
            .is_none()
    );

    // Only the hash of anything secret is stored.
    let row = consign_service::entity::deployment_target::Entity::find_by_id(issued.target.id.0)
        .one(consign_service::testing::connection(services))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.credential_hash.as_deref(), Some(credential.as_str()));
    assert!(row.secret_hash.is_none(), "a used secret keeps no hash");

    // Another tenant cannot delete it; its own customer can, and the credential dies.
    assert!(matches!(
        targets::delete(&s, &w.other_vendor, issued.target.id).await,
        Err(Error::NotFound { .. })
    ));
    targets::delete(&s, &w.customer_rw, issued.target.id)
        .await
        .unwrap();
    assert!(
        targets::authenticate_agent(services, &credential)
            .await
            .unwrap()
            .is_none()
    );
}

async fn secrets_are_sealed_at_rest_listed_without_values_and_scoped_per_tenant(
    services: &Services,
) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let own = SecretScope::Customer(w.customer);
    let info = secrets::set(
        services,
        &s.secrets_key,
        &w.customer_rw,
        own,
        "DB_PASSWORD",
        "s3cret-pw",
        now,
    )
    .await
    .unwrap();
    assert_eq!(info.key, "DB_PASSWORD");
    // Setting it again replaces the value, not adds a second secret.
    secrets::set(
        services,
        &s.secrets_key,
        &w.vendor_rw,
        own,
        "DB_PASSWORD",
        "s3cret-pw2",
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        secrets::list(services, &w.customer_ro, own)
            .await
            .unwrap()
            .len(),
        1
    );
    let rows = consign_service::entity::secret::Entity::find()
        .all(consign_service::testing::connection(services))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].sealed_value.contains("s3cret"));
    assert_eq!(
        s.secrets_key.open(&rows[0].sealed_value).unwrap(),
        "s3cret-pw2"
    );

    // Scopes: customers never see the vendor's or another customer's.
    assert!(matches!(
        secrets::list(services, &w.customer_rw, SecretScope::Vendor).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        secrets::list(
            services,
            &w.customer_rw,
            SecretScope::Customer(w.second_customer)
        )
        .await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        secrets::list(services, &w.other_vendor, own).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        secrets::delete(services, &w.other_vendor, info.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        secrets::set(
            services,
            &s.secrets_key,
            &w.customer_ro,
            own,
            "X",
            "value",
            now
        )
        .await,
        Err(Error::Forbidden { .. })
    ));
    for (key, value, field) in [
        ("1BAD", "value", "key"),
        ("A-B", "value", "key"),
        ("OK", "", "value"),
    ] {
        let result = secrets::set(
            services,
            &s.secrets_key,
            &w.vendor_rw,
            SecretScope::Vendor,
            key,
            value,
            now,
        )
        .await;
        assert!(
            matches!(result, Err(Error::InvalidInput { field: f, .. }) if f == field),
            "{key}: {result:?}"
        );
    }
    assert!(
        secrets::list(services, &w.vendor_ro, SecretScope::Vendor)
            .await
            .unwrap()
            .is_empty()
    );
    secrets::delete(services, &w.customer_rw, info.id)
        .await
        .unwrap();
    assert!(
        secrets::list(services, &w.customer_rw, own)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_deployment_renders_secrets_and_entitlements_and_undeploy_waits_for_the_agent(
    services: &Services,
) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let (app, v1, v2) = shop(&s, &w.vendor_rw).await;
    let lic = license(&s, &w, app).await;
    let own = SecretScope::Customer(w.customer);
    secrets::set(
        services,
        &s.secrets_key,
        &w.customer_rw,
        own,
        "DB_PASSWORD",
        "s3cret-pw",
        now,
    )
    .await
    .unwrap();
    let target = targets::create(&s, &w.customer_rw, "edge", None, now)
        .await
        .unwrap()
        .target;
    let mut events = s.agents.subscribe();
    let mut agent = s.agents.register(target.id, now);

    let d = deployments::create(
        &s,
        &w.customer_rw,
        NewDeployment {
            target_id: target.id,
            application_id: app,
            version_id: v1,
            env: None,
            logs_enabled: true,
            repair_drift: true,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(d.env, ENV, "the version's env template pre-fills the env");
    assert_eq!(d.license_id, Some(lic.id.0));
    assert!(
        agent.commands.try_recv().is_ok(),
        "the agent is told at once"
    );
    assert!(events.try_recv().is_ok(), "live pages are told");

    let desired = agent_session::desired_state(&s, target.id).await.unwrap();
    assert_eq!(desired.deployments.len(), 1);
    let one = &desired.deployments[0];
    assert_eq!(one.compose_file, COMPOSE);
    assert_eq!(
        one.env_file.expose(),
        "HOST=\"shop.local\"\nPASSWORD=\"s3cret-pw\"\nCONSIGN_ENTITLEMENT_SEATS=\"25\"\n"
    );
    assert_eq!(one.secret_keys, vec!["PASSWORD".to_string()]);
    assert!(types::protocol::is_valid_project_name(&one.project_name));

    // The agent reports; a repeat is not stored twice; logs are masked.
    agent_session::record_status(
        &s,
        target.id,
        status(d.id, DeploymentState::Progressing, ""),
    )
    .await
    .unwrap();
    agent_session::record_status(&s, target.id, status(d.id, DeploymentState::Healthy, ""))
        .await
        .unwrap();
    agent_session::record_status(&s, target.id, status(d.id, DeploymentState::Healthy, ""))
        .await
        .unwrap();
    let history = deployments::statuses(services, &w.customer_ro, d.id, 50)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|h| h.state.as_str()).collect::<Vec<_>>(),
        ["healthy", "progressing"]
    );
    agent_session::record_logs(
        &s,
        target.id,
        LogBatch {
            deployment_id: d.id,
            revision_id: None,
            lines: vec![LogLine {
                service: "web".into(),
                stream: LogStream::Stdout,
                at: Utc::now(),
                line: "connecting with s3cret-pw".into(),
            }],
        },
    )
    .await
    .unwrap();
    let logs = deployments::logs(services, &w.vendor_ro, d.id, 10)
        .await
        .unwrap();
    assert_eq!(logs[0].line, "connecting with ********");

    // A report about another target's deployment is refused.
    let other = targets::create(&s, &w.vendor_rw, "vendor-box", None, now)
        .await
        .unwrap()
        .target;
    assert!(matches!(
        agent_session::record_status(&s, other.id, status(d.id, DeploymentState::Error, "")).await,
        Err(Error::NotFound { .. })
    ));

    // Update to v2, then force restart: new revisions, the restart with a higher generation.
    let updated = deployments::update(
        &s,
        &w.vendor_rw,
        d.id,
        DeploymentUpdate {
            version_id: Some(v2),
            ..DeploymentUpdate::default()
        },
        now + Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_eq!(updated.version_id, v2);
    assert_ne!(updated.revision_id, d.revision_id);
    let restarted = deployments::restart(&s, &w.customer_rw, d.id, now + Duration::seconds(2))
        .await
        .unwrap();
    assert_eq!(restarted.restart_generation, 1);
    assert_eq!(restarted.version_id, v2);
    let desired = agent_session::desired_state(&s, target.id).await.unwrap();
    assert_eq!(desired.deployments[0].restart_generation, 1);
    assert_eq!(desired.deployments[0].revision_id, restarted.revision_id);

    // Undeploy stays in the desired state until the agent reports it done.
    deployments::undeploy(&s, &w.customer_rw, d.id, true, now)
        .await
        .unwrap();
    let desired = agent_session::desired_state(&s, target.id).await.unwrap();
    assert!(desired.deployments.is_empty());
    assert_eq!(desired.undeploy.len(), 1);
    assert!(desired.undeploy[0].delete_data);
    assert!(matches!(
        deployments::restart(&s, &w.customer_rw, d.id, now).await,
        Err(Error::InvalidInput { .. })
    ));
    agent_session::record_status(&s, target.id, status(d.id, DeploymentState::Undeployed, ""))
        .await
        .unwrap();
    let desired = agent_session::desired_state(&s, target.id).await.unwrap();
    assert!(desired.undeploy.is_empty() && desired.deployments.is_empty());
    assert!(
        deployments::get(services, &w.customer_ro, d.id)
            .await
            .unwrap()
            .undeployed_at
            .is_some()
    );
}

async fn licenses_secrets_and_tenancy_gate_every_deployment(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let (app, v1, v2) = shop(&s, &w.vendor_rw).await;
    let target = targets::create(&s, &w.customer_rw, "edge", None, now)
        .await
        .unwrap()
        .target;
    let new = |version, env: Option<&str>| NewDeployment {
        target_id: target.id,
        application_id: app,
        version_id: version,
        env: env.map(Into::into),
        logs_enabled: false,
        repair_drift: true,
    };

    // No license: the application is invisible to the customer.
    assert!(
        deployments::create(&s, &w.customer_rw, new(v1, Some("A=1")), now)
            .await
            .is_err()
    );
    let lic = license(&s, &w, app).await;
    // A secret the env names must exist; nothing is stored on failure.
    let missing = deployments::create(&s, &w.customer_rw, new(v1, None), now).await;
    assert!(
        matches!(&missing, Err(Error::InvalidInput { field: "env", message }) if message.contains("DB_PASSWORD")),
        "{missing:?}"
    );
    let bad_env =
        deployments::create(&s, &w.customer_rw, new(v1, Some("no equals sign")), now).await;
    assert!(
        matches!(bad_env, Err(Error::InvalidInput { field: "env", .. })),
        "{bad_env:?}"
    );
    assert!(
        deployments::list(services, &w.customer_rw, None)
            .await
            .unwrap()
            .is_empty()
    );

    let d = deployments::create(&s, &w.customer_rw, new(v1, Some("A=1\n")), now)
        .await
        .unwrap();
    // Read-only members and other tenants cannot act on it.
    assert!(matches!(
        deployments::restart(&s, &w.customer_ro, d.id, now).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        deployments::get(services, &w.other_vendor, d.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        deployments::undeploy(&s, &w.other_vendor, d.id, false, now).await,
        Err(Error::NotFound { .. })
    ));

    // A revoked license blocks updates (with the reason) and new deployments.
    licenses::revoke(services, &w.vendor_rw, lic.id, now)
        .await
        .unwrap();
    let update = DeploymentUpdate {
        version_id: Some(v2),
        ..DeploymentUpdate::default()
    };
    let blocked = deployments::update(&s, &w.vendor_rw, d.id, update, now).await;
    assert!(
        matches!(&blocked, Err(Error::NotLicensed(why)) if why.contains("revoked")),
        "{blocked:?}"
    );
    assert!(matches!(
        deployments::create(&s, &w.customer_rw, new(v1, Some("A=1")), now).await,
        Err(Error::NotLicensed(_))
    ));
    assert_eq!(
        deployments::get(services, &w.customer_rw, d.id)
            .await
            .unwrap()
            .version_id,
        v1
    );

    // A vendor-managed target deploys any unarchived version without a license.
    let own = targets::create(&s, &w.vendor_rw, "vendor-box", None, now)
        .await
        .unwrap()
        .target;
    let vendor_new = |version| NewDeployment {
        target_id: own.id,
        application_id: app,
        version_id: version,
        env: Some("A=1".into()),
        logs_enabled: false,
        repair_drift: true,
    };
    deployments::create(&s, &w.vendor_rw, vendor_new(v2), now)
        .await
        .unwrap();
    versions::set_archived(services, &w.vendor_rw, app, v1, true, now)
        .await
        .unwrap();
    let archived = deployments::create(&s, &w.vendor_rw, vendor_new(v1), now).await;
    assert!(
        matches!(
            archived,
            Err(Error::InvalidInput {
                field: "versionId",
                ..
            })
        ),
        "{archived:?}"
    );
    // Customers never see the vendor's own target.
    assert!(matches!(
        deployments::create(&s, &w.customer_admin, vendor_new(v2), now).await,
        Err(Error::NotFound { .. })
    ));
}

async fn status_history_logs_and_metrics_keep_within_their_limits(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let (app, _, v2) = shop(&s, &w.vendor_rw).await;
    let target = targets::create(&s, &w.vendor_rw, "box", None, now)
        .await
        .unwrap()
        .target;
    let d = deployments::create(
        &s,
        &w.vendor_rw,
        NewDeployment {
            target_id: target.id,
            application_id: app,
            version_id: v2,
            env: Some("A=1".into()),
            logs_enabled: false,
            repair_drift: true,
        },
        now,
    )
    .await
    .unwrap();
    for i in 0..(KEEP_STATUSES + 5) {
        let mut report = status(d.id, DeploymentState::Running, &format!("tick {i}"));
        report.observed_at = now + Duration::milliseconds(i64::try_from(i).unwrap());
        agent_session::record_status(&s, target.id, report)
            .await
            .unwrap();
    }
    let history = deployments::statuses(services, &w.vendor_ro, d.id, 1000)
        .await
        .unwrap();
    assert_eq!(history.len(), usize::try_from(KEEP_STATUSES).unwrap());
    assert_eq!(history[0].message, format!("tick {}", KEEP_STATUSES + 4));
    // Logs of a deployment without log streaming are dropped.
    agent_session::record_logs(
        &s,
        target.id,
        LogBatch {
            deployment_id: d.id,
            revision_id: None,
            lines: vec![LogLine {
                service: "web".into(),
                stream: LogStream::Stderr,
                at: now,
                line: "x".into(),
            }],
        },
    )
    .await
    .unwrap();
    assert!(
        deployments::logs(services, &w.vendor_ro, d.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_hubs_clock_orders_statuses_when_the_agents_clock_is_ahead_or_stepped_back(
    services: &Services,
) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let (app, _, v2) = shop(&s, &w.vendor_rw).await;
    let target = targets::create(&s, &w.vendor_rw, "skewed", None, now)
        .await
        .unwrap()
        .target;
    let d = deployments::create(
        &s,
        &w.vendor_rw,
        NewDeployment {
            target_id: target.id,
            application_id: app,
            version_id: v2,
            env: Some("A=1".into()),
            logs_enabled: false,
            repair_drift: true,
        },
        now,
    )
    .await
    .unwrap();
    let latest = async || {
        deployments::statuses(services, &w.vendor_ro, d.id, 1)
            .await
            .unwrap()
            .remove(0)
            .message
    };
    // A clock an hour ahead: its status must not outrank the ones that follow it.
    let mut ahead = status(d.id, DeploymentState::Error, "from a clock an hour ahead");
    ahead.observed_at = Utc::now() + Duration::hours(1);
    agent_session::record_status(&s, target.id, ahead)
        .await
        .unwrap();
    let history = deployments::statuses(services, &w.vendor_ro, d.id, 1)
        .await
        .unwrap();
    assert!(
        history[0].at <= Utc::now(),
        "a status is never filed in the future"
    );
    agent_session::record_status(
        &s,
        target.id,
        status(d.id, DeploymentState::Healthy, "fixed"),
    )
    .await
    .unwrap();
    assert_eq!(latest().await, "fixed");

    // A clock stepped back an hour (an NTP correction): the newer status is still the latest.
    let mut behind = status(
        d.id,
        DeploymentState::Stopped,
        "after the clock stepped back",
    );
    behind.observed_at = Utc::now() - Duration::hours(1);
    agent_session::record_status(&s, target.id, behind)
        .await
        .unwrap();
    assert_eq!(latest().await, "after the clock stepped back");
    let history = deployments::statuses(services, &w.vendor_ro, d.id, 10)
        .await
        .unwrap();
    let messages: Vec<_> = history.iter().map(|h| h.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "after the clock stepped back",
            "fixed",
            "from a clock an hour ahead"
        ]
    );
}

async fn a_status_reported_again_and_again_is_one_entry_with_a_count(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let now = Utc::now();
    let (app, _, v2) = shop(&s, &w.vendor_rw).await;
    let target = targets::create(&s, &w.vendor_rw, "retrying", None, now)
        .await
        .unwrap()
        .target;
    let d = deployments::create(
        &s,
        &w.vendor_rw,
        NewDeployment {
            target_id: target.id,
            application_id: app,
            version_id: v2,
            env: Some("A=1".into()),
            logs_enabled: false,
            repair_drift: true,
        },
        now,
    )
    .await
    .unwrap();
    agent_session::record_status(
        &s,
        target.id,
        status(d.id, DeploymentState::Progressing, "applying"),
    )
    .await
    .unwrap();
    // A retry every minute failing the same way, for longer than the kept history.
    let failing = "image registry.example.com/shop:1 not found";
    for _ in 0..(KEEP_STATUSES + 10) {
        agent_session::record_status(&s, target.id, status(d.id, DeploymentState::Error, failing))
            .await
            .unwrap();
    }
    let history = deployments::statuses(services, &w.vendor_ro, d.id, 1000)
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        2,
        "the cause stays in the history: {history:?}"
    );
    assert_eq!(history[0].message, failing);
    assert_eq!(
        history[0].repeats,
        u32::try_from(KEEP_STATUSES + 10).unwrap()
    );
    assert!(history[0].last_at.is_some_and(|last| last >= history[0].at));
    assert_eq!(history[1].message, "applying");
    assert_eq!(history[1].repeats, 1);
    assert_eq!(history[1].last_at, None);
    // The agent sending its snapshot again after a reconnect (the same observation) is not
    // counted.
    let mut resent = status(d.id, DeploymentState::Error, failing);
    resent.observed_at = history[0].at;
    agent_session::record_status(&s, target.id, resent)
        .await
        .unwrap();
    let again = deployments::statuses(services, &w.vendor_ro, d.id, 1)
        .await
        .unwrap();
    assert_eq!(again[0].repeats, history[0].repeats);
    // Something else breaks the run: a new entry.
    agent_session::record_status(&s, target.id, status(d.id, DeploymentState::Healthy, ""))
        .await
        .unwrap();
    let history = deployments::statuses(services, &w.vendor_ro, d.id, 1000)
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].repeats, 1);
}

async fn an_agent_update_reaches_only_a_connected_agent_and_only_writers_ask(services: &Services) {
    let mut s = services.clone();
    let w = World::build(services).await;
    let target = targets::create(&s, &w.customer_rw, "edge", None, Utc::now())
        .await
        .unwrap()
        .target;
    // No binary to offer: a plain refusal that says how to provide one, nothing sent.
    let missing = std::env::temp_dir().join(format!("no-agent-{}", target.id));
    s.config.agent_binaries = vec![missing.clone()];
    let mut early = s.agents.register(target.id, Utc::now());
    let refused = agent_update::request(&s, &w.customer_rw, target.id).await;
    assert!(
        matches!(refused, Err(Error::NoAgentBinary(_))),
        "{refused:?}"
    );
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("no agent binary") && message.contains("CONSIGN_AGENT_BINARY"),
        "{message}"
    );
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(early.commands.try_recv().is_err());
    assert!(s.agents.unregister(&early));
    // Any file stands in for the agent binary: no agent really downloads it here. It is
    // looked up when asked, so one that appears later counts at once.
    std::fs::copy(std::env::current_exe().unwrap(), &missing).unwrap();
    let mut late = s.agents.register(target.id, Utc::now());
    agent_update::request(&s, &w.customer_rw, target.id)
        .await
        .unwrap();
    assert_eq!(
        late.commands.try_recv().ok(),
        Some(AgentCommand::UpdateAgent)
    );
    assert!(s.agents.unregister(&late));
    std::fs::remove_file(&missing).unwrap();
    s.config.agent_binaries = vec![std::env::current_exe().unwrap()];
    // Offline: a clear refusal, nothing queued.
    let offline = agent_update::request(&s, &w.customer_rw, target.id).await;
    assert!(matches!(offline, Err(Error::AgentOffline)), "{offline:?}");
    assert!(offline.unwrap_err().to_string().contains("offline"));

    let mut connection = s.agents.register(target.id, Utc::now());
    for reader in [&w.customer_ro, &w.vendor_ro] {
        assert!(matches!(
            agent_update::request(&s, reader, target.id).await,
            Err(Error::Forbidden { .. })
        ));
    }
    assert!(matches!(
        agent_update::request(&s, &w.other_vendor, target.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(connection.commands.try_recv().is_err());
    for writer in [
        &w.customer_admin,
        &w.customer_rw,
        &w.vendor_admin,
        &w.vendor_rw,
    ] {
        agent_update::request(&s, writer, target.id).await.unwrap();
        assert_eq!(
            connection.commands.try_recv().ok(),
            Some(AgentCommand::UpdateAgent)
        );
    }
    // Unknown targets are not found, connected or not.
    assert!(matches!(
        agent_update::request(&s, &w.vendor_rw, DeploymentTargetId::new()).await,
        Err(Error::NotFound { .. })
    ));
}

/// Agents racing with one enrolment secret: exactly one gets a credential, and it is the one
/// stored. A rotation racing them never takes the winner's credential away.
async fn of_agents_racing_with_one_secret_exactly_one_enrols(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    for round in 0..4 {
        let now = Utc::now();
        let issued = targets::create(&s, &w.vendor_rw, &format!("race-{round}"), None, now)
            .await
            .unwrap();
        let attempts = (0..12).map(|_| targets::enroll(&s, issued.target.id, &issued.secret, now));
        let rotation = async {
            if round % 2 == 1 {
                targets::rotate_secret(&s, &w.vendor_rw, issued.target.id, now)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        };
        let (results, rotated) = tokio::join!(futures_util::future::join_all(attempts), rotation);
        let rotated = rotated.unwrap();
        let winners: Vec<String> = results.into_iter().filter_map(|r| r.unwrap()).collect();
        if rotated.is_none() {
            assert_eq!(
                winners.len(),
                1,
                "round {round}: {} agents enrolled",
                winners.len()
            );
        } else {
            assert!(
                winners.len() <= 1,
                "round {round}: {} agents enrolled",
                winners.len()
            );
        }
        for credential in &winners {
            let (found, _) = targets::authenticate_agent(services, credential)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: the winner's credential was replaced"));
            assert_eq!(found.id, issued.target.id);
        }
        // The rotated secret is the one that works now.
        if let Some(rotated) = rotated {
            let fresh = targets::enroll(&s, issued.target.id, &rotated.secret, Utc::now())
                .await
                .unwrap();
            assert!(
                fresh.is_some(),
                "round {round}: the rotated secret must work"
            );
        }
    }
}

on_both_databases!(
    a_customer_enrols_an_agent_once_and_rotation_and_deletion_cut_it_off,
    of_agents_racing_with_one_secret_exactly_one_enrols,
    secrets_are_sealed_at_rest_listed_without_values_and_scoped_per_tenant,
    a_deployment_renders_secrets_and_entitlements_and_undeploy_waits_for_the_agent,
    licenses_secrets_and_tenancy_gate_every_deployment,
    status_history_logs_and_metrics_keep_within_their_limits,
    an_agent_update_reaches_only_a_connected_agent_and_only_writers_ask,
    the_hubs_clock_orders_statuses_when_the_agents_clock_is_ahead_or_stepped_back,
    a_status_reported_again_and_again_is_one_entry_with_a_count,
);
