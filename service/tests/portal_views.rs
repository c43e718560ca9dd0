//! What the portals' deployment pages read, on SQLite and PostgreSQL: the versions a target's
//! deploy form offers (the customer's licenses, also for a vendor acting for the customer;
//! everything unarchived for a vendor-managed target), the vendor's fleet overview (who runs
//! what, who is behind the latest version), and asking an agent to update itself.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::Utc;
use consign_service::agent_hub::AgentCommand;
use consign_service::deployments;
use consign_service::licenses::{self, NewLicense};
use consign_service::listing::{FleetSort, ListQuery};
use consign_service::testing::world::{World, new_deployment};
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{
    Error, Services, agent_update, applications, deploy_options, fleet, on_both_databases, targets,
};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

async fn the_deploy_form_the_fleet_and_agent_updates_follow_licenses_and_tenants(
    services: &Services,
) {
    let mut s = services.clone();
    // Any file stands in for the agent binary: no agent really downloads it here.
    s.config.agent_binaries = vec![std::env::current_exe().unwrap()];
    let w = World::build(services).await;
    let now = Utc::now();
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
        let v = versions::create(
            services,
            &w.vendor_rw,
            app,
            NewVersion {
                name: VersionName::parse(name).unwrap(),
                channel: ChannelName::stable(),
                link_template: None,
                package: Package::Compose {
                    compose_file: COMPOSE.into(),
                    env_template: Some("HOST=shop.local\n".into()),
                },
            },
            now,
        )
        .await
        .unwrap();
        ids.push(v.id);
    }
    let edge = targets::create(&s, &w.customer_rw, "edge", None, now)
        .await
        .unwrap()
        .target
        .id;
    let own = targets::create(&s, &w.vendor_rw, "lab", None, now)
        .await
        .unwrap()
        .target
        .id;

    // No license yet: nothing to deploy to the customer's target; the vendor's own takes all.
    assert!(
        deploy_options::for_target(services, &w.vendor_rw, edge, now)
            .await
            .unwrap()
            .is_empty()
    );
    let vendor_own = deploy_options::for_target(services, &w.vendor_rw, own, now)
        .await
        .unwrap();
    assert_eq!(vendor_own.len(), 1);
    assert!(vendor_own[0].versions.iter().all(|v| v.deployable.is_ok()));
    assert!(matches!(
        deploy_options::for_target(services, &w.other_vendor, edge, now).await,
        Err(Error::NotFound { .. })
    ));

    let license = licenses::create(
        services,
        &w.vendor_rw,
        NewLicense {
            name: None,
            customer_organization_id: w.customer,
            application_id: app,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::new(),
        },
        now,
    )
    .await
    .unwrap();
    // The customer and the vendor acting for it see the same licensed versions.
    for actor in [&w.customer_ro, &w.vendor_rw] {
        let options = deploy_options::for_target(services, actor, edge, now)
            .await
            .unwrap();
        let names: Vec<_> = options[0]
            .versions
            .iter()
            .filter(|o| o.deployable.is_ok())
            .map(|o| o.version.name.as_str())
            .collect();
        assert_eq!(names, ["2.0", "1.0"]);
    }

    // 1.0 deployed: the fleet shows it behind the latest; customers without targets listed too.
    let d = deployments::create(&s, &w.customer_rw, new_deployment(edge, app, ids[0]), now)
        .await
        .unwrap();
    let all = ListQuery::<FleetSort>::default();
    let overview = fleet::overview(&s, &w.vendor_ro, &all, now).await.unwrap();
    let globex = overview
        .groups
        .iter()
        .find(|g| g.customer.as_ref().is_some_and(|c| c.id == w.customer))
        .unwrap();
    assert_eq!(globex.targets.len(), 1);
    assert!(globex.targets[0].online_since_seen.is_none());
    assert!(!globex.targets[0].stale, "created just now");
    let (running, standing) = &globex.targets[0].deployments[0];
    assert_eq!(running.id, d.id);
    assert_eq!(standing.version.name, "1.0");
    assert!(standing.behind_latest);
    assert!(!standing.below_minimum);
    assert!(
        overview
            .without_targets
            .iter()
            .any(|c| c.id == w.second_customer)
    );
    assert!(
        overview
            .groups
            .iter()
            .any(|g| g.customer.is_none() && g.targets.len() == 1)
    );
    assert!(matches!(
        fleet::overview(&s, &w.customer_admin, &all, now).await,
        Err(Error::Forbidden { .. })
    ));
    let later = now + targets::STALE_AFTER + chrono::TimeDelta::minutes(1);
    let overview = fleet::overview(&s, &w.vendor_ro, &all, later)
        .await
        .unwrap();
    assert!(
        overview
            .groups
            .iter()
            .flat_map(|g| &g.targets)
            .all(|t| t.stale),
        "never enrolled a day after creation"
    );

    // Revoked: every version is refused with the reason.
    licenses::revoke(services, &w.vendor_rw, license.id, now)
        .await
        .unwrap();
    let options = deploy_options::for_target(services, &w.customer_ro, edge, now)
        .await
        .unwrap();
    for offer in &options[0].versions {
        let why = offer.deployable.clone().unwrap_err();
        assert!(why.contains("revoked"), "{why}");
    }

    // Updating the agent: only a connected agent, only with write rights, only one's own.
    assert!(matches!(
        agent_update::request(&s, &w.customer_rw, edge).await,
        Err(Error::AgentOffline)
    ));
    let mut connection = s.agents.register(edge, now);
    assert!(matches!(
        agent_update::request(&s, &w.customer_ro, edge).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        agent_update::request(&s, &w.other_vendor, edge).await,
        Err(Error::NotFound { .. })
    ));
    agent_update::request(&s, &w.customer_rw, edge)
        .await
        .unwrap();
    assert_eq!(
        connection.commands.try_recv().unwrap(),
        AgentCommand::UpdateAgent
    );
}

on_both_databases!(the_deploy_form_the_fleet_and_agent_updates_follow_licenses_and_tenants);
