//! The published OpenAPI document and its browsable page, from a real hub: the document passes
//! `openapi-spec-validator` (the PyPI tool, run as a real process), lists every route the API
//! serves, and every documented operation is really routed; the page lists every operation.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::process::Command;

use consign_server::testing::TestHub;
use serde_json::Value;

/// Every operation the API serves, as `METHOD /path`. Kept by hand on purpose: a route added
/// or removed shows up here as a deliberate change.
const ROUTES: &[&str] = &[
    "GET /api/v1/me",
    "GET /api/v1/organization",
    "PUT /api/v1/organization",
    "GET /api/v1/customer-organizations",
    "POST /api/v1/customer-organizations",
    "GET /api/v1/customer-organizations/{id}",
    "PUT /api/v1/customer-organizations/{id}",
    "DELETE /api/v1/customer-organizations/{id}",
    "GET /api/v1/user-accounts",
    "GET /api/v1/user-accounts/{id}",
    "PATCH /api/v1/user-accounts/{id}",
    "DELETE /api/v1/user-accounts/{id}",
    "GET /api/v1/invitations",
    "POST /api/v1/invitations",
    "GET /api/v1/invitations/{id}",
    "DELETE /api/v1/invitations/{id}",
    "POST /api/v1/invitations/{id}/resend",
    "GET /api/v1/settings/tokens",
    "POST /api/v1/settings/tokens",
    "DELETE /api/v1/settings/tokens/{id}",
    "GET /api/v1/applications",
    "POST /api/v1/applications",
    "GET /api/v1/applications/{id}",
    "PUT /api/v1/applications/{id}",
    "PATCH /api/v1/applications/{id}",
    "GET /api/v1/applications/{id}/versions",
    "POST /api/v1/applications/{id}/versions",
    "GET /api/v1/applications/{id}/versions/{versionId}",
    "PATCH /api/v1/applications/{id}/versions/{versionId}",
    "GET /api/v1/applications/{id}/channels",
    "GET /api/v1/applications/{id}/channels/{channel}",
    "PUT /api/v1/applications/{id}/channels/{channel}",
    "GET /api/v1/application-licenses",
    "POST /api/v1/application-licenses",
    "GET /api/v1/application-licenses/{id}",
    "PUT /api/v1/application-licenses/{id}",
    "DELETE /api/v1/application-licenses/{id}",
    "GET /api/v1/application-licenses/{id}/file",
    "GET /api/v1/license-key",
    "GET /api/v1/deployment-targets",
    "POST /api/v1/deployment-targets",
    "GET /api/v1/deployment-targets/{id}",
    "DELETE /api/v1/deployment-targets/{id}",
    "POST /api/v1/deployment-targets/{id}/secret",
    "POST /api/v1/deployment-targets/{id}/agent-update",
    "GET /api/v1/deployment-targets/{id}/metrics",
    "GET /api/v1/deployments",
    "POST /api/v1/deployments",
    "GET /api/v1/deployments/{id}",
    "PATCH /api/v1/deployments/{id}",
    "PUT /api/v1/deployments/{id}",
    "DELETE /api/v1/deployments/{id}",
    "POST /api/v1/deployments/{id}/restart",
    "GET /api/v1/deployments/{id}/status",
    "GET /api/v1/deployments/{id}/logs",
    "GET /api/v1/secrets",
    "PUT /api/v1/secrets/{key}",
    "DELETE /api/v1/secrets/id/{id}",
    "GET /api/v1/events",
    "POST /api/v1/agent/enroll",
    "GET /api/v1/agent/ws",
    "GET /api/v1/agent/download/consign-agent",
    "GET /agent/install.sh",
    "GET /agent/consign-agent",
    "GET /api/v1/openapi.json",
    "GET /api/v1/docs",
];

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            all.insert((method.to_uppercase(), path.clone()));
        }
    }
    all
}

async fn document(hub: &TestHub) -> (String, Value) {
    let response = reqwest::get(hub.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = response.text().await.unwrap();
    let doc = serde_json::from_str(&text).unwrap();
    (text, doc)
}

#[tokio::test]
async fn the_document_passes_openapi_spec_validator() {
    let hub = TestHub::start(None, None).await;
    let (text, doc) = document(&hub).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["license"]["name"], "Apache-2.0");
    assert!(doc["servers"][0]["url"].is_string());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, text).unwrap();
    let output = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("python3 runs (cargo xtask setup --test installs openapi-spec-validator)");
    assert!(
        output.status.success(),
        "openapi-spec-validator refused the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    hub.stop().await;
}

#[tokio::test]
async fn the_document_lists_every_route_and_every_documented_route_is_served() {
    // A file to serve as the agent binary, so its public download answers 200 whatever was
    // built before this test.
    let binary = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(binary.path(), b"#!/bin/sh\n").unwrap();
    let served = binary.path().to_path_buf();
    let hub = TestHub::start_with(move |s| s.agent_binary = Some(served)).await;
    let (_, doc) = document(&hub).await;
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| {
            let (method, path) = r.split_once(' ').unwrap();
            (method.to_string(), path.to_string())
        })
        .collect();
    assert_eq!(operations(&doc), expected);

    // Each documented operation answers: the public ones with 200, the others with the JSON
    // 401 of a request without a token; none falls through to the unknown-route 404 or a 405.
    // Enrolment is public but needs a secret: an unknown target's is the JSON 401.
    let http = reqwest::Client::new();
    let id = types::UserId::new().to_string();
    for (method, path) in operations(&doc) {
        let url = hub.url(
            &path
                .replace("{id}", &id)
                .replace("{versionId}", &id)
                .replace("{channel}", "stable")
                .replace("{key}", "DB_PASSWORD"),
        );
        let method_value = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = http.request(method_value, &url);
        if path == "/api/v1/agent/enroll" {
            request = request.json(&serde_json::json!({"targetId": id, "secret": "wrong"}));
        }
        let response = request.send().await.unwrap();
        let public = doc["paths"][&path][method.to_lowercase()]["security"].is_null();
        let expected = if public && path != "/api/v1/agent/enroll" {
            200
        } else {
            401
        };
        assert_eq!(response.status(), expected, "{method} {path}");
        if expected == 401 {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthenticated", "{method} {path}");
        }
    }
    hub.stop().await;
}

#[tokio::test]
async fn the_browsable_page_lists_every_operation_without_loading_anything_from_elsewhere() {
    let hub = TestHub::start(None, None).await;
    let (_, doc) = document(&hub).await;
    let response = reqwest::get(hub.url("/api/v1/docs")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let line = format!("<code>{method} {path}</code>");
        assert!(html.contains(&line), "{line} missing from the page");
        let summary = op["summary"].as_str().unwrap();
        assert!(
            html.contains(&*service::html::escape(summary)),
            "summary of {method} {path}"
        );
    }
    for schema in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            html.contains(&format!("id=\"schema-{schema}\"")),
            "{schema}"
        );
    }
    for tag in [
        "customers",
        "users",
        "invitations",
        "settings",
        "organization",
        "deployments",
        "agent",
    ] {
        assert!(html.contains(&format!("id=\"tag-{tag}\"")), "{tag}");
    }
    assert!(!html.contains("<script"), "no scripts");
    for loads in ["<link", " src=", "@import", "url("] {
        assert!(!html.contains(loads), "the page loads nothing ({loads})");
    }
    hub.stop().await;
}
