//! Real headless Chromium, driven over WebDriver by chromedriver (Debian's `chromium` and
//! `chromium-driver` packages).
//!
//! Without them the browser tests print that they were skipped; with
//! `TONGXIN_BROWSER_TESTS=1` (CI sets it) a missing browser fails them instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub const REQUIRED_VAR: &str = "TONGXIN_BROWSER_TESTS";

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

fn program(var: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var(var).map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(default));
    path.exists().then_some(path)
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session, or `None` (after saying so)
    /// when they are not installed and not required.
    pub async fn start() -> Option<Browser> {
        let required = std::env::var(REQUIRED_VAR).is_ok_and(|v| v == "1");
        let (Some(chromium), Some(driver)) = (
            program("TONGXIN_CHROMIUM", "/usr/bin/chromium"),
            program("TONGXIN_CHROMEDRIVER", "/usr/bin/chromedriver"),
        ) else {
            assert!(!required, "{REQUIRED_VAR}=1 but /usr/bin/chromium or /usr/bin/chromedriver is missing");
            eprintln!("skipped: the browser suite needs Debian's chromium and chromium-driver");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            // The console, read at the end of every test for Content-Security-Policy violations.
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => {
                    return Some(Browser { client, driver, profile });
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start a session: {last_error}");
    }

    /// Saves a PNG of the page under target/tmp/screenshots for a person to look at.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("take a screenshot");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        path
    }

    /// The text of the first element matching `css`, waiting for it to appear.
    pub async fn text(&self, css: &str) -> String {
        // A page may be replaced between finding an element and reading it: try again.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await;
            let element = found.unwrap_or_else(|e| panic!("{css}: {e}"));
            match element.text().await {
                Ok(text) => return text,
                Err(e) if std::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("{css}: {e}"),
            }
        }
    }

    /// Waits until the element's text is `expected` (the page may still be loading).
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.text(css).await;
            if now == expected {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{css} shows {now:?}, never {expected:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the browser is at `target`: a path (`/map`), or text in the query (`lat=95`).
    pub async fn wait_for_url(&self, target: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.client.current_url().await.unwrap();
            let arrived = match target.split_once('?') {
                Some((path, query)) if target.starts_with('/') => url.path() == path && url.query() == Some(query),
                None if target.starts_with('/') => url.path() == target,
                _ => url.query().unwrap_or("").contains(target),
            };
            if arrived {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the browser never reached {target}; it is at {url}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `value` into the input matched by `css`, replacing what was there.
    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }

    /// Clicks the element, as a person would: on a phone, a link of the folded menu is
    /// reached by pressing 菜单 first.
    pub async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        if !element.is_displayed().await.unwrap_or(true)
            && let Ok(menu) = self.client.find(Locator::Css("#nav-menu")).await
            && menu.is_displayed().await.unwrap_or(false)
        {
            menu.click().await.unwrap();
        }
        element.click().await.unwrap();
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Signs in through the login page as a person would, and lands on `next`.
    pub async fn sign_in(&self, base: &str, username: &str, next: &str) {
        self.goto(&format!("{base}{next}")).await;
        self.wait_for_text("h1", "工作人员登录").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", super::PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
        self.wait_for_url(next).await;
    }

    /// The console's messages since the last call (chromedriver's log of the browser).
    pub async fn console(&self) -> Vec<String> {
        let log = self.client.issue_cmd(BrowserLog).await.expect("read the browser's console");
        log.as_array()
            .map(|entries| entries.iter().filter_map(|e| e["message"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// Fails on any Content-Security-Policy violation the pages caused: a page must work
    /// under the policy, with no inline script or style.
    pub async fn assert_no_csp_violations(&self) {
        let violations: Vec<String> =
            self.console().await.into_iter().filter(|m| m.contains("Content Security Policy")).collect();
        assert!(violations.is_empty(), "Content-Security-Policy violations in the console: {violations:#?}");
    }

    /// Cuts the browser's network (`true`) or restores it (`false`), through chromedriver's
    /// network emulation: requests fail as on a phone that lost its signal.
    pub async fn set_offline(&self, offline: bool) {
        self.client.issue_cmd(NetworkConditions { offline }).await.expect("set the network conditions");
    }

    /// Ends the session, failing the test if any page broke the Content-Security-Policy.
    pub async fn stop(mut self) {
        self.assert_no_csp_violations().await;
        self.client.clone().close().await.ok();
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}

/// chromedriver's `POST /session/{id}/se/log` for the browser's console.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// chromedriver's `/session/{id}/chromium/network_conditions`: offline, or back to normal.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        if self.offline {
            let body = json!({"network_conditions": {"offline": true, "latency": 0,
                "download_throughput": 1_000_000, "upload_throughput": 1_000_000}});
            (http::Method::POST, Some(body.to_string()))
        } else {
            (http::Method::DELETE, None)
        }
    }
}

impl Drop for Browser {
    /// A test that fails leaves no browser behind: Chromium outlives a killed chromedriver,
    /// so its processes are found by this session's own profile directory and ended too.
    fn drop(&mut self) {
        let profile = self.profile.path().display().to_string();
        Command::new("pkill").args(["-9", "-f", &profile]).status().ok();
        self.driver.kill().ok();
    }
}
