//! A 12345 order number sent again, on both backends: the first case comes back only to a
//! caller who may see it (or filed it); anyone else gets a 409 that names only the
//! conflict, audited, through one order and through the batch alike.

mod common;

use common::{Client, PASSWORD, TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_core::access::{ApiScope, Role};
use tongxin_core::geo::RegionCode;
use tongxin_store::access::NewUser;
use tongxin_store::audit::{AuditFilter, Caller};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// gridworker1's grid, where the callers are bound, and gridworker2's, where the order lies.
const MINE: &str = "310106013001001";
const OTHER: &str = "310106013002002";

/// A point where a building of `grid` stands.
async fn point_in(app: &TestApp, grid: &str) -> (f64, f64) {
    let within = RegionCode::parse(grid).unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap();
    (b[0].fields.location.lat(), b[0].fields.location.lng())
}

fn order(reference: &str, (lat, lng): (f64, f64)) -> Value {
    json!({"category": "E0101", "description": "12345 工单：常德路垃圾未清运，住户王先生反映",
        "lat": lat, "lng": lng, "external_ref": reference, "source": "hotline"})
}

async fn out_of_scope_entries(app: &TestApp) -> i64 {
    let filter = AuditFilter { action: Some("access.out_of_scope".into()), limit: 1, ..Default::default() };
    app.db.store.audit_entries(&filter).await.unwrap().1
}

/// A conflict naming the field and nothing of the case.
fn conflict(got: &(u16, Value), case: &Value) {
    assert_error(got, 409, "conflict", Some("external_ref"));
    let body = got.1.to_string();
    assert!(!body.contains(case["number"].as_str().unwrap()) && !body.contains("常德路"), "{body}");
    assert!(got.1.get("description").is_none() && got.1.get("location").is_none(), "{body}");
}

async fn a_replayed_order_number_opens_no_case_beyond_reach(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let system = Caller::system("test");
    let store = &app.db.store;
    // The order, filed in the other grid by the subdistrict's hotline.
    let (_, city) = store.create_api_key(&system, "12345", &[ApiScope::Hotline], None).await.unwrap();
    let (status, first) = Client::with_key(&app, &city)
        .post_json("/api/v1/cases", order("SH12345-0001", point_in(&app, OTHER).await))
        .await;
    assert_eq!(status, 201, "{first}");
    let id = first["id"].as_i64().unwrap();

    // An intake account and a hotline key of my grid only.
    let hash = tongxin_core::access::password::Password::parse(PASSWORD).unwrap().hash();
    let grid = vec![RegionCode::parse(MINE).unwrap()];
    let new = NewUser {
        username: "intake_mine".into(),
        display_name: "受理员 一网格".into(),
        password_hash: hash,
        roles: vec![Role::Intake],
        regions: grid.clone(),
    };
    store.create_user(&system, &new).await.unwrap();
    let mut intake = app.login("intake_mine").await;
    let (_, key) = store.create_api_key(&system, "grid hotline", &[ApiScope::Hotline], Some(&grid)).await.unwrap();
    let mut grid_key = Client::with_key(&app, &key);
    let before = out_of_scope_entries(&app).await;

    assert_eq!(intake.json(&format!("/api/v1/cases/{id}")).await.0, 404);
    let mine = point_in(&app, MINE).await;
    conflict(&intake.post_json("/api/v1/cases", order("SH12345-0001", mine)).await, &first);
    conflict(&grid_key.post_json("/api/v1/cases", order("SH12345-0001", mine)).await, &first);
    // The batch, checking or filing, says the same of that row.
    let csv = format!("工单编号,问题类别,问题描述,纬度,经度\nSH12345-0001,E0101,又一次,{},{}\n", mine.0, mine.1);
    for path in ["/api/v1/cases/import?dry_run=true", "/api/v1/cases/import"] {
        let (status, report) = intake.post_bytes(path, "text/csv", csv.clone().into_bytes()).await;
        assert_eq!(status, 200, "{report}");
        let row = &report["rows"][0];
        assert_eq!(
            (row["outcome"].as_str(), row["field"].as_str(), row["code"].as_str()),
            (Some("refused"), Some("external_ref"), Some("conflict")),
            "{report}"
        );
        assert!(row["number"].is_null(), "{report}");
    }
    assert_eq!(out_of_scope_entries(&app).await - before, 5, "four replays and the 404 are audited");

    // Whoever may see the case, or filed it, still gets it back.
    let (status, again) = app.login("intake").await.post_json("/api/v1/cases", order("SH12345-0001", mine)).await;
    assert_eq!((status, again["id"].as_i64()), (200, Some(id)), "{again}");
    let (status, again) = Client::with_key(&app, &city).post_json("/api/v1/cases", order("SH12345-0001", mine)).await;
    assert_eq!((status, again["id"].as_i64()), (200, Some(id)), "a key without cases.read gets its own order back");
    let (status, own) = grid_key.post_json("/api/v1/cases", order("SH12345-0002", mine)).await;
    assert_eq!(status, 201, "{own}");
    let (status, again) = grid_key.post_json("/api/v1/cases", order("SH12345-0002", mine)).await;
    assert_eq!((status, again["id"].clone()), (200, own["id"].clone()));
    app.stop().await;
}

backend_tests!(a_replayed_order_number_opens_no_case_beyond_reach);
