//! Ledger imports stay inside the importer's regions on both backends: a row that matches a
//! record elsewhere (an ID number, a plate) is refused without saying where that record
//! lies, and a dry run is audited like a real import.

mod common;

use std::time::Duration;

use common::TestApp;
use serde_json::Value;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// gridworker1's grid.
const GRID: &str = "310106013001001";

/// Posts a file for import and waits for the result.
async fn import(client: &mut common::client::Client<'_>, query: &str, bytes: Vec<u8>) -> Value {
    let (status, job) =
        client.post_bytes(&format!("/api/v1/registry/imports?{query}"), "application/octet-stream", bytes).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let (_, now) = client.json(&format!("/api/v1/registry/imports/{id}")).await;
        if now["finished"] == true {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish in a minute");
}

/// Lines of a full CSV export (after the header), split into cells.
async fn export(client: &common::client::Client<'_>, path: &str) -> Vec<Vec<String>> {
    let r = client.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let text = r.text().await.unwrap();
    text.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

/// (address, unit, room) of every household `client` sees, with its region.
async fn households(client: &common::client::Client<'_>) -> Vec<(String, String, String, String)> {
    let (_, h) = client.json("/api/v1/households?limit=500").await;
    h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let s = |k: &str| h[k].as_str().unwrap().to_owned();
            (s("building_address"), s("unit"), s("room"), s("region"))
        })
        .collect()
}

fn residents_csv(row: [&str; 12]) -> Vec<u8> {
    format!("姓名,性别,出生日期,身份证号,手机号,地址,单元,室,与户主关系,标签,迁入日期,迁出日期\n{}\n", row.join(","))
        .into_bytes()
}

fn reasons(done: &Value) -> Vec<String> {
    done["outcome"]["errors"].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap().to_owned()).collect()
}

async fn an_id_number_never_tells_where_someone_lives_elsewhere(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 60).await;
    let lead = app.login("shiftlead").await;
    let everywhere = households(&lead).await;
    let people = export(&lead, "/api/v1/residents/export?format=csv&full=true").await;
    // (cells 3, 5, 6, 7: ID number, address, unit, room)
    let id_at = |inside: bool| {
        people
            .iter()
            .find(|p| {
                !p[3].is_empty()
                    && everywhere.iter().any(|(a, u, r, region)| {
                        (a, u, r) == (&p[5], &p[6], &p[7]) && region.starts_with(GRID) == inside
                    })
            })
            .map(|p| (p[3].clone(), p[5].clone(), (p[5].clone(), p[6].clone(), p[7].clone())))
            .expect("a resident with an ID number")
    };
    let (far_id, far_building, _) = id_at(false);
    let (near_id, _, near_home) = id_at(true);
    TestApp::personal(&far_id);
    TestApp::personal(&near_id);

    let mut worker = app.login("gridworker1").await;
    // a household of the worker's other than the near resident's own, so both rows clash
    let (address, unit, room, _) = households(&worker)
        .await
        .into_iter()
        .find(|(a, u, r, _)| (a, u, r) != (&near_home.0, &near_home.1, &near_home.2))
        .unwrap();
    let row = |number: &str| residents_csv(["钱多", "", "", number, "", &address, &unit, &room, "其他", "", "", ""]);
    let done = import(&mut worker, "kind=residents&dry_run=true", row(&far_id)).await;
    let said = reasons(&done);
    assert_eq!(said.len(), 1, "{done}");
    assert!(said[0].contains("已在其他网格登记"), "{said:?}");
    assert!(!done.to_string().contains(&far_building), "the far address is not named: {done}");
    assert!(!done.to_string().contains(&far_id), "{done}");

    // Someone the worker covers is still named at their address, so they can fix the row.
    let done = import(&mut worker, "kind=residents&dry_run=true", row(&near_id)).await;
    assert!(reasons(&done).iter().any(|r| r.contains("此人已登记在")), "{done}");

    // Both dry runs are in the audit log, as the worker's.
    let (_, log) = app.login("auditor").await.json("/api/v1/audit?action=registry.import").await;
    let runs: Vec<&Value> =
        log["items"].as_array().unwrap().iter().filter(|e| e["detail"]["dry_run"] == true).collect();
    assert_eq!(runs.len(), 2, "{log}");
    assert!(runs.iter().all(|e| e["actor_name"] == "gridworker1"), "{log}");
    assert!(runs.iter().all(|e| e["detail"]["refused"] == 1), "{log}");
    app.stop().await;
}

async fn a_plate_elsewhere_is_refused_without_its_owner(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 400).await;
    let lead = app.login("shiftlead").await;
    let everywhere = households(&lead).await;
    let bikes = export(&lead, "/api/v1/ebikes/export?format=csv").await;
    // (cells 0, 6, 8: plate, address, room)
    let far = bikes
        .iter()
        .find(|b| everywhere.iter().any(|(a, _, r, region)| (a, r) == (&b[6], &b[8]) && !region.starts_with(GRID)))
        .expect("an e-bike outside the grid");
    let mut worker = app.login("gridworker1").await;
    let (_, h) = worker.json("/api/v1/households?limit=1").await;
    let home = &h["items"][0];
    let (_, detail) = worker.json(&format!("/api/v1/households/{}", home["id"])).await;
    let owner = detail["residents"][0]["name"].as_str().unwrap();
    let s = |k: &str| home[k].as_str().unwrap().to_owned();
    let file = format!(
        "车牌号,品牌,电池类型,状态,登记日期,车主,地址,单元,室,充电棚\n{},雅迪,锂电,在用,2026-10-01,{owner},{},{},{},\n",
        far[0],
        s("building_address"),
        s("unit"),
        s("room")
    );
    let done = import(&mut worker, "kind=ebikes&dry_run=true", file.into_bytes()).await;
    let said = reasons(&done);
    assert_eq!(said, ["这个车牌已在其他网格登记；如已转让，请联系所在网格修改"], "{done}");
    app.stop().await;
}

backend_tests!(an_id_number_never_tells_where_someone_lives_elsewhere, a_plate_elsewhere_is_refused_without_its_owner);
