//! Real headless Chromium, driven over WebDriver by chromedriver (Debian's `chromium` and
//! `chromium-driver` packages).
//!
//! Without them the browser tests print that they were skipped; with
//! `TONGXIN_BROWSER_TESTS=1` (CI sets it) a missing browser fails them instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

pub const REQUIRED_VAR: &str = "TONGXIN_BROWSER_TESTS";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
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
                    return Some(Browser { client, driver, _profile: profile });
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

    pub async fn stop(mut self) {
        self.client.clone().close().await.ok();
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.driver.kill().ok();
    }
}
