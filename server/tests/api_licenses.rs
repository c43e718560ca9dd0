//! `/api/v1/application-licenses` and `/api/v1/license-key` over real HTTP, on SQLite and
//! PostgreSQL: grant, list, get, change and revoke licenses; the signed license file verifies
//! with the key the API publishes; each refusal (another vendor's customer, an expiry in the
//! past, an unknown field…) names its field and stores nothing; tenants and roles are kept apart.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{Duration, Utc};
use consign_server::testing::TestHub;
use serde_json::{Value, json};
use support::{Caller, Callers, sorted};
use types::license_file::{LicenseFile, PublicKey};

const COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n";

/// An application with versions 1.0.0 and 1.1.0; returns its id and the versions' ids.
async fn catalogue(caller: &Caller, name: &str) -> (String, Vec<String>) {
    let app = caller
        .post("/applications", json!({"name": name, "type": "docker"}))
        .await
        .ok(201);
    let app = app["id"].as_str().unwrap().to_string();
    let mut versions = Vec::new();
    for v in ["1.0.0", "1.1.0"] {
        let created = caller
            .post(
                &format!("/applications/{app}/versions"),
                json!({"name": v, "composeFile": COMPOSE}),
            )
            .await
            .ok(201);
        versions.push(created["id"].as_str().unwrap().to_string());
    }
    (app, versions)
}

fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339()
}

async fn a_license_is_granted_listed_fetched_changed_signed_and_revoked(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let (shop, versions) = catalogue(&c.vendor_admin, "Shop").await;
    let globex = c.world.customer.to_string();
    let granted = c
        .vendor_rw
        .post(
            "/application-licenses",
            json!({
                "customerOrganizationId": globex,
                "applicationId": shop,
                "expiresAt": in_days(30),
                "entitlements": {"seats": "10"}
            }),
        )
        .await
        .ok(201);
    assert_eq!(
        granted["name"], "Globex – Shop",
        "named after customer and application"
    );
    assert_eq!(granted["status"], "active");
    assert_eq!(granted["channels"], json!(["stable"]));
    assert!(granted["versionIds"].is_null(), "every version");
    assert_eq!(granted["entitlements"]["seats"], "10");
    let id = granted["id"].as_str().unwrap();
    let path = format!("/application-licenses/{id}");

    let list = c.vendor_ro.get("/application-licenses").await.ok(200);
    assert_eq!(sorted(&list, "id"), [id.to_string()]);
    let filtered = c
        .vendor_ro
        .get(&format!("/application-licenses?applicationId={shop}"))
        .await
        .ok(200);
    assert_eq!(filtered, list);
    assert_eq!(c.vendor_ro.get(&path).await.ok(200), granted);
    // The customer sees its own license, and now the application it grants.
    assert_eq!(c.customer_ro.get(&path).await.ok(200), granted);
    assert_eq!(
        c.customer_ro.get("/application-licenses").await.ok(200),
        list
    );
    let apps = c.customer_ro.get("/applications").await.ok(200);
    assert_eq!(sorted(&apps, "name"), ["Shop"]);

    let changed = c
        .vendor_rw
        .put(
            &path,
            json!({"versionIds": [versions[0]], "expiresAt": null}),
        )
        .await
        .ok(200);
    assert_eq!(changed["versionIds"], json!([versions[0]]));
    assert!(changed["expiresAt"].is_null());
    assert_eq!(
        changed["entitlements"], granted["entitlements"],
        "left as it was"
    );
    let renamed = c
        .vendor_rw
        .put(&path, json!({"name": "Gold"}))
        .await
        .ok(200);
    assert_eq!(renamed["name"], "Gold");
    assert_eq!(
        renamed["versionIds"], changed["versionIds"],
        "left as it was"
    );
    let listed = c
        .customer_ro
        .get(&format!("/applications/{shop}/versions"))
        .await
        .ok(200);
    assert_eq!(
        sorted(&listed, "name"),
        ["1.0.0"],
        "only the granted version"
    );

    // The license file verifies with the published key, offline.
    let key = c.customer_ro.get("/license-key").await.ok(200);
    assert_eq!(key["algorithm"], "ed25519");
    let key = PublicKey::parse(key["publicKey"].as_str().unwrap()).unwrap();
    // The same key as plain text for anyone (what `consign-agent verify-license --hub-url`
    // fetches and pins): it is public.
    let plain = reqwest::get(hub.url("/license-key.pub")).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(
        plain.text().await.unwrap().trim(),
        key.to_base64(),
        "the plain key is the API's"
    );
    let response = reqwest::Client::new()
        .get(hub.url(&format!("/api/v1{path}/file")))
        .bearer_auth(c.customer_ro.secret())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let file = LicenseFile::parse(&response.text().await.unwrap()).unwrap();
    let claims = file.verify(&key).unwrap();
    assert_eq!(claims.license_id.to_string(), id);
    assert_eq!(claims.customer_organization_name, "Globex");
    assert_eq!(claims.versions, Some(vec!["1.0.0".to_string()]));

    let revoked = c.vendor_rw.delete(&path).await.ok(200);
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["revokedAt"].is_string());
    assert_eq!(c.vendor_ro.get(&path).await.ok(200), revoked);
    c.customer_ro
        .get(&format!("{path}/file"))
        .await
        .assert_error(403, "not_licensed", None);
    c.vendor_rw
        .put(&path, json!({"name": "Platinum"}))
        .await
        .assert_error(400, "invalid", Some("revokedAt"));
}

