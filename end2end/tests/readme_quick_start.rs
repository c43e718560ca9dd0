//! The README's quick start, step by step as it is worded, on a fresh data directory: a hub
//! started as `cargo xtask run` starts it (the built hub serving the built agent), a vendor
//! account made in the browser, a personal access token from the Tokens page, `cargo xtask
//! sample` with that token (the built xtask binary), a target for *Sample customer* whose
//! install command runs here as written, a deploy through the portal, the deployment turning
//! `healthy` in the open page and the sample answering HTTP on port 18080.
//!
//! Each step first checks that the README still says it, so a README that changes fails here
//! until this test follows it.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use consign_end2end::browser::with_browser;
use consign_end2end::hub;
use consign_test_support::{agent_binary, docker};

const README: &str = include_str!("../../README.md");
/// The port the sample publishes, as the README says.
const SAMPLE_PORT: u16 = 18080;

/// The README's quick start section.
fn quick_start() -> &'static str {
    let start = README
        .find("### Quick start")
        .expect("README has a quick start");
    let rest = &README[start..];
    let end = rest[3..].find("\n#").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// Fails unless the quick start still says `words` (whitespace-insensitive).
fn readme_says(words: &str) {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squash(quick_start()).contains(&squash(words)),
        "the README's quick start no longer says {words:?}: update this test with it"
    );
}

/// The xtask binary the test build made next to the agent.
fn xtask_binary() -> PathBuf {
    let agent = agent_binary();
    let xtask = agent.with_file_name("xtask");
    assert!(
        xtask.is_file(),
        "{} is missing: build it with `cargo build -p xtask` (cargo xtask test does)",
        xtask.display()
    );
    xtask
}

/// Kills the install command's process group (the agent runs in it) when the test ends.
struct Group(u32);

impl Drop for Group {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0)])
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_quick_start_ends_with_the_sample_healthy_and_answering() {
    // Step 1: `cargo xtask run` starts the built hub on a fresh ./data, serving the built agent.
    readme_says("`cargo xtask run` and open http://127.0.0.1:8080/");
    readme_says("choose **Create a vendor account**");
    let data = tempfile::tempdir().unwrap();
    let agent = agent_binary();
    let data_dir = data.path().to_path_buf();
    let hub = hub::start_with(move |s| {
        s.data_dir = data_dir;
        s.agent_binary = Some(agent);
    })
    .await;
    let base = hub.url("");
    let work = tempfile::tempdir().unwrap();
    let guard: std::sync::Arc<std::sync::Mutex<Vec<Box<dyn Send>>>> = std::sync::Arc::default();
    let held = guard.clone();

    with_browser(|browser| async move {
        let c = &browser.client;
        c.goto(&format!("{base}/")).await.unwrap();
        browser.wait_hydrated().await;
        browser.click("#signup-link").await;
        browser.wait_hydrated().await;
        browser.fill("#signup-organization", "Acme Software").await;
        browser.fill("#signup-name", "Ada Vendor").await;
        browser.fill("#signup-email", "ada@acme.test").await;
        browser
            .fill("#signup-password", "a long enough password")
            .await;
        browser.click("#signup-submit").await;
        browser.wait_for("#welcome").await;

        // Step 2: a token on the Tokens page, then `cargo xtask sample --token <token>`.
        readme_says("**Tokens** → create a personal access token");
        readme_says("`cargo xtask sample --token <token>`");
        c.goto(&format!("{base}/tokens")).await.unwrap();
        browser.wait_hydrated().await;
        browser.fill("#token-label", "sample").await;
        browser.click("#token-create").await;
        let token = browser
            .wait_for("#token-secret")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        let sample = tokio::process::Command::new(xtask_binary())
            .args(["sample", "--hub", &base, "--token", &token])
            .output()
            .await
            .unwrap();
        let said = String::from_utf8_lossy(&sample.stdout).into_owned();
        assert!(
            sample.status.success(),
            "cargo xtask sample failed:\n{said}{}",
            String::from_utf8_lossy(&sample.stderr)
        );
        let image = said
            .lines()
            .find_map(|l| {
                l.split_whitespace()
                    .map(|w| w.trim_end_matches(':'))
                    .find(|w| w.ends_with("/sample-web:1.0.0"))
            })
            .unwrap_or_else(|| panic!("the sample names its image: {said}"))
            .to_string();
        held.lock().unwrap().push(Box::new(ImageGuard(image)));

        // Step 3: a target for Sample customer; its install command runs here as written.
        readme_says("**Targets** → name a target, choose the customer *Sample customer*");
        readme_says("run it on a host with Docker");
        c.goto(&format!("{base}/targets")).await.unwrap();
        browser.wait_hydrated().await;
        browser.fill("#target-name", "my-laptop").await;
        let option = browser
            .client
            .find(fantoccini::Locator::XPath(
                "//select[@id='target-customer']/option[normalize-space(.)='Sample customer']",
            ))
            .await
            .unwrap();
        option.click().await.unwrap();
        browser.click("#create-target").await;
        let command = browser.value("#install-command").await;
        // The command as the page shows it; where it installs is the script's documented
        // setting, so the test leaves this machine's /usr/local/bin alone, and it keeps the
        // agent in the foreground so the test owns its process.
        let mut install = tokio::process::Command::new("sh");
        install
            .arg("-c")
            .arg(&command)
            .env("CONSIGN_INSTALL_DIR", work.path().join("bin"))
            .env("CONSIGN_AGENT_STATE_DIR", work.path().join("state"))
            .env("CONSIGN_FOREGROUND", "1")
            .env("CONSIGN_BACKOFF_CAP_SECS", "2")
            .process_group(0)
            .kill_on_drop(true);
        let child = install.spawn().unwrap();
        held.lock()
            .unwrap()
            .push(Box::new(Group(child.id().unwrap())));
        held.lock().unwrap().push(Box::new(child));
        let row = "#target-list li";
        browser
            .wait_until_within(
                Duration::from_secs(240),
                &format!("document.querySelector(\"{row} [data-state='online']\")"),
            )
            .await;

        // Step 4: Deploy… → Sample web app 1.0.0 → Deploy; healthy, and the sample answers.
        readme_says("**Deploy…** on the target's row → pick *Sample web app 1.0.0* → **Deploy**");
        readme_says("http://127.0.0.1:18080/ answers");
        browser.click(&format!("{row} a[data-deploy-link]")).await;
        browser.wait_hydrated().await;
        browser
            .click("#deploy-version option[data-version='1.0.0']")
            .await;
        browser.click("#deploy").await;
        browser.wait_for("#deployment").await;
        browser.wait_hydrated().await;
        let project = browser.text("#deployment-project").await;
        held.lock()
            .unwrap()
            .push(Box::new(docker::ProjectGuard(project)));
        browser
            .wait_until_within(
                Duration::from_secs(300),
                "document.querySelector('#deployment-state[data-state=\"healthy\"]')",
            )
            .await;
        let page = reqwest::get(format!("http://127.0.0.1:{SAMPLE_PORT}/"))
            .await
            .unwrap();
        assert!(page.status().is_success(), "{}", page.status());
        let body = page.text().await.unwrap();
        assert!(!body.trim().is_empty(), "the sample answers with a page");
        browser.assert_console_clean("the quick start").await;
    })
    .await;
    drop(guard);
    hub.stop().await;
}

/// Removes the image the sample built, and its copy pulled by the agent.
struct ImageGuard(String);

impl Drop for ImageGuard {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["rmi", "-f", &self.0])
            .output();
    }
}
