//! `/api/v1/invitations` over real HTTP, on SQLite and PostgreSQL: invite into the vendor and
//! into a customer, list, get, resend with a new link, revoke; the link returned really works;
//! each refusal names its field or reason and stores nothing.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use consign_server::testing::TestHub;
use serde_json::json;
use support::{Callers, sorted};

async fn an_invitation_is_created_listed_fetched_resent_and_revoked(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let issued = c
        .vendor_admin
        .post(
            "/invitations",
            json!({"email": "Grace@Acme.test", "userRole": "read_write"}),
        )
        .await
        .ok(201);
    let invitation = &issued["invitation"];
    assert_eq!(invitation["email"], "grace@acme.test");
    assert_eq!(invitation["userRole"], "read_write");
    assert_eq!(invitation["status"], "pending");
    assert!(invitation["customerOrganizationId"].is_null());
    assert_eq!(issued["emailSent"], false, "this hub has no mail server");
    let link = issued["inviteUrl"].as_str().unwrap().to_string();
    assert!(link.contains("/invite/"), "{link}");
    let id = invitation["id"].as_str().unwrap().to_string();

    // The world's members joined by invitation too: those are listed as accepted.
    let list = c.vendor_admin.get("/invitations").await.ok(200);
    assert_eq!(pending(&list), ["grace@acme.test"]);
    assert!(sorted(&list, "id").contains(&id));
    let fetched = c
        .vendor_admin
        .get(&format!("/invitations/{id}"))
        .await
        .ok(200);
    assert_eq!(&fetched, invitation);

    let resent = c
        .vendor_admin
        .post(&format!("/invitations/{id}/resend"), json!({}))
        .await
        .ok(200);
    let new_link = resent["inviteUrl"].as_str().unwrap();
    assert_ne!(new_link, link, "a new link replaces the old one");
    let token = new_link.rsplit('/').next().unwrap();
    assert!(
        service::invitations::preview(&hub.services, token)
            .await
            .is_ok(),
        "the returned link works"
    );
    let old_token = link.rsplit('/').next().unwrap();
    assert!(
        service::invitations::preview(&hub.services, old_token)
            .await
            .is_err()
    );

    let revoked = c.vendor_admin.delete(&format!("/invitations/{id}")).await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    let fetched = c
        .vendor_admin
        .get(&format!("/invitations/{id}"))
        .await
        .ok(200);
    assert_eq!(fetched["status"], "revoked");
    c.vendor_admin
        .delete(&format!("/invitations/{id}"))
        .await
        .assert_error(410, "invitation_unusable", None);
}

async fn customer_invitations_are_managed_by_vendor_writers_and_the_customers_admins(
    hub: &TestHub,
) {
    let c = Callers::build(hub).await;
    let globex = c.world.customer.to_string();
    let by_vendor = c
        .vendor_rw
        .post(
            "/invitations",
            json!({"email": "one@globex.test", "userRole": "read_only", "customerOrganizationId": globex}),
        )
        .await
        .ok(201);
    assert_eq!(by_vendor["invitation"]["customerOrganizationId"], globex);
    let by_customer = c
        .customer_admin
        .post(
            "/invitations",
            json!({"email": "two@globex.test", "userRole": "admin", "customerOrganizationId": globex}),
        )
        .await
        .ok(201);
    // A customer admin's list defaults to their own customer.
    let listed = c.customer_admin.get("/invitations").await.ok(200);
    assert_eq!(pending(&listed), ["one@globex.test", "two@globex.test"]);
    let listed = c
        .vendor_rw
        .get(&format!("/invitations?customerOrganizationId={globex}"))
        .await
        .ok(200);
    assert_eq!(pending(&listed), ["one@globex.test", "two@globex.test"]);
    // The vendor's own list holds only vendor invitations.
    let vendor_list = c.vendor_admin.get("/invitations").await.ok(200);
    assert_eq!(pending(&vendor_list), Vec::<String>::new());
    let id = by_customer["invitation"]["id"].as_str().unwrap();
    c.customer_admin
        .get(&format!("/invitations/{id}"))
        .await
        .ok(200);
    // Neither another vendor nor a customer member without admin rights can see it.
    c.other_vendor
        .get(&format!("/invitations/{id}"))
        .await
        .assert_error(404, "not_found", None);
    c.customer_rw
        .get(&format!("/invitations/{id}"))
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .delete(&format!("/invitations/{id}"))
        .await
        .assert_error(404, "not_found", None);
}

