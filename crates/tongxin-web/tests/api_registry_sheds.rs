//! Charging sheds and safety pledges over HTTP on both backends: a shed added and changed
//! with every field checked, its grid following its location, each change in its history;
//! and the shed and pledge ledgers imported — matched on their natural keys, bad rows named.

mod common;

use std::time::Duration;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Posts a file for import and waits for the outcome.
async fn import(client: &mut common::client::Client<'_>, query: &str, text: String) -> Value {
    let (status, job) = client
        .post_bytes(&format!("/api/v1/registry/imports?{query}"), "application/octet-stream", text.into_bytes())
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let (_, now) = client.json(&format!("/api/v1/registry/imports/{id}")).await;
        if now["finished"] == true {
            return now["outcome"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish in a minute");
}

/// (line, column) of each refused row's problem.
fn problems(outcome: &Value) -> Vec<(u64, String)> {
    outcome["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_str().unwrap().to_owned()))
        .collect()
}

async fn sheds_are_added_and_changed_with_their_history(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 300).await;
    let mut lead = app.login("shiftlead").await;
    let (_, sheds) = lead.json("/api/v1/sheds?limit=500").await;
    let shed = sheds["items"][0].clone();
    let id = shed["id"].as_i64().unwrap();
    let path = format!("/api/v1/sheds/{id}");

    // Every problem at once, nothing changed.
    let (status, body) = lead
        .patch_json(&path, json!({ "capacity": "0", "facilities": "灭火器、喷淋", "status": "在用", "lat": "北纬" }))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["lat", "capacity", "facilities", "status"]);
    let (status, body) = lead.patch_json(&path, json!({ "lat": "0", "lng": "0" })).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("不在任何网格内"), "{body}");

    // A change, in the history; the same change again writes nothing.
    let change = json!({ "capacity": "36", "facilities": "灭火器、烟感、监控、定时断电", "status": "已关闭" });
    let (status, changed) = lead.patch_json(&path, change.clone()).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!((changed["capacity"].as_i64(), changed["status"].as_str()), (Some(36), Some("closed")));
    assert_eq!(changed["facilities"], json!(["extinguisher", "smoke_detector", "camera", "timed_power_off"]));
    let (_, again) = lead.patch_json(&path, change).await;
    assert_eq!(again["changes"], json!([]));
    let (status, history) = lead.json(&format!("/api/v1/registry/sheds/{id}/history")).await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    let fields: Vec<&str> =
        history[0]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"capacity") && fields.contains(&"status"), "{history}");
    assert_eq!(history[0]["action"], "registry.shed.update");

    // A new shed lands in the grid its point lies in; its name is unique.
    let new = json!({ "name": "新建充电棚", "lat": shed["lat"].to_string(), "lng": shed["lng"].to_string(),
        "capacity": "20", "facilities": "灭火器", "status": "规划中", "opened_on": "2027-03-01" });
    let (status, added) = lead.post_json("/api/v1/sheds", new.clone()).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!((added["region"].as_str(), added["status"].as_str()), (shed["region"].as_str(), Some("planned")));
    assert_error(&lead.post_json("/api/v1/sheds", new).await, 409, "conflict", Some("name"));
    let (status, body) = lead.patch_json(&path, json!({ "name": "新建充电棚" })).await;
    assert_eq!(status, 409, "{body}");

    // Out of reach: another grid's shed is not there; a point in another grid is refused.
    let mut worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/sheds?limit=500").await;
    let theirs = theirs["items"].as_array().unwrap().clone();
    let far = sheds["items"].as_array().unwrap().iter().find(|s| !theirs.iter().any(|t| t["id"] == s["id"])).unwrap();
    let far_path = format!("/api/v1/sheds/{}", far["id"]);
    assert_error(&worker.patch_json(&far_path, json!({ "capacity": "9" })).await, 404, "not_found", None);
    let mine = format!("/api/v1/sheds/{}", theirs[0]["id"]);
    let moved = json!({ "lat": far["lat"].to_string(), "lng": far["lng"].to_string() });
    let (status, body) = worker.patch_json(&mine, moved).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("不在您管辖的范围内"), "{body}");
    let mut intake = app.login("intake").await;
    assert_error(&intake.patch_json(&path, json!({ "capacity": "9" })).await, 403, "forbidden", None);
    app.stop().await;
}

