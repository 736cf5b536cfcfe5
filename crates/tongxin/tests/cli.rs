//! The real `tongxin` binary: its verbs, its exit codes and its one-line errors.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tongxin_store::Backend;
use tongxin_store::testing::TestDb;

mod support;
use support::*;

#[tokio::test]
async fn demo_serves_an_empty_data_dir_within_10_s_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let started = Instant::now();
    let server = Server::start(&[
        "demo",
        "--data-dir",
        data.to_str().unwrap(),
        "--demo-password",
        DEMO_PASSWORD,
        "--households",
        "2000",
    ]);
    assert_eq!(get_json(&format!("{}/healthz", server.url)).await, (200, json!({"status": "ok"})));
    assert!(started.elapsed() < Duration::from_secs(10), "healthz answered after {:?}", started.elapsed());
    assert!(server.open311.contains("/open311/v2/discovery.json"), "{}", server.open311);
    assert!(server.open311.ends_with("jurisdiction_id: 310106013 (静安寺街道)"), "{}", server.open311);
    let (status, services) = get_json(&format!("{}/open311/v2/services.json", server.url)).await;
    assert_eq!(status, 200);
    assert!(services.as_array().unwrap().iter().any(|s| s["service_code"] == "E0503"));
    assert_eq!(get_json(&format!("{}/api/v1/regions", server.url)).await.0, 401, "the API needs a sign-in");
    let cookie = login(&server.url, "viewer").await;
    let (status, grids) = get_as(&format!("{}/api/v1/regions?level=grid", server.url), &cookie).await;
    assert_eq!(status, 200);
    assert!(grids["total"].as_u64().unwrap() >= 50);
    let (status, located) = get_as(&format!("{}/api/v1/locate?lat=31.2235&lng=121.4455", server.url), &cookie).await;
    assert_eq!(status, 200);
    assert!(located["grid"]["name"].as_str().unwrap().ends_with("网格"));
    assert!(server.terminate().success(), "a graceful stop exits 0");

    // The CLI reads the same database.
    let out = tongxin(&data, &["grid", "locate", "31.2235", "121.4455"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.lines().any(|l| l.starts_with("grid ") && l.contains(located["grid"]["code"].as_str().unwrap())),
        "{table}"
    );
    let out = tongxin(&data, &["grid", "locate", "31.2235", "121.4455", "--json"]);
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["path"].as_array().unwrap().last().unwrap()["level"], "block");

    // A second start leaves the data alone, and the kept password still works.
    let server = Server::start(&["demo", "--data-dir", data.to_str().unwrap()]);
    let cookie = login(&server.url, "admin").await;
    assert_eq!(get_as(&format!("{}/api/v1/regions?level=community", server.url), &cookie).await.1["total"], 13);
    assert!(server.terminate().success());
}

