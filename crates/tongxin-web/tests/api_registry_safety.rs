//! The e-bike safety view and shed inspections over HTTP on both backends, against the
//! hand-made registry of `tongxin_store::testing::safety` in the demo geography: exact
//! figures, the caller's regions, bad input in the JSON error shape.

mod common;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::seed;

fn community<'a>(view: &'a Value, code: &str) -> &'a Value {
    view["communities"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()
}

/// The counts of a row, in the order the page shows them (a building has no shortfall).
fn counts(row: &Value) -> Vec<i64> {
    [
        "ebikes",
        "lithium",
        "owners",
        "pledged_owners",
        "sheds",
        "shed_capacity",
        "shed_shortfall",
        "hazards_found",
        "hazards_fixed",
    ]
    .iter()
    .filter(|k| !row[**k].is_null() || **k != "shed_shortfall")
    .map(|k| row[k].as_i64().unwrap_or_else(|| panic!("{k} in {row}")))
    .collect()
}

async fn the_view_counts_the_records_within_reach(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let fixture = seed(&app.db.store).await;
    let admin = app.login("admin").await;
    let (status, view) = admin.json("/api/v1/registry/ebike-safety?year=2020").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["year"], 2020);
    assert_eq!(
        view["figures"],
        json!({"sheds_checked": 2, "sheds_built": 2, "pledges_signed": 2, "hazards_found": 3, "hazards_fixed": 2, "bikes_cleared": 1})
    );
    assert_eq!(view["communities"].as_array().unwrap().len(), 13, "every community of the demo");
    let jinghua = community(&view, "310106013001");
    assert_eq!(jinghua["name"], "景华居民区");
    // 3 active e-bikes, 2 lithium, 2 owners of whom 1 pledged, 2 sheds with 30 spaces
    assert_eq!(counts(jinghua), [3, 2, 2, 1, 2, 30, 0, 2, 1]);
    assert_eq!(jinghua["pledge_coverage"], 0.5);
    assert_eq!(counts(&view["total"]), [4, 2, 3, 2, 3, 42, 0, 3, 2]);
    assert_eq!(community(&view, "310106013003")["pledge_coverage"], Value::Null, "no owners: no coverage");
    assert!(view["buildings"].as_array().unwrap().is_empty());

    // A community's buildings, by address.
    let (_, buildings) = admin.json("/api/v1/registry/ebike-safety?year=2020&region=310106013001").await;
    let rows = buildings["buildings"].as_array().unwrap();
    let ids: Vec<i64> = rows.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, fixture.buildings[..2]);
    assert_eq!(counts(&rows[0]), [2, 1, 1, 1, 0, 0, 1, 1]);
    assert_eq!(rows[0]["shed_shortfall"], Value::Null, "sheds belong to communities");
    assert_eq!(rows[1]["pledge_coverage"], 0.0);

    // 景华's first-grid worker sees 景华 only, and not 美丽园 even when asking for it.
    let worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/registry/ebike-safety?year=2020").await;
    let codes: Vec<&str> =
        theirs["communities"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["310106013001"]);
    assert_eq!(theirs["figures"]["pledges_signed"], 2);
    assert_eq!(theirs["figures"]["sheds_checked"], 1);
    assert_error(&worker.json("/api/v1/registry/ebike-safety?region=310106013002").await, 404, "not_found", None);
    assert_error(&app.login("dept1").await.json("/api/v1/registry/ebike-safety").await, 403, "forbidden", None);

    // Bad input names the field.
    for bad in ["20x0", "1999", "2101", "２０２０"] {
        let got = admin.json(&format!("/api/v1/registry/ebike-safety?year={}", urlencode(bad))).await;
        assert_error(&got, 400, "invalid_parameter", Some("year"));
    }
    assert_error(
        &admin.json("/api/v1/registry/ebike-safety?region=31x").await,
        400,
        "invalid_parameter",
        Some("region"),
    );

    // Without a year: this year in Shanghai (the fixture has nothing then).
    let (_, now) = admin.json("/api/v1/registry/ebike-safety").await;
    let this_year = tongxin_core::time::Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
    assert_eq!(now["year"], chrono::Datelike::year(&this_year));
    assert_eq!(now["figures"]["hazards_fixed"], 0);

    // The endpoint is in the OpenAPI document.
    let (_, doc) = app.anonymous().json("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/registry/ebike-safety"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/sheds/{id}/checks"]["post"].is_object());
    app.stop().await;
}

async fn a_grid_worker_records_a_shed_check(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let fixture = seed(&app.db.store).await;
    let mut worker = app.login("gridworker1").await;
    let path = format!("/api/v1/sheds/{}/checks", fixture.sheds[1]);
    let (status, check) =
        worker.post_json(&path, json!({"checked_on": "2020-11-02", "ok": false, "findings": "烟感失灵"})).await;
    assert_eq!(status, 201, "{check}");
    assert_eq!(check["checked_by"], "网格员 张伟", "the caller, by default");
    assert_eq!((check["ok"].clone(), check["findings"].clone()), (json!(false), json!("烟感失灵")));
    let (_, view) = app.login("admin").await.json("/api/v1/registry/ebike-safety?year=2020").await;
    assert_eq!(view["figures"]["sheds_checked"], 3, "s1, s3 and now s2");

    let (_, audit) = app.login("auditor").await.json("/api/v1/audit?action=registry.sheds.check").await;
    let entry = &audit["items"][0];
    assert_eq!(entry["object_id"], check["id"].to_string());
    assert_eq!(entry["actor_name"], "gridworker1");

    // Refused: bad dates, a failed check without findings, a shed in 美丽园, no permission.
    for (body, field) in [
        (json!({"checked_on": "2020-02-30", "ok": true}), "checked_on"),
        (json!({"checked_on": "2099-01-01", "ok": true}), "checked_on"),
        (json!({"checked_on": "2020-06-01", "ok": false}), "findings"),
        (json!({"ok": true}), "body"),
    ] {
        assert_error(&worker.post_json(&path, body).await, 400, "invalid_parameter", Some(field));
    }
    let elsewhere = format!("/api/v1/sheds/{}/checks", fixture.sheds[2]);
    assert_error(
        &worker.post_json(&elsewhere, json!({"checked_on": "2020-06-01", "ok": true})).await,
        404,
        "not_found",
        None,
    );
    // (the administrator holds sheds.check, to hand it to grid workers: docs/access.md)
    let mut operator = app.login("operator").await;
    assert_error(
        &operator.post_json(&path, json!({"checked_on": "2020-06-01", "ok": true})).await,
        403,
        "forbidden",
        None,
    );
    assert_eq!(app.db.store.shed_checks(fixture.sheds[1]).await.unwrap().len(), 2, "only the good one was added");
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

backend_tests!(the_view_counts_the_records_within_reach, a_grid_worker_records_a_shed_check);
