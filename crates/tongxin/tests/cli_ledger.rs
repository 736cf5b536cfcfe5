//! `tongxin import`: a households ledger from CSV with a bad row, in both modes, with the
//! error report beside the file; importing again changes nothing. Workbooks made to take
//! the memory (from `tongxin_core::xlsx_guard::hostile`) are refused, naming the limit.

mod support;

use support::*;
use tongxin_core::xlsx_guard::hostile::{inflating, lying_sizes};

#[tokio::test]
async fn a_ledger_comes_in_from_a_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let server = Server::small_demo(&data);
    let cookie = login(&server.url, "admin").await;
    let (status, buildings) =
        get_as(&format!("{}/api/v1/regions/310106013/buildings?limit=1", server.url), &cookie).await;
    assert_eq!(status, 200, "{buildings}");
    let address = buildings["items"][0]["address"].as_str().unwrap().to_owned();
    assert!(server.terminate().success());

    let file = dir.path().join("户.csv");
    std::fs::write(&file, format!("地址,单元,室,户籍类型,备注\n{address},1,101,户籍,\n不存在路 9 号,,201,户籍,\n"))
        .unwrap();
    let run = |args: &[&str]| tongxin_keyed(&data, args);
    let path = file.to_str().unwrap();
    let all = run(&["import", "households", path]);
    assert!(!all.status.success(), "a refused row fails the run");
    assert!(stdout(&all).contains("2 rows: nothing imported; 1 refused"), "{}", stdout(&all));
    assert!(stderr(&all).contains("row 3 地址"), "{}", stderr(&all));
    let report = dir.path().join("户.errors.xlsx");
    assert!(report.exists(), "the error report is written beside the file");
    std::fs::remove_file(&report).unwrap();

    let valid = run(&["import", "households", path, "--mode", "valid"]);
    assert!(stdout(&valid).contains("2 rows: 1 added, 0 updated, 0 unchanged; 1 refused"), "{}", stdout(&valid));
    let again = run(&[
        "import",
        "households",
        path,
        "--mode",
        "valid",
        "--report",
        dir.path().join("r.xlsx").to_str().unwrap(),
    ]);
    assert!(stdout(&again).contains("2 rows: 0 added, 0 updated, 1 unchanged; 1 refused"), "{}", stdout(&again));
    assert!(dir.path().join("r.xlsx").exists());

    let wrong = run(&["import", "buildings", path]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("households, residents, ebikes, sheds or pledges"), "{}", stderr(&wrong));
    let broken = dir.path().join("broken.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 not really").unwrap();
    let refused = run(&["import", "residents", broken.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stdout(&refused).contains("nothing was imported"), "{}", stdout(&refused));

    // 300 MB of whitespace in the sheet of a 300 KB file; then the same claiming 4 KB
    let template = tongxin_app::registry_import::template(tongxin_app::registry_import::Kind::Residents).unwrap();
    let bomb = inflating(&template, "xl/worksheets/sheet1.xml", 300 << 20);
    let liar = lying_sizes(&bomb, "xl/worksheets/sheet1.xml", 4096);
    for (name, bytes) in [("bomb.xlsx", bomb), ("liar.xlsx", liar)] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let refused = run(&["import", "residents", file.to_str().unwrap()]);
        assert!(!refused.status.success());
        let said = stdout(&refused);
        assert!(said.contains("压缩比超过 100:1") && said.contains("nothing was imported"), "{name}: {said}");
    }
}

/// Every verb finds the key that `tongxin demo` keeps in its data directory, and a verb
/// that finds none says where it looked.
#[tokio::test]
async fn verbs_find_the_demos_key_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let path = data.to_str().unwrap();
    let server = Server::start(&["demo", "--data-dir", path, "--case-months", "0", "--households", "0"]);
    // Only the key file matters here, not how the demo ended.
    server.terminate();
    assert!(data.join("secret.key").is_file(), "the demo keeps its key");

    let file = dir.path().join("居民.csv");
    std::fs::write(&file, "姓名,证件号码,地址,单元,室\n").unwrap();
    let run = tongxin(&data, &["import", "residents", file.to_str().unwrap(), "--dry-run"]);
    assert!(!stderr(&run).contains("no secret key"), "{}", stderr(&run));
    assert!(stdout(&run).contains("居民.csv"), "the file was read: {}{}", stdout(&run), stderr(&run));

    let empty = dir.path().join("empty");
    let refused = tongxin(&empty, &["import", "residents", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(said.contains("TONGXIN_SECRET_KEY (unset)") && said.contains("TONGXIN_SECRET_KEY_FILE"), "{said}");
    assert!(said.contains(&empty.join("secret.key").display().to_string()), "{said}");
}
