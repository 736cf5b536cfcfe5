//! Changing the registry over HTTP on both backends: households and residents added and
//! changed with every field checked, moves out that keep the record, building fields, and
//! each change in the record's history with before and after — personal values masked,
//! within the writer's regions.

mod common;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// A valid ID number for someone born on `birth` (YYYYMMDD) with sequence `seq`.
fn id_number(birth: &str, seq: u32) -> String {
    let first = format!("310106{birth}{seq:03}");
    format!("{first}{}", tongxin_core::pii::id_number::check_character(&first).unwrap())
}

fn with_wrong_check(id: &str) -> String {
    let last = if id.ends_with('1') { '2' } else { '1' };
    format!("{}{last}", &id[..17])
}

fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn history(client: &common::client::Client<'_>, kind: &str, id: i64) -> Vec<Value> {
    let (status, body) = client.json(&format!("/api/v1/registry/{kind}/{id}/history")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn households_and_residents_are_added_checked_and_changed(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 200).await;
    let mut worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/households?limit=1").await;
    let building = theirs["items"][0]["building_id"].as_i64().unwrap();

    // A household: checked, added, unique by unit and room.
    let (status, body) = worker
        .post_json("/api/v1/households", json!({ "building_id": building, "room": "", "registration": "外地" }))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["room", "registration"]);
    assert!(
        body["error"]["details"]["errors"][1]["reason"].as_str().unwrap().contains("户籍、人户分离、来沪"),
        "{body}"
    );
    let new_household = json!({ "building_id": building, "unit": "9", "room": "901室", "registration": "来沪" });
    let (status, household) = worker.post_json("/api/v1/households", new_household.clone()).await;
    assert_eq!(status, 201, "{household}");
    assert_eq!((household["unit"].as_str(), household["room"].as_str()), (Some("9"), Some("901")));
    assert_error(&worker.post_json("/api/v1/households", new_household).await, 409, "conflict", Some("room"));
    let hid = household["id"].as_i64().unwrap();

    // A resident: every problem named at once, nothing written.
    let id = id_number("19460308", 902);
    let phone = "13912345678";
    TestApp::personal(&id);
    TestApp::personal(phone);
    let bad = json!({
        "household_id": hid, "name": "王秀英", "gender": "男", "birth_date": "1946-03-09",
        "id_number": with_wrong_check(&id), "phone": "12345", "role": "朋友",
    });
    let (status, body) = worker.post_json("/api/v1/residents", bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["id_number", "phone", "role"]);
    assert!(body["error"]["message"].as_str().unwrap().contains("校验位"), "{body}");
    let mismatch = json!({ "household_id": hid, "name": "王秀英", "gender": "男", "birth_date": "1946-03-09", "id_number": id, "role": "户主" });
    let (status, body) = worker.post_json("/api/v1/residents", mismatch).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["gender", "birth_date"]);
    assert_eq!(history(&worker, "households", hid).await.len(), 1, "only the household's own entry");

    // Added with gender and birth date from the ID number; answered masked.
    let good = json!({ "household_id": hid, "name": "王秀英", "id_number": id, "phone": phone, "role": "户主", "tags": "独居老人" });
    let (status, resident) = worker.post_json("/api/v1/residents", good.clone()).await;
    assert_eq!(status, 201, "{resident}");
    assert_eq!((resident["gender"].as_str(), resident["birth_date"].as_str()), (Some("female"), Some("1946-03-08")));
    assert_eq!(resident["phone"], "139****5678");
    assert!(!resident.to_string().contains(&id));
    assert_error(&worker.post_json("/api/v1/residents", good).await, 409, "conflict", Some("id_number"));
    let rid = resident["id"].as_i64().unwrap();

    // A change names only what changes; the history has before and after, masked.
    let (status, changed) = worker
        .patch_json(&format!("/api/v1/residents/{rid}"), json!({ "phone": "13800001111", "tags": "独居老人、党员" }))
        .await;
    assert_eq!(status, 200, "{changed}");
    let fields: Vec<&str> =
        changed["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["phone", "tags"]);
    assert_eq!(changed["phone"], "138****1111");
    assert_eq!(changed["changes"][0]["before"], "139****5678");
    let (_, same) = worker
        .patch_json(&format!("/api/v1/residents/{rid}"), json!({ "name": "王秀英", "phone": "138 0000 1111" }))
        .await;
    assert_eq!(same["changes"], json!([]), "the same values change nothing");
    let entries = history(&worker, "residents", rid).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["action"], "registry.resident.update");
    assert_eq!(entries[1]["action"], "registry.resident.add");
    let all = serde_json::to_string(&entries).unwrap();
    assert!(!all.contains(&id) && !all.contains(phone) && !all.contains("13800001111"), "masked: {all}");
    assert!(all.contains("3***************") && all.contains("139****5678"), "{all}");

    // Bad values in a change: refused whole, nothing changed.
    let (status, body) = worker
        .patch_json(&format!("/api/v1/residents/{rid}"), json!({ "name": "王秀兰", "birth_date": "2030-01-01" }))
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, now) = worker.json(&format!("/api/v1/residents/{rid}")).await;
    assert_eq!(now["name"], "王秀英");

    // Moving out keeps the record and its history.
    let (status, left) =
        worker.patch_json(&format!("/api/v1/residents/{rid}"), json!({ "moved_out": "2026-01-15" })).await;
    assert_eq!(status, 200, "{left}");
    let (_, members) = worker.json(&format!("/api/v1/residents?household={hid}")).await;
    assert_eq!(members["items"], json!([]), "no longer living there");
    let (_, everyone) = worker.json(&format!("/api/v1/residents?household={hid}&moved_out=true")).await;
    assert_eq!(everyone["items"][0]["moved_out"], "2026-01-15");
    assert_eq!(history(&worker, "residents", rid).await[0]["action"], "registry.resident.move_out");

    // The household's fields, and its history.
    let (status, h) = worker.patch_json(&format!("/api/v1/households/{hid}"), json!({ "notes": "整租" })).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["notes"], "整租");
    assert_eq!(history(&worker, "households", hid).await[0]["changes"][0]["after"], "整租");
    app.stop().await;
}

