//! `/api/v1/organization` and `/api/v1/me` over real HTTP, on SQLite and PostgreSQL: each token
//! sees its own vendor organization; only vendor admins rename it; bad input names its field and
//! changes nothing.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use consign_server::testing::TestHub;
use serde_json::json;
use support::Callers;

async fn each_token_sees_its_own_organization_and_admins_rename_it(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let acme = c.vendor_ro.get("/organization").await.ok(200);
    assert_eq!(acme["name"], "Acme");
    assert_eq!(acme["id"], c.world.vendor_admin.organization_id.to_string());
    assert!(
        acme["slug"].is_string() && acme["createdAt"].is_string(),
        "{acme}"
    );
    // A customer member's organization is their vendor's.
    assert_eq!(c.customer_ro.get("/organization").await.ok(200), acme);
    let umbrella = c.other_vendor.get("/organization").await.ok(200);
    assert_eq!(umbrella["name"], "Umbrella");

    let renamed = c
        .vendor_admin
        .put("/organization", json!({"name": "Acme Inc."}))
        .await
        .ok(200);
    assert_eq!(renamed["name"], "Acme Inc.");
    assert_eq!(renamed["slug"], acme["slug"], "the slug stays");
    assert_eq!(c.vendor_rw.get("/organization").await.ok(200), renamed);
    assert_eq!(
        c.other_vendor.get("/organization").await.ok(200)["name"],
        "Umbrella"
    );
}

async fn renaming_refuses_bad_input_and_lesser_roles_and_changes_nothing(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let before = c.vendor_admin.get("/organization").await.ok(200);
    c.vendor_admin
        .put("/organization", json!({"name": ""}))
        .await
        .assert_error(400, "invalid", Some("name"));
    c.vendor_admin
        .put("/organization", json!({"name": "Acme", "slug": "acme-2"}))
        .await
        .assert_error(400, "invalid", Some("slug"));
    c.vendor_admin
        .put("/organization", json!({}))
        .await
        .assert_error(400, "invalid", Some("name"));
    for caller in [&c.vendor_rw, &c.vendor_ro, &c.customer_admin] {
        caller
            .put("/organization", json!({"name": "Taken over"}))
            .await
            .assert_error(403, "forbidden", None);
    }
    assert_eq!(c.vendor_admin.get("/organization").await.ok(200), before);
}

async fn me_names_the_token_owner_in_camel_case(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let me = c.customer_rw.get("/me").await.ok(200);
    assert_eq!(me["userId"], c.world.customer_rw.user_id.to_string());
    assert_eq!(
        me["organizationId"],
        c.world.vendor_admin.organization_id.to_string()
    );
    assert_eq!(me["userRole"], "read_write");
    assert_eq!(me["customerOrganizationId"], c.world.customer.to_string());
}

on_both_hubs!(
    each_token_sees_its_own_organization_and_admins_rename_it,
    renaming_refuses_bad_input_and_lesser_roles_and_changes_nothing,
    me_names_the_token_owner_in_camel_case,
);
