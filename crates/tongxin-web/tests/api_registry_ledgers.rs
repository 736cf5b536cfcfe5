//! Charging sheds, e-bikes and pledges over HTTP on both backends, against the hand-made
//! registry of `tongxin_store::testing::safety`: search, filters, the caller's regions, no
//! personal numbers, bad input in the JSON error shape.

mod common;

use common::{TestApp, assert_error};
use serde_json::Value;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::seed;

fn items(v: &Value) -> Vec<&Value> {
    v["items"].as_array().unwrap_or_else(|| panic!("{v}")).iter().collect()
}

fn field<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v["items"].as_array().unwrap().iter().map(|i| i[key].as_str().unwrap()).collect()
}

async fn the_ledgers_are_listed_within_reach(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store).await;
    let admin = app.login("admin").await;

    let (status, sheds) = admin.json("/api/v1/sheds").await;
    assert_eq!(status, 200, "{sheds}");
    assert_eq!(items(&sheds).len(), 5);
    let (_, in_use) = admin.json("/api/v1/sheds?status=使用中").await;
    assert_eq!(field(&in_use, "name"), ["安全测试充电棚1", "安全测试充电棚2", "安全测试充电棚5"]);
    assert_eq!(in_use["items"][0]["facilities"][0], "extinguisher");
    let (_, s1) = admin.json(&format!("/api/v1/sheds/{}", f.sheds[0])).await;
    assert_eq!((s1["ebikes"].as_i64(), s1["last_checked"].as_str()), (Some(1), Some("2020-09-01")));
    let checks: Vec<(&str, bool)> =
        s1["checks"].as_array().unwrap().iter().map(|k| (k["checked_on"].as_str().unwrap(), k["ok"] == true)).collect();
    assert_eq!(checks, [("2020-09-01", false), ("2020-05-10", true)]);

    let (_, by_owner) = admin.json(&format!("/api/v1/ebikes?q={}", urlencode("安一"))).await;
    assert_eq!(field(&by_owner, "plate"), ["沪测00001", "沪测00002"]);
    let e1 = items(&by_owner)[0];
    assert_eq!((e1["owner_name"].as_str(), e1["pledged"].as_bool()), (Some("安一"), Some(true)));
    assert_eq!((e1["battery"].as_str(), e1["shed_name"].as_str()), (Some("lithium"), Some("安全测试充电棚1")));
    assert!(e1.get("id_number").is_none() && e1.get("phone").is_none(), "no personal numbers: {e1}");
    let (_, scrapped) = admin.json("/api/v1/ebikes?status=scrapped").await;
    assert_eq!(field(&scrapped, "plate"), ["沪测00003"]);
    let (_, in_shed) = admin.json(&format!("/api/v1/ebikes?shed={}&status=active", f.sheds[0])).await;
    assert_eq!(field(&in_shed, "plate"), ["沪测00001"]);
    let (_, one) = admin.json(&format!("/api/v1/ebikes/{}", f.ebikes[4])).await;
    assert_eq!(one["address"], "安全测试路 B1 101 室");

    let (_, pledges) = admin.json("/api/v1/pledges").await;
    assert_eq!(field(&pledges, "resident_name"), ["安四", "安二", "安一"]);
    assert_eq!(field(&pledges, "channel"), ["paper", "paper", "paper"]);

    // 景华's grid worker: 景华's records only; 美丽园's are not found
    let worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/ebikes").await;
    assert_eq!(items(&theirs).len(), 4);
    assert!(items(&theirs).iter().all(|e| e["region"] == "310106013001001"));
    let (_, their_pledges) = worker.json("/api/v1/pledges").await;
    assert_eq!(field(&their_pledges, "resident_name"), ["安二", "安一"]);
    assert_eq!(items(&worker.json("/api/v1/sheds").await.1).len(), 2);
    assert_error(&worker.json(&format!("/api/v1/ebikes/{}", f.ebikes[4])).await, 404, "not_found", None);
    assert_error(&worker.json(&format!("/api/v1/sheds/{}", f.sheds[4])).await, 404, "not_found", None);
    assert_error(&worker.json("/api/v1/pledges?region=310106013002").await, 404, "not_found", None);
    let dept = app.login("dept1").await;
    for path in ["/api/v1/sheds", "/api/v1/ebikes", "/api/v1/pledges"] {
        assert_error(&dept.json(path).await, 403, "forbidden", None);
    }

    // bad input
    assert_error(&admin.json("/api/v1/ebikes?status=broken").await, 400, "invalid_parameter", Some("status"));
    assert_error(&admin.json("/api/v1/sheds?status=open").await, 400, "invalid_parameter", Some("status"));
    assert_error(&admin.json("/api/v1/pledges?limit=0").await, 400, "invalid_parameter", Some("limit"));
    assert_error(&admin.json("/api/v1/ebikes?shed=x").await, 400, "invalid_parameter", Some("shed"));
    assert_error(&admin.json("/api/v1/ebikes/abc").await, 400, "invalid_parameter", Some("id"));
    assert_error(&admin.json("/api/v1/sheds/999999").await, 404, "not_found", None);

    let (_, doc) = app.anonymous().json("/api/v1/openapi.json").await;
    for path in ["/api/v1/sheds", "/api/v1/sheds/{id}", "/api/v1/ebikes", "/api/v1/ebikes/{id}", "/api/v1/pledges"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} in the OpenAPI document");
    }
    app.stop().await;
}

