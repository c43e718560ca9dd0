//! The portals' overviews on SQLite and PostgreSQL: a vendor's counts, deployments by state,
//! installations behind their channel, licenses ending soon, recent status changes and what
//! needs attention; a customer's own deployments and updates, and nobody else's.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use consign_service::deployments::{self, NewDeployment};
use consign_service::licenses::{self, NewLicense};
use consign_service::overview::{self, Attention};
use consign_service::testing::world::World;
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{Error, Services, agent_session, applications, on_both_databases, targets};
use types::protocol::{DeploymentState, ShownState, StatusReport};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

async fn the_overviews_answer_is_everything_fine(services: &Services) {
    let w = World::build(services).await;
    let now = Utc::now();

    // Empty: zeros, and everything is fine.
    let empty = overview::vendor(services, &w.vendor_ro, now).await.unwrap();
    assert_eq!(empty.customers, 2, "World has two customers of Acme");
    assert!(empty.by_state.is_empty() && empty.attention.is_empty() && empty.recent.is_empty());

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
    let deploy = |target, version| NewDeployment {
        target_id: target,
        application_id: app,
        version_id: version,
        env: None,
        logs_enabled: false,
        repair_drift: true,
    };
    // The customer's target runs 1.0 (behind 2.0) and reports an error; the lab runs 2.0.
    let old = deployments::create(services, &w.vendor_rw, deploy(edge, ids[0]), now)
        .await
        .unwrap();
    deployments::create(services, &w.vendor_rw, deploy(lab, ids[1]), now)
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
    let c = overview::customer(services, &w.customer_ro, now)
        .await
        .unwrap();
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
        overview::customer(services, &w.vendor_admin, now).await,
        Err(Error::Forbidden { .. })
    ));
}

on_both_databases!(the_overviews_answer_is_everything_fine);
