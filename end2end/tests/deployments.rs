//! The whole system: the hub, a real `consign-agent` process, this machine's Docker engine and
//! a real browser. A vendor creates a target for a customer in the portal and reads its install
//! command; the agent enrols with the secret the page showed; the vendor deploys a licensed
//! version through the portal and, in the open deployment page, sees `healthy` arrive without a
//! reload; updates it; restarts the hub (same data) and sees the agent back and the deployment
//! still healthy; freezes the agent until the hub drops it, restarts the deployment meanwhile,
//! resumes it and sees nothing lost; undeploys and finds no container left.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use consign_test_support::agents::agent_command;
use consign_test_support::apps::NewApplication;
use consign_test_support::hub::free_port;
use consign_test_support::{agent_binary, docker};
use serde_json::Value;
use service::testing::world::{PASSWORD, vendor};
use types::OrganizationName;

/// A compose file serving HTTP from the imported busybox image, with a healthcheck.
fn compose(image: &str, release: &str) -> String {
    format!(
        r#"services:
  web:
    image: {image}
    command: ["sh", "-c", "echo started $$GREETING; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    labels:
      consign.test.release: "{release}"
    environment:
      GREETING: ${{GREETING}}
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 10
"#
    )
}

async fn js(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

/// The page has not been loaded again since `window.__marker` was set.
async fn assert_not_reloaded(browser: &Browser) {
    assert_eq!(
        js(browser, "return window.__marker || 0;").await,
        Value::from(1),
        "the page was reloaded"
    );
}

/// The states of the status history, oldest first (with their times).
async fn history(browser: &Browser) -> Vec<String> {
    let value = js(
        browser,
        "return Array.from(document.querySelectorAll('#status-history li')).map(li => li.innerText.replace(/\\s+/g, ' ').trim()).reverse();",
    )
    .await;
    serde_json::from_value(value).unwrap()
}

fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {sig} {pid}");
}

/// The hub on a fixed port and data directory, so it can be restarted in place.
async fn start_hub(port: u16, data_dir: &Path) -> hub::TestHub {
    let data_dir = data_dir.to_path_buf();
    hub::start_with(move |s| {
        s.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        s.data_dir = data_dir;
        s.agent_heartbeat_secs = 2;
    })
    .await
}

/// The vendor Acme (ada@acme.test) with the customer Globex, licensed to the application
/// "Shop", versions 1.0 and 2.0 of [`compose`] on `image`.
async fn seed_a_licensed_shop(hub: &hub::TestHub, image: &str) {
    let admin = vendor(&hub.services, "Acme Software", "ada@acme.test").await;
    let globex = service::customers::create(
        &hub.services,
        &admin,
        OrganizationName::parse("Globex").unwrap(),
    )
    .await
    .unwrap();
    let env = "GREETING=hello\nPORT=8080\n";
    NewApplication::named("Shop")
        .link_template("http://127.0.0.1:{{ env.PORT }}/")
        .version_with("1.0", "stable", &compose(image, "1.0"), Some(env))
        .version_with("2.0", "stable", &compose(image, "2.0"), Some(env))
        .licensed_to(globex.id)
        .create(hub, &admin)
        .await;
}

/// The target the vendor created in the portal, as its install command names it.
struct NewTarget {
    id: String,
    secret: String,
    /// The CSS selector of its row in the targets list.
    row: String,
}

/// Signs in as the vendor and creates a target for Globex; the page shows its install
/// command once, and the list shows the target offline.
async fn create_a_target_in_the_portal(browser: &Browser, base: &str) -> NewTarget {
    let c = &browser.client;
    c.goto(&format!("{base}/")).await.unwrap();
    browser.wait_hydrated().await;
    browser.fill("#email", "ada@acme.test").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    browser.wait_for("#welcome").await;

    c.goto(&format!("{base}/targets")).await.unwrap();
    browser.wait_hydrated().await;
    browser.wait_for("#no-targets").await;
    browser.fill("#target-name", "edge-1").await;
    browser.click("#create-target").await;
    let command = browser.value("#install-command").await;
    assert!(
        command.starts_with(&format!("curl -fsSL {base}/agent/install.sh | ")),
        "{command}"
    );
    let var = |name: &str| {
        command
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_string()
    };
    let (id, secret) = (var("CONSIGN_TARGET_ID"), var("CONSIGN_ENROLMENT_SECRET"));
    let row = format!("#target-list li[data-target-id='{id}']");
    browser
        .wait_until_within(
            Duration::from_secs(90),
            &format!("document.querySelector(\"{row}\")"),
        )
        .await;
    let listed = browser.text(&row).await;
    assert!(
        listed.contains("Globex") && listed.contains("offline"),
        "{listed}"
    );
    NewTarget { id, secret, row }
}

/// Starts the real agent with the secret the page showed; the open page sees it online.
async fn the_agent_enrols_and_the_page_sees_it_online(
    browser: &Browser,
    base: &str,
    target: &NewTarget,
    state: &Path,
) -> tokio::process::Child {
    js(browser, "window.__marker = 1; return 0;").await;
    let agent = agent_command(
        &agent_binary(),
        base,
        target.id.parse().unwrap(),
        &target.secret,
        state,
    )
    .spawn()
    .unwrap();
    browser
        .wait_until_within(
            Duration::from_secs(180),
            &format!(
                "document.querySelector(\"{} [data-state='online']\")",
                target.row
            ),
        )
        .await;
    assert_not_reloaded(browser).await;
    agent
}

/// The selector script that holds once the deployment's page shows `healthy`.
const HEALTHY: &str = "document.querySelector('#deployment-state[data-state=\"healthy\"]')";

/// Deploys 1.0 through the portal, with logs; `healthy` and the logs arrive in the open page
/// without a reload. Returns the deployment's Compose project.
async fn deploy_1_0_and_see_it_healthy_live(browser: &Browser, target: &NewTarget) -> String {
    let c = &browser.client;
    browser
        .click(&format!("{} a[data-deploy-link]", target.row))
        .await;
    browser.wait_hydrated().await;
    let env = browser
        .wait_for("#deploy-env")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(
        env.contains("GREETING=hello"),
        "pre-filled from the template: {env}"
    );
    browser
        .click("#deploy-version option[data-version='1.0']")
        .await;
    browser.click("#deploy-logs").await;
    browser.click("#deploy").await;
    browser.wait_for("#deployment").await;
    browser.wait_hydrated().await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/deployments/"),
        "the deploy form leads to the deployment's page"
    );
    let project = browser.text("#deployment-project").await;

    js(browser, "window.__marker = 1; return 0;").await;
    browser
        .wait_until_within(Duration::from_secs(180), HEALTHY)
        .await;
    assert_not_reloaded(browser).await;
    assert_eq!(browser.text("#deployment-version").await, "1.0");
    let link = browser
        .wait_for("#open-application")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link, "http://127.0.0.1:8080/");
    browser
        .wait_until_within(
            Duration::from_secs(180),
            "(document.querySelector('#deployment-logs') || {}).innerText && document.querySelector('#deployment-logs').innerText.includes('started hello')",
        )
        .await;
    project
}