fn feature(code: &str, name: &str, ring: Option<Vec<[f64; 2]>>) -> Value {
    let geometry = ring.map(|r| json!({"type": "Polygon", "coordinates": [r]}));
    json!({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry})
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Vec<[f64; 2]>> {
    Some(vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
}

fn good_file() -> Value {
    json!({"type": "FeatureCollection", "features": [
        feature("310106", "静安区", None),
        feature("310106013", "静安寺街道", None),
        feature("310106013001", "景华居民区", rect(121.44, 31.22, 121.45, 31.23)),
        feature("310106013001001", "景华第一网格", rect(121.44, 31.22, 121.445, 31.23)),
    ]})
}

#[test]
fn grid_import_reports_every_bad_feature_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = good_file();
    let features = bad["features"].as_array_mut().unwrap();
    features.push(feature("310106013001002", "重叠", rect(121.444, 31.22, 121.45, 31.23)));
    features.push(feature(
        "310106013001003",
        "未闭合",
        Some(vec![[121.44, 31.22], [121.45, 31.22], [121.45, 31.23], [121.44, 31.23]]),
    ));
    features.push(feature("310106013002001", "无上级", rect(121.46, 31.22, 121.47, 31.23)));
    let path = dir.path().join("bad.geojson");
    std::fs::write(&path, bad.to_string()).unwrap();

    let out = tongxin(dir.path(), &["grid", "import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(report.contains("rejected, nothing was imported"), "{report}");
    assert!(report.contains("feature #3 (310106013001001): overlaps sibling 310106013001002"), "{report}");
    assert!(report.contains("feature #5 (310106013001003): exterior ring is not closed"), "{report}");
    assert!(
        report.contains(
            "feature #6 (310106013002001): parent region 310106013002 is neither in the file nor in the database"
        ),
        "{report}"
    );
    let out = tongxin(dir.path(), &["grid", "locate", "31.225", "121.442"]);
    assert_eq!(out.status.code(), Some(1), "nothing was imported");

    let path = dir.path().join("good.geojson");
    std::fs::write(&path, good_file().to_string()).unwrap();
    let out = tongxin(dir.path(), &["grid", "import", path.to_str().unwrap(), "--dry-run"]);
    assert!(stdout(&out).contains("would import 4 regions (4 new, 0 updated)"), "{}", stdout(&out));
    let out = tongxin(dir.path(), &["grid", "import", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("imported 4 regions (4 new, 0 updated)"));
    let out = tongxin(dir.path(), &["grid", "locate", "31.225", "121.442"]);
    assert!(stdout(&out).contains("310106013001001"), "{}", stdout(&out));
    let out = tongxin(dir.path(), &["grid", "import", path.to_str().unwrap()]);
    assert!(stdout(&out).contains("(0 new, 4 updated)"));
}

/// Every failure is one line on stderr and exit code 1; none is a panic.
#[test]
fn bad_input_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["migrate", "--database-url", "postgres://nobody@127.0.0.1:1/none"],
            "error: cannot connect to the database at postgres://nobody@127.0.0.1:1/none",
        ),
        (vec!["migrate", "--database-url", "mysql://h/db"], "error: unsupported database URL 'mysql://h/db'"),
        (vec!["grid", "locate", "95", "121.4"], "error: lat must be a number between -90 and 90"),
        (vec!["grid", "locate", "31.2", "121.4", "--crs", "mars"], "error: crs must be wgs84, gcj02 or bd09"),
        (vec!["grid", "import", "/nonexistent.geojson"], "error: cannot read /nonexistent.geojson"),
    ];
    for (args, expected) in cases {
        let out = tongxin(dir.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with(expected), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    // A data directory that cannot be created or written.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = tongxin(&file.join("data"), &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: cannot create the data directory"), "{}", stderr(&out));
}

#[tokio::test]
async fn postgres_serve_refuses_an_old_schema_until_migrate() {
    let Some(db) = TestDb::unmigrated(Backend::Postgres).await else {
        eprintln!("skipped: {} is not set", tongxin_store::testing::PG_URL_VAR);
        return;
    };
    let url = db.standalone_url();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url, "--resident-login", "false"])
        .env("TONGXIN_SECRET_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("run `tongxin migrate`"), "{}", stderr(&out));

    let out = tongxin(dir.path(), &["migrate", "--database-url", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("the postgres schema"), "{}", stdout(&out));
    let server = Server::start_with_key(&["serve", "--database-url", &url, "--resident-login", "false"]);
    assert_eq!(get_json(&format!("{}/readyz", server.url)).await.0, 200);
    assert!(server.terminate().success());

    // the demo on PostgreSQL
    let data = dir.path().join("demo");
    let server = Server::start(&[
        "demo",
        "--database-url",
        &url,
        "--data-dir",
        data.to_str().unwrap(),
        "--demo-password",
        DEMO_PASSWORD,
        "--households",
        "500",
    ]);
    let cookie = login(&server.url, "viewer").await;
    assert_eq!(get_as(&format!("{}/api/v1/regions?level=grid", server.url), &cookie).await.1["total"], 60);
    assert!(server.terminate().success());
}

/// Reads the program's standard output; stderr (the log) must hold no personal data.
fn assert_no_personal_data_in(log: &str) {
    for (phone, name, _) in tongxin_demo::access::RESIDENTS {
        assert!(!log.contains(phone) && !log.contains(name), "the log holds personal data: {log}");
    }
}

#[test]
fn users_and_api_keys_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regions.geojson");
    std::fs::write(&path, good_file().to_string()).unwrap();
    assert!(tongxin(dir.path(), &["grid", "import", path.to_str().unwrap()]).status.success());

    let out = tongxin(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "gw9",
            "--name",
            "网格员 九",
            "--role",
            "gridworker",
            "--region",
            "310106013001001",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(printed.contains("gw9") && printed.contains("gridworker"), "{printed}");
    let password =
        printed.lines().find_map(|l| l.strip_prefix("password: ")).unwrap().split(' ').next().unwrap().to_owned();
    assert!(password.len() >= 12);

    let out = tongxin(dir.path(), &["user", "add", "--username", "gw9", "--role", "viewer", "--region", "310106013"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the username 'gw9' is taken"), "{}", stderr(&out));
    let out = tongxin(dir.path(), &["user", "add", "--username", "x", "--role", "boss", "--region", "310106013"]);
    assert!(stderr(&out).contains("unknown role 'boss'"), "{}", stderr(&out));

    let mut child = Command::new(BIN)
        .args(["user", "reset-password", "gw9", "--password-stdin", "--data-dir"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"a brand new password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("password:"), "a password from stdin is not printed");

    // Auditors are made at the console (三员分立: no administrator may make one).
    let out =
        tongxin(dir.path(), &["user", "add", "--username", "audit9", "--role", "auditor", "--region", "310106013"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tongxin(dir.path(), &["user", "reset-password", "audit9"]).status.success());

    assert!(tongxin(dir.path(), &["user", "disable", "gw9"]).status.success());
    let list = stdout(&tongxin(dir.path(), &["user", "list"]));
    assert!(list.lines().any(|l| l.starts_with("gw9") && l.ends_with("disabled")), "{list}");
    assert_eq!(tongxin(dir.path(), &["user", "disable", "nobody"]).status.code(), Some(1));

    let out = tongxin(dir.path(), &["apikey", "create", "--name", "fixmystreet", "--scope", "open311"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let key = stdout(&out).lines().find_map(|l| l.strip_prefix("key: ")).unwrap().to_owned();
    assert!(key.starts_with("tx_"));
    let list = stdout(&tongxin(dir.path(), &["apikey", "list"]));
    assert!(
        list.contains("fixmystreet") && list.contains("open311") && list.contains("live") && !list.contains(&key),
        "{list}"
    );
    assert!(tongxin(dir.path(), &["apikey", "revoke", "fixmystreet"]).status.success());
    assert!(stdout(&tongxin(dir.path(), &["apikey", "list"])).contains("revoked"));
    let out = tongxin(dir.path(), &["apikey", "create", "--name", "x", "--scope", "everything"]);
    assert!(stderr(&out).contains("unknown API scope 'everything'"), "{}", stderr(&out));

    let out = tongxin(dir.path(), &["keygen"]);
    assert_eq!(stdout(&out).trim().len(), 44, "32 bytes of base64");
}

#[tokio::test]
async fn audit_verify_finds_an_edit_made_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regions.geojson");
    std::fs::write(&path, good_file().to_string()).unwrap();
    assert!(tongxin(dir.path(), &["grid", "import", path.to_str().unwrap()]).status.success());
    for name in ["a1", "a2", "a3"] {
        let out =
            tongxin(dir.path(), &["user", "add", "--username", name, "--role", "viewer", "--region", "310106013"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = tongxin(dir.path(), &["audit", "verify"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("audit log intact: 4 entries verified"), "{}", stdout(&out));

    // Someone with the database file removes the guard and rewrites history.
    let url = format!("sqlite://{}", dir.path().join("tongxin.db").display());
    let store = tongxin_store::Store::connect(&url, Default::default()).await.unwrap();
    store.execute_raw("DROP TRIGGER audit_log_no_update").await.unwrap();
    store.execute_raw("UPDATE audit_log SET actor_name = 'nobody' WHERE seq = 3").await.unwrap();
    store.close().await;

    let out = tongxin(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("audit log BROKEN at entry 3: entry 3 was edited after it was written"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn serve_needs_a_secret_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("TONGXIN_SECRET_KEY")
        .env_remove("TONGXIN_SECRET_KEY_FILE")
        .env_remove("TONGXIN_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: no secret key: looked in TONGXIN_SECRET_KEY (unset), TONGXIN_SECRET_KEY_FILE"),
        "{err}"
    );
    assert!(
        err.contains(&dir.path().join("secret.key").display().to_string()),
        "names the data directory's file: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1);
    assert_no_personal_data_in(&err);
}

#[test]
fn serve_refuses_resident_sign_in_without_an_sms_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("TONGXIN_SECRET_KEY", KEY)
        .env_remove("TONGXIN_DATABASE_URL")
        .env_remove("TONGXIN_RESIDENT_LOGIN")
        .env_remove("TONGXIN_SMS_GATEWAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("error: resident sign-in is on but no SMS gateway is configured"), "{err}");
    assert!(err.contains("TONGXIN_SMS_GATEWAY") && err.contains("TONGXIN_RESIDENT_LOGIN=false"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);
    assert!(!dir.path().join("tongxin.db").exists(), "refused before touching the database");
}

/// An HTTP SMS gateway that answers 200 to every request and hands over each body.
async fn gateway() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = socket.read(&mut buf).await {
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).into_owned();
                let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length {
                    tx.send(body.to_owned()).ok();
                    socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await.ok();
                    break;
                }
            }
        }
    });
    (url, rx)
}

#[tokio::test]
async fn serve_starts_with_an_sms_gateway_or_with_resident_sign_in_off() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let otp = |url: &str| {
        let url = format!("{url}/api/v1/auth/otp");
        async move {
            let response =
                reqwest::Client::new().post(url).json(&json!({"phone": "13916020090"})).send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let server = Server::start_with_key(&["serve", "--data-dir", data, "--resident-login", "false"]);
    assert_eq!(get_json(&format!("{}/readyz", server.url)).await.0, 200);
    let (status, body) = otp(&server.url).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("resident_login_off")), "{body}");
    assert!(server.terminate().success());

    let (url, mut sent) = gateway().await;
    let server = Server::start_with_key(&["serve", "--data-dir", data, "--sms-gateway", "http", "--sms-url", &url]);
    assert_eq!(otp(&server.url).await.0, 202);
    let body: Value = serde_json::from_str(&sent.recv().await.unwrap()).unwrap();
    assert_eq!((body["to"].as_str(), body["kind"].as_str()), (Some("13916020090"), Some("login_code")));
    assert_eq!(body["params"]["code"].as_str().map(str::len), Some(6));
    assert!(server.terminate().success());
}
