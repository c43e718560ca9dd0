//! `/api/v1/applications`, their versions and channels over real HTTP, on SQLite and
//! PostgreSQL: create, list, get, rename and archive applications; publish, list, get and archive
//! versions; set channel minimums; every validation error the catalogue has (invalid YAML with
//! its line and column, a compose file without services, a service without an image, a duplicate
//! version name…) names its field and stores nothing; tenants and roles are kept apart.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use consign_server::testing::TestHub;
use serde_json::{Value, json};
use support::{Caller, Callers, sorted};

const COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n";

async fn app(caller: &Caller, name: &str, kind: &str) -> String {
    let created = caller
        .post("/applications", json!({"name": name, "type": kind}))
        .await
        .ok(201);
    created["id"].as_str().unwrap().to_string()
}

async fn publish(caller: &Caller, app: &str, name: &str, channel: &str) -> Value {
    caller
        .post(
            &format!("/applications/{app}/versions"),
            json!({"name": name, "channel": channel, "composeFile": COMPOSE}),
        )
        .await
        .ok(201)
}

async fn an_application_is_created_listed_fetched_renamed_and_archived(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let created = c
        .vendor_rw
        .post("/applications", json!({"name": "Shop", "type": "docker"}))
        .await
        .ok(201);
    assert_eq!(created["type"], "docker");
    assert!(created["archivedAt"].is_null());
    let id = created["id"].as_str().unwrap();
    let path = format!("/applications/{id}");
    app(&c.vendor_rw, "Charts", "kubernetes").await;

    let list = c.vendor_ro.get("/applications").await.ok(200);
    assert_eq!(sorted(&list, "name"), ["Charts", "Shop"]);
    assert_eq!(c.vendor_ro.get(&path).await.ok(200), created);

    let renamed = c
        .vendor_rw
        .put(&path, json!({"name": "Web shop"}))
        .await
        .ok(200);
    assert_eq!(renamed["name"], "Web shop");
    let archived = c
        .vendor_rw
        .patch(&path, json!({"archived": true}))
        .await
        .ok(200);
    assert!(archived["archivedAt"].is_string(), "{archived}");
    assert_eq!(c.vendor_ro.get(&path).await.ok(200), archived);
    let restored = c
        .vendor_rw
        .patch(&path, json!({"archived": false}))
        .await
        .ok(200);
    assert!(restored["archivedAt"].is_null(), "{restored}");
}

async fn versions_are_published_listed_fetched_and_archived_but_never_edited(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let shop = app(&c.vendor_admin, "Shop", "docker").await;
    let first = publish(&c.vendor_rw, &shop, "1.0.0", "stable").await;
    assert_eq!(first["channel"], "stable");
    assert_eq!(first["sequence"], 1);
    assert_eq!(first["composeFile"], COMPOSE);
    assert!(first["chartUrl"].is_null());
    let second = c
        .vendor_rw
        .post(
            &format!("/applications/{shop}/versions"),
            json!({"name": "1.1.0", "composeFile": COMPOSE, "envTemplate": "PORT=8080\n"}),
        )
        .await
        .ok(201);
    assert_eq!(second["channel"], "stable", "stable when none is named");
    assert_eq!(second["sequence"], 2);

    let list = c
        .vendor_ro
        .get(&format!("/applications/{shop}/versions"))
        .await
        .ok(200);
    assert_eq!(sorted(&list, "name"), ["1.0.0", "1.1.0"]);
    let id = first["id"].as_str().unwrap();
    let path = format!("/applications/{shop}/versions/{id}");
    assert_eq!(c.vendor_ro.get(&path).await.ok(200), first);

    let archived = c
        .vendor_rw
        .patch(&path, json!({"archived": true}))
        .await
        .ok(200);
    assert!(archived["archivedAt"].is_string());
    assert_eq!(archived["composeFile"], COMPOSE);
    // Versions are immutable: anything but `archived` is refused by name.
    c.vendor_rw
        .patch(
            &path,
            json!({"archived": false, "composeFile": "services: {}"}),
        )
        .await
        .assert_error(400, "invalid", Some("composeFile"));
    c.vendor_rw
        .send("PUT", &path, Some(json!({"name": "1.0.1"})))
        .await
        .assert_error(405, "method_not_allowed", None);
    assert_eq!(c.vendor_ro.get(&path).await.ok(200), archived);

    // A Helm application's versions carry a chart.
    let charts = app(&c.vendor_admin, "Charts", "kubernetes").await;
    let helm = c
        .vendor_rw
        .post(
            &format!("/applications/{charts}/versions"),
            json!({"name": "2.0.0", "chartUrl": "oci://registry.example.com/charts/shop", "chartVersion": "2.0.0", "baseValues": "replicas: 2\n"}),
        )
        .await
        .ok(201);
    assert_eq!(helm["chartVersion"], "2.0.0");
    assert!(helm["composeFile"].is_null());
}

