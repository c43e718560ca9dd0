//! Writes while agents report: a deployment update (a transaction that reads, then writes)
//! must not fail while other agents' statuses commit in between, on SQLite with the hub's pool
//! of connections and on PostgreSQL.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use consign_service::deployments::{self, DeploymentUpdate, NewDeployment};
use consign_service::testing::world::World;
use consign_service::testing::{Backend, TestDb};
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{agent_session, applications, targets};
use types::protocol::{DeploymentState, StatusReport};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

fn report(deployment: types::DeploymentId, i: usize) -> StatusReport {
    StatusReport {
        deployment_id: deployment,
        revision_id: None,
        // Alternating messages, so no report is a repeat the hub would skip.
        state: if i.is_multiple_of(2) {
            DeploymentState::Running
        } else {
            DeploymentState::Progressing
        },
        message: format!("report {i}"),
        observed_at: Utc::now(),
    }
}

async fn updates_succeed_while_agents_report(db: TestDb) {
    let s = db.services();
    let w = World::build(&s).await;
    let app = applications::create(
        &s,
        &w.vendor_rw,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let version = versions::create(
        &s,
        &w.vendor_rw,
        app,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: COMPOSE.into(),
                env_template: None,
            },
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let mut deployed = Vec::new();
    for name in ["pushed-to", "busy-neighbour"] {
        let target = targets::create(&s, &w.vendor_rw, name, None, Utc::now())
            .await
            .unwrap()
            .target;
        let d = deployments::create(
            &s,
            &w.vendor_rw,
            NewDeployment {
                target_id: target.id,
                application_id: app,
                version_id: version,
                env: Some("A=0".into()),
                logs_enabled: false,
                repair_drift: true,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        deployed.push((target.id, d.id));
    }
    let (pushed_target, pushed) = deployed[0];
    let (busy_target, busy) = deployed[1];

    // Two agents report as fast as the database takes it...
    let mut reporters = Vec::new();
    for (target, deployment) in [(busy_target, busy), (pushed_target, pushed)] {
        let s = s.clone();
        reporters.push(tokio::spawn(async move {
            for i in 0..300 {
                agent_session::record_status(&s, target, report(deployment, i))
                    .await
                    .unwrap();
            }
        }));
    }
    // ...while a vendor updates one of the deployments again and again.
    let mut writers = Vec::new();
    for worker in 0..3 {
        let s = s.clone();
        let actor = w.vendor_rw.clone();
        writers.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in 0..20 {
                let change = DeploymentUpdate {
                    version_id: None,
                    env: Some(format!("A={worker}-{i}")),
                    logs_enabled: None,
                    repair_drift: None,
                };
                if let Err(err) = deployments::update(&s, &actor, pushed, change, Utc::now()).await
                {
                    failures.push(err.to_string());
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for writer in writers {
        failures.extend(writer.await.unwrap());
    }
    for reporter in reporters {
        reporter.await.unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} updates failed: {failures:?}",
        failures.len()
    );
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_updates_succeed_while_agents_report() {
    updates_succeed_while_agents_report(TestDb::sqlite_file().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_updates_succeed_while_agents_report() {
    updates_succeed_while_agents_report(TestDb::new(Backend::Postgres).await).await;
}
