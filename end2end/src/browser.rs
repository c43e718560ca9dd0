//! Headless chromium through chromedriver, with a fresh profile per test.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A browser session; [`Browser::close`] ends it and stops chromedriver.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless chromium session.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver not found: install Debian's chromium-driver (cargo xtask setup --test)");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium_binary(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        // Keeps the console's messages for [`Browser::console_errors`].
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        _profile: profile,
                    };
                }
                Err(err) => last_error = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not open a chromium session through chromedriver: {last_error}");
    }

    /// Waits (up to 60 s) for an element matching the CSS selector.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("{css} did not appear: {e}\n{}", self.page_summary().await),
        }
    }

    /// Waits for the element matching the CSS selector and returns its text as rendered.
    ///
    /// A live page may replace the element between finding and reading it (a status
    /// update re-renders it); the read is then retried on the new element.
    pub async fn text(&self, css: &str) -> String {
        let mut attempts = 0;
        loop {
            match self.wait_for(css).await.text().await {
                Ok(text) => return text,
                Err(e) if is_stale(&e) && attempts < STALE_RETRIES => attempts += 1,
                Err(e) => panic!("cannot read the text of {css}: {e}"),
            }
        }
    }

    /// Waits for the form field matching the CSS selector and returns its current value,
    /// retrying like [`Browser::text`] when a re-render replaced the field.
    pub async fn value(&self, css: &str) -> String {
        let mut attempts = 0;
        loop {
            match self.wait_for(css).await.prop("value").await {
                Ok(Some(value)) => return value,
                Err(e) if is_stale(&e) && attempts < STALE_RETRIES => attempts += 1,
                other => panic!("{css} has no value: {other:?}"),
            }
        }
    }

    /// The current URL and the start of the page's text, for failure messages.
    pub async fn page_summary(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText.slice(0, 1500) : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        format!("page {url}:\n{text}")
    }

    /// Clears the field matching `css` (once it appears) and types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.expect("the field clears");
        field
            .send_keys(text)
            .await
            .expect("the field takes the text");
    }

    /// Clicks the element matching `css` once it appears.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .expect("the element takes the click");
    }

    /// Waits (up to 60 s) until the page has hydrated (`data-hydrated` on the app's root).
    pub async fn wait_hydrated(&self) {
        self.wait_for("#consign-root[data-hydrated='true']").await;
    }

    /// Waits (up to 60 s) until `script` (a JS expression) is truthy.
    pub async fn wait_until(&self, script: &str) {
        self.wait_until_within(Duration::from_secs(60), script)
            .await;
    }

    /// Waits up to `limit` until `script` (a JS expression) is truthy: for what a loaded machine
    /// may take minutes to bring about (an agent enrolling, a deployment turning healthy).
    pub async fn wait_until_within(&self, limit: Duration, script: &str) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let value = self
                .client
                .execute(&format!("return !!({script});"), vec![])
                .await;
            if matches!(value, Ok(Value::Bool(true))) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "timed out after {limit:?} waiting for {script}\n{}",
                    self.page_summary().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The browser console's messages since the last call: `(level, text)`, levels as
    /// chromium names them (`SEVERE` for `console.error` and failed loads, `WARNING`, `INFO`).
    pub async fn console(&self) -> Vec<(String, String)> {
        let answer = self
            .client
            .issue_cmd(ConsoleLog)
            .await
            .expect("chromedriver returns the browser's console log");
        answer
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        let field = |name: &str| e[name].as_str().unwrap_or_default().to_string();
                        (field("level"), field("message"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The console's messages since the last call as `LEVEL message` lines (script errors,
    /// failed loads, Content-Security-Policy violations).
    pub async fn console_log(&self) -> Vec<String> {
        self.console()
            .await
            .into_iter()
            .map(|(level, text)| format!("{level} {text}"))
            .collect()
    }

    /// The console's errors since the last call, as `LEVEL: message` lines: every `SEVERE`
    /// entry (`console.error`, a panic in the wasm bundle, a failed request, a
    /// Content-Security-Policy violation) and any message about hydration, whatever its level.
    pub async fn console_errors(&self) -> Vec<String> {
        self.console()
            .await
            .into_iter()
            .filter(|(level, text)| is_error(level, text))
            .map(|(level, text)| format!("{level}: {text}"))
            .collect()
    }

    /// The accessibility violations of the page as it is now that axe-core rates serious or
    /// critical, one line each (rule, impact, help, the offending elements). axe-core is
    /// injected through WebDriver from the copy `cargo xtask setup --test` installs (see
    /// [`axe_source`]), so the page itself loads nothing more.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let source = axe_source();
        self.client
            .execute(&source, vec![])
            .await
            .expect("axe-core loads into the page");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' '))
                    }))))
                    .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        result
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let nodes: Vec<&str> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                format!(
                    "{} ({}): {} [{}]",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    nodes.join(" | ")
                )
            })
            .collect()
    }

    /// Saves a PNG of the whole page (not only the window) to `path`.
    pub async fn screenshot_full_page(&self, path: &std::path::Path) {
        // Grow the window to the page's height first: WebDriver shoots the viewport only.
        let height = self
            .client
            .execute(
                "return Math.max(document.documentElement.scrollHeight, 600);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900)
            .min(4000);
        let (width, old_height) = self
            .client
            .get_window_size()
            .await
            .expect("the window has a size");
        self.client
            .set_window_size(
                u32::try_from(width).unwrap_or(1280),
                u32::try_from(height).unwrap_or(900) + 100,
            )
            .await
            .expect("the window resizes");
        let png = self.client.screenshot().await.expect("a screenshot");
        self.client
            .set_window_size(
                u32::try_from(width).unwrap_or(1280),
                u32::try_from(old_height).unwrap_or(900),
            )
            .await
            .expect("the window resizes back");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the screenshot folder");
        }
        std::fs::write(path, png).expect("the screenshot is written");
    }

    /// Opens `url`, waits until the page has hydrated (`#consign-root[data-hydrated='true']`)
    /// and the browser has run the tasks that hydration queued, and returns the console errors
    /// seen meanwhile (see [`Browser::console_errors`]). A page that reports an error while
    /// hydrating stops the wait at once (a panicked bundle never sets the marker); one that
    /// neither hydrates nor reports an error within a minute counts as an error too.
    pub async fn open_hydrated(&self, url: &str) -> Vec<String> {
        let mut errors = Vec::new();
        if let Err(e) = self.client.goto(url).await {
            errors.push(format!("navigation failed: {e}"));
            return errors;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            errors.extend(self.console_errors().await);
            let hydrated = self
                .client
                .execute(
                    "return !!document.querySelector(\"#consign-root[data-hydrated='true']\");",
                    vec![],
                )
                .await;
            if matches!(hydrated, Ok(Value::Bool(true))) {
                break;
            }
            if !errors.is_empty() {
                return errors;
            }
            if tokio::time::Instant::now() >= deadline {
                errors.push(format!(
                    "the page did not hydrate within 60 s\n{}",
                    self.page_summary().await
                ));
                return errors;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Suspended parts of a page hydrate in tasks queued after the root's effect ran: let a
        // task and two frames pass, so their mismatches reach the console before it is read.
        let settled = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))), 0);",
                vec![],
            )
            .await;
        if let Err(e) = settled {
            errors.push(format!("the page did not settle: {e}"));
        }
        errors.extend(self.console_errors().await);
        errors
    }

    /// Panics with every console error since the last check (a hydration mismatch, a panic in
    /// the wasm bundle, a failed request), naming `page`; warnings about hydration count too.
    pub async fn assert_console_clean(&self, page: &str) {
        let bad = self.console_errors().await;
        assert!(
            bad.is_empty(),
            "the browser console of {page} shows errors:\n{}\n{}",
            bad.join("\n"),
            self.page_summary().await
        );
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

/// chromedriver's log endpoint (outside the W3C protocol, which has none; chromedriver keeps
/// it for Selenium's `get_log`).
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// Whether a console entry counts as an error: see [`Browser::console_errors`].
fn is_error(level: &str, text: &str) -> bool {
    level == "SEVERE" || text.to_lowercase().contains("hydrat")
}

fn chromium_binary() -> &'static str {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .unwrap_or("/usr/bin/chromium")
}