/// Updates to 2.0: healthy on the new revision, still without a reload, and the containers
/// run the new release.
async fn update_to_2_0_and_see_the_new_revision_healthy(browser: &Browser, project: &str) {
    let first_revision = browser.text("#deployment-revision").await;
    browser.click("#update-open").await;
    browser
        .click("#update-version option[data-version='2.0']")
        .await;
    browser.click("#update").await;
    browser
        .wait_until_within(
            Duration::from_secs(90),
            "document.querySelector('#deployment-version').innerText === '2.0'",
        )
        .await;
    let second_revision = browser.text("#deployment-revision").await;
    assert_ne!(first_revision, second_revision);
    let rev = second_revision[..8].to_string();
    browser
        .wait_until_within(
            Duration::from_secs(180),
            &format!(
                "{HEALTHY} && document.querySelector('#status-history li').innerText.includes('{rev}')"
            ),
        )
        .await;
    assert_not_reloaded(browser).await;
    let release = docker::output(std::process::Command::new("docker").args([
        "ps",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
        "--format",
        "{{.Label \"consign.test.release\"}}",
    ]));
    assert_eq!(release.trim(), "2.0");
}

/// The hub of a test that restarts it: stopped and started again on the same port and data.
struct RestartableHub {
    slot: tokio::sync::Mutex<Option<hub::TestHub>>,
    port: u16,
    data_dir: std::path::PathBuf,
}

