//! The real `tongxin` binary: its verbs, its exit codes and its one-line errors.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tongxin_store::Backend;
use tongxin_store::testing::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_tongxin");

fn tongxin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("TONGXIN_DATABASE_URL")
        .env("TONGXIN_LOG", "warn")
        .output()
        .expect("run tongxin")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running server: the process and the URL it announced.
struct Server {
    child: Child,
    url: String,
    /// What the server said of its Open311 door.
    open311: String,
}

/// A fixed key for the servers these tests start.
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

impl Server {
    fn start(args: &[&str]) -> Server {
        Self::spawn(args, None)
    }

    fn start_with_key(args: &[&str]) -> Server {
        Self::spawn(args, Some(KEY))
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
    fn terminate(mut self) -> std::process::ExitStatus {
        let status = self.stop();
        std::mem::forget(self);
        status
    }

    fn stop(&mut self) -> std::process::ExitStatus {
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

const DEMO_PASSWORD: &str = "cli test password";

/// An HTTP client (TLS through rustls with ring, as in the binary).
fn http() -> reqwest::Client {
    tongxin_store::blobs::install_tls();
    reqwest::Client::new()
}

/// Signs in through the JSON API and returns the session cookie.
async fn login(base: &str, username: &str) -> String {
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

async fn get_as(url: &str, cookie: &str) -> (u16, Value) {
    let response = http().get(url).header("cookie", cookie).send().await.expect("request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = http().get(url).send().await.expect("request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

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

/// 12345 orders from a CSV (GB18030, as Excel in China saves it): a dry run files nothing,
/// a bad row is named, a second run recognises the filed orders; then the export.
#[tokio::test]
async fn hotline_orders_come_in_from_a_file_and_cases_go_out_to_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let server = Server::start_with_key(&[
        "demo",
        "--data-dir",
        data.to_str().unwrap(),
        "--case-months",
        "0",
        "--households",
        "0",
        "--demo-password",
        DEMO_PASSWORD,
    ]);
    assert_eq!(get_json(&format!("{}/healthz", server.url)).await.0, 200);
    assert!(server.terminate().success());
    let csv = "工单编号,问题类别,问题描述,事发地址,纬度,经度,来电人,联系电话\n\
               SH12345-001,暴露垃圾,=HYPERLINK(\"http://evil\") 门口垃圾,华山路 1 号,31.2235,121.4455,王先生,13800001111\n\
               SH12345-002,E0101,垃圾桶满溢,常德路 2 号,,,,\n\
               SH12345-003,E0999,没有的类别,常德路 3 号,,,,\n";
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, encoding_rs::GB18030.encode(csv).0).unwrap();
    let run = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command.args(args).arg("--data-dir").arg(&data).env("TONGXIN_SECRET_KEY", KEY).env("TONGXIN_LOG", "warn");
        command.env_remove("TONGXIN_DATABASE_URL").output().expect("run tongxin")
    };
    let dry = run(&["cases", "import", file.to_str().unwrap(), "--dry-run"]);
    assert!(!dry.status.success(), "a refused row fails the run");
    assert!(stdout(&dry).contains("3 orders: 2 would be filed, 0 already on file, 1 refused"), "{}", stdout(&dry));
    assert!(stderr(&dry).contains("row 3: category"), "{}", stderr(&dry));
    let filed = run(&["cases", "import", file.to_str().unwrap()]);
    assert!(stdout(&filed).contains("2 filed, 0 already on file, 1 refused"), "{}", stdout(&filed));
    assert!(!stderr(&filed).contains("13800001111"), "no phone in the output");
    let again = run(&["cases", "import", file.to_str().unwrap()]);
    assert!(stdout(&again).contains("0 filed, 2 already on file, 1 refused"), "{}", stdout(&again));

    let out = dir.path().join("cases.xlsx");
    let export = run(&["cases", "export", "--out", out.to_str().unwrap(), "--source", "hotline"]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(stdout(&export).contains("2 cases"), "{}", stdout(&export));
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let sheet = book.worksheet_range("案件").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0], "编号");
    let hyperlink = rows.iter().find(|r| r[16] == "SH12345-001").unwrap();
    assert!(hyperlink[5].starts_with("'=HYPERLINK"), "a formula is neutralised: {}", hyperlink[5]);
    assert_eq!((hyperlink[1].as_str(), hyperlink[3].as_str()), ("12345 热线", "暴露垃圾"));
    assert!(rows.iter().all(|r| !r.iter().any(|c| c.contains("13800001111") || c.contains("王先生"))));
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
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .env("TONGXIN_SECRET_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("run `tongxin migrate`"), "{}", stderr(&out));

    let out = tongxin(dir.path(), &["migrate", "--database-url", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("the postgres schema"), "{}", stdout(&out));
    let server = Server::start_with_key(&["serve", "--database-url", &url]);
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
    assert!(err.starts_with("error: no secret key: set TONGXIN_SECRET_KEY or TONGXIN_SECRET_KEY_FILE"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);
    assert_no_personal_data_in(&err);
}

#[test]
fn a_later_year_of_holidays_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command.args(args).arg("--data-dir").arg(dir.path()).env("TONGXIN_LOG", "warn");
        command.env_remove("TONGXIN_DATABASE_URL").output().expect("run tongxin")
    };
    let notice = dir.path().join("2027.txt");
    std::fs::write(&notice, "2027-01-01 休 元旦\n2027-02-08 班 春节\n").unwrap();
    let wrong = run(&["calendar", "add", notice.to_str().unwrap()]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("line 2: 2027-02-08 is a weekday"), "{}", stderr(&wrong));
    assert!(stdout(&run(&["calendar", "show", "2027"])).contains("no holidays on record"), "nothing was saved");

    std::fs::write(&notice, "# 2027\n2027-01-01 休 元旦\n2027-02-07 班 春节\n").unwrap();
    let added = run(&["calendar", "add", notice.to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("saved 1 holidays and 1 make-up working days"), "{}", stdout(&added));
    let shown = stdout(&run(&["calendar", "show", "2027"]));
    assert_eq!(shown, "2027-01-01 周五 休 元旦\n2027-02-07 周日 班 春节\n");
    assert!(stdout(&run(&["calendar", "show", "2024"])).contains("2024-10-12 周六 班 国庆节"));

    assert!(run(&["calendar", "remove", "2027-02-07"]).status.success());
    let again = run(&["calendar", "remove", "2027-02-07"]);
    assert!(!again.status.success() && stderr(&again).contains("no day was added"), "{}", stderr(&again));
    let bad = run(&["calendar", "remove", "2027-02-30"]);
    assert!(!bad.status.success() && stderr(&bad).contains("2027-02-30"), "{}", stderr(&bad));
}
