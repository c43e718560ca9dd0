//! The REST API for deployment targets, deployments and secrets, and the live event stream,
//! over real HTTP: the install command keeps the secret out of the URL, secret values are never
//! returned, input errors name their field with nothing stored, other tenants get 404, and a
//! deployment reaches an open event stream at once.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::Utc;
use consign_server::testing::TestHub;
use consign_test_support::apps::{Application, NewApplication};
use serde_json::{Value, json};
use service::testing::world::World;

struct Caller {
    token: String,
}

impl Caller {
    async fn new(hub: &TestHub, actor: &service::auth::Actor) -> Self {
        let (_, token) = service::access_tokens::create(&hub.services, actor, "test".into(), None)
            .await
            .unwrap();
        Self { token }
    }

    async fn call(
        &self,
        hub: &TestHub,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let client = reqwest::Client::new();
        let mut request = client
            .request(method.parse().unwrap(), hub.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// The vendor creates a vendor-managed target: its install command keeps the secret out of the
/// URL; an empty name is refused naming the field; another vendor gets 404 and the customer
/// does not see it. Returns the target's id.
async fn a_target_is_created_with_the_secret_outside_the_url(
    hub: &TestHub,
    vendor: &Caller,
    customer: &Caller,
    stranger: &Caller,
) -> String {
    let (status, created) = vendor
        .call(
            hub,
            "POST",
            "/api/v1/deployment-targets",
            Some(json!({"name": "vendor-box"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let target = created["target"]["id"].as_str().unwrap().to_string();
    let secret = created["secret"].as_str().unwrap();
    let command = created["installCommand"].as_str().unwrap();
    let (url_part, env_part) = command.split_once(" | ").unwrap();
    assert!(url_part.contains("/agent/install.sh") && !url_part.contains(secret));
    assert!(env_part.contains(&format!("CONSIGN_ENROLMENT_SECRET={secret}")));
    assert_eq!(created["target"]["online"], false);

    let (status, body) = vendor
        .call(
            hub,
            "POST",
            "/api/v1/deployment-targets",
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("name"))
    );
    let (status, _) = stranger
        .call(
            hub,
            "GET",
            &format!("/api/v1/deployment-targets/{target}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, listed) = customer
        .call(hub, "GET", "/api/v1/deployment-targets", None)
        .await;
    assert_eq!(
        (status, listed.as_array().unwrap().len()),
        (200, 0),
        "customers see no vendor target"
    );
    target
}

/// A secret is set and listed without its value; a bad key is refused naming the field.
async fn a_secret_is_set_and_listed_without_its_value(hub: &TestHub, vendor: &Caller) {
    let (status, body) = vendor
        .call(
            hub,
            "PUT",
            "/api/v1/secrets/DB_PASSWORD",
            Some(json!({"value": "s3cret-pw"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, listed) = vendor.call(hub, "GET", "/api/v1/secrets", None).await;
    assert_eq!(listed[0]["key"], "DB_PASSWORD");
    assert!(!listed.to_string().contains("s3cret"));
    let (status, body) = vendor
        .call(
            hub,
            "PUT",
            "/api/v1/secrets/1-bad",
            Some(json!({"value": "x"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("key"))
    );
}

/// A deployment whose env names an unknown secret is refused with nothing stored; the next
/// one is created and reaches the open event stream at once. Returns its id.
async fn a_deployment_reaches_the_open_event_stream_at_once(
    hub: &TestHub,
    vendor: &Caller,
    target: &str,
    shop: &Application,
) -> String {
    let mut events = reqwest::Client::new()
        .get(hub.url("/api/v1/events"))
        .bearer_auth(&vendor.token)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let unauthenticated = reqwest::get(hub.url("/api/v1/events")).await.unwrap();
    assert_eq!(unauthenticated.status(), 401);

    let (app, version) = (shop.id, shop.versions[0]);
    let deploy = json!({"targetId": target, "applicationId": app, "versionId": version, "env": "PASSWORD={{ secrets.NOPE }}"});
    let (status, body) = vendor
        .call(hub, "POST", "/api/v1/deployments", Some(deploy))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("env")),
        "{body}"
    );
    let (_, listed) = vendor.call(hub, "GET", "/api/v1/deployments", None).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        0,
        "nothing stored after a refusal"
    );

    let deploy = json!({"targetId": target, "applicationId": app, "versionId": version, "logsEnabled": true});
    let (status, d) = vendor
        .call(hub, "POST", "/api/v1/deployments", Some(deploy))
        .await;
    assert_eq!(status, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["env"], "PASSWORD={{ secrets.DB_PASSWORD }}\n");
    let mut seen = String::new();
    while !seen.contains(&id) {
        let chunk = tokio::time::timeout(Duration::from_secs(5), events.chunk())
            .await
            .expect("the event arrives at once")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("deployment_changed"), "{seen}");
    id
}

/// The deployment restarts, stays hidden from another vendor, has no status yet, and is
/// undeployed with its data; then its target is deleted.
async fn the_deployment_restarts_and_undeploys_and_its_target_goes(
    hub: &TestHub,
    vendor: &Caller,
    stranger: &Caller,
    target: &str,
    id: &str,
) {
    let (status, restarted) = vendor
        .call(
            hub,
            "POST",
            &format!("/api/v1/deployments/{id}/restart"),
            None,
        )
        .await;
    assert_eq!(
        (status, restarted["restartGeneration"].as_i64()),
        (200, Some(1))
    );
    let (status, _) = stranger
        .call(hub, "GET", &format!("/api/v1/deployments/{id}"), None)
        .await;
    assert_eq!(status, 404);
    let (status, history) = vendor
        .call(
            hub,
            "GET",
            &format!("/api/v1/deployments/{id}/status"),
            None,
        )
        .await;
    assert_eq!((status, history.as_array().unwrap().len()), (200, 0));
    let (status, undeployed) = vendor
        .call(
            hub,
            "DELETE",
            &format!("/api/v1/deployments/{id}?deleteData=true"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(undeployed["deleteData"], true);
    assert!(undeployed["undeployRequestedAt"].is_string());

    let (status, _) = vendor
        .call(
            hub,
            "DELETE",
            &format!("/api/v1/deployment-targets/{target}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = vendor
        .call(
            hub,
            "GET",
            &format!("/api/v1/deployment-targets/{target}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn targets_deployments_and_secrets_work_over_the_api_and_changes_stream_live() {
    let hub = TestHub::start(None, None).await;
    let w = World::build(&hub.services).await;
    let vendor = Caller::new(&hub, &w.vendor_rw).await;
    let customer = Caller::new(&hub, &w.customer_rw).await;
    let stranger = Caller::new(&hub, &w.other_vendor).await;

    let target =
        a_target_is_created_with_the_secret_outside_the_url(&hub, &vendor, &customer, &stranger)
            .await;
    a_secret_is_set_and_listed_without_its_value(&hub, &vendor).await;
    let shop = NewApplication::named("Shop")
        .version_with(
            "1.0",
            "stable",
            "services:\n  web:\n    image: busybox\n",
            Some("PASSWORD={{ secrets.DB_PASSWORD }}\n"),
        )
        .create(&hub, &w.vendor_rw)
        .await;
    let id =
        a_deployment_reaches_the_open_event_stream_at_once(&hub, &vendor, &target, &shop).await;
    the_deployment_restarts_and_undeploys_and_its_target_goes(
        &hub, &vendor, &stranger, &target, &id,
    )
    .await;
    hub.stop().await;
}

#[tokio::test]
async fn agent_update_requests_and_host_metrics_over_the_api() {
    // The hub looks the binary up when asked: missing at first, copied in later.
    let binaries = tempfile::tempdir().unwrap();
    let binary = binaries.path().join("consign-agent");
    let configured = binary.clone();
    let hub = TestHub::start_with(move |s| s.agent_binary = Some(configured)).await;
    let w = World::build(&hub.services).await;
    let customer = Caller::new(&hub, &w.customer_rw).await;
    let reader = Caller::new(&hub, &w.customer_ro).await;
    let stranger = Caller::new(&hub, &w.other_vendor).await;
    let (status, created) = customer
        .call(
            &hub,
            "POST",
            "/api/v1/deployment-targets",
            Some(json!({"name": "edge"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let target = created["target"]["id"].as_str().unwrap().to_string();
    let update = format!("/api/v1/deployment-targets/{target}/agent-update");

    // No binary to update to: a plain 409 saying so, nothing sent to the connected agent.
    let id: types::DeploymentTargetId = target.parse().unwrap();
    let mut early = hub.services.agents.register(id, Utc::now());
    let (status, body) = customer.call(&hub, "POST", &update, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("no_agent_binary")),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no agent binary") && message.contains("CONSIGN_AGENT_BINARY"),
        "{message}"
    );
    assert!(early.commands.try_recv().is_err());
    assert!(hub.services.agents.unregister(&early));
    // Any file stands in for the binary: the registered "agent" below downloads nothing.
    std::fs::write(&binary, b"#!/bin/sh\n").unwrap();

    // Offline: a clear refusal, nothing queued.
    let (status, body) = customer.call(&hub, "POST", &update, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("agent_offline"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("offline"),
        "{body}"
    );
    // Connected (registered with the agent hub as the websocket does): the command goes out.
    let mut connection = hub.services.agents.register(id, Utc::now());
    let (status, _) = reader.call(&hub, "POST", &update, None).await;
    assert_eq!(status, 403);
    let (status, _) = stranger.call(&hub, "POST", &update, None).await;
    assert_eq!(status, 404);
    assert!(connection.commands.try_recv().is_err());
    let (status, body) = customer.call(&hub, "POST", &update, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        connection.commands.try_recv().ok(),
        Some(service::agent_hub::AgentCommand::UpdateAgent)
    );

    // Metrics: newest first, limited, only for those who may see the target.
    let start = Utc::now() - chrono::Duration::minutes(10);
    for i in 0..5_u16 {
        service::agent_session::record_metrics(
            &hub.services,
            id,
            types::protocol::HostMetrics {
                cpu_percent: 10.0 * f32::from(i),
                cpu_cores: 2,
                memory_used_bytes: 1_000 + u64::from(i),
                memory_total_bytes: 8_000,
                at: start + chrono::Duration::seconds(30 * i64::from(i)),
            },
        )
        .await
        .unwrap();
    }
    let metrics = format!("/api/v1/deployment-targets/{target}/metrics");
    let (status, all) = reader.call(&hub, "GET", &metrics, None).await;
    assert_eq!(status, 200, "{all}");
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0]["cpuPercent"], 40.0);
    assert_eq!(all[0]["memoryUsedBytes"], 1_004);
    assert_eq!(all[0]["cpuCores"], 2);
    assert_eq!(all[4]["memoryTotalBytes"], 8_000);
    let (status, two) = reader
        .call(&hub, "GET", &format!("{metrics}?limit=2"), None)
        .await;
    assert_eq!((status, two.as_array().unwrap().len()), (200, 2));
    let (status, body) = reader
        .call(&hub, "GET", &format!("{metrics}?limit=many"), None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid"))
    );
    // The document's range (1 to 2,880) is the hub's: outside it is refused, not clamped.
    let (status, all) = reader
        .call(&hub, "GET", &format!("{metrics}?limit=2880"), None)
        .await;
    assert_eq!((status, all.as_array().unwrap().len()), (200, 5));
    for outside in ["0", "2881"] {
        let (status, body) = reader
            .call(&hub, "GET", &format!("{metrics}?limit={outside}"), None)
            .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (400, Some("limit")),
            "limit={outside}: {body}"
        );
    }
    let (status, _) = stranger.call(&hub, "GET", &metrics, None).await;
    assert_eq!(status, 404);
    hub.stop().await;
}