async fn shed_and_pledge_ledgers_come_in(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 300).await;
    let mut lead = app.login("shiftlead").await;
    let (_, sheds) = lead.json("/api/v1/sheds?limit=1").await;
    let shed = &sheds["items"][0];
    let (lat, lng, name) = (shed["lat"].to_string(), shed["lng"].to_string(), shed["name"].as_str().unwrap());

    // Sheds: one changed, one added, four refused.
    let file = format!(
        "名称,纬度,经度,车位数,设施,状态,启用日期\n\
         {name},{lat},{lng},99,灭火器、监控,使用中,2019-05-01\n\
         导入充电棚,{lat},{lng},12,,规划中,\n\
         远处充电棚,0,0,12,,规划中,\n\
         坏充电棚,{lat},{lng},0,喷淋,使用中,\n\
         导入充电棚,{lat},{lng},12,,规划中,\n"
    );
    let outcome = import(&mut lead, "kind=sheds&mode=valid", file).await;
    assert_eq!((outcome["added"].as_u64(), outcome["updated"].as_u64()), (Some(1), Some(1)), "{outcome}");
    assert_eq!(
        problems(&outcome),
        [(4, "纬度".into()), (5, "车位数".into()), (5, "设施".into()), (6, "名称".into())],
        "{outcome}"
    );
    let (_, changed) = lead.json(&format!("/api/v1/sheds/{}", shed["id"])).await;
    assert_eq!((changed["capacity"].as_i64(), changed["opened_on"].as_str()), (Some(99), Some("2019-05-01")));
    let (_, history) = lead.json(&format!("/api/v1/registry/sheds/{}/history", shed["id"])).await;
    assert_eq!(history[0]["action"], "registry.shed.update");
    let (_, found) = lead.json("/api/v1/sheds?q=导入充电棚").await;
    assert_eq!(found["items"][0]["region"], shed["region"], "the grid its point lies in");

    // Pledges: two added (one online), the rest refused with their reason.
    // (a household without pledges yet)
    let (_, signed) = lead.json("/api/v1/pledges?limit=500").await;
    let signed: Vec<&Value> = signed["items"].as_array().unwrap().iter().map(|p| &p["household_id"]).collect();
    let (_, h) = lead.json("/api/v1/households?limit=100").await;
    let home = h["items"].as_array().unwrap().iter().find(|h| !signed.contains(&&h["id"])).unwrap();
    let (_, detail) = lead.json(&format!("/api/v1/households/{}", home["id"])).await;
    let signer = detail["residents"][0]["name"].as_str().unwrap();
    let (address, unit, room) =
        (home["building_address"].as_str().unwrap(), home["unit"].as_str().unwrap(), home["room"].as_str().unwrap());
    let file = format!(
        "签署人,地址,单元,室,签署日期,方式,收取人\n\
         {signer},{address},{unit},{room},2026-10-01,,王芳\n\
         {signer},{address},{unit},{room},2026-10-02,线上,\n\
         查无此人,{address},{unit},{room},2026-10-01,,\n\
         {signer},{address},{unit},{room},2099-01-01,,\n\
         {signer},{address},{unit},{room},2026-10-01,纸质,李明\n\
         {signer},{address},{unit},{room},2026-10-03,线上,\n\
         {signer},{address},{unit},{room},2026-10-04,微信,\n"
    );
    let outcome = import(&mut lead, "kind=pledges&mode=valid", file.clone()).await;
    assert_eq!(outcome["added"].as_u64(), Some(2), "{outcome}");
    assert_eq!(
        problems(&outcome),
        [(4, "签署人".into()), (5, "签署日期".into()), (6, "签署日期".into()), (7, "方式".into()), (8, "方式".into())],
        "{outcome}"
    );
    let (_, pledges) = lead.json(&format!("/api/v1/pledges?q={}", urlencode(signer))).await;
    let mine: Vec<(&str, &str)> = pledges["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["household_id"] == home["id"])
        .map(|p| (p["signed_on"].as_str().unwrap(), p["channel"].as_str().unwrap()))
        .collect();
    assert!(mine.contains(&("2026-10-01", "paper")) && mine.contains(&("2026-10-02", "online")), "{pledges}");

    // Again: the valid rows change nothing; a later online pledge is still refused.
    let outcome = import(&mut lead, "kind=pledges&mode=valid", file).await;
    assert_eq!((outcome["added"].as_u64(), outcome["unchanged"].as_u64()), (Some(0), Some(2)), "{outcome}");
    // All or nothing: one refused row, nothing written.
    let file = format!(
        "签署人,地址,单元,室,签署日期,方式,收取人\n\
         {signer},{address},{unit},{room},2026-10-05,,\n\
         {signer},{address},{unit},{room},2026-10-06,线上,\n"
    );
    let outcome = import(&mut lead, "kind=pledges", file).await;
    assert_eq!((outcome["written"].as_bool(), outcome["refused"].as_u64()), (Some(false), Some(1)), "{outcome}");
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

backend_tests!(sheds_are_added_and_changed_with_their_history, shed_and_pledge_ledgers_come_in);