async fn channels_list_their_versions_and_take_a_minimum(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let shop = app(&c.vendor_admin, "Shop", "docker").await;
    publish(&c.vendor_rw, &shop, "1.0.0", "stable").await;
    let v11 = publish(&c.vendor_rw, &shop, "1.1.0", "stable").await;
    let beta = publish(&c.vendor_rw, &shop, "2.0.0-rc1", "beta").await;

    let channels = c
        .vendor_ro
        .get(&format!("/applications/{shop}/channels"))
        .await
        .ok(200);
    assert_eq!(sorted(&channels, "name"), ["beta", "stable"]);
    let stable_path = format!("/applications/{shop}/channels/stable");
    let stable = c.vendor_ro.get(&stable_path).await.ok(200);
    assert_eq!(stable["latestVersion"]["name"], "1.1.0");
    assert!(stable["minimumVersion"].is_null());

    let changed = c
        .vendor_rw
        .put(&stable_path, json!({"minimumVersionId": v11["id"]}))
        .await
        .ok(200);
    assert_eq!(changed["minimumVersion"]["name"], "1.1.0");
    assert_eq!(c.vendor_ro.get(&stable_path).await.ok(200), changed);

    c.vendor_rw
        .put(&stable_path, json!({"minimumVersionId": beta["id"]}))
        .await
        .assert_error(400, "invalid", Some("minimumVersionId"));
    c.vendor_rw
        .put(&stable_path, json!({"minimumVersion": "1.0.0"}))
        .await
        .assert_error(400, "invalid", Some("minimumVersion"));
    c.vendor_ro
        .put(&stable_path, json!({"minimumVersionId": null}))
        .await
        .assert_error(403, "forbidden", None);
    assert_eq!(c.vendor_ro.get(&stable_path).await.ok(200), changed);

    let cleared = c
        .vendor_rw
        .put(&stable_path, json!({"minimumVersionId": null}))
        .await
        .ok(200);
    assert!(cleared["minimumVersion"].is_null());
    c.vendor_ro
        .get(&format!("/applications/{shop}/channels/nightly"))
        .await
        .assert_error(404, "not_found", None);
    c.vendor_ro
        .get(&format!("/applications/{shop}/channels/Not_A_Channel"))
        .await
        .assert_error(400, "invalid", Some("channel"));
}

