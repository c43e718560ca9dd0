//! The portals' overviews on SQLite and PostgreSQL: a vendor's counts, deployments by state,
//! installations behind their channel, licenses ending soon, recent status changes and what
//! needs attention; a customer's own deployments and updates, and nobody else's.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use consign_service::deployments;
use consign_service::licenses::{self, NewLicense};
use consign_service::overview::{self, Attention};
use consign_service::testing::world::{World, new_deployment};
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{Error, Services, agent_session, applications, on_both_databases, targets};
use types::protocol::{DeploymentState, ShownState, StatusReport};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName, VersionName,
};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

/// The application "Shop" with versions 1.0 and 2.0 on `stable`: its id and the versions'.
async fn shop(
    services: &Services,
    w: &World,
    now: chrono::DateTime<Utc>,
) -> (ApplicationId, Vec<ApplicationVersionId>) {
    let app = applications::create(
        services,
        &w.vendor_rw,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap()
    .id;
    let mut ids = Vec::new();
    for name in ["1.0", "2.0"] {
        let version = NewVersion {
            name: VersionName::parse(name).unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: COMPOSE.into(),
                env_template: None,
            },
        };
        ids.push(
            versions::create(services, &w.vendor_rw, app, version, now)
                .await
                .unwrap()
                .id,
        );
    }
    (app, ids)
}

async fn the_overviews_answer_is_everything_fine(services: &Services) {
    let w = World::build(services).await;
    let now = Utc::now();

    // Empty: zeros, and everything is fine.
    let empty = overview::vendor(services, &w.vendor_ro, now).await.unwrap();
    assert_eq!(empty.customers, 2, "World has two customers of Acme");
    assert!(empty.by_state.is_empty() && empty.attention.is_empty() && empty.recent.is_empty());

    let (app, ids) = shop(services, &w, now).await;
    licenses::create(
        services,
        &w.vendor_rw,
        NewLicense {
            name: Some("Shop for Globex".into()),
            customer_organization_id: w.customer,
            application_id: app,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: Some(now + TimeDelta::days(5)),
            entitlements: BTreeMap::new(),
        },
        now,
    )
    .await
    .unwrap();
    let edge = targets::create(services, &w.customer_rw, "edge", None, now)
        .await
        .unwrap()
        .target
        .id;
    let lab = targets::create(services, &w.vendor_rw, "lab", None, now)
        .await
        .unwrap()
        .target
        .id;
    // The customer's target runs 1.0 (behind 2.0) and reports an error; the lab runs 2.0.
    let old = deployments::create(
        services,
        &w.vendor_rw,
        new_deployment(edge, app, ids[0]),
        now,
    )
    .await
    .unwrap();
    deployments::create(
        services,
        &w.vendor_rw,
        new_deployment(lab, app, ids[1]),
        now,
    )
    .await
    .unwrap();
    agent_session::record_status(
        services,
        edge,
        StatusReport {
            deployment_id: old.id,
            revision_id: Some(old.revision_id),
            state: DeploymentState::Error,
            message: "web exited with code 1".into(),
            observed_at: now,
        },
    )
    .await
    .unwrap();

    let o = overview::vendor(services, &w.vendor_ro, now).await.unwrap();
    assert_eq!(o.targets.waiting, 2, "{:?}", o.targets);
    assert_eq!(
        o.by_state,
        vec![
            (ShownState::Reported(DeploymentState::Error), 1),
            (ShownState::Pending, 1)
        ]
    );
    assert_eq!(o.behind.len(), 1);
    assert_eq!(o.behind[0].latest.as_deref(), Some("2.0"));
    assert_eq!(o.behind[0].customer.as_deref(), Some("Globex"));
    assert_eq!(o.expiring.len(), 1);
    assert_eq!(o.expiring[0].customer, "Globex");
    assert_eq!(o.recent.len(), 1);
    assert_eq!(o.recent[0].subject, "Shop on edge");
    assert_eq!(o.recent[0].state, DeploymentState::Error);
    assert!(
        matches!(&o.attention[0], Attention::Failing(d) if d.message == "web exited with code 1"),
        "{:?}",
        o.attention
    );
    assert!(
        o.attention
            .iter()
            .any(|a| matches!(a, Attention::Expiring(_)))
    );

    // A day later the never-enrolled targets are stale.
    let later = overview::vendor(services, &w.vendor_ro, now + TimeDelta::days(2))
        .await
        .unwrap();
    assert_eq!(
        later
            .attention
            .iter()
            .filter(|a| matches!(a, Attention::Stale { .. }))
            .count(),
        2
    );

    // The customer sees its own deployment, its update and its event; not the lab.
    let c = overview::customer(services, &w.customer_ro).await.unwrap();
    assert_eq!(c.deployments.len(), 1);
    assert_eq!(c.deployments[0].target, "edge");
    assert_eq!(c.updates().count(), 1);
    assert_eq!(c.recent.len(), 1);
    assert_eq!(c.targets.waiting, 1);

    // Other tenants see nothing of it; customers cannot read the vendor's overview.
    let other = overview::vendor(services, &w.other_vendor, now)
        .await
        .unwrap();
    assert!(other.by_state.is_empty() && other.recent.is_empty() && other.expiring.is_empty());
    assert!(matches!(
        overview::vendor(services, &w.customer_admin, now).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        overview::customer(services, &w.vendor_admin).await,
        Err(Error::Forbidden { .. })
    ));
}