async fn buildings_change_and_writes_stay_in_reach(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 200).await;
    let admin = app.login("admin").await;
    let mut worker = app.login("gridworker1").await;
    let (_, all) = admin.json("/api/v1/residents?limit=500").await;
    let (_, theirs) = worker.json("/api/v1/residents?limit=500").await;
    let theirs = theirs["items"].as_array().unwrap().clone();
    let insider = &theirs[0];
    let outsider =
        all["items"].as_array().unwrap().iter().find(|p| !theirs.iter().any(|t| t["id"] == p["id"])).unwrap();
    let (_, household) = admin.json(&format!("/api/v1/households/{}", insider["household_id"])).await;
    let building = household["building_id"].as_i64().unwrap();

    // A building's registry fields, with a 加梯 stage and a contact whose phone is sealed.
    let (status, before) = worker.json(&format!("/api/v1/registry/buildings/{building}")).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(
        (before["units"].as_i64(), &before["lift_stage"]),
        (Some(1), &Value::Null),
        "the demo leaves them to staff"
    );
    let (status, b) = worker
        .patch_json(
            &format!("/api/v1/registry/buildings/{building}"),
            json!({ "units": "3", "year_built": "1985", "elevator": "否", "lift_stage": "征询通过", "contact_name": "李建国", "contact_phone": "13700002222" }),
        )
        .await;
    assert_eq!(status, 200, "{b}");
    TestApp::personal("13700002222");
    assert_eq!((b["units"].as_i64(), b["lift_stage"].as_str()), (Some(3), Some("consulted")));
    assert_eq!(b["contact_phone"], "137****2222");
    let (status, body) = worker
        .patch_json(&format!("/api/v1/registry/buildings/{building}"), json!({ "units": "0", "lift_stage": "造好了" }))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["units", "lift_stage"]);
    let entries = history(&worker, "buildings", building).await;
    assert_eq!(entries.len(), 1);
    let columns: Vec<&str> =
        entries[0]["changes"].as_array().unwrap().iter().map(|c| c["column"].as_str().unwrap()).collect();
    let mut expected = vec!["单元数", "建成年份"];
    if before["elevator"] == true {
        expected.push("电梯");
    }
    expected.extend(["加梯阶段", "联系人", "联系电话"]);
    assert_eq!(columns, expected);

    // Outside the worker's regions: the same 404 as nothing, audited; no write happens.
    let path = format!("/api/v1/residents/{}", outsider["id"]);
    assert_error(&worker.patch_json(&path, json!({ "name": "改名" })).await, 404, "not_found", None);
    let (_, unchanged) = admin.json(&path).await;
    assert_eq!(unchanged["name"], outsider["name"]);
    // moving an insider into an outside household is refused the same way
    let moved = json!({ "household_id": outsider["household_id"] });
    assert_error(
        &worker.patch_json(&format!("/api/v1/residents/{}", insider["id"]), moved).await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &worker.json(&format!("/api/v1/registry/residents/{}/history", outsider["id"])).await,
        404,
        "not_found",
        None,
    );
    // reading is not writing: intake reads residents but may not change them
    let mut intake = app.login("intake").await;
    assert_error(&intake.patch_json(&path, json!({ "name": "改名" })).await, 403, "forbidden", None);
    assert_error(
        &intake
            .post_json("/api/v1/households", json!({ "building_id": building, "room": "1", "registration": "户籍" }))
            .await,
        403,
        "forbidden",
        None,
    );
    // bad bodies and ids
    assert_error(&worker.patch_json("/api/v1/residents/abc", json!({})).await, 400, "invalid_parameter", None);
    assert_error(&worker.json("/api/v1/registry/cars/1/history").await, 404, "not_found", None);
    app.stop().await;
}

