//! The hub over real HTTP on 127.0.0.1:0: probes, server-side rendering, no-JavaScript forms,
//! graceful shutdown, and both databases.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use consign_server::Settings;
use consign_server::testing::TestHub;
use service::accounts::{self, NewUser};
use service::testing::{Backend, TestDb};
use types::Email;

async fn start(database_url: Option<String>) -> TestHub {
    TestHub::start(database_url, None).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn seed_user(services: &service::Services) {
    accounts::register(
        services,
        NewUser {
            email: Email::parse("ada@example.com").unwrap(),
            name: "Ada Vendor".into(),
            password: "a long enough password".into(),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn probes_answer_and_readiness_checks_the_database() {
    let hub = start(None).await;
    let health: serde_json::Value = client()
        .get(hub.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = client().get(hub.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["database"],
        "ok"
    );

    // With the database gone, readiness says so (and health still answers).
    hub.services.close().await.unwrap();
    let ready = client().get(hub.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(
        client()
            .get(hub.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    hub.stop().await;
}

#[tokio::test]
async fn the_home_page_is_a_server_rendered_sign_in_page_that_loads_the_bundle() {
    let hub = start(None).await;
    let response = client().get(hub.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for expected in [
        "<title>Consign</title>",
        "/pkg/consign.css",
        "/pkg/consign.js",
        "consign_bg.wasm",
        "id=\"sign-in-form\"",
        "action=\"/_fn/sign_in\"",
        "name=\"email\"",
        "name=\"password\"",
        "Vendor portal",
    ] {
        assert!(
            html.contains(expected),
            "{expected:?} missing from the page:\n{html}"
        );
    }
    let portal = client()
        .get(hub.url("/portal"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(portal.contains("Customer portal") && portal.contains("data-portal=\"customer\""));
    hub.stop().await;
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let hub = start(None).await;
    let response = client()
        .get(hub.url("/api/v1/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    hub.stop().await;
}

#[tokio::test]
async fn an_unknown_path_is_a_404_page() {
    let hub = start(None).await;
    let response = client().get(hub.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
    hub.stop().await;
}

#[tokio::test]
async fn signing_in_works_without_javascript() {
    let hub = start(None).await;
    seed_user(&hub.services).await;
    let post = |password: &'static str| {
        client()
            .post(hub.url("/_fn/sign_in"))
            .header("accept", "text/html")
            .header("referer", hub.url("/"))
            .form(&[
                ("email", "ada@example.com"),
                ("password", password),
                ("next", "/"),
            ])
            .send()
    };

    let wrong = post("not the password").await.unwrap();
    assert!(wrong.status().is_redirection(), "{}", wrong.status());
    assert!(wrong.headers().get("set-cookie").is_none());

    let right = post("a long enough password").await.unwrap();
    assert!(right.status().is_redirection(), "{}", right.status());
    assert_eq!(right.headers()["location"], "/");
    let cookie = right.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["consign_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http must not set Secure: {cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let home = client()
        .get(hub.url("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert!(home.text().await.unwrap().contains("Welcome, Ada Vendor"));

    let out = client()
        .post(hub.url("/_fn/sign_out"))
        .header("accept", "text/html")
        .header("cookie", &session)
        .form(&[("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(out.status().is_redirection());
    let home = client()
        .get(hub.url("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let html = home.text().await.unwrap();
    assert!(
        html.contains("id=\"sign-in-form\"") && !html.contains("Welcome"),
        "the session must end"
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_failed_sign_in_gives_one_generic_message_for_every_cause() {
    let hub = start(None).await;
    seed_user(&hub.services).await;
    let mut bodies = Vec::new();
    for (email, password) in [
        ("ada@example.com", "wrong password"),
        ("nobody@example.com", "x"),
        ("not-an-email", "x"),
    ] {
        let response = client()
            .post(hub.url("/_fn/sign_in"))
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_server_error() || response.status().is_client_error());
        bodies.push(response.text().await.unwrap());
    }
    assert!(bodies[0].contains("InvalidCredentials"), "{}", bodies[0]);
    assert!(bodies.iter().all(|b| b == &bodies[0]), "{bodies:?}");
    hub.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_and_run_returns() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: dir.path().join("data"),
        site_root: dir.path().join("site"),
        ..Settings::default()
    };
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(consign_server::run(settings, listener, async move {
        let _ = stopped.await;
    }));
    // Wait until it serves, then ask it to stop.
    let mut ready = false;
    for _ in 0..100 {
        if let Ok(r) = client()
            .get(format!("http://{address}/readyz"))
            .send()
            .await
            && r.status() == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready, "the hub never became ready");
    assert!(
        dir.path().join("data").join("consign.db").is_file(),
        "SQLite file under the data dir"
    );
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("run() must return after shutdown")
        .unwrap()
        .unwrap();
    assert!(
        client()
            .get(format!("http://{address}/healthz"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_hub_runs_on_postgresql_too() {
    let db = TestDb::new(Backend::Postgres).await;
    let hub = start(Some(db.url.clone())).await;
    assert_eq!(
        client()
            .get(hub.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    seed_user(&hub.services).await;
    let response = client()
        .post(hub.url("/_fn/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("email", "ada@example.com"),
            ("password", "a long enough password"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("set-cookie").is_some());
    hub.stop().await;
    db.close().await;
}

#[test]
fn the_binary_explains_its_settings_and_names_a_bad_one() {
    let bin = env!("CARGO_BIN_EXE_consign-server");
    let help = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for setting in [
        "CONSIGN_LISTEN",
        "CONSIGN_DATA_DIR",
        "DATABASE_URL",
        "--config",
    ] {
        assert!(
            text.contains(setting),
            "{setting} missing from --help:\n{text}"
        );
    }
    let bad = std::process::Command::new(bin)
        .env("CONSIGN_LISTEN", "nowhere")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("CONSIGN_LISTEN"));
}
