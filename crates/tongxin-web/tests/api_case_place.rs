//! A report with only an address, on both backends: the address finds its building (and
//! so its grid) however it is written; one that names no single building waits with the
//! subdistrict until a dispatcher places it; each step tells whoever must act next.

mod common;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_core::geo::{Building, RegionCode};
use tongxin_store::backend_tests;
use tongxin_store::notifications::Recipient;
use tongxin_store::testing::TestDb;

/// The first buildings of 景华's first grid (gridworker1's).
async fn buildings(app: &TestApp) -> Vec<Building> {
    let grid = RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 50, offset: 0 };
    app.db.store.buildings(&filter).await.unwrap()
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    app.db.store.user_by_username(username).await.unwrap().unwrap().id
}

async fn told(app: &TestApp, username: &str, kind: &str) -> Vec<String> {
    let me = Recipient::Staff(staff_id(app, username).await);
    let all = app.db.store.notifications_for(me, 100).await.unwrap();
    all.into_iter().filter(|n| n.kind == kind).map(|n| n.case_number).collect()
}

fn report(address: &str) -> Value {
    json!({ "category": "E0103", "description": "楼道堆满纸箱", "attributes": { "floor": "2" }, "address": address })
}

async fn an_address_finds_its_building_however_it_is_written(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut intake = app.login("intake").await;
    let all = buildings(&app).await;
    let b = all.iter().find(|b| b.fields.address.contains('弄')).expect("a building in a lane");
    let address = &b.fields.address;
    let road = &address[..address.find(|c: char| c.is_ascii_digit()).unwrap()];
    let numbers = &address[road.len()..];
    let written = [address.clone(), format!("上海市静安区{road} {numbers}302室"), format!("{road}{numbers}门口")];
    for address in written {
        let (status, case) = intake.post_json("/api/v1/cases", report(&address)).await;
        assert_eq!(status, 201, "{address}: {case}");
        assert_eq!(case["grid"], json!(b.fields.grid.as_str()), "{address} is on the building's grid");
        assert_eq!(case["building_id"], json!(b.id), "{address}");
        assert!(case["location"].is_object(), "{address} takes the building's point");
    }
    // A lane without a number fits several buildings: the case waits with the subdistrict.
    let lane = &b.fields.address[..b.fields.address.find('弄').unwrap() + '弄'.len_utf8()];
    let (status, vague) = intake.post_json("/api/v1/cases", report(lane)).await;
    assert_eq!(status, 201, "{vague}");
    assert_eq!(vague["grid"], Value::Null, "{lane} is more than one building");
    assert_eq!(vague["region"], json!("310106013"));
    // The buildings it may be, for whoever places it.
    let (status, found) = intake.json(&format!("/api/v1/buildings?q={}", urlencode(lane))).await;
    assert_eq!(status, 200, "{found}");
    assert!(found["items"].as_array().unwrap().len() > 1, "{found}");
    assert!(found["items"].as_array().unwrap().iter().any(|i| i["id"] == json!(b.id)));
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn a_case_off_the_grid_is_placed_and_each_step_tells_who_acts_next(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut intake = app.login("intake").await;
    let mut dispatcher = app.login("dispatcher").await;
    let mut dept = app.login("dept1").await;
    let mut worker = app.login("gridworker1").await;
    let mut lead = app.login("shiftlead").await;
    let b = buildings(&app).await.remove(0);

    let (status, case) = intake.post_json("/api/v1/cases", report("某某路999号后门")).await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    let number = case["number"].as_str().unwrap().to_owned();
    assert_eq!(case["grid"], Value::Null);
    let (status, _) = intake.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await;
    assert_eq!(status, 200);
    assert!(told(&app, "dispatcher", "awaiting_dispatch").await.contains(&number), "the dispatcher hears of it");
    let (status, body) =
        dispatcher.post_json(&format!("/api/v1/cases/{id}/actions/dispatch"), json!({"department": "cgzd"})).await;
    assert_eq!(status, 200, "{body}");
    dept.post_json(&format!("/api/v1/cases/{id}/actions/accept"), json!({})).await;
    let (status, body) =
        dept.post_json(&format!("/api/v1/cases/{id}/actions/feedback"), json!({"note": "已清理"})).await;
    assert_eq!(status, 200, "{body}");
    // Off the grid, no grid worker can check it yet.
    let (status, _) = worker.post_json(&format!("/api/v1/cases/{id}/actions/pass"), json!({})).await;
    assert_eq!(status, 404, "the grid worker does not see a case off their grid");
    assert!(told(&app, "gridworker1", "awaiting_check").await.is_empty());

    // Placing needs a building or a point; a grid worker may not place.
    let place = format!("/api/v1/cases/{id}/place");
    assert_error(&dispatcher.post_json(&place, json!({})).await, 400, "invalid_parameter", Some("building_id"));
    assert_error(
        &dispatcher.post_json(&place, json!({"building_id": 999_999})).await,
        400,
        "invalid_parameter",
        Some("building_id"),
    );
    assert_error(&dispatcher.post_json(&place, json!({"lat": 31.2})).await, 400, "invalid_parameter", Some("lng"));
    assert_error(
        &dispatcher.post_json(&place, json!({"lat": 0.0, "lng": 0.0})).await,
        400,
        "invalid_parameter",
        Some("lat"),
    );
    let (status, _) = worker.post_json(&place, json!({"building_id": b.id})).await;
    assert_eq!(status, 404, "a grid worker does not see it");
    let (status, placed) = dispatcher.post_json(&place, json!({"building_id": b.id, "note": "来电人补充了门牌"})).await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(placed["grid"], json!(b.fields.grid.as_str()));
    assert!(placed["timeline"].as_array().unwrap().iter().any(|e| e["action"] == "place"), "{placed}");
    assert!(told(&app, "gridworker1", "awaiting_check").await.contains(&number), "the grid worker hears of it");

    let (status, body) = worker.post_json(&format!("/api/v1/cases/{id}/actions/pass"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(told(&app, "shiftlead", "awaiting_close").await.contains(&number), "the shift lead hears of it");
    let (status, _) = lead.post_json(&format!("/api/v1/cases/{id}/actions/close"), json!({})).await;
    assert_eq!(status, 200);
    assert_error(&dispatcher.post_json(&place, json!({"building_id": b.id})).await, 409, "conflict", Some("case"));
    let audit = app.db.store.audit_of_object("case", &id.to_string(), "case.place", 10).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "case.place"), "placing is audited");
    app.stop().await;
}

async fn the_shift_lead_recalls_a_case_a_department_sits_on(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut intake = app.login("intake").await;
    let mut dispatcher = app.login("dispatcher").await;
    let mut lead = app.login("shiftlead").await;
    let b = buildings(&app).await.remove(0);
    let (_, case) = intake.post_json("/api/v1/cases", report(&b.fields.address)).await;
    let id = case["id"].as_i64().unwrap();
    intake.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await;
    dispatcher.post_json(&format!("/api/v1/cases/{id}/actions/dispatch"), json!({"department": "cgzd"})).await;
    let recall = format!("/api/v1/cases/{id}/actions/recall");
    assert_error(&lead.post_json(&recall, json!({})).await, 400, "invalid_parameter", Some("reason"));
    let (status, _) = dispatcher.post_json(&recall, json!({"reason": "部门未响应"})).await;
    assert_eq!(status, 403, "only the shift lead recalls");
    let (status, body) = lead.post_json(&recall, json!({"reason": "部门两天未接单"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "registered");
    assert_eq!(body["department"], Value::Null);
    app.stop().await;
}

backend_tests!(
    an_address_finds_its_building_however_it_is_written,
    a_case_off_the_grid_is_placed_and_each_step_tells_who_acts_next,
    the_shift_lead_recalls_a_case_a_department_sits_on
);
