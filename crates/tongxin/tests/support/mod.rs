//! What the binary's tests share: running `tongxin`, a server it started, signing in.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_tongxin");

fn command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).arg("--data-dir").arg(data_dir).env_remove("TONGXIN_DATABASE_URL").env("TONGXIN_LOG", "warn");
    command
}

pub fn tongxin(data_dir: &Path, args: &[&str]) -> Output {
    command(data_dir, args).output().expect("run tongxin")
}

/// [`tongxin`] with the servers' fixed [`KEY`], as a console job on a demo's data.
#[allow(dead_code)]
pub fn tongxin_keyed(data_dir: &Path, args: &[&str]) -> Output {
    command(data_dir, args).env("TONGXIN_SECRET_KEY", KEY).output().expect("run tongxin")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running server: the process and the URL it announced.
pub struct Server {
    child: Child,
    pub url: String,
    /// What the server said of its Open311 door.
    pub open311: String,
}

/// A fixed key for the servers these tests start.
pub const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

impl Server {
    pub fn start(args: &[&str]) -> Server {
        Self::spawn(args, None)
    }

    pub fn start_with_key(args: &[&str]) -> Server {
        Self::spawn(args, Some(KEY))
    }

    /// The demo in `data` with no cases and no registry, signed in with [`DEMO_PASSWORD`].
    #[allow(dead_code)]
    pub fn small_demo(data: &Path) -> Server {
        let data = data.to_str().expect("a UTF-8 path");
        let args = ["demo", "--data-dir", data, "--case-months", "0", "--households", "0"];
        Self::start_with_key(&[&args[..], &["--demo-password", DEMO_PASSWORD]].concat())
    }

    fn spawn(args: &[&str], key: Option<&str>) -> Server {
        let mut command = Command::new(BIN);
        if let Some(key) = key {
            command.env("TONGXIN_SECRET_KEY", key);
        }
        let mut child = command
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("TONGXIN_DATABASE_URL")
            .env("TONGXIN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tongxin");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while let Some(line) = lines.next() {
            let line = line.expect("read stdout");
            if let Some(rest) = line.split("serving at ").nth(1) {
                let url = rest.split('/').take(3).collect::<Vec<_>>().join("/");
                // the next line names the Open311 door and its jurisdictions
                let open311 = lines.next().and_then(Result::ok).unwrap_or_default();
                return Server { child, url, open311 };
            }
        }
        panic!("tongxin exited without serving: {:?}", child.wait());
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = self.stop();
        std::mem::forget(self);
        status
    }

    pub fn stop(&mut self) -> std::process::ExitStatus {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "tongxin did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A server left running by a failed assertion would hold the test's output open.
impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub const DEMO_PASSWORD: &str = "cli test password";

/// An HTTP client (TLS through rustls with ring, as in the binary).
pub fn http() -> reqwest::Client {
    tongxin_store::blobs::install_tls();
    reqwest::Client::new()
}

/// Signs in through the JSON API and returns the session cookie.
pub async fn login(base: &str, username: &str) -> String {
    let response = http()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), 200, "login as {username}");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

pub async fn get_as(url: &str, cookie: &str) -> (u16, Value) {
    let response = http().get(url).header("cookie", cookie).send().await.expect("request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

pub async fn get_json(url: &str) -> (u16, Value) {
    let response = http().get(url).send().await.expect("request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}