/// An e-bike scrapped and moved to another shed: checked, in its history, in reach only.
async fn ebikes_change_with_their_history(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 1_500).await;
    let mut lead = app.login("shiftlead").await;
    let (_, bikes) = lead.json("/api/v1/ebikes?status=active&limit=1").await;
    let bike = &bikes["items"][0];
    let id = bike["id"].as_i64().unwrap();
    let (_, sheds) = lead.json("/api/v1/sheds?limit=500").await;
    let other =
        sheds["items"].as_array().unwrap().iter().find(|s| s["id"] != bike["shed_id"]).expect("another shed").clone();

    let (status, body) = lead
        .patch_json(&format!("/api/v1/ebikes/{id}"), json!({ "status": "报废", "battery": "氢能", "plate": "x" }))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["plate", "battery", "status"]);
    let (status, changed) = lead
        .patch_json(&format!("/api/v1/ebikes/{id}"), json!({ "status": "已报废", "shed_id": other["id"].to_string() }))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!((changed["status"].as_str(), &changed["shed_id"]), (Some("scrapped"), &other["id"]));
    let entries = history(&lead, "ebikes", id).await;
    let fields: Vec<&str> =
        entries[0]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["status", "shed_id"]);
    assert_eq!(entries[0]["changes"][1]["after"], other["name"]);
    let (_, same) = lead.patch_json(&format!("/api/v1/ebikes/{id}"), json!({ "status": "scrapped" })).await;
    assert_eq!(same["changes"], json!([]));

    // A new e-bike registered to its owner; a bad or taken plate is refused.
    let owner = bike["owner_id"].as_i64().unwrap();
    let (status, body) = lead
        .post_json(
            "/api/v1/ebikes",
            json!({ "owner_id": owner, "plate": "沪", "battery": "锂电", "registered_on": "2026-11-01" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["plate"]);
    let new = json!({ "owner_id": owner, "plate": "沪X 20261", "brand": "雅迪", "battery": "锂电", "registered_on": "2026-11-01", "shed_id": other["id"].to_string() });
    let (status, added) = lead.post_json("/api/v1/ebikes", new.clone()).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!((added["plate"].as_str(), added["status"].as_str()), (Some("沪X20261"), Some("active")));
    assert_error(&lead.post_json("/api/v1/ebikes", new).await, 409, "conflict", Some("plate"));
    let entries = history(&lead, "ebikes", added["id"].as_i64().unwrap()).await;
    assert_eq!(entries[0]["action"], "registry.ebike.add");

    // A shed or an e-bike outside the grid worker's grid is not there for them.
    let mut worker = app.login("gridworker1").await;
    let (_, their_sheds) = worker.json("/api/v1/sheds?limit=500").await;
    let (_, their_bikes) = worker.json("/api/v1/ebikes?status=active&limit=500").await;
    let outside = |all: &Value, theirs: &Value| {
        let theirs = theirs["items"].as_array().unwrap().clone();
        all["items"].as_array().unwrap().iter().find(|x| !theirs.iter().any(|t| t["id"] == x["id"])).cloned().unwrap()
    };
    let far_shed = outside(&sheds, &their_sheds);
    let (_, all_bikes) = lead.json("/api/v1/ebikes?status=active&limit=500").await;
    let far_bike = outside(&all_bikes, &their_bikes);
    let mine = &their_bikes["items"][0];
    let moved = json!({ "shed_id": far_shed["id"].to_string() });
    let path = format!("/api/v1/ebikes/{}", mine["id"]);
    assert_error(&worker.patch_json(&path, moved).await, 400, "invalid_parameter", Some("shed_id"));
    let path = format!("/api/v1/ebikes/{}", far_bike["id"]);
    assert_error(&worker.patch_json(&path, json!({ "status": "已报废" })).await, 404, "not_found", None);
    let mut intake = app.login("intake").await;
    assert_error(
        &intake.patch_json(&format!("/api/v1/ebikes/{id}"), json!({ "brand": "x" })).await,
        403,
        "forbidden",
        None,
    );
    app.stop().await;
}

backend_tests!(
    households_and_residents_are_added_checked_and_changed,
    buildings_change_and_writes_stay_in_reach,
    ebikes_change_with_their_history
);
