//! The figures behind the portals' charts, on SQLite and PostgreSQL: which versions of an
//! application live deployments run (their newest revision; undeployed ones and other
//! applications left out), deployments per day over the last 30 days, both for the vendor's
//! members only and within the vendor; and a new metrics sample waking the pages that watch its
//! target, and no other.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use consign_service::auth::Actor;
use consign_service::deployments::{self, DeploymentUpdate};
use consign_service::stats::{self, DEPLOYMENT_DAYS, VersionCount};
use consign_service::testing::world::{World, new_deployment};
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{Error, Services, agent_session, applications, on_both_databases, targets};
use types::protocol::{DeploymentState, HostMetrics, StatusReport};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    DeploymentTargetId, VersionName,
};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

/// An application of `vendor` with the given versions (oldest first).
async fn application(
    s: &Services,
    vendor: &Actor,
    name: &str,
    versions: &[&str],
) -> (ApplicationId, Vec<ApplicationVersionId>) {
    let app = applications::create(
        s,
        vendor,
        ApplicationName::parse(name).unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let mut ids = Vec::new();
    for v in versions {
        let created = versions::create(
            s,
            vendor,
            app,
            NewVersion {
                name: VersionName::parse(*v).unwrap(),
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
        .unwrap();
        ids.push(created.id);
    }
    (app, ids)
}

/// A vendor-managed target of `vendor`.
async fn target(s: &Services, vendor: &Actor, name: &str) -> DeploymentTargetId {
    targets::create(s, vendor, name, None, Utc::now())
        .await
        .unwrap()
        .target
        .id
}

/// Deploys `version` of `app` to a new target of `vendor`, as made at `at`.
async fn deploy(
    s: &Services,
    vendor: &Actor,
    app: ApplicationId,
    version: ApplicationVersionId,
    at: chrono::DateTime<Utc>,
) -> deployments::Deployment {
    let target = target(s, vendor, "edge").await;
    deployments::create(s, vendor, new_deployment(target, app, version), at)
        .await
        .unwrap()
}

fn count(version: ApplicationVersionId, name: &str, deployments: u64) -> VersionCount {
    VersionCount {
        version_id: version,
        version: name.into(),
        deployments,
    }
}

async fn the_version_spread_counts_what_live_deployments_run_now(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let vendor = &w.vendor_rw;
    let now = Utc::now();
    let (shop, v) = application(&s, vendor, "Shop", &["1.0", "2.0", "3.0"]).await;
    let (other, o) = application(&s, vendor, "Other", &["1.0"]).await;
    assert_eq!(
        stats::version_spread(&s, vendor, shop).await.unwrap(),
        vec![],
        "nothing runs it yet"
    );

    deploy(&s, vendor, shop, v[0], now).await;
    // Updated from 1.0: counts for 2.0 only.
    let updated = deploy(&s, vendor, shop, v[0], now).await;
    deployments::update(
        &s,
        vendor,
        updated.id,
        DeploymentUpdate {
            version_id: Some(v[1]),
            env: None,
            logs_enabled: None,
            repair_drift: None,
        },
        now + Duration::seconds(1),
    )
    .await
    .unwrap();
    // Restarted: a newer revision of the same version, counted once.
    let restarted = deploy(&s, vendor, shop, v[1], now).await;
    deployments::restart(&s, vendor, restarted.id, now + Duration::seconds(2))
        .await
        .unwrap();
    // Asked to undeploy: still on its host, so still counted…
    let leaving = deploy(&s, vendor, shop, v[0], now).await;
    deployments::undeploy(&s, vendor, leaving.id, false, now)
        .await
        .unwrap();
    // …unlike one the agent reported gone.
    let gone = deploy(&s, vendor, shop, v[1], now).await;
    deployments::undeploy(&s, vendor, gone.id, false, now)
        .await
        .unwrap();
    agent_session::record_status(
        &s,
        gone.target_id,
        StatusReport {
            deployment_id: gone.id,
            revision_id: None,
            state: DeploymentState::Undeployed,
            message: String::new(),
            observed_at: Utc::now(),
        },
    )
    .await
    .unwrap();
    // Another application's deployment counts for that one only.
    deploy(&s, vendor, other, o[0], now).await;

    let expected = vec![count(v[1], "2.0", 2), count(v[0], "1.0", 2)];
    for reader in [&w.vendor_admin, &w.vendor_rw, &w.vendor_ro] {
        assert_eq!(
            stats::version_spread(&s, reader, shop).await.unwrap(),
            expected
        );
    }
    assert_eq!(
        stats::version_spread(&s, vendor, other).await.unwrap(),
        vec![count(o[0], "1.0", 1)]
    );

    // Another vendor cannot tell the application exists; customers see no fleet figures.
    assert!(matches!(
        stats::version_spread(&s, &w.other_vendor, shop).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        stats::version_spread(&s, &w.customer_admin, shop).await,
        Err(Error::Forbidden { .. })
    ));
}

async fn deployments_per_day_cover_the_last_30_days_of_the_vendor_only(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let vendor = &w.vendor_rw;
    let now = Utc::now();
    let (shop, v) = application(&s, vendor, "Shop", &["1.0"]).await;
    let (theirs, t) = application(&s, &w.other_vendor, "Theirs", &["1.0"]).await;

    let empty = stats::deployments_per_day(&s, vendor, now).await.unwrap();
    assert_eq!(empty.len(), usize::try_from(DEPLOYMENT_DAYS).unwrap());
    assert!(empty.iter().all(|d| d.deployments == 0));
    assert_eq!(
        empty.last().unwrap().day,
        now.date_naive(),
        "today comes last"
    );
    assert_eq!(
        empty.first().unwrap().day,
        now.date_naive() - Duration::days(29)
    );

    for at in [now, now, now - Duration::days(2), now - Duration::days(29)] {
        deploy(&s, vendor, shop, v[0], at).await;
    }
    // Too old to show, and another vendor's.
    deploy(&s, vendor, shop, v[0], now - Duration::days(31)).await;
    deploy(&s, &w.other_vendor, theirs, t[0], now).await;
    // An undeployed deployment was deployed all the same.
    let undeployed = deploy(&s, vendor, shop, v[0], now - Duration::days(2)).await;
    deployments::undeploy(&s, vendor, undeployed.id, true, now)
        .await
        .unwrap();

    for reader in [&w.vendor_admin, &w.vendor_ro] {
        let days = stats::deployments_per_day(&s, reader, now).await.unwrap();
        let counts: Vec<u64> = days.iter().map(|d| d.deployments).collect();
        let mut expected = vec![0; 30];
        expected[29] = 2;
        expected[27] = 2;
        expected[0] = 1;
        assert_eq!(counts, expected);
    }
    let theirs = stats::deployments_per_day(&s, &w.other_vendor, now)
        .await
        .unwrap();
    assert_eq!(theirs.iter().map(|d| d.deployments).sum::<u64>(), 1);
    assert!(matches!(
        stats::deployments_per_day(&s, &w.customer_rw, now).await,
        Err(Error::Forbidden { .. })
    ));
}

async fn a_metrics_sample_wakes_the_pages_watching_its_target_only(services: &Services) {
    let s = services.clone();
    let w = World::build(services).await;
    let watched = target(&s, &w.vendor_rw, "watched").await;
    let other = target(&s, &w.vendor_rw, "other").await;
    let mut page = s.agents.watch_metrics(watched);
    let other_page = s.agents.watch_metrics(other);
    let sample = HostMetrics {
        cpu_percent: 12.5,
        cpu_cores: 4,
        memory_used_bytes: 1 << 30,
        memory_total_bytes: 4 << 30,
        at: Utc::now(),
    };
    agent_session::record_metrics(&s, watched, sample)
        .await
        .unwrap();
    assert!(page.has_changed().unwrap(), "the watching page is told");
    assert!(!other_page.has_changed().unwrap(), "no other page is");
    page.mark_unchanged();
    let kept = targets::metrics(&s, &w.vendor_ro, watched, 10)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].memory_total_bytes, 4 << 30);
}

on_both_databases!(
    the_version_spread_counts_what_live_deployments_run_now,
    deployments_per_day_cover_the_last_30_days_of_the_vendor_only,
    a_metrics_sample_wakes_the_pages_watching_its_target_only,
);
