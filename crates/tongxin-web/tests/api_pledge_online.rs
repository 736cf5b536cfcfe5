//! Signing the safety pledge from a resident's phone, on both backends: a resident signed
//! in with a one-time code sees the e-bike owners registered with their phone, signs on the
//! page (after agreeing) once; the API refuses a second signature, another person's, and
//! staff. The pledge is then in the ledger as online, collected by 线上, and audited.

mod common;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::registry::RegistryScope;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::{owners_sharing_phone, seed};

const PHONE: &str = "13912340001";

async fn a_resident_signs_the_pledge_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store).await;
    let all = RegistryScope { all: true, ..Default::default() };
    let household = app.db.store.resident(&all, f.residents[2]).await.unwrap().unwrap().household_id;
    let [six, seven, eight] = owners_sharing_phone(&app.db.store, &app.app.pii, household, PHONE).await;

    let mut resident = app.resident_login(PHONE).await;
    let (status, mine) = resident.json("/api/v1/me/pledge").await;
    assert_eq!(status, 200, "{mine}");
    assert!(mine["text"].as_str().unwrap().contains("不私拉电线"), "{mine}");
    let owners: Vec<(i64, &str, &Value)> = mine["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["resident_id"].as_i64().unwrap(), o["name"].as_str().unwrap(), &o["signed_on"]))
        .collect();
    assert_eq!(
        owners,
        [(six, "安六", &Value::Null), (seven, "安七", &json!("2020-05-01"))],
        "not 安八: no active e-bike"
    );

    // the page: agreeing first, then signed
    let (status, page) = resident.text("/me/pledge").await;
    assert_eq!(status, 200);
    assert!(page.contains("电动自行车消防安全承诺书") && page.contains("已于 2020-05-01 签署"), "{page}");
    let six_field = six.to_string();
    let refused = resident.post_form("/me/pledge", &[("resident_id", &six_field)]).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("请先勾选"));
    let signed = resident.post_form("/me/pledge", &[("resident_id", &six_field), ("agree", "yes")]).await;
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/me/pledge?signed=1");
    let (_, page) = resident.text("/me/pledge?signed=1").await;
    assert!(page.contains("签署成功") && !page.contains("name=\"resident_id\""), "nothing left to sign: {page}");

    // once; not for someone else; not for staff
    let sign = |id: i64| json!({ "resident_id": id });
    assert_error(&resident.post_json("/api/v1/me/pledge", sign(six)).await, 409, "conflict", Some("resident_id"));
    assert_error(&resident.post_json("/api/v1/me/pledge", sign(seven)).await, 409, "conflict", Some("resident_id"));
    assert_error(&resident.post_json("/api/v1/me/pledge", sign(eight)).await, 404, "not_found", None);
    assert_error(&resident.post_json("/api/v1/me/pledge", sign(f.residents[0])).await, 404, "not_found", None);
    assert_error(&resident.post_json("/api/v1/me/pledge", json!({})).await, 400, "invalid_parameter", Some("body"));
    let mut admin = app.login("admin").await;
    assert_error(&admin.json("/api/v1/me/pledge").await, 404, "not_found", None);
    assert_error(&admin.post_json("/api/v1/me/pledge", sign(six)).await, 404, "not_found", None);

    // in the ledger, online, and audited
    let (_, ledger) = admin.json(&format!("/api/v1/pledges?q={}", urlencode("安六"))).await;
    let pledge = &ledger["items"][0];
    assert_eq!((pledge["channel"].as_str(), pledge["collected_by"].as_str()), (Some("online"), Some("线上")));
    let (_, audit) = app.login("auditor").await.json("/api/v1/audit?action=registry.pledges.sign").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert_eq!(audit["items"][0]["object_id"], pledge["id"].to_string());

    // a phone with no e-bike registered: nothing to sign
    let mut stranger = app.resident_login("13912340002").await;
    let (_, none) = stranger.json("/api/v1/me/pledge").await;
    assert!(none["owners"].as_array().unwrap().is_empty());
    assert_error(&stranger.post_json("/api/v1/me/pledge", sign(six)).await, 404, "not_found", None);
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

backend_tests!(a_resident_signs_the_pledge_once);