async fn each_bad_license_names_its_field_and_stores_nothing(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let (shop, versions) = catalogue(&c.vendor_admin, "Shop").await;
    let (theirs, _) = catalogue(&c.other_vendor, "Umbrella app").await;
    let (_, other_versions) = catalogue(&c.vendor_admin, "Other").await;
    let globex = c.world.customer.to_string();
    let existing = c
        .vendor_admin
        .post(
            "/application-licenses",
            json!({"name": "Gold", "customerOrganizationId": globex, "applicationId": shop}),
        )
        .await
        .ok(201);
    let before = c.vendor_admin.get("/application-licenses").await.ok(200);
    let grant = |extra: Value| {
        let mut body = json!({"customerOrganizationId": globex, "applicationId": shop});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        c.vendor_admin.post("/application-licenses", body)
    };

    grant(json!({"customerOrganizationId": c.world.other_customer}))
        .await
        .assert_error(400, "invalid", Some("customerOrganizationId"));
    grant(json!({"applicationId": theirs})).await.assert_error(
        400,
        "invalid",
        Some("applicationId"),
    );
    grant(json!({"expiresAt": in_days(-1)}))
        .await
        .assert_error(400, "invalid", Some("expiresAt"));
    grant(json!({"expiresAt": "next tuesday"}))
        .await
        .assert_error(400, "invalid", Some("expiresAt"));
    grant(json!({"registryPassword": "hunter2"}))
        .await
        .assert_error(400, "invalid", Some("registryPassword"));
    grant(json!({"channels": []}))
        .await
        .assert_error(400, "invalid", Some("channels"));
    grant(json!({"channels": ["Stable!"]}))
        .await
        .assert_error(400, "invalid", Some("channels"));
    grant(json!({"versionIds": []}))
        .await
        .assert_error(400, "invalid", Some("versionIds"));
    grant(json!({"versionIds": [other_versions[0]]}))
        .await
        .assert_error(400, "invalid", Some("versionIds"));
    grant(json!({"entitlements": {"1seats": "10"}}))
        .await
        .assert_error(400, "invalid", Some("entitlements"));
    grant(json!({"name": "Gold"}))
        .await
        .assert_error(409, "conflict", Some("name"));
    c.vendor_admin
        .post("/application-licenses", json!({"applicationId": shop}))
        .await
        .assert_error(400, "invalid", Some("customerOrganizationId"));

    let path = format!("/application-licenses/{}", existing["id"].as_str().unwrap());
    c.vendor_admin
        .put(
            &path,
            json!({"customerOrganizationId": c.world.second_customer}),
        )
        .await
        .assert_error(400, "invalid", Some("customerOrganizationId"));
    c.vendor_admin
        .put(&path, json!({"expiresAt": in_days(-2)}))
        .await
        .assert_error(400, "invalid", Some("expiresAt"));
    c.vendor_admin
        .put(
            &path,
            json!({"versionIds": [versions[1], other_versions[1]]}),
        )
        .await
        .assert_error(400, "invalid", Some("versionIds"));
    c.vendor_admin
        .get(&format!(
            "/application-licenses/{}",
            types::LicenseId::new()
        ))
        .await
        .assert_error(404, "not_found", None);
    c.vendor_admin
        .get("/application-licenses?application=1")
        .await
        .assert_error(400, "invalid", Some("application"));

    assert_eq!(
        c.vendor_admin.get("/application-licenses").await.ok(200),
        before
    );
}

async fn licenses_stay_within_their_vendor_and_customer(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let (shop, _) = catalogue(&c.vendor_admin, "Shop").await;
    let initech = c
        .vendor_admin
        .post(
            "/application-licenses",
            json!({"customerOrganizationId": c.world.second_customer, "applicationId": shop}),
        )
        .await
        .ok(201);
    let path = format!("/application-licenses/{}", initech["id"].as_str().unwrap());
    let before = c.vendor_admin.get("/application-licenses").await.ok(200);

    // Another vendor, and another customer of the same vendor, cannot see it.
    for caller in [&c.other_vendor, &c.customer_admin] {
        caller.get(&path).await.assert_error(404, "not_found", None);
        caller
            .get(&format!("{path}/file"))
            .await
            .assert_error(404, "not_found", None);
        assert_eq!(caller.get("/application-licenses").await.ok(200), json!([]));
    }
    c.other_vendor
        .put(&path, json!({"name": "Mine"}))
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .delete(&path)
        .await
        .assert_error(404, "not_found", None);
    // Customers and vendor readers cannot grant, change or revoke.
    for caller in [&c.customer_admin, &c.vendor_ro] {
        caller
            .post(
                "/application-licenses",
                json!({"customerOrganizationId": c.world.customer, "applicationId": shop}),
            )
            .await
            .assert_error(403, "forbidden", None);
        caller
            .put(&path, json!({"name": "Mine"}))
            .await
            .assert_error(403, "forbidden", None);
        caller
            .delete(&path)
            .await
            .assert_error(403, "forbidden", None);
    }
    assert_eq!(
        c.vendor_admin.get("/application-licenses").await.ok(200),
        before
    );
}

on_both_hubs!(
    a_license_is_granted_listed_fetched_changed_signed_and_revoked,
    each_bad_license_names_its_field_and_stores_nothing,
    licenses_stay_within_their_vendor_and_customer,
);
