//! `/api/v1/settings/tokens` over real HTTP, on SQLite and PostgreSQL: a token creates another,
//! whose key works until it is revoked; each person sees and revokes only their own tokens; bad
//! input names its field and stores nothing.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use consign_server::testing::TestHub;
use serde_json::json;
use support::{Callers, sorted};

async fn a_token_is_created_listed_used_and_revoked(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let created = c
        .customer_ro
        .post(
            "/settings/tokens",
            json!({"label": "deploy bot", "expiresInDays": 30}),
        )
        .await
        .ok(201);
    assert_eq!(created["label"], "deploy bot");
    assert_eq!(created["revoked"], false);
    assert!(created["expiresAt"].is_string(), "{created}");
    let key = created["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("consign_pat_"), "{key}");
    let id = created["id"].as_str().unwrap().to_string();

    let list = c.customer_ro.get("/settings/tokens").await.ok(200);
    assert_eq!(sorted(&list, "label"), ["deploy bot", "tests"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("key").is_none()),
        "a key is shown only once: {list}"
    );

    let http = reqwest::Client::new();
    let me = http
        .get(hub.url("/api/v1/me"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let revoked = c
        .customer_ro
        .delete(&format!("/settings/tokens/{id}"))
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    let me = http
        .get(hub.url("/api/v1/me"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    let list = c.customer_ro.get("/settings/tokens").await.ok(200);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap();
    assert_eq!(entry["revoked"], true);
}

async fn tokens_are_private_and_bad_input_is_refused(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let mine = c.vendor_admin.get("/settings/tokens").await.ok(200);
    let my_id = mine[0]["id"].as_str().unwrap().to_string();
    // Nobody else sees or revokes it, not even a colleague or another vendor.
    for caller in [&c.vendor_rw, &c.other_vendor] {
        caller
            .delete(&format!("/settings/tokens/{my_id}"))
            .await
            .assert_error(404, "not_found", None);
        let theirs = caller.get("/settings/tokens").await.ok(200);
        assert!(!sorted(&theirs, "id").contains(&my_id));
    }

    let admin = &c.vendor_admin;
    admin
        .post("/settings/tokens", json!({"label": " "}))
        .await
        .assert_error(400, "invalid", Some("label"));
    admin
        .post(
            "/settings/tokens",
            json!({"label": "ci", "expiresInDays": 0}),
        )
        .await
        .assert_error(400, "invalid", Some("expiresInDays"));
    admin
        .post(
            "/settings/tokens",
            json!({"label": "ci", "expiresInDays": -3}),
        )
        .await
        .assert_error(400, "invalid", Some("expiresInDays"));
    admin
        .post(
            "/settings/tokens",
            json!({"label": "ci", "scopes": ["all"]}),
        )
        .await
        .assert_error(400, "invalid", Some("scopes"));
    admin
        .delete("/settings/tokens/zzz")
        .await
        .assert_error(400, "invalid", Some("id"));
    assert_eq!(admin.get("/settings/tokens").await.ok(200), mine);
}

on_both_hubs!(
    a_token_is_created_listed_used_and_revoked,
    tokens_are_private_and_bad_input_is_refused,
);
