//! Applications, versions, channels and licenses on SQLite and PostgreSQL: what a vendor
//! publishes, what each license lets a customer deploy (valid, expired, revoked, subset,
//! another customer's, channel), the customer's catalogue, signed license files, and each
//! validation error with nothing stored after it.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_service::Services;
use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use consign_service::auth::Actor;
use consign_service::licenses::{self, LicenseUpdate, NewLicense};
use consign_service::testing::world::World;
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{Error, applications, channels, customer_catalog, on_both_databases};
use types::license_file::LicenseFile;
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    EntitlementKey, VersionName,
};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

fn compose_version(name: &str, channel: &str) -> NewVersion {
    NewVersion {
        name: VersionName::parse(name).unwrap(),
        channel: ChannelName::parse(channel).unwrap(),
        link_template: Some("https://{{ env.HOST }}/".into()),
        package: Package::Compose {
            compose_file: COMPOSE.into(),
            env_template: Some("HOST=shop.local\nPASSWORD={{ secrets.DB_PASSWORD }}\n".into()),
        },
    }
}

async fn shop(services: &Services, vendor: &Actor) -> ApplicationId {
    applications::create(
        services,
        vendor,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id
}

async fn publish(
    services: &Services,
    vendor: &Actor,
    app: ApplicationId,
    name: &str,
    channel: &str,
) -> ApplicationVersionId {
    versions::create(
        services,
        vendor,
        app,
        compose_version(name, channel),
        Utc::now(),
    )
    .await
    .unwrap()
    .id
}

fn new_license(w: &World, app: ApplicationId) -> NewLicense {
    NewLicense {
        name: None,
        customer_organization_id: w.customer,
        application_id: app,
        versions: None,
        channels: vec![ChannelName::stable()],
        expires_at: None,
        entitlements: BTreeMap::from([(EntitlementKey::parse("seats").unwrap(), "25".to_string())]),
    }
}

fn invalid_field<T: std::fmt::Debug>(result: consign_service::Result<T>) -> (&'static str, String) {
    match result {
        Err(Error::InvalidInput { field, message }) => (field, message),
        Err(Error::Invalid(name)) => (
            match name {
                types::NameError::Empty { field }
                | types::NameError::TooLong { field, .. }
                | types::NameError::TooShort { field, .. }
                | types::NameError::Invalid { field, .. } => field,
            },
            String::new(),
        ),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn a_vendor_publishes_versions_and_bad_content_is_refused_with_nothing_stored(
    services: &Services,
) {
    let w = World::build(services).await;
    let app = shop(services, &w.vendor_rw).await;
    let first = publish(services, &w.vendor_rw, app, "1.0.0", "stable").await;
    publish(services, &w.vendor_rw, app, "1.1.0-beta", "beta").await;

    let listed = versions::list(services, &w.vendor_ro, app).await.unwrap();
    assert_eq!(
        listed.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["1.1.0-beta", "1.0.0"]
    );
    assert_eq!(listed[1].sequence, 1);
    let got = versions::get(services, &w.vendor_ro, app, first)
        .await
        .unwrap();
    assert!(
        matches!(&got.package, Package::Compose { compose_file, .. } if compose_file == COMPOSE)
    );

    // Each bad input names its field, and nothing is stored.
    let dup = versions::create(
        services,
        &w.vendor_rw,
        app,
        compose_version("1.0.0", "stable"),
        Utc::now(),
    )
    .await;
    assert!(
        matches!(dup, Err(Error::Conflict { field: "name" })),
        "{dup:?}"
    );
    let mut bad_yaml = compose_version("2.0.0", "stable");
    bad_yaml.package = Package::Compose {
        compose_file: "services:\n  web\n    image: x\n".into(),
        env_template: None,
    };
    let (field, message) =
        invalid_field(versions::create(services, &w.vendor_rw, app, bad_yaml, Utc::now()).await);
    assert_eq!(field, "composeFile");
    assert!(
        message.contains("line 3") && message.contains("column"),
        "{message}"
    );
    let mut no_services = compose_version("2.0.0", "stable");
    no_services.package = Package::Compose {
        compose_file: "version: '3'\n".into(),
        env_template: None,
    };
    let (field, message) =
        invalid_field(versions::create(services, &w.vendor_rw, app, no_services, Utc::now()).await);
    assert_eq!(
        (field, message.contains("services")),
        ("composeFile", true),
        "{message}"
    );
    let mut helm = compose_version("2.0.0", "stable");
    helm.package = Package::Helm {
        chart_url: "oci://registry.example.com/charts/shop".into(),
        chart_name: None,
        chart_version: "1.0.0".into(),
        base_values: None,
        values_template: None,
    };
    assert_eq!(
        invalid_field(versions::create(services, &w.vendor_rw, app, helm, Utc::now()).await).0,
        "type"
    );
    let mut bad_env = compose_version("2.0.0", "stable");
    bad_env.package = Package::Compose {
        compose_file: COMPOSE.into(),
        env_template: Some("not a pair\n".into()),
    };
    assert_eq!(
        invalid_field(versions::create(services, &w.vendor_rw, app, bad_env, Utc::now()).await).0,
        "envTemplate"
    );
    let mut bad_link = compose_version("2.0.0", "stable");
    bad_link.link_template = Some("javascript:alert(1)".into());
    assert_eq!(
        invalid_field(versions::create(services, &w.vendor_rw, app, bad_link, Utc::now()).await).0,
        "linkTemplate"
    );
    assert_eq!(
        versions::list(services, &w.vendor_ro, app)
            .await
            .unwrap()
            .len(),
        2,
        "nothing stored"
    );

    // Readers and customers cannot publish; another vendor cannot even see the application.
    assert!(matches!(
        versions::create(
            services,
            &w.vendor_ro,
            app,
            compose_version("3.0", "stable"),
            Utc::now()
        )
        .await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        versions::create(
            services,
            &w.customer_admin,
            app,
            compose_version("3.0", "stable"),
            Utc::now()
        )
        .await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        applications::get(services, &w.other_vendor, app).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        versions::list(services, &w.other_vendor, app).await,
        Err(Error::NotFound { .. })
    ));

    // Archiving is the only change a version takes.
    let archived = versions::set_archived(services, &w.vendor_rw, app, first, true, Utc::now())
        .await
        .unwrap();
    assert!(archived.archived_at.is_some());
    let restored = versions::set_archived(services, &w.vendor_rw, app, first, false, Utc::now())
        .await
        .unwrap();
    assert!(restored.archived_at.is_none());
}

async fn applications_are_renamed_archived_and_listed_per_tenant(services: &Services) {
    let w = World::build(services).await;
    let app = shop(services, &w.vendor_admin).await;
    let other = applications::create(
        services,
        &w.vendor_rw,
        ApplicationName::parse("Analytics").unwrap(),
        ApplicationKind::Kubernetes,
        Utc::now(),
    )
    .await
    .unwrap();
    let dup = applications::rename(
        services,
        &w.vendor_rw,
        other.id,
        ApplicationName::parse("Shop").unwrap(),
    )
    .await;
    assert!(matches!(dup, Err(Error::Conflict { field: "name" })));
    let renamed = applications::rename(
        services,
        &w.vendor_rw,
        other.id,
        ApplicationName::parse("Insights").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(renamed.name, "Insights");
    let names: Vec<_> = applications::list(services, &w.vendor_ro, Utc::now())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["Insights", "Shop"]);
    assert!(
        applications::list(services, &w.other_vendor, Utc::now())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        applications::list(services, &w.customer_admin, Utc::now())
            .await
            .unwrap()
            .is_empty(),
        "no license, no catalogue"
    );
    let archived = applications::set_archived(services, &w.vendor_rw, app, true, Utc::now())
        .await
        .unwrap();
    assert!(archived.archived_at.is_some());
    assert!(matches!(
        applications::set_archived(services, &w.customer_admin, app, false, Utc::now()).await,
        Err(Error::Forbidden { .. })
    ));
}

async fn license_enforcement_covers_valid_expired_revoked_subset_other_customer_and_channel(
    services: &Services,
) {
    let w = World::build(services).await;
    let now = Utc::now();
    let app = shop(services, &w.vendor_rw).await;
    let v1 = publish(services, &w.vendor_rw, app, "1.0", "stable").await;
    let v2 = publish(services, &w.vendor_rw, app, "2.0", "stable").await;
    let beta = publish(services, &w.vendor_rw, app, "3.0-beta", "beta").await;

    // No license yet.
    let denied = versions::check_deployable(services, &w.customer_rw, app, v1, now).await;
    assert!(
        matches!(denied, Err(Error::NotFound { .. })),
        "an unlicensed application is invisible: {denied:?}"
    );

    // A subset license: only v1, stable only.
    let mut subset = new_license(&w, app);
    subset.versions = Some(vec![v1]);
    let license = licenses::create(services, &w.vendor_rw, subset, now)
        .await
        .unwrap();
    assert_eq!(
        license.name,
        "Customer – Shop".replace("Customer", &customer_name(services, &w).await)
    );
    versions::check_deployable(services, &w.customer_rw, app, v1, now)
        .await
        .unwrap();
    let why = versions::check_deployable(services, &w.customer_rw, app, v2, now)
        .await
        .unwrap_err();
    assert!(
        why.to_string().contains("does not include version 2.0"),
        "{why}"
    );
    let why = versions::check_deployable(services, &w.customer_rw, app, beta, now)
        .await
        .unwrap_err();
    assert!(
        matches!(why, Error::NotFound { .. } | Error::NotLicensed(_)),
        "{why}"
    );

    // Widen to every version and the beta channel: all three are deployable.
    let widened = licenses::update(
        services,
        &w.vendor_rw,
        license.id,
        LicenseUpdate {
            versions: Some(None),
            channels: Some(vec![
                ChannelName::stable(),
                ChannelName::parse("beta").unwrap(),
            ]),
            ..LicenseUpdate::default()
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(widened.versions, None);
    for v in [v1, v2, beta] {
        versions::check_deployable(services, &w.customer_rw, app, v, now)
            .await
            .unwrap();
    }

    // Another customer of the same vendor holds nothing; another vendor sees nothing.
    let second = consign_service::testing::world::member(
        services,
        &w.vendor_admin,
        "second@example.com",
        types::Role::Admin,
        Some(w.second_customer),
    )
    .await;
    assert!(
        versions::check_deployable(services, &second, app, v1, now)
            .await
            .is_err()
    );
    assert!(licenses::list(services, &second).await.unwrap().is_empty());
    assert!(matches!(
        licenses::get(services, &w.other_vendor, license.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        licenses::get(services, &second, license.id).await,
        Err(Error::NotFound { .. })
    ));

    // Expired: the same license seen a day after its end.
    let dated = licenses::update(
        services,
        &w.vendor_rw,
        license.id,
        LicenseUpdate {
            expires_at: Some(Some(now + Duration::hours(1))),
            ..LicenseUpdate::default()
        },
        now,
    )
    .await
    .unwrap();
    let later = now + Duration::days(1);
    let why = versions::check_deployable(services, &w.customer_rw, app, v1, later)
        .await
        .unwrap_err();
    assert!(
        matches!(&why, Error::NotLicensed(m) if m.contains("expired")),
        "{why}"
    );
    let catalogue = customer_catalog::for_customer(services, &w.customer_rw, later)
        .await
        .unwrap();
    assert!(catalogue[0].blocked.as_deref().unwrap().contains("expired"));
    assert!(
        applications::list(services, &w.customer_rw, later)
            .await
            .unwrap()
            .is_empty(),
        "only valid licenses fill the catalogue list"
    );
    assert_eq!(
        dated.expires_at.unwrap().timestamp(),
        (now + Duration::hours(1)).timestamp()
    );

    // Revoked: blocked at once, and the reason says so.
    licenses::revoke(services, &w.vendor_rw, license.id, now)
        .await
        .unwrap();
    let why = versions::check_deployable(services, &w.customer_rw, app, v1, now)
        .await
        .unwrap_err();
    assert!(
        matches!(&why, Error::NotLicensed(m) if m.contains("revoked")),
        "{why}"
    );
    let again = licenses::update(
        services,
        &w.vendor_rw,
        license.id,
        LicenseUpdate::default(),
        now,
    )
    .await;
    assert_eq!(invalid_field(again).0, "revokedAt");
}

async fn customer_name(services: &Services, w: &World) -> String {
    consign_service::customers::get(services, &w.vendor_admin, w.customer)
        .await
        .unwrap()
        .name
}

async fn licenses_refuse_bad_terms_and_foreign_references(services: &Services) {
    let w = World::build(services).await;
    let now = Utc::now();
    let app = shop(services, &w.vendor_rw).await;
    let other_app = shop(services, &w.other_vendor).await;
    let other_version = publish(services, &w.other_vendor, other_app, "9.9", "stable").await;

    let mut foreign_customer = new_license(&w, app);
    foreign_customer.customer_organization_id = w.other_customer;
    assert_eq!(
        invalid_field(licenses::create(services, &w.vendor_rw, foreign_customer, now).await).0,
        "customerOrganizationId"
    );
    let foreign_app = new_license(&w, other_app);
    assert_eq!(
        invalid_field(licenses::create(services, &w.vendor_rw, foreign_app, now).await).0,
        "applicationId"
    );
    let mut past = new_license(&w, app);
    past.expires_at = Some(now - Duration::minutes(1));
    assert_eq!(
        invalid_field(licenses::create(services, &w.vendor_rw, past, now).await).0,
        "expiresAt"
    );
    let mut foreign_version = new_license(&w, app);
    foreign_version.versions = Some(vec![other_version]);
    assert_eq!(
        invalid_field(licenses::create(services, &w.vendor_rw, foreign_version, now).await).0,
        "versions"
    );
    let mut no_channel = new_license(&w, app);
    no_channel.channels.clear();
    assert_eq!(
        invalid_field(licenses::create(services, &w.vendor_rw, no_channel, now).await).0,
        "channels"
    );
    assert!(
        licenses::list(services, &w.vendor_admin)
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );

    assert!(matches!(
        licenses::create(services, &w.vendor_ro, new_license(&w, app), now).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        licenses::create(services, &w.customer_admin, new_license(&w, app), now).await,
        Err(Error::Forbidden { .. })
    ));
    let mut named = new_license(&w, app);
    named.name = Some("Gold".into());
    licenses::create(services, &w.vendor_rw, named.clone(), now)
        .await
        .unwrap();
    assert!(matches!(
        licenses::create(services, &w.vendor_rw, named, now).await,
        Err(Error::Conflict { field: "name" })
    ));
}

async fn the_customer_catalogue_flags_versions_below_the_channel_minimum(services: &Services) {
    let w = World::build(services).await;
    let now = Utc::now();
    let app = shop(services, &w.vendor_rw).await;
    let v1 = publish(services, &w.vendor_rw, app, "1.0", "stable").await;
    let v2 = publish(services, &w.vendor_rw, app, "2.0", "stable").await;
    publish(services, &w.vendor_rw, app, "2.1-beta", "beta").await;
    licenses::create(services, &w.vendor_rw, new_license(&w, app), now)
        .await
        .unwrap();

    let stable = ChannelName::stable();
    let channel = channels::set_minimum(services, &w.vendor_rw, app, &stable, Some(v2))
        .await
        .unwrap();
    assert_eq!(channel.minimum.unwrap().id, v2);
    assert_eq!(channel.latest.unwrap().id, v2);
    let beta = publish(services, &w.vendor_rw, app, "2.2-beta", "beta").await;
    assert_eq!(
        invalid_field(
            channels::set_minimum(services, &w.vendor_rw, app, &stable, Some(beta)).await
        )
        .0,
        "minimumVersionId"
    );
    assert!(matches!(
        channels::set_minimum(services, &w.customer_admin, app, &stable, None).await,
        Err(Error::Forbidden { .. })
    ));

    let catalogue = customer_catalog::for_customer(services, &w.customer_ro, now)
        .await
        .unwrap();
    assert_eq!(catalogue.len(), 1);
    let entry = &catalogue[0];
    assert!(entry.blocked.is_none());
    let offered: Vec<_> = entry
        .versions
        .iter()
        .map(|o| {
            (
                o.version.name.as_str(),
                o.requires_update,
                o.deployable.is_ok(),
            )
        })
        .collect();
    assert_eq!(
        offered,
        [("2.0", false, true), ("1.0", true, true)],
        "beta versions are not offered to a stable-only license"
    );
    assert_eq!(entry.versions[1].version.id, v1);
    assert!(matches!(
        customer_catalog::for_customer(services, &w.vendor_admin, now).await,
        Err(Error::Forbidden { .. })
    ));
}

async fn signed_license_files_verify_offline_and_tampering_is_caught(services: &Services) {
    let w = World::build(services).await;
    let now = Utc::now();
    let signer = licenses::LicenseSigner::generate();
    let app = shop(services, &w.vendor_rw).await;
    let mut terms = new_license(&w, app);
    terms.expires_at = Some(now + Duration::days(30));
    let license = licenses::create(services, &w.vendor_rw, terms, now)
        .await
        .unwrap();

    let file = licenses::signed_file(services, &signer, &w.customer_ro, license.id, now)
        .await
        .unwrap();
    let text = file.to_string();
    let claims = LicenseFile::parse(&text)
        .unwrap()
        .verify(&signer.public_key())
        .unwrap();
    assert_eq!(claims.license_id, license.id);
    assert_eq!(claims.application_name, "Shop");
    assert_eq!(claims.entitlements["seats"], "25");
    assert!(!claims.is_expired(now));
    assert!(claims.is_expired(now + Duration::days(31)));

    // Change one entitlement in the payload: the signature no longer matches.
    let mut tampered = file.clone();
    let json = String::from_utf8(base64_decode(&tampered.payload))
        .unwrap()
        .replace("\"25\"", "\"2500\"");
    tampered.payload = base64_encode(json.as_bytes());
    assert_eq!(
        tampered.verify(&signer.public_key()).unwrap_err(),
        types::license_file::LicenseFileError::BadSignature
    );
    let stranger = licenses::LicenseSigner::generate();
    assert!(matches!(
        file.verify(&stranger.public_key()),
        Err(types::license_file::LicenseFileError::WrongKey { .. })
    ));

    assert!(matches!(
        licenses::signed_file(services, &signer, &w.other_vendor, license.id, now).await,
        Err(Error::NotFound { .. })
    ));
    licenses::revoke(services, &w.vendor_rw, license.id, now)
        .await
        .unwrap();
    assert!(matches!(
        licenses::signed_file(services, &signer, &w.vendor_ro, license.id, now).await,
        Err(Error::NotLicensed(_))
    ));
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

on_both_databases!(
    a_vendor_publishes_versions_and_bad_content_is_refused_with_nothing_stored,
    applications_are_renamed_archived_and_listed_per_tenant,
    license_enforcement_covers_valid_expired_revoked_subset_other_customer_and_channel,
    licenses_refuse_bad_terms_and_foreign_references,
    the_customer_catalogue_flags_versions_below_the_channel_minimum,
    signed_license_files_verify_offline_and_tampering_is_caught,
);

/// Found by the API's schema-based fuzzer (`server/tests/schemathesis.rs`): two publishes at
/// once on a SQLite file both read the last sequence number, and the second could not write
/// ("database is locked", a 500). Publishing now starts as the writer and waits its turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn versions_published_at_once_on_a_sqlite_file_all_succeed_in_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display());
    let database = consign_service::db::connect(&url).await.unwrap();
    consign_service::db::migrate(&database).await.unwrap();
    let services = Services::new(database);
    let w = World::build(&services).await;
    let app = shop(&services, &w.vendor_rw).await;
    let publishes = (0..8).map(|n| {
        let (services, vendor) = (services.clone(), w.vendor_rw.clone());
        tokio::spawn(async move {
            let version = compose_version(&format!("1.0.{n}"), "stable");
            versions::create(&services, &vendor, app, version, Utc::now()).await
        })
    });
    let mut sequences = Vec::new();
    for publish in futures_util::future::join_all(publishes).await {
        sequences.push(publish.unwrap().expect("every publish succeeds").sequence);
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=8).collect::<Vec<i64>>());
    services.close().await.ok();
}