async fn each_bad_version_names_its_field_and_stores_nothing(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let shop = app(&c.vendor_admin, "Shop", "docker").await;
    publish(&c.vendor_rw, &shop, "1.0.0", "stable").await;
    let versions = format!("/applications/{shop}/versions");
    let before = c.vendor_rw.get(&versions).await.ok(200);
    let post = |body: Value| c.vendor_rw.post(&versions, body);

    let yaml =
        post(json!({"name": "1.1.0", "composeFile": "services:\n  web:\n    image: [nginx\n"}))
            .await;
    yaml.assert_error(400, "invalid", Some("composeFile"));
    let message = yaml.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("line") && message.contains("column"),
        "{message}"
    );
    post(json!({"name": "1.1.0", "composeFile": "version: \"3.8\"\n"}))
        .await
        .assert_error(400, "invalid", Some("composeFile"));
    post(json!({"name": "1.1.0", "composeFile": "services: {}\n"}))
        .await
        .assert_error(400, "invalid", Some("composeFile"));
    let imageless =
        post(json!({"name": "1.1.0", "composeFile": "services:\n  web:\n    build: .\n"})).await;
    imageless.assert_error(400, "invalid", Some("composeFile"));
    assert!(
        imageless.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("image")
    );
    post(json!({"name": "1.0.0", "composeFile": COMPOSE}))
        .await
        .assert_error(409, "conflict", Some("name"));
    post(json!({"name": "1.1.0"}))
        .await
        .assert_error(400, "invalid", Some("composeFile"));
    post(json!({"name": "1.1.0", "composeFile": COMPOSE, "chartUrl": "oci://r.example.com/c"}))
        .await
        .assert_error(400, "invalid", Some("chartUrl"));
    post(json!({"name": "1.1.0", "composeFile": COMPOSE, "composeFileData": "x"}))
        .await
        .assert_error(400, "invalid", Some("composeFileData"));
    post(json!({"name": "1.1 0", "composeFile": COMPOSE}))
        .await
        .assert_error(400, "invalid", Some("name"));
    post(json!({"name": "1.1.0", "channel": "Beta!", "composeFile": COMPOSE}))
        .await
        .assert_error(400, "invalid", Some("channel"));
    post(
        json!({"name": "1.1.0", "composeFile": COMPOSE, "linkTemplate": "ftp://shop.example.com"}),
    )
    .await
    .assert_error(400, "invalid", Some("linkTemplate"));
    assert_eq!(
        c.vendor_rw.get(&versions).await.ok(200),
        before,
        "nothing stored"
    );

    // The same for applications themselves.
    let apps_before = c.vendor_rw.get("/applications").await.ok(200);
    c.vendor_rw
        .post("/applications", json!({"name": "Shop", "type": "docker"}))
        .await
        .assert_error(409, "conflict", Some("name"));
    c.vendor_rw
        .post("/applications", json!({"name": "Swarm", "type": "swarm"}))
        .await
        .assert_error(400, "invalid", Some("type"));
    c.vendor_rw
        .post("/applications", json!({"name": "", "type": "docker"}))
        .await
        .assert_error(400, "invalid", Some("name"));
    c.vendor_rw
        .post(
            "/applications",
            json!({"name": "Logo", "type": "docker", "imageId": "x"}),
        )
        .await
        .assert_error(400, "invalid", Some("imageId"));
    c.vendor_rw
        .patch(&format!("/applications/{shop}"), json!({"archived": "yes"}))
        .await
        .assert_error(400, "invalid", Some("archived"));
    assert_eq!(c.vendor_rw.get("/applications").await.ok(200), apps_before);
}

async fn another_vendor_and_customers_cannot_touch_the_catalogue(hub: &TestHub) {
    let c = Callers::build(hub).await;
    let shop = app(&c.vendor_admin, "Shop", "docker").await;
    let version = publish(&c.vendor_rw, &shop, "1.0.0", "stable").await;
    let version_path = format!(
        "/applications/{shop}/versions/{}",
        version["id"].as_str().unwrap()
    );
    let app_path = format!("/applications/{shop}");

    for (who, caller) in [
        ("other vendor", &c.other_vendor),
        ("unlicensed customer", &c.customer_admin),
    ] {
        let answer = caller.get(&app_path).await;
        assert_eq!(answer.status, 404, "{who}: {}", answer.body);
        let answer = caller.get(&version_path).await;
        assert_eq!(answer.status, 404, "{who}: {}", answer.body);
    }
    assert_eq!(c.other_vendor.get("/applications").await.ok(200), json!([]));
    assert_eq!(
        c.customer_admin.get("/applications").await.ok(200),
        json!([])
    );
    c.other_vendor
        .put(&app_path, json!({"name": "Mine"}))
        .await
        .assert_error(404, "not_found", None);
    c.other_vendor
        .post(
            &format!("{app_path}/versions"),
            json!({"name": "9.9.9", "composeFile": COMPOSE}),
        )
        .await
        .assert_error(404, "not_found", None);

    for caller in [&c.customer_admin, &c.vendor_ro] {
        caller
            .post("/applications", json!({"name": "Mine", "type": "docker"}))
            .await
            .assert_error(403, "forbidden", None);
        caller
            .patch(&app_path, json!({"archived": true}))
            .await
            .assert_error(403, "forbidden", None);
        caller
            .post(
                &format!("{app_path}/versions"),
                json!({"name": "9.9.9", "composeFile": COMPOSE}),
            )
            .await
            .assert_error(403, "forbidden", None);
        caller
            .patch(&version_path, json!({"archived": true}))
            .await
            .assert_error(403, "forbidden", None);
    }
    let versions = c
        .vendor_ro
        .get(&format!("{app_path}/versions"))
        .await
        .ok(200);
    assert_eq!(sorted(&versions, "name"), ["1.0.0"]);
    assert!(c.vendor_ro.get(&app_path).await.ok(200)["archivedAt"].is_null());
}

