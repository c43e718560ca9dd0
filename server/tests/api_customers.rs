//! `/api/v1/customer-organizations` over real HTTP, on SQLite and PostgreSQL: create, list,
//! get, rename and delete; each validation error names its field and stores nothing; tenants
//! and roles are kept apart (another vendor's customer is a 404, a customer or read-only token
//! cannot write).

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use consign_server::testing::TestHub;
use serde_json::json;
use support::{Callers, sorted};

async fn a_customer_is_created_listed_fetched_renamed_and_deleted(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let created = c
        .vendor_rw
        .post("/customer-organizations", json!({"name": "  Hooli XYZ "}))
        .await
        .ok(201);
    assert_eq!(created["name"], "Hooli XYZ", "names are trimmed");
    assert!(created["createdAt"].is_string(), "{created}");
    let id = created["id"].as_str().unwrap().to_string();

    let list = c.vendor_ro.get("/customer-organizations").await.ok(200);
    assert_eq!(sorted(&list, "name"), ["Globex", "Hooli XYZ", "Initech"]);
    let fetched = c
        .vendor_ro
        .get(&format!("/customer-organizations/{id}"))
        .await
        .ok(200);
    assert_eq!(fetched, created);

    let renamed = c
        .vendor_rw
        .put(
            &format!("/customer-organizations/{id}"),
            json!({"name": "Hooli"}),
        )
        .await
        .ok(200);
    assert_eq!(
        (renamed["id"].as_str(), renamed["name"].as_str()),
        (Some(id.as_str()), Some("Hooli"))
    );
    let fetched = c
        .vendor_admin
        .get(&format!("/customer-organizations/{id}"))
        .await
        .ok(200);
    assert_eq!(fetched["name"], "Hooli");

    let deleted = c
        .vendor_admin
        .delete(&format!("/customer-organizations/{id}"))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    c.vendor_admin
        .get(&format!("/customer-organizations/{id}"))
        .await
        .assert_error(404, "not_found", None);
    let list = c.vendor_admin.get("/customer-organizations").await.ok(200);
    assert_eq!(sorted(&list, "name"), ["Globex", "Initech"]);
}

async fn a_customer_member_sees_only_their_own_customer(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let own = c.world.customer.to_string();
    let list = c.customer_ro.get("/customer-organizations").await.ok(200);
    assert_eq!(sorted(&list, "id"), vec![own.clone()]);
    c.customer_admin
        .get(&format!("/customer-organizations/{own}"))
        .await
        .ok(200);
    c.customer_admin
        .get(&format!(
            "/customer-organizations/{}",
            c.world.second_customer
        ))
        .await
        .assert_error(404, "not_found", None);
}

async fn each_bad_request_names_its_field_and_stores_nothing(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let globex = format!("/customer-organizations/{}", c.world.customer);
    let admin = &c.vendor_admin;
    let before = admin.get("/customer-organizations").await.ok(200);

    admin
        .post(
            "/customer-organizations",
            json!({"name": "Soylent", "colour": "green"}),
        )
        .await
        .assert_error(400, "invalid", Some("colour"));
    admin
        .post("/customer-organizations", json!({}))
        .await
        .assert_error(400, "invalid", Some("name"));
    admin
        .post("/customer-organizations", json!({"name": 42}))
        .await
        .assert_error(400, "invalid", Some("name"));
    admin
        .post("/customer-organizations", json!({"name": "   "}))
        .await
        .assert_error(400, "invalid", Some("name"));
    admin
        .post("/customer-organizations", json!({"name": "x".repeat(101)}))
        .await
        .assert_error(400, "invalid", Some("name"));
    admin
        .post("/customer-organizations", json!({"name": "Globex"}))
        .await
        .assert_error(409, "conflict", Some("name"));
    admin
        .put(&globex, json!({"name": "Initech"}))
        .await
        .assert_error(409, "conflict", Some("name"));
    admin
        .put(&globex, json!({"name": "Globex", "id": "x"}))
        .await
        .assert_error(400, "invalid", Some("id"));
    admin
        .send_raw(
            "POST",
            "/customer-organizations",
            "application/json",
            b"{\"name\":".to_vec(),
        )
        .await
        .assert_error(400, "invalid", Some("body"));
    admin
        .send_raw(
            "POST",
            "/customer-organizations",
            "text/plain",
            b"{\"name\":\"Soylent\"}".to_vec(),
        )
        .await
        .assert_error(415, "unsupported_media_type", None);
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
    admin
        .send_raw(
            "POST",
            "/customer-organizations",
            "application/json",
            huge.into_bytes(),
        )
        .await
        .assert_error(413, "too_large", None);
    admin
        .get("/customer-organizations/not-an-id")
        .await
        .assert_error(400, "invalid", Some("id"));
    admin
        .get(&format!("/customer-organizations/{}", uuid_like()))
        .await
        .assert_error(404, "not_found", None);
    admin
        .send("PATCH", "/customer-organizations", Some(json!({})))
        .await
        .assert_error(405, "method_not_allowed", None);

    assert_eq!(admin.get("/customer-organizations").await.ok(200), before);
}

async fn another_vendor_and_lesser_roles_cannot_touch_the_customers(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let globex = format!("/customer-organizations/{}", c.world.customer);
    let before = c.vendor_admin.get("/customer-organizations").await.ok(200);

    // Another vendor cannot tell the customer exists.
    c.other_vendor
        .get(&globex)
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .put(&globex, json!({"name": "Mine"}))
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .delete(&globex)
        .await
        .assert_error(404, "not_found", None);
    let theirs = c.other_vendor.get("/customer-organizations").await.ok(200);
    assert_eq!(sorted(&theirs, "name"), ["Hooli"]);

    // Customer members and vendor readers cannot write; only admins delete.
    for (who, caller) in [
        ("customer admin", &c.customer_admin),
        ("vendor ro", &c.vendor_ro),
    ] {
        let answer = caller
            .post("/customer-organizations", json!({"name": "Soylent"}))
            .await;
        assert_eq!(answer.status, 403, "{who}: {}", answer.body);
        let answer = caller.put(&globex, json!({"name": "Renamed"})).await;
        assert_eq!(answer.status, 403, "{who}: {}", answer.body);
    }
    c.vendor_rw
        .delete(&globex)
        .await
        .assert_error(403, "forbidden", None);
    c.customer_admin
        .delete(&globex)
        .await
        .assert_error(403, "forbidden", None);

    assert_eq!(
        c.vendor_admin.get("/customer-organizations").await.ok(200),
        before
    );
}

/// A well-formed id that names nothing.
fn uuid_like() -> String {
    types::CustomerOrganizationId::new().to_string()
}

on_both_hubs!(
    a_customer_is_created_listed_fetched_renamed_and_deleted,
    a_customer_member_sees_only_their_own_customer,
    each_bad_request_names_its_field_and_stores_nothing,
    another_vendor_and_lesser_roles_cannot_touch_the_customers,
);