on_both_databases!(the_overviews_answer_is_everything_fine);

/// A new vendor-managed target `name` with `version` of `app` deployed on it.
async fn deployed_on_new_target(
    services: &Services,
    w: &World,
    name: &str,
    app: ApplicationId,
    version: ApplicationVersionId,
    now: chrono::DateTime<Utc>,
) -> (types::DeploymentTargetId, deployments::Deployment) {
    let target = targets::create(services, &w.vendor_rw, name, None, now)
        .await
        .unwrap()
        .target
        .id;
    let d = deployments::create(
        services,
        &w.vendor_rw,
        new_deployment(target, app, version),
        now,
    )
    .await
    .unwrap();
    (target, d)
}

/// More deployments than the overview lists: the totals count them all in SQL, only the first
/// [`overview::LINES`] lines are loaded, and the number of queries does not grow with them.
async fn the_vendor_overview_counts_in_sql_and_loads_only_what_it_shows(services: &Services) {
    use consign_service::listing;
    use std::sync::atomic::Ordering;

    let w = World::build(services).await;
    let now = Utc::now();
    let (app, ids) = shop(services, &w, now).await;
    let (counted, queries) = listing::counting_queries(services);
    let mut costs = Vec::new();
    let mut deployed = Vec::new();
    for round in 0..2 {
        // Round 0: 3 targets; round 1: 12 more, past the lines shown.
        let how_many = if round == 0 { 3 } else { 12 };
        for i in 0..how_many {
            let (target, d) =
                deployed_on_new_target(services, &w, &format!("t-{round}-{i}"), app, ids[0], now)
                    .await;
            // Each reports twice: only the latest report counts.
            for (state, at) in [(DeploymentState::Healthy, 0), (DeploymentState::Error, 1)] {
                agent_session::record_status(
                    services,
                    target,
                    StatusReport {
                        deployment_id: d.id,
                        revision_id: Some(d.revision_id),
                        state,
                        message: format!("report {at}"),
                        observed_at: now + TimeDelta::seconds(at),
                    },
                )
                .await
                .unwrap();
            }
            deployed.push(d.id);
        }
        queries.swap(0, Ordering::SeqCst);
        let o = overview::vendor(&counted, &w.vendor_ro, now).await.unwrap();
        costs.push(queries.swap(0, Ordering::SeqCst));
        let n = deployed.len();
        assert_eq!(
            o.by_state,
            vec![(ShownState::Reported(DeploymentState::Error), n)]
        );
        assert_eq!(o.behind_total, n);
        assert_eq!(o.behind.len(), n.min(overview::LINES as usize));
        assert!(o.behind.iter().all(|d| d.latest.as_deref() == Some("2.0")));
        assert_eq!(o.attention_total, n, "{:?}", o.attention);
        assert_eq!(o.attention.len(), n.min(overview::LINES as usize));
        // Two changes each.
        assert_eq!(
            o.recent.len(),
            (2 * n).min(overview::RECENT_EVENTS as usize)
        );
        assert!(o.recent.iter().all(|e| e.subject.starts_with("Shop on t-")));
    }
    assert_eq!(costs[0], costs[1], "queries per overview: {costs:?}");

    // An undeploy asked but not confirmed shows as undeploying, whatever the last report.
    deployments::undeploy(services, &w.vendor_rw, deployed[0], false, now)
        .await
        .unwrap();
    let o = overview::vendor(services, &w.vendor_ro, now).await.unwrap();
    assert_eq!(
        o.by_state,
        vec![
            (
                ShownState::Reported(DeploymentState::Error),
                deployed.len() - 1
            ),
            (ShownState::Undeploying, 1)
        ]
    );
    assert_eq!(o.attention_total, deployed.len() - 1);
}

