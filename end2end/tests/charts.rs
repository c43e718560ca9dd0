//! Charts in a real browser: a target's CPU and memory are in the server's HTML as an SVG with
//! an accessible name (so they show without JavaScript); once the page has hydrated, a metrics
//! sample recorded the way the agent's reports are redraws them without a reload, on the target
//! page and on a deployment's page. The application page charts which versions run, its
//! version names (user input) shown as text, never markup.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub::{self, TestHub};
use consign_test_support::apps::{NewApplication, deploy, web_compose};
use serde_json::Value;
use service::testing::world::{PASSWORD, session, vendor};
use types::DeploymentTargetId;
use types::protocol::HostMetrics;

/// A version name that would be markup if it were not escaped (version names allow quotes and
/// angle brackets, not spaces).
const VERSION: &str = r#"1.0"'<b>x"#;

const GIB: u64 = 1 << 30;

/// Records a sample through the service call the agent's websocket handler makes.
async fn report(hub: &TestHub, target: DeploymentTargetId, cpu: f32, at: chrono::DateTime<Utc>) {
    service::agent_session::record_metrics(
        &hub.services,
        target,
        HostMetrics {
            cpu_percent: cpu,
            cpu_cores: 4,
            memory_used_bytes: 3 * GIB / 2,
            memory_total_bytes: 4 * GIB,
            at,
        },
    )
    .await
    .unwrap();
}

/// The page as the server renders it for the session `token`, no JavaScript involved.
async fn server_html(url: &str, token: &str) -> String {
    let answer = reqwest::Client::new()
        .get(url)
        .header(
            "cookie",
            format!("{}={token}", service::sessions::COOKIE_NAME),
        )
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{url}: {}", answer.status());
    answer.text().await.unwrap()
}

async fn js(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

async fn points(browser: &Browser, chart: &str) -> String {
    browser
        .wait_for(chart)
        .await
        .attr("data-points")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_charts_are_server_rendered_and_follow_new_samples_without_a_reload() {
    let hub = hub::start().await;
    let admin = vendor(&hub.services, "Acme Software", "ada@acme.test").await;
    let target = service::targets::create(&hub.services, &admin, "edge-1", None, Utc::now())
        .await
        .unwrap()
        .target
        .id;
    let app = NewApplication::named("Shop")
        .version(VERSION, &web_compose("registry.example.com/shop:1"))
        .create(&hub, &admin)
        .await;
    let deployment = deploy(&hub, &admin, target, app.id, app.versions[0]).await;
    let token = session(&hub.services, &admin).await;
    let target_page = hub.url(&format!("/targets/{target}"));
    let deployment_page = hub.url(&format!("/deployments/{}", deployment.id));
    let application_page = hub.url(&format!("/applications/{}", app.id));

    // Before the agent reported anything: the empty state, in words.
    let html = server_html(&target_page, &token).await;
    assert!(
        html.contains("No metrics yet: the agent reports every 30 seconds once it is connected."),
        "{html}"
    );

    let now = Utc::now();
    report(&hub, target, 12.0, now - Duration::seconds(60)).await;
    report(&hub, target, 20.0, now - Duration::seconds(30)).await;

    // Without JavaScript: the charts are in the HTML, as SVG named for assistive technology,
    // with the numbers in words beside them.
    for page in [&target_page, &deployment_page] {
        let html = server_html(page, &token).await;
        for expected in [
            r#"id="host-cpu-chart""#,
            r#"id="host-memory-chart""#,
            r#"data-points="2""#,
            r#"role="img" aria-label="CPU use over the last minute, in percent of 4 cores""#,
            "<svg width=\"100%\" viewBox=",
            "CPU now 20 % of 4 cores",
            "Memory now 1.5 GiB used of 4 GiB.",
        ] {
            assert!(html.contains(expected), "{page} lacks {expected}:\n{html}");
        }
    }

    let shared = &hub;
    with_browser(|browser| async move {
        let hub = shared;
        let c = &browser.client;
        c.goto(&hub.url("/")).await.unwrap();
        browser.wait_hydrated().await;
        browser.fill("#email", "ada@acme.test").await;
        browser.fill("#password", PASSWORD).await;
        browser.click("#sign-in").await;
        browser.wait_for("#welcome").await;

        // The target page: hydrated with a clean console, then a new sample redraws the
        // charts in place.
        let errors = browser.open_hydrated(&target_page).await;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(points(&browser, "#host-cpu-chart").await, "2");
        js(&browser, "window.__marker = 1;").await;
        report(hub, target, 77.0, Utc::now()).await;
        browser
            .wait_until("document.querySelector('#host-cpu-chart')?.dataset.points === '3'")
            .await;
        let summary = browser.text("#host-cpu-chart [data-role=summary]").await;
        assert!(summary.starts_with("CPU now 77 % of 4 cores"), "{summary}");
        assert!(
            js(&browser, "return document.querySelectorAll('#host-cpu-chart svg polyline').length;")
                .await
                .as_u64()
                .unwrap()
                >= 1
        );
        assert_eq!(js(&browser, "return window.__marker;").await, Value::from(1));

        // The deployment page names its target's charts once it knows the target: the same.
        let errors = browser.open_hydrated(&deployment_page).await;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(points(&browser, "#host-memory-chart").await, "3");
        js(&browser, "window.__marker = 2;").await;
        report(hub, target, 5.0, Utc::now()).await;
        browser
            .wait_until("document.querySelector('#host-memory-chart')?.dataset.points === '4'")
            .await;
        let summary = browser.text("#host-summary").await;
        assert!(summary.starts_with("CPU now 5 %, memory 1.5 GiB of 4 GiB"), "{summary}");
        assert_eq!(js(&browser, "return window.__marker;").await, Value::from(2));

        // The application page: one live deployment on the hostile version, shown as text.
        let errors = browser.open_hydrated(&application_page).await;
        assert!(errors.is_empty(), "{errors:?}");
        browser.wait_for("#version-spread-chart svg").await;
        assert_eq!(points(&browser, "#version-spread-chart").await, "1");
        let injected = js(
            &browser,
            "return document.querySelectorAll('#version-spread-chart b, #version-spread-chart script').length;",
        )
        .await;
        assert_eq!(injected, Value::from(0));
        let labels = js(
            &browser,
            "return Array.from(document.querySelectorAll('#version-spread-chart svg text')).map(t => t.textContent.trim());",
        )
        .await;
        assert!(
            labels.as_array().unwrap().iter().any(|l| l == VERSION),
            "{labels}"
        );
        let summary = browser.text("#version-spread-chart [data-role=summary]").await;
        assert_eq!(summary, format!("1 live deployment: 1 on {VERSION}."));
        browser.assert_console_clean("the application page").await;
    })
    .await;
    hub.stop().await;
}