/// Runs `checks` against a fresh browser and always closes it afterwards, also when a check
/// panics (a panicking test would otherwise leave chromium running); then re-raises the panic.
pub async fn with_browser<F, Fut>(checks: F)
where
    F: FnOnce(std::sync::Arc<Browser>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use futures_util::FutureExt;
    let browser = std::sync::Arc::new(Browser::start().await);
    let outcome = std::panic::AssertUnwindSafe(checks(browser.clone()))
        .catch_unwind()
        .await;
    if let Ok(browser) = std::sync::Arc::try_unwrap(browser) {
        browser.close().await;
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// axe-core's script, from the PyPI package `axe-playwright-python` (which ships a current
/// `axe.min.js`) that `cargo xtask setup --test` installs without its dependencies.
pub fn axe_source() -> String {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let out = std::process::Command::new("python3")
                .args([
                    "-c",
                    "import importlib.util as u; print(u.find_spec('axe_playwright_python').submodule_search_locations[0])",
                ])
                .output()
                .expect("python3 runs");
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert!(
                out.status.success() && !dir.is_empty(),
                "axe-core is missing: run `cargo xtask setup --test` (pip install --no-deps axe-playwright-python)"
            );
            std::fs::read_to_string(std::path::Path::new(&dir).join("axe.min.js"))
                .expect("axe.min.js is readable")
        })
        .clone()
}

/// How often a read is retried when the element it found was re-rendered meanwhile.
const STALE_RETRIES: u32 = 20;

/// Whether WebDriver refused because the element left the page after it was found.
fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    matches!(
        error,
        fantoccini::error::CmdError::Standard(e)
            if e.error == fantoccini::error::ErrorStatus::StaleElementReference
    )
}
