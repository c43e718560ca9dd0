//! The images of a compose version on SQLite and PostgreSQL: stored when it is published, with
//! where each one comes from; parsed again by the start-up backfill when they are missing (a
//! version published before they were stored), exactly once.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use consign_service::Services;
use consign_service::entity::version_image;
use consign_service::testing::{self, world::World};
use consign_service::version_images::{self, ImageSource};
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{applications, on_both_databases};
use sea_orm::EntityTrait;
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

async fn images_are_stored_on_publish_and_backfilled_once(services: &Services) {
    let w = World::build(services).await;
    let app = applications::create(
        services,
        &w.vendor_rw,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let version = versions::create(
        services,
        &w.vendor_rw,
        app,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: "services:\n  web:\n    image: hub.test:8080/acme/web:1.0\n  services:\n    image: postgres:16\n  x:\n    image: ${X}\n".into(),
                env_template: None,
            },
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let expected = vec![
        ImageSource::Hub {
            repository: "acme/web".into(),
            reference: "1.0".into(),
            present: false,
        },
        ImageSource::Elsewhere {
            registry: "docker.io".into(),
        },
        ImageSource::Unresolved,
    ];
    let sources = |all: std::collections::HashMap<_, Vec<version_images::VersionImage>>| {
        all[&version]
            .iter()
            .map(|i| i.source.clone())
            .collect::<Vec<_>>()
    };
    let found = version_images::of_application(services, &w.vendor_ro, app, "hub.test:8080")
        .await
        .unwrap();
    assert_eq!(sources(found), expected);
    // Customers do not see the vendor's view of images.
    assert!(
        version_images::of_application(services, &w.customer_admin, app, "hub.test:8080")
            .await
            .is_err()
    );
    assert_eq!(
        consign_service::db::migrate(&testing::database(services))
            .await
            .unwrap(),
        0
    );

    // As if published before images were stored: the backfill parses it again, once.
    version_image::Entity::delete_many()
        .exec(testing::connection(services))
        .await
        .unwrap();
    assert_eq!(
        consign_service::db::migrate(&testing::database(services))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        consign_service::db::migrate(&testing::database(services))
            .await
            .unwrap(),
        0
    );
    let found = version_images::of_application(services, &w.vendor_ro, app, "hub.test:8080")
        .await
        .unwrap();
    assert_eq!(sources(found), expected);
}

on_both_databases!(images_are_stored_on_publish_and_backfilled_once);
