//! `/api/v1/user-accounts` over real HTTP, on SQLite and PostgreSQL: who sees which members,
//! changing a role, removing a member; each refusal (bad role, unknown field, another tenant,
//! lesser role, the last admin) and that nothing changed after it.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use consign_server::testing::TestHub;
use serde_json::json;
use support::{Callers, sorted};

async fn vendors_see_every_member_and_customers_only_their_own(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let all = c.vendor_ro.get("/user-accounts").await.ok(200);
    assert_eq!(
        sorted(&all, "email"),
        [
            "admin@acme.test",
            "admin@globex.test",
            "ro@acme.test",
            "ro@globex.test",
            "rw@acme.test",
            "rw@globex.test"
        ]
    );
    let globex = c.world.customer.to_string();
    for user in all.as_array().unwrap() {
        let email = user["email"].as_str().unwrap();
        if email.ends_with("@globex.test") {
            assert_eq!(user["customerOrganizationId"], globex, "{user}");
        } else {
            assert!(user["customerOrganizationId"].is_null(), "{user}");
        }
        assert!(
            user["joinedOrgAt"].is_string() && user["name"].is_string(),
            "{user}"
        );
    }
    let own = c.customer_ro.get("/user-accounts").await.ok(200);
    assert_eq!(
        sorted(&own, "email"),
        ["admin@globex.test", "ro@globex.test", "rw@globex.test"]
    );
    let theirs = c.other_vendor.get("/user-accounts").await.ok(200);
    assert_eq!(sorted(&theirs, "email"), ["admin@umbrella.test"]);

    let ro = format!("/user-accounts/{}", c.world.vendor_ro.user_id);
    let fetched = c.vendor_admin.get(&ro).await.ok(200);
    assert_eq!(
        (fetched["email"].as_str(), fetched["userRole"].as_str()),
        (Some("ro@acme.test"), Some("read_only"))
    );
    c.customer_admin
        .get(&ro)
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .get(&ro)
        .await
        .assert_error(404, "not_found", None);
}

async fn roles_change_and_members_leave(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let vendor_ro = format!("/user-accounts/{}", c.world.vendor_ro.user_id);
    let updated = c
        .vendor_admin
        .patch(&vendor_ro, json!({"userRole": "read_write"}))
        .await
        .ok(200);
    assert_eq!(updated["userRole"], "read_write");
    assert_eq!(c.vendor_admin.get(&vendor_ro).await.ok(200), updated);

    // A customer's admin manages their own customer's members.
    let customer_ro = format!("/user-accounts/{}", c.world.customer_ro.user_id);
    let updated = c
        .customer_admin
        .patch(&customer_ro, json!({"userRole": "admin"}))
        .await
        .ok(200);
    assert_eq!(updated["userRole"], "admin");

    let customer_rw = format!("/user-accounts/{}", c.world.customer_rw.user_id);
    let removed = c.vendor_rw.delete(&customer_rw).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    c.vendor_admin
        .get(&customer_rw)
        .await
        .assert_error(404, "not_found", None);
    let all = c.vendor_admin.get("/user-accounts").await.ok(200);
    assert!(!sorted(&all, "email").contains(&"rw@globex.test".to_string()));
}

async fn each_refusal_names_its_reason_and_changes_nothing(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let before = c.vendor_admin.get("/user-accounts").await.ok(200);
    let vendor_ro = format!("/user-accounts/{}", c.world.vendor_ro.user_id);
    let vendor_admin = format!("/user-accounts/{}", c.world.vendor_admin.user_id);
    let customer_ro = format!("/user-accounts/{}", c.world.customer_ro.user_id);

    c.vendor_admin
        .patch(&vendor_ro, json!({"userRole": "superuser"}))
        .await
        .assert_error(400, "invalid", Some("userRole"));
    c.vendor_admin
        .patch(&vendor_ro, json!({"userRole": "admin", "name": "x"}))
        .await
        .assert_error(400, "invalid", Some("name"));
    c.vendor_admin
        .patch(&vendor_ro, json!({}))
        .await
        .assert_error(400, "invalid", Some("userRole"));
    c.vendor_admin
        .patch("/user-accounts/42", json!({"userRole": "admin"}))
        .await
        .assert_error(400, "invalid", Some("id"));
    c.vendor_admin
        .patch(
            &format!("/user-accounts/{}", types::UserId::new()),
            json!({"userRole": "admin"}),
        )
        .await
        .assert_error(404, "not_found", None);
    // The only vendor admin cannot demote or remove themselves.
    c.vendor_admin
        .patch(&vendor_admin, json!({"userRole": "read_only"}))
        .await
        .assert_error(409, "last_admin", None);
    c.vendor_admin
        .delete(&vendor_admin)
        .await
        .assert_error(409, "last_admin", None);
    // Lesser roles and other tenants.
    c.vendor_rw
        .patch(&vendor_ro, json!({"userRole": "admin"}))
        .await
        .assert_error(403, "forbidden", None);
    c.vendor_ro
        .delete(&customer_ro)
        .await
        .assert_error(403, "forbidden", None);
    c.customer_rw
        .patch(&customer_ro, json!({"userRole": "admin"}))
        .await
        .assert_error(403, "forbidden", None);
    c.customer_admin
        .delete(&vendor_ro)
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .patch(&vendor_ro, json!({"userRole": "admin"}))
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .delete(&customer_ro)
        .await
        .assert_error(404, "not_found", None);

    assert_eq!(c.vendor_admin.get("/user-accounts").await.ok(200), before);
}

on_both_hubs!(
    vendors_see_every_member_and_customers_only_their_own,
    roles_change_and_members_leave,
    each_refusal_names_its_reason_and_changes_nothing,
);