on_both_databases!(the_vendor_overview_counts_in_sql_and_loads_only_what_it_shows);

/// What each deployment is now (its latest report's state, its newest revision's version) is
/// kept on its row as reports and updates arrive at the same time on many deployments, agrees
/// with its history, and is rebuilt from that history when the migration that added it runs
/// on an existing fleet.
async fn what_a_deployment_is_now_follows_concurrent_reports_and_is_rebuilt_from_history(
    services: &Services,
) {
    use consign_service::deployments::DeploymentUpdate;
    use consign_service::stats;
    use sea_orm_migration::MigratorTrait;
    use std::collections::HashMap;

    const DEPLOYMENTS: usize = 8;
    let w = World::build(services).await;
    let now = Utc::now();
    let (app, ids) = shop(services, &w, now).await;
    let mut deployed = Vec::new();
    for i in 0..DEPLOYMENTS {
        deployed
            .push(deployed_on_new_target(services, &w, &format!("c-{i}"), app, ids[0], now).await);
    }
    // Every agent reports three times while every other deployment is updated to 2.0, all at
    // once: the last report and the update must both stay.
    let states = [
        DeploymentState::Progressing,
        DeploymentState::Healthy,
        DeploymentState::Error,
    ];
    let mut tasks = Vec::new();
    for (i, (target, d)) in deployed.iter().enumerate() {
        let (s, target, d) = (services.clone(), *target, d.clone());
        tasks.push(tokio::spawn(async move {
            for (n, state) in states.iter().enumerate() {
                let state = if i % 3 == 0 && n == 2 {
                    DeploymentState::Running
                } else {
                    *state
                };
                agent_session::record_status(
                    &s,
                    target,
                    StatusReport {
                        deployment_id: d.id,
                        revision_id: Some(d.revision_id),
                        state,
                        message: format!("report {n}"),
                        observed_at: now + TimeDelta::seconds(i64::try_from(n).unwrap() + 1),
                    },
                )
                .await
                .unwrap();
            }
        }));
        if i % 2 == 1 {
            let (s, vendor, id, to) = (services.clone(), w.vendor_rw.clone(), d.id, ids[1]);
            tasks.push(tokio::spawn(async move {
                deployments::update(
                    &s,
                    &vendor,
                    id,
                    DeploymentUpdate {
                        version_id: Some(to),
                        env: None,
                        logs_enabled: None,
                        repair_drift: None,
                    },
                    now + TimeDelta::seconds(1),
                )
                .await
                .unwrap();
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }

    // What the history says, deployment by deployment.
    let mut expected_states: HashMap<ShownState, usize> = HashMap::new();
    let mut expected_versions: HashMap<ApplicationVersionId, u64> = HashMap::new();
    for (_, d) in &deployed {
        let d = deployments::get(services, &w.vendor_ro, d.id)
            .await
            .unwrap();
        *expected_states.entry(d.shown_state()).or_default() += 1;
        *expected_versions.entry(d.version_id).or_default() += 1;
    }
    assert_eq!(
        expected_states,
        HashMap::from([
            (ShownState::Reported(DeploymentState::Error), 5),
            (ShownState::Reported(DeploymentState::Running), 3),
        ])
    );
    assert_eq!(expected_versions, HashMap::from([(ids[0], 4), (ids[1], 4)]));
    let kept = |services: Services| {
        let vendor = w.vendor_ro.clone();
        async move {
            let o = overview::vendor(&services, &vendor, now).await.unwrap();
            let states: HashMap<ShownState, usize> = o.by_state.into_iter().collect();
            let versions: HashMap<ApplicationVersionId, u64> =
                stats::version_spread(&services, &vendor, app)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|v| (v.version_id, v.deployments))
                    .collect();
            (states, versions, o.behind_total)
        }
    };
    assert_eq!(
        kept(services.clone()).await,
        (expected_states.clone(), expected_versions.clone(), 4)
    );

    // The migration that added them, undone and run again over the existing fleet.
    let all = migrations::Migrator::migrations();
    let added = all
        .iter()
        .position(|m| m.name() == "m20261205_030001_add_deployment_current")
        .unwrap();
    migrations::Migrator::down(
        consign_service::testing::connection(services),
        Some(u32::try_from(all.len() - added).unwrap()),
    )
    .await
    .unwrap();
    consign_service::db::migrate(&consign_service::testing::database(services))
        .await
        .unwrap();
    assert_eq!(
        kept(services.clone()).await,
        (expected_states, expected_versions, 4)
    );
}

on_both_databases!(what_a_deployment_is_now_follows_concurrent_reports_and_is_rebuilt_from_history);