/// Exports: the list's rows and filters, in reach, formulas neutralised, audited.
async fn the_ledgers_are_exported(db: TestDb) {
    use calamine::Reader;
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store).await;
    // a collector's name a spreadsheet would run
    let formula = tongxin_store::registry::NewPledge {
        resident_id: f.residents[2],
        region: tongxin_core::geo::RegionCode::parse(tongxin_store::testing::safety::JINGHUA_GRID).unwrap(),
        signed_on: chrono::NaiveDate::from_ymd_opt(2022, 2, 2).unwrap(),
        collected_by: "=HYPERLINK(\"http://x\")".into(),
        channel: tongxin_core::registry::PledgeChannel::Paper,
    };
    app.db.store.insert_pledges(&tongxin_store::audit::Caller::system("test"), &[formula]).await.unwrap();

    let admin = app.login("admin").await;
    let csv = admin.get("/api/v1/ebikes/export?format=csv&status=active").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("ebikes-"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0], "车牌号,品牌,电池类型,状态,登记日期,车主,地址,单元,室,充电棚,已签承诺书",
        "the import template's columns"
    );
    assert_eq!(lines.len(), 5, "a header and the 4 active e-bikes: {text}");
    assert!(
        lines[1].starts_with("沪测00001,雅迪,锂电,在用,2019-01-01,安一,安全测试路 A1,,101,安全测试充电棚1,是"),
        "{}",
        lines[1]
    );

    let worker = app.login("gridworker1").await;
    let xlsx = worker.get("/api/v1/pledges/export?format=xlsx").await;
    assert_eq!(xlsx.status(), 200);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes().await.unwrap().to_vec())).unwrap();
    let range = book.worksheet_range("安全承诺书").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(
        rows[0],
        ["签署人", "地址", "单元", "室", "签署日期", "方式", "收取人"],
        "the import template's columns"
    );
    let signers: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(signers, ["安三", "安二", "安一"], "景华's pledges only, the latest first");
    assert_eq!(rows[1][6], "'=HYPERLINK(\"http://x\")", "the formula is neutralised");
    let (_, sheds) = worker.json("/api/v1/sheds").await;
    let sheds_csv =
        worker.get("/api/v1/sheds/export?format=csv&q=%E5%85%85%E7%94%B5%E6%A3%9A1").await.text().await.unwrap();
    assert_eq!(sheds_csv.lines().count(), 2, "{sheds_csv} (of {sheds})");
    let shed_row = sheds_csv.lines().nth(1).unwrap();
    assert!(shed_row.starts_with("安全测试充电棚1,31."), "name, then latitude: {sheds_csv}");
    assert!(shed_row.ends_with(",10,灭火器,使用中,2018-05-01,310106013001001,1,2020-09-01"), "{sheds_csv}");

    assert_error(&admin.json("/api/v1/sheds/export?format=pdf").await, 400, "invalid_parameter", Some("format"));
    assert_error(&worker.json("/api/v1/ebikes/export?region=310106013002").await, 404, "not_found", None);
    assert_error(&app.login("dept1").await.json("/api/v1/pledges/export").await, 403, "forbidden", None);
    let (_, audit) = app.login("auditor").await.json("/api/v1/audit?action=registry.export").await;
    let kinds: Vec<(&str, u64)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["detail"]["kind"].as_str().unwrap(), e["detail"]["rows"].as_u64().unwrap()))
        .collect();
    assert_eq!(kinds, [("sheds", 1), ("pledges", 3), ("ebikes", 4)], "the newest first");
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

backend_tests!(the_ledgers_are_listed_within_reach, the_ledgers_are_exported);
