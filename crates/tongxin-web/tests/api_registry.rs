//! The registry over HTTP on both backends: the demo's households and residents, found by
//! name, last four digits and address, within the reader's regions, always masked.

mod common;

use common::{TestApp, assert_error};
use serde_json::Value;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

async fn residents_are_found_within_reach_and_masked(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 600).await;
    let admin = app.login("admin").await;
    let (status, all) = admin.json("/api/v1/residents?limit=500").await;
    assert_eq!(status, 200, "{all}");
    let people = items(&all);
    assert!(people.len() >= 500, "{} residents", people.len());
    for p in people {
        let id = p["id_number"].as_str().unwrap();
        assert!(id.len() == 18 && id[1..16].chars().all(|c| c == '*'), "masked: {id}");
        assert!(p["phone"].as_str().unwrap().is_empty() || p["phone"].as_str().unwrap().contains("****"));
        let age = p["age"].as_i64().unwrap();
        let tags: Vec<&str> = p["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(tags.contains(&"60+"), age >= 60, "{p}");
        assert_eq!(tags.contains(&"80+"), age >= 80, "{p}");
    }
    let elderly = people.iter().filter(|p| p["age"].as_i64().unwrap() >= 60).count();
    assert!(elderly * 100 / people.len() >= 30, "an old neighbourhood: {elderly} of {}", people.len());

    // By name, by the last four digits of the phone, by address.
    let someone = people.iter().find(|p| !p["phone"].as_str().unwrap().is_empty()).unwrap();
    let name = someone["name"].as_str().unwrap();
    let (_, by_name) = admin.json(&format!("/api/v1/residents?q={}", urlencode(name))).await;
    assert!(items(&by_name).iter().any(|p| p["id"] == someone["id"]));
    assert!(
        items(&by_name)
            .iter()
            .all(|p| p["name"].as_str().unwrap().contains(name) || p["address"].as_str().unwrap().contains(name))
    );
    let phone = someone["phone"].as_str().unwrap();
    let last4 = &phone[phone.len() - 4..];
    let (_, by_phone) = admin.json(&format!("/api/v1/residents?q={last4}")).await;
    assert!(items(&by_phone).iter().any(|p| p["id"] == someone["id"]), "found by {last4}");
    let (_, one) = admin.json(&format!("/api/v1/residents/{}", someone["id"])).await;
    assert_eq!(one["name"], name);

    // A household by building and room, with its members.
    let (_, household) = admin.json(&format!("/api/v1/households/{}", someone["household_id"])).await;
    assert!(household["residents"].as_array().unwrap().iter().any(|p| p["id"] == someone["id"]));
    let building = household["building_id"].as_i64().unwrap();
    let room = household["room"].as_str().unwrap();
    let (_, rooms) = admin.json(&format!("/api/v1/households?building={building}&q={room}")).await;
    assert_eq!(items(&rooms).len(), 1, "{rooms}");
    assert_eq!(items(&rooms)[0]["id"], household["id"]);

    // 景华's grid worker sees 景华 only; another community's resident is not found.
    let worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/residents?limit=500").await;
    assert!(!items(&theirs).is_empty());
    assert!(items(&theirs).iter().all(|p| p["region"].as_str().unwrap().starts_with("310106013001")));
    let outsider = people.iter().find(|p| !p["region"].as_str().unwrap().starts_with("310106013001")).unwrap();
    assert_error(&worker.json(&format!("/api/v1/residents/{}", outsider["id"])).await, 404, "not_found", None);
    assert_error(
        &worker.json(&format!("/api/v1/households/{}", outsider["household_id"])).await,
        404,
        "not_found",
        None,
    );
    assert_error(&worker.json("/api/v1/residents?region=310106013002").await, 404, "not_found", None);
    // a department has no residents.read
    assert_error(&app.login("dept1").await.json("/api/v1/residents").await, 403, "forbidden", None);
    assert_error(&admin.json("/api/v1/residents?limit=0").await, 400, "invalid_parameter", Some("limit"));

    // The full numbers are sealed in the store, consistent with the birth date, findable by
    // their last four digits, and in no answer.
    let (id_sealed, phone_sealed) = app.db.store.resident_sealed(someone["id"].as_i64().unwrap()).await.unwrap();
    let full_id = app.app.pii.open("resident_id", &id_sealed.unwrap()).unwrap();
    let full_phone = app.app.pii.open("phone", &phone_sealed.unwrap()).unwrap();
    let parsed = tongxin_core::pii::IdNumber::parse(&full_id).expect("a valid ID number");
    assert!(full_id.starts_with("310106"));
    assert_eq!(parsed.birth_date().to_string(), someone["birth_date"].as_str().unwrap());
    assert_eq!(parsed.is_female(), someone["gender"] == "female");
    let (_, by_id) = admin.json(&format!("/api/v1/residents?q={}", &full_id[14..])).await;
    assert!(items(&by_id).iter().any(|p| p["id"] == someone["id"]), "found by the ID's last four");
    let everything = format!("{all}{household}{theirs}{by_name}{by_phone}{one}");
    assert!(!everything.contains(&full_id) && !everything.contains(&full_phone), "nothing in full");
    app.stop().await;
}

/// Exports: masked for anyone who reads residents, in full only with pii.export; both audited.
async fn residents_are_exported_masked_or_in_full(db: TestDb) {
    use calamine::Reader;
    let app = TestApp::spawn_with_registry(db, 200).await;
    let admin = app.login("admin").await;
    let (_, all) = admin.json("/api/v1/residents?limit=500").await;
    let people = items(&all).len();
    let sheet = |bytes: Vec<u8>| {
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("居民").unwrap();
        range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>()
    };
    let masked = admin.get("/api/v1/residents/export?format=xlsx").await;
    assert_eq!(masked.status(), 200);
    let rows = sheet(masked.bytes().await.unwrap().to_vec());
    assert_eq!(rows[0][..5], ["姓名", "性别", "出生日期", "身份证号", "手机号"]);
    assert_eq!(rows.len(), people + 1, "a header and every resident in reach");
    assert!(rows[1..].iter().all(|r| r[3].contains("*************")), "ID numbers masked");

    assert_error(&admin.json("/api/v1/residents/export?full=true").await, 403, "forbidden", None);
    let lead = app.login("shiftlead").await;
    let full = lead.get("/api/v1/residents/export?format=csv&full=true").await;
    assert_eq!(full.status(), 200);
    let csv = full.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM");
    let first = csv.lines().nth(1).unwrap().split(',').nth(3).unwrap().to_owned();
    assert!(tongxin_core::pii::IdNumber::parse(&first).is_ok(), "in full: {first}");
    TestApp::personal(&first);
    let (_, audit) = app.login("auditor").await.json("/api/v1/audit?action=pii.export").await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["detail"]["full"] == true && e["detail"]["format"] == "csv")
    );
    let (_, audit) = app.login("auditor").await.json("/api/v1/audit?action=registry.export").await;
    assert_eq!(audit["items"][0]["detail"]["rows"].as_u64(), Some(people as u64));
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

backend_tests!(residents_are_found_within_reach_and_masked, residents_are_exported_masked_or_in_full);
