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
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("TONGXIN_DATABASE_URL")
            .env("TONGXIN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tongxin");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for line in lines {
            let line = line.expect("read stdout");
            if let Some(rest) = line.split("serving at ").nth(1) {
                let url = rest.split('/').take(3).collect::<Vec<_>>().join("/");
                return Server { child, url };
            }
        }
        panic!("tongxin exited without serving: {:?}", child.wait());
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
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

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.expect("request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn demo_serves_an_empty_data_dir_within_10_s_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let started = Instant::now();
    let server = Server::start(&["demo", "--data-dir", data.to_str().unwrap()]);
    assert_eq!(get_json(&format!("{}/healthz", server.url)).await, (200, json!({"status": "ok"})));
    assert!(started.elapsed() < Duration::from_secs(10), "healthz answered after {:?}", started.elapsed());
    let (status, grids) = get_json(&format!("{}/api/v1/regions?level=grid", server.url)).await;
    assert_eq!(status, 200);
    assert!(grids["total"].as_u64().unwrap() >= 50);
    let (status, located) = get_json(&format!("{}/api/v1/locate?lat=31.2235&lng=121.4455", server.url)).await;
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

    // A second start leaves the data alone.
    let server = Server::start(&["demo", "--data-dir", data.to_str().unwrap()]);
    assert_eq!(get_json(&format!("{}/api/v1/regions?level=community", server.url)).await.1["total"], 13);
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
    let out = Command::new(BIN).args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("run `tongxin migrate`"), "{}", stderr(&out));

    let out = tongxin(dir.path(), &["migrate", "--database-url", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("the postgres schema"), "{}", stdout(&out));
    let server = Server::start(&["serve", "--database-url", &url]);
    assert_eq!(get_json(&format!("{}/readyz", server.url)).await.0, 200);
    assert!(server.terminate().success());

    // the demo on PostgreSQL
    let server = Server::start(&["demo", "--database-url", &url]);
    assert_eq!(get_json(&format!("{}/api/v1/regions?level=grid", server.url)).await.1["total"], 60);
    assert!(server.terminate().success());
}