/// Restarts the hub in place: the agent and the open page come back by themselves, the
/// deployment is still healthy and its history is kept.
async fn restart_the_hub_and_see_everything_come_back(
    browser: &Browser,
    hub: &RestartableHub,
    target: &NewTarget,
) {
    let before_restart = history(browser).await;
    let old = hub.slot.lock().await.take().unwrap();
    old.stop().await;
    let second = start_hub(hub.port, &hub.data_dir).await;
    let services = second.services.clone();
    *hub.slot.lock().await = Some(second);
    let target: types::DeploymentTargetId = target.id.parse().unwrap();
    let started = std::time::Instant::now();
    while services.agents.presence(target).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the agent did not come back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_presence(browser, "online").await;
    browser
        .wait_until_within(Duration::from_secs(180), HEALTHY)
        .await;
    assert_not_reloaded(browser).await;
    let after_restart = history(browser).await;
    assert!(
        after_restart.starts_with(&before_restart),
        "history kept across the restart:\nbefore {before_restart:?}\nafter {after_restart:?}"
    );
}

/// Cuts the connection: freezes the agent until the hub drops it (three heartbeats of 2 s),
/// restarts the deployment meanwhile, then lets the agent go on; the restart is applied and
/// the status history has no gap.
async fn cut_the_connection_and_restart_the_deployment_meanwhile(browser: &Browser, pid: u32) {
    signal(pid, "-STOP");
    wait_presence(browser, "offline").await;
    let before_cut = history(browser).await;
    browser.click("#restart-open").await;
    browser.click("#restart").await;
    browser
        .wait_until_within(
            Duration::from_secs(90),
            "document.querySelector('#deployment-revision').innerText.includes('(restart 1)')",
        )
        .await;
    let restarted = browser.text("#deployment-revision").await[..8].to_string();
    signal(pid, "-CONT");
    wait_presence(browser, "online").await;
    browser
        .wait_until_within(
            Duration::from_secs(180),
            &format!(
                "{HEALTHY} && document.querySelector('#status-history li').innerText.includes('{restarted}')"
            ),
        )
        .await;
    assert_not_reloaded(browser).await;
    let after_cut = history(browser).await;
    assert!(
        after_cut.starts_with(&before_cut),
        "status history continuous:\nbefore {before_cut:?}\nafter {after_cut:?}"
    );
}

/// Undeploys, deleting the data: the page says so and no container is left.
async fn undeploy_and_find_no_container_left(browser: &Browser, project: &str) {
    browser.click("#undeploy-open").await;
    browser.click("#undeploy-delete-data").await;
    browser.click("#undeploy").await;
    browser
        .wait_until_within(
            Duration::from_secs(240),
            "document.querySelector('#undeployed')",
        )
        .await;
    assert_not_reloaded(browser).await;
    let left = docker::containers_of(project);
    assert!(left.is_empty(), "containers left: {left}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_made_in_the_portal_turns_healthy_live_and_survives_hub_restarts_and_cuts() {
    let image = docker::TestImage::build();
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let port = free_port();
    let first = start_hub(port, &data_dir).await;
    seed_a_licensed_shop(&first, &image.tag).await;
    let base = first.url("");
    let hub = std::sync::Arc::new(RestartableHub {
        slot: tokio::sync::Mutex::new(Some(first)),
        port,
        data_dir,
    });
    let agent_state = tempfile::tempdir().unwrap();
    let project_guard: std::sync::Arc<std::sync::Mutex<Option<docker::ProjectGuard>>> =
        std::sync::Arc::default();

    let restartable = hub.clone();
    let guard_slot = project_guard.clone();
    with_browser(|browser| async move {
        let target = create_a_target_in_the_portal(&browser, &base).await;
        let mut agent = the_agent_enrols_and_the_page_sees_it_online(
            &browser,
            &base,
            &target,
            agent_state.path(),
        )
        .await;
        let project = deploy_1_0_and_see_it_healthy_live(&browser, &target).await;
        *guard_slot.lock().unwrap() = Some(docker::ProjectGuard(project.clone()));
        update_to_2_0_and_see_the_new_revision_healthy(&browser, &project).await;
        restart_the_hub_and_see_everything_come_back(&browser, &restartable, &target).await;
        cut_the_connection_and_restart_the_deployment_meanwhile(&browser, agent.id().unwrap())
            .await;
        undeploy_and_find_no_container_left(&browser, &project).await;
        agent.start_kill().unwrap();
        let _ = agent.wait().await;
    })
    .await;
    drop(project_guard);
    if let Some(hub) = hub.slot.lock().await.take() {
        hub.stop().await;
    }
}

/// Waits (up to 180 s) until the target's presence badge shows `state` (`online`, `offline`).
async fn wait_presence(browser: &Browser, state: &str) {
    browser
        .wait_until_within(
            Duration::from_secs(180),
            &format!("document.querySelector('#target-presence [data-state=\"{state}\"]')"),
        )
        .await;
}