on_both_hubs!(
    an_application_is_created_listed_fetched_renamed_and_archived,
    versions_are_published_listed_fetched_and_archived_but_never_edited,
    channels_list_their_versions_and_take_a_minimum,
    each_bad_version_names_its_field_and_stores_nothing,
    another_vendor_and_customers_cannot_touch_the_catalogue,
);

/// A session cookie for `actor`, for server functions.
async fn cookie_for(hub: &TestHub, actor: &service::auth::Actor) -> String {
    let token = service::testing::world::session(&hub.services, actor).await;
    format!("{}={token}", service::sessions::COOKIE_NAME)
}

/// What a request fired at the hub came back with: its status and body.
type Fired = tokio::task::JoinHandle<(String, u16, String)>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_or_huge_documents_are_refused_while_the_hub_keeps_answering() {
    let hub = TestHub::start(None, None).await;
    let c = Callers::build(&hub).await;
    let docker = app(&c.vendor_rw, "Shop", "docker").await;
    let helm = app(&c.vendor_rw, "Chart", "kubernetes").await;
    let cookie = cookie_for(&hub, &c.world.vendor_rw).await;
    let http = reqwest::Client::new();

    // Each of these used to keep the YAML parser busy for seconds on an async worker.
    let flow = format!("services: {}", "[".repeat(120_000));
    let mappings = format!("services: {}", "{a: ".repeat(50_000));
    let block: String = (0..300)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let mut fired: Vec<Fired> = Vec::new();
    let mut fire = |what: &str, request: reqwest::RequestBuilder| {
        let what = what.to_string();
        fired.push(tokio::spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (what, status, response.text().await.unwrap())
        }));
    };
    let versions = |app: &str| hub.url(&format!("/api/v1/applications/{app}/versions"));
    for (what, compose) in [("flow", &flow), ("mappings", &mappings), ("block", &block)] {
        fire(
            what,
            http.post(versions(&docker))
                .bearer_auth(c.vendor_rw.secret())
                .json(&json!({"name": "1.0", "composeFile": compose})),
        );
        fire(
            &format!("{what} through the server function"),
            http.post(hub.url("/_fn/publish_version"))
                .header("cookie", &cookie)
                .form(&[
                    ("application", docker.as_str()),
                    ("name", "1.0"),
                    ("channel", ""),
                    ("compose_file", compose.as_str()),
                ]),
        );
    }
    fire(
        "helm values",
        http.post(versions(&helm))
            .bearer_auth(c.vendor_rw.secret())
            .json(&json!({
                "name": "1.0",
                "chartUrl": "oci://registry.example.com/charts/shop",
                "chartVersion": "1.0.0",
                "baseValues": flow,
            })),
    );
    fire(
        "a deep JSON body",
        http.post(versions(&docker))
            .bearer_auth(c.vendor_rw.secret())
            .header("content-type", "application/json")
            .body("[".repeat(500_000)),
    );
    let large = format!(
        "services:\n  web:\n    image: x\n#{}\n",
        "x".repeat(1024 * 1024)
    );
    fire(
        "a large compose file",
        http.post(versions(&docker))
            .bearer_auth(c.vendor_rw.secret())
            .json(&json!({"name": "1.0", "composeFile": large})),
    );
    fire(
        "a body over the limit",
        http.post(versions(&docker))
            .bearer_auth(c.vendor_rw.secret())
            .json(&json!({"name": "1.0", "composeFile": "x".repeat(3 * 1024 * 1024)})),
    );

    // Meanwhile the hub answers at once.
    let mut slowest = std::time::Duration::ZERO;
    while fired.iter().any(|f| !f.is_finished()) {
        let started = std::time::Instant::now();
        let ready = http.get(hub.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        slowest < std::time::Duration::from_millis(100),
        "/readyz took {slowest:?}"
    );

    for f in fired {
        let (what, status, body) = f.await.unwrap();
        let expected = match what.as_str() {
            "a body over the limit" => (413, "larger than this hub accepts"),
            "a large compose file" => (400, "larger than 256 KiB"),
            _ => (400, "deeper than 64 levels"),
        };
        assert!(body.contains(expected.1), "{what}: {status} {body}");
        // Server functions answer with their own statuses (a separate change); the REST
        // API's are checked here.
        if !what.ends_with("server function") {
            assert_eq!(status, expected.0, "{what}: {body}");
        }
    }
    let listed = c
        .vendor_rw
        .get(&format!("/applications/{docker}/versions"))
        .await
        .ok(200);
    assert_eq!(listed, json!([]));
    hub.stop().await;
}
