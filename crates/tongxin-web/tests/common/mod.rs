//! The test harness: the real app, on port 0, over a fresh database holding the demo
//! subdistrict, talked to over HTTP.

#![allow(dead_code)] // each test binary uses part of the harness

use std::time::Duration;

use tokio::sync::oneshot;
use tongxin_demo::{DemoOptions, Quiet, seed_if_empty};
use tongxin_store::testing::TestDb;
use tongxin_web::{App, WebConfig};

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub app: App,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Seeds the demo into `db` and serves it.
    pub async fn spawn(db: TestDb) -> TestApp {
        seed_if_empty(&db.store, &DemoOptions::default(), &Quiet).await.expect("seed the demo");
        Self::spawn_unseeded(db).await
    }

    pub async fn spawn_unseeded(db: TestDb) -> TestApp {
        let config = WebConfig { geo_refresh: Duration::from_millis(100) };
        let app = App::new(db.store.clone(), config).await.expect("build the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(tongxin_web::serve(listener, app.clone(), async {
            stopped.await.ok();
        }));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, client, app, db, stop: Some(stop), server: Some(server) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// GET returning the status and the JSON body.
    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// GET returning the status and the body text.
    pub async fn text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Stops the server the way SIGTERM does and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }
}

/// Asserts the error shape: status, `error.code`, and `details.field` when given.
pub fn assert_error(got: &(u16, serde_json::Value), status: u16, code: &str, field: Option<&str>) {
    let (s, body) = got;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    if let Some(field) = field {
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
    }
}

pub mod browser;
