//! The test harness: the real app, on port 0, over a fresh database holding the demo
//! subdistrict and its accounts, talked to over HTTP.
//!
//! Every test binary captures the whole log of its servers in memory; when a test stops
//! its app, the log is searched for every personal value the demo holds or the test
//! registered with [`TestApp::personal`]. A raw ID number or phone number, or the body of
//! a text message, in the log fails the test.

#![allow(dead_code)] // each test binary uses part of the harness

pub mod browser;
pub mod client;
pub mod sms_mock;

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::oneshot;
use tongxin_core::access::password::Password;
use tongxin_core::pii::{PiiCipher, SecretKey};
use tongxin_demo::{DemoOptions, Quiet, seed_if_empty};
use tongxin_store::blobs::BlobConfig;
use tongxin_store::testing::TestDb;
use tongxin_web::sms::SmsConfig;
use tongxin_web::{App, WebConfig};

pub use client::Client;

/// The password of every demo account in tests.
pub const PASSWORD: &str = "tongxin test password";

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub app: App,
    pub db: TestDb,
    /// Where this server keeps photos (removed with the app).
    pub photo_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// Everything every server in this test binary logged.
static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
/// Personal values that must never reach the log.
static PERSONAL: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        // TONGXIN_TEST_LOG=1 shows the servers' log while debugging a test.
        if std::env::var_os("TONGXIN_TEST_LOG").is_some() {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buffer.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug,sqlx=info,hyper=info,h2=info")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    });
    let mut personal = PERSONAL.lock().unwrap();
    for (phone, name, _) in tongxin_demo::access::RESIDENTS {
        personal.insert(phone.to_owned());
        personal.insert(name.to_owned());
    }
}

impl TestApp {
    /// Seeds the demo subdistrict and its accounts into `db` and serves it.
    /// (Without past cases: each test makes the cases it needs.)
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(db, Some(DemoOptions { case_months: 0, ..Default::default() }), WebConfig::default()).await
    }

    /// Seeds the demo with `months` of past cases.
    pub async fn spawn_with_history(db: TestDb, months: u32) -> TestApp {
        Self::spawn_with(db, Some(DemoOptions { case_months: months, ..Default::default() }), WebConfig::default())
            .await
    }

    /// The demo with a registry of `households` households (and their residents, e-bikes,
    /// sheds and pledges).
    #[allow(dead_code)]
    pub async fn spawn_with_registry(db: TestDb, households: u32) -> TestApp {
        let app = Self::spawn(db).await;
        let options = DemoOptions { households, ..Default::default() };
        tongxin_demo::seed_registry_if_empty(&app.db.store, &app.app.pii, &options, &Quiet)
            .await
            .expect("seed the registry");
        app
    }

    pub async fn spawn_unseeded(db: TestDb) -> TestApp {
        Self::spawn_with(db, None, WebConfig::default()).await
    }

    pub async fn spawn_with(db: TestDb, seed: Option<DemoOptions>, config: WebConfig) -> TestApp {
        capture_logs();
        tongxin_store::blobs::install_tls();
        let key = SecretKey::generate();
        if let Some(options) = &seed {
            seed_if_empty(&db.store, options, &Quiet).await.expect("seed the demo");
        }
        if seed.is_some() {
            let password = Password::parse(PASSWORD).unwrap();
            tongxin_demo::access::ensure_accounts(&db.store, &PiiCipher::new(&key), Some(&password))
                .await
                .expect("create the demo accounts");
        }
        let photo_dir = tempfile::tempdir().expect("a photo directory");
        let photos = BlobConfig::Directory(photo_dir.path().to_owned());
        // Texts go to the development inbox, where tests read the codes, unless the test
        // chose a gateway of its own.
        let sms = match config.sms {
            SmsConfig::None => SmsConfig::DevInbox,
            chosen => chosen,
        };
        let config = WebConfig { geo_refresh: Duration::from_millis(100), sms, photos, ..config };
        let app = App::new(db.store.clone(), config, &key).await.expect("build the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(tongxin_web::serve(listener, app.clone(), async {
            stopped.await.ok();
        }));
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, http, app, db, photo_dir, stop: Some(stop), server: Some(server) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A caller with no session and no key.
    pub fn anonymous(&self) -> Client<'_> {
        Client::new(self)
    }

    /// A staff member signed in through the JSON API.
    pub async fn login(&self, username: &str) -> Client<'_> {
        let mut client = Client::new(self);
        let (status, body) = client
            .post_json("/api/v1/auth/login", serde_json::json!({"username": username, "password": PASSWORD}))
            .await;
        assert_eq!(status, 200, "login as {username}: {body}");
        client.csrf = body["csrf_token"].as_str().map(str::to_owned);
        assert!(client.cookie.is_some(), "the login set a session cookie");
        client
    }

    /// A resident signed in with a one-time code sent to `phone`.
    pub async fn resident_login(&self, phone: &str) -> Client<'_> {
        Self::personal(phone);
        let mut client = Client::new(self);
        let (status, _) = client.post_json("/api/v1/auth/otp", serde_json::json!({"phone": phone})).await;
        assert_eq!(status, 202, "a code for {phone}");
        let sms = self.db.store.sent_sms(1).await.unwrap();
        let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
        let (status, body) =
            client.post_json("/api/v1/auth/resident-login", serde_json::json!({"phone": phone, "code": code})).await;
        assert_eq!(status, 200, "resident login: {body}");
        client.csrf = body["csrf_token"].as_str().map(str::to_owned);
        client
    }

    /// Declares a raw personal value this test uses; it must not appear in the log.
    pub fn personal(value: &str) {
        PERSONAL.lock().unwrap().insert(value.to_owned());
    }

    /// Stops the server the way SIGTERM does, waits for it, and checks the log.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
        assert_log_has_no_personal_data();
    }
}

/// Everything the servers of this test binary logged so far.
pub fn captured_log() -> String {
    String::from_utf8_lossy(&LOG.get().expect("logs are captured").lock().unwrap()).into_owned()
}

/// Fails when any registered personal value is in the captured log.
pub fn assert_log_has_no_personal_data() {
    let log = captured_log();
    assert!(log.contains("answered"), "the capture works: request lines are in it");
    for value in PERSONAL.lock().unwrap().iter() {
        assert!(!log.contains(value.as_str()), "the log contains the personal value {value:?}");
    }
    // Every text message starts with its signature: none may reach the log, least of all
    // a sign-in code (whoever reads it could sign in as that resident).
    assert!(!log.contains("【同心】"), "the log contains the body of a text message");
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
