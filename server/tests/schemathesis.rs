//! The published OpenAPI document against the hub that serves it, checked by a schema-based
//! fuzzer: schemathesis (PyPI, run as a real process) sends requests generated from the
//! document (valid ones and invalid ones) to a real hub on a fresh SQLite data dir, and fails
//! on any 5xx, any status the operation does not document, any answer that does not match its
//! documented schema, and any request valid by the schema that the hub refuses with 400.
//!
//! Bounded in time (a few examples per operation, a total time limit): it runs in the suite.
//! `cargo xtask setup --test` installs the pinned schemathesis.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::time::Duration;

use consign_server::testing::TestHub;
use serde_json::{Value, json};
use service::testing::world::World;

/// The most examples per operation and phase, and the time budget of the whole run: a few
/// minutes at most on two cores.
const MAX_EXAMPLES: &str = "12";
const MAX_SECONDS: &str = "150";

/// What the vendor admin's token created, so the fuzzer's paths reach real resources.
struct Seeded {
    token: String,
    ids: Vec<(&'static str, String)>,
}

async fn call(hub: &TestHub, token: &str, method: &str, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .request(method.parse().unwrap(), hub.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let value: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {value}");
    value
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

async fn seed(hub: &TestHub) -> Seeded {
    let w = World::build(&hub.services).await;
    let (_, token) =
        service::access_tokens::create(&hub.services, &w.vendor_admin, "fuzz".into(), None)
            .await
            .unwrap();
    let t = token.as_str();
    let customer = w.customer.to_string();
    let app = call(
        hub,
        t,
        "POST",
        "/api/v1/applications",
        json!({"name": "Shop", "type": "docker"}),
    )
    .await;
    let app = id(&app);
    let version = call(
        hub,
        t,
        "POST",
        &format!("/api/v1/applications/{app}/versions"),
        json!({"name": "1.0.0", "composeFile": "services:\n  web:\n    image: nginx:1\n"}),
    )
    .await;
    let target = call(
        hub,
        t,
        "POST",
        "/api/v1/deployment-targets",
        json!({"name": "edge-1", "customerOrganizationId": customer}),
    )
    .await;
    let target = target["target"]["id"].as_str().unwrap().to_string();
    let license = call(
        hub,
        t,
        "POST",
        "/api/v1/application-licenses",
        json!({"customerOrganizationId": customer, "applicationId": app}),
    )
    .await;
    let deployment = call(
        hub,
        t,
        "POST",
        "/api/v1/deployments",
        json!({"targetId": target, "applicationId": app, "versionId": id(&version)}),
    )
    .await;
    let secret = call(
        hub,
        t,
        "PUT",
        "/api/v1/secrets/DB_PASSWORD",
        json!({"value": "s3cret"}),
    )
    .await;
    let invitation = call(
        hub,
        t,
        "POST",
        "/api/v1/invitations",
        json!({"email": "new@globex.test", "userRole": "read_only", "customerOrganizationId": customer}),
    )
    .await;
    // A token the fuzzer may revoke: never the one it authenticates with.
    let spare = call(
        hub,
        t,
        "POST",
        "/api/v1/settings/tokens",
        json!({"label": "spare"}),
    )
    .await;
    Seeded {
        token,
        ids: vec![
            ("customer-organizations", w.second_customer.to_string()),
            ("user-accounts", w.customer_ro.user_id.to_string()),
            (
                "invitations",
                invitation["invitation"]["id"].as_str().unwrap().to_string(),
            ),
            ("settings/tokens", id(&spare)),
            ("applications", app),
            ("versions", id(&version)),
            ("application-licenses", id(&license)),
            ("deployment-targets", target),
            ("deployments", id(&deployment)),
            ("secrets/id", id(&secret)),
        ],
    }
}

/// The schemathesis configuration: each `{id}` bound to a seeded resource of its kind, and
/// which refusals count as expected for data valid by the schema.
fn config(seeded: &Seeded) -> String {
    let get = |kind: &str| &seeded.ids.iter().find(|(k, _)| *k == kind).unwrap().1;
    let mut toml = String::from(
        "[checks.positive_data_acceptance]\n\
         # 410: an invitation revoked earlier in the run is no longer pending.\n\
         expected-statuses = [\"2xx\", \"401\", \"403\", \"404\", \"409\", \"410\", \"429\"]\n\n",
    );
    // The operations whose bodies carry more than JSON Schema can say: a compose file (YAML
    // with services naming images), an env file's grammar, the kind of application a version
    // is for, an expiry in the future, versions of this application. A 400 there is the hub
    // judging content, not the schema saying too little.
    toml.push_str(
        "[[operations]]\n\
         include-operation-id-regex = \"^(createApplicationVersion|createDeployment|updateDeployment|replaceDeployment|createApplicationLicense|updateApplicationLicense|updateApplicationChannel)$\"\n\
         checks.positive_data_acceptance.expected-statuses = [\"2xx\", \"400\", \"401\", \"403\", \"404\", \"409\", \"410\", \"429\"]\n\n",
    );
    let mut bind = |path_regex: &str, parameters: &[(&str, &str)]| {
        let params: Vec<String> = parameters
            .iter()
            .map(|(name, value)| format!("\"path.{name}\" = \"{value}\""))
            .collect();
        let _ = write!(
            toml,
            "[[operations]]\ninclude-path-regex = \"{path_regex}\"\nparameters = {{ {} }}\n\n",
            params.join(", ")
        );
    };
    for kind in [
        "customer-organizations",
        "user-accounts",
        "invitations",
        "settings/tokens",
        "application-licenses",
        "deployment-targets",
        "deployments",
        "secrets/id",
    ] {
        bind(
            &format!("^/api/v1/{kind}/\\\\{{id\\\\}}"),
            &[("id", get(kind))],
        );
    }
    bind(
        "^/api/v1/applications/\\\\{id\\\\}",
        &[("id", get("applications")), ("versionId", get("versions"))],
    );
    toml
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_answers_what_its_openapi_document_says() {
    // The hub's errors beside the fuzzer's report, to see why it answered 500.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("error")
        .with_test_writer()
        .try_init();
    let hub = TestHub::start(None, None).await;
    let seeded = seed(&hub).await;
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("schemathesis.toml");
    std::fs::write(&config_file, config(&seeded)).unwrap();
    let mut command = tokio::process::Command::new("schemathesis");
    command
        .arg("--config-file")
        .arg(&config_file)
        .arg("run")
        .arg(hub.url("/api/v1/openapi.json"))
        .args(["--url", &hub.url("/")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,positive_data_acceptance",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--max-time", MAX_SECONDS])
        .args(["--seed", "1"])
        // One worker, so a run is repeatable: with two, requests to different operations race
        // on SQLite, and read-then-write transactions that do not yet start as the writer (as
        // publishing a version now does) can meet "database is locked".
        .args(["--workers", "1"])
        .args(["--request-timeout", "10"])
        .args(["--continue-on-failure"])
        // The event stream never ends; the websocket needs an upgrade.
        .args(["--exclude-operation-id", "streamEvents"])
        .args(["--exclude-path", "/api/v1/agent/ws"])
        .args(["--header", &format!("Authorization: Bearer {}", seeded.token)])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(280), command.output())
        .await
        .expect("schemathesis finished in time")
        .expect("schemathesis runs (cargo xtask setup --test installs it)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found the hub and its document disagreeing:\n{stdout}\n{stderr}"
    );
    hub.stop().await;
}