async fn each_bad_invitation_names_its_field_and_stores_nothing(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let admin = &c.vendor_admin;
    let globex = c.world.customer.to_string();
    let customer_path = format!("/invitations?customerOrganizationId={globex}");
    let before = admin.get("/invitations").await.ok(200);
    let customer_before = admin.get(&customer_path).await.ok(200);
    admin
        .post(
            "/invitations",
            json!({"email": "not an address", "userRole": "admin"}),
        )
        .await
        .assert_error(400, "invalid", Some("email"));
    admin
        .post("/invitations", json!({"email": "x@acme.test"}))
        .await
        .assert_error(400, "invalid", Some("userRole"));
    admin
        .post(
            "/invitations",
            json!({"email": "x@acme.test", "userRole": "owner"}),
        )
        .await
        .assert_error(400, "invalid", Some("userRole"));
    admin
        .post(
            "/invitations",
            json!({"email": "x@acme.test", "userRole": "admin", "expiresAt": "2030-01-01T00:00:00Z"}),
        )
        .await
        .assert_error(400, "invalid", Some("expiresAt"));
    admin
        .post(
            "/invitations",
            json!({"email": "x@acme.test", "userRole": "admin", "customerOrganizationId": "nope"}),
        )
        .await
        .assert_error(400, "invalid", Some("customerOrganizationId"));
    admin
        .post(
            "/invitations",
            json!({"email": "rw@acme.test", "userRole": "admin"}),
        )
        .await
        .assert_error(409, "conflict", Some("email"));
    // Another vendor's customer does not exist for this vendor.
    admin
        .post(
            "/invitations",
            json!({"email": "x@acme.test", "userRole": "admin", "customerOrganizationId": c.world.other_customer}),
        )
        .await
        .assert_error(404, "not_found", None);
    // Roles: a vendor writer cannot invite to the vendor; a customer admin only to their own.
    c.vendor_rw
        .post(
            "/invitations",
            json!({"email": "x@acme.test", "userRole": "read_only"}),
        )
        .await
        .assert_error(403, "forbidden", None);
    c.customer_admin
        .post(
            "/invitations",
            json!({"email": "x@acme.test", "userRole": "read_only"}),
        )
        .await
        .assert_error(403, "forbidden", None);
    c.customer_admin
        .post(
            "/invitations",
            json!({"email": "x@initech.test", "userRole": "read_only", "customerOrganizationId": c.world.second_customer}),
        )
        .await
        .assert_error(403, "forbidden", None);
    admin
        .get("/invitations?customer=1")
        .await
        .assert_error(400, "invalid", Some("customer"));
    admin
        .get(&format!("/invitations/{}", types::InvitationId::new()))
        .await
        .assert_error(404, "not_found", None);

    assert_eq!(
        admin.get("/invitations").await.ok(200),
        before,
        "nothing stored"
    );
    assert_eq!(admin.get(&customer_path).await.ok(200), customer_before);
}

/// The addresses of a list's pending invitations, sorted.
fn pending(list: &serde_json::Value) -> Vec<String> {
    let mut emails: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "pending")
        .map(|i| i["email"].as_str().unwrap().to_string())
        .collect();
    emails.sort();
    emails
}

on_both_hubs!(
    an_invitation_is_created_listed_fetched_resent_and_revoked,
    customer_invitations_are_managed_by_vendor_writers_and_the_customers_admins,
    each_bad_invitation_names_its_field_and_stores_nothing,
);
