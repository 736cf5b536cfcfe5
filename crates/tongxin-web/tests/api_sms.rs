//! Texting through a real gateway, end to end on both backends: a resident signs in with a
//! code sent through Alibaba Cloud SMS (a local stand-in), notices go out through their
//! approved templates, a gateway's refusal reaches the resident as what it means and the
//! operator as its error code, the code never reaches the log, and resident sign-in can be
//! turned off.

mod common;

use std::collections::BTreeMap;

use common::TestApp;
use common::sms_mock::{MockGateway, aliyun_signature_ok};
use serde_json::{Value, json};
use tongxin_demo::DemoOptions;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_web::WebConfig;
use tongxin_web::notify::deliver_due;
use tongxin_web::sms::aliyun::AliyunConfig;
use tongxin_web::sms::{Secret, SmsConfig};

const SECRET: &str = "aliyun secret for tests";

fn demo() -> Option<DemoOptions> {
    Some(DemoOptions { case_months: 0, ..Default::default() })
}

/// Alibaba Cloud SMS at `url`, with templates for the sign-in code and one notice only.
fn aliyun(url: &str) -> WebConfig {
    let templates = BTreeMap::from([
        ("login_code".to_owned(), "SMS_460000001".to_owned()),
        ("registered".to_owned(), "SMS_460000002".to_owned()),
    ]);
    let config = AliyunConfig {
        access_key_id: "LTAI5tTestKeyId".into(),
        access_key_secret: Secret::new(SECRET),
        sign_name: "同心街道".into(),
        templates,
        endpoint: url.into(),
    };
    WebConfig { sms: SmsConfig::Aliyun(config), ..WebConfig::default() }
}

/// The variables Alibaba Cloud was last asked to fill in, after checking the signature.
fn last_params(mock: &MockGateway) -> (String, Value) {
    let form = mock.last().form();
    assert!(aliyun_signature_ok(&form, SECRET), "{form:?}");
    (form["TemplateCode"].clone(), serde_json::from_str(&form["TemplateParam"]).unwrap())
}

/// No log line about this number or about texting holds `code`.
fn assert_code_not_logged(code: &str, masked: &str) {
    let log = common::captured_log();
    for line in log.lines().filter(|l| l.contains(masked) || l.contains("SMS") || l.contains("auth/")) {
        assert!(!line.contains(code), "the sign-in code is in the log: {line}");
    }
}

async fn residents_sign_in_and_hear_through_aliyun(db: TestDb) {
    let mock = MockGateway::start().await;
    let app = TestApp::spawn_with(db, demo(), aliyun(&mock.url)).await;
    let phone = "13916020077";
    TestApp::personal(phone);
    let mut resident = app.anonymous();
    let (status, body) = resident.post_json("/api/v1/auth/otp", json!({"phone": phone})).await;
    assert_eq!(status, 202, "{body}");
    let form = mock.last().form();
    assert_eq!(form["PhoneNumbers"], phone);
    let (template, params) = last_params(&mock);
    assert_eq!(template, "SMS_460000001");
    let code = params["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(app.db.store.sent_sms(10).await.unwrap().is_empty(), "nothing is kept in a development inbox");
    let (status, body) = resident.post_json("/api/v1/auth/resident-login", json!({"phone": phone, "code": code})).await;
    assert_eq!(status, 200, "{body}");
    resident.csrf = body["csrf_token"].as_str().map(str::to_owned);
    assert_code_not_logged(&code, "139****0077");

    // a notice with an approved template is texted through it, with its variables
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = &app.db.store.buildings(&filter).await.unwrap()[0].fields.location;
    let (status, case) = resident
        .post_json(
            "/api/v1/cases",
            json!({"category": "E0502", "description": "楼下商铺音响太响", "lat": b.lat(), "lng": b.lng(),
                   "attributes": {"source": "shop"}}),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    let mut intake = app.login("intake").await;
    intake.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await;
    deliver_due(&app.app).await.unwrap();
    let (template, params) = last_params(&mock);
    assert_eq!(template, "SMS_460000002");
    assert_eq!(params, json!({"category": "噪声扰民", "number": case["number"]}));

    // a notice without one is not texted, and still delivered (in the app, the log)
    let mut dispatcher = app.login("dispatcher").await;
    dispatcher.post_json(&format!("/api/v1/cases/{id}/actions/dispatch"), json!({"department": "cgzd"})).await;
    let texted = mock.got().len();
    deliver_due(&app.app).await.unwrap();
    assert_eq!(mock.got().len(), texted, "no template for 'dispatched'");
    let notices = app.db.store.case_notifications(id).await.unwrap();
    let dispatched = notices.iter().find(|n| n.kind == "dispatched").unwrap();
    assert_eq!((dispatched.status.as_str(), dispatched.delivered.as_slice()), ("sent", &["log".to_owned()][..]));
    app.stop().await;
}

async fn gateway_refusals_mean_something_to_the_resident_and_the_operator(db: TestDb) {
    let mock = MockGateway::start().await;
    let app = TestApp::spawn_with(db, demo(), aliyun(&mock.url)).await;
    let mut resident = app.anonymous();
    for phone in ["13916020078", "13916020079", "13916020080"] {
        TestApp::personal(phone);
    }

    mock.answer(200, r#"{"Message":"触发小时级流控Permits:5","RequestId":"A1","Code":"isv.BUSINESS_LIMIT_CONTROL"}"#);
    let (status, body) = resident.post_json("/api/v1/auth/otp", json!({"phone": "13916020078"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("rate_limited")), "{body}");

    // A bad signature's answer quotes the request, number and code included: it is
    // reported by its error code alone.
    mock.answer(
        400,
        r#"{"Message":"Specified signature is not matched. server string to sign is:POST&%2F&PhoneNumbers%3D13916020079","RequestId":"B2","Code":"SignatureDoesNotMatch"}"#,
    );
    let (status, body) = resident.post_json("/api/v1/auth/otp", json!({"phone": "13916020079"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("unavailable")), "{body}");
    assert!(!body.to_string().contains("SignatureDoesNotMatch"), "the operator's business: {body}");
    let log = common::captured_log();
    assert!(log.contains("SignatureDoesNotMatch, RequestId B2"), "the operator can see why");

    // the page says it in words
    let page = resident.post_form("/resident/login", &[("phone", "13916020080")]).await;
    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("验证码暂时无法发送"));
    app.stop().await;
}

async fn resident_sign_in_can_be_turned_off(db: TestDb) {
    let config = WebConfig { resident_login: false, ..WebConfig::default() };
    let app = TestApp::spawn_with(db, demo(), config).await;
    let mut anyone = app.anonymous();
    let (status, body) = anyone.post_json("/api/v1/auth/otp", json!({"phone": "13916020081"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("resident_login_off")), "{body}");
    let (status, body) =
        anyone.post_json("/api/v1/auth/resident-login", json!({"phone": "13916020081", "code": "123456"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("resident_login_off")), "{body}");
    assert!(app.db.store.sent_sms(10).await.unwrap().is_empty());
    let (status, html) = anyone.text("/resident/login").await;
    assert_eq!(status, 404);
    assert!(html.contains("本站未开放居民手机登录"), "{html}");
    // staff sign in as before
    app.login("viewer").await;
    app.stop().await;
}

backend_tests!(
    residents_sign_in_and_hear_through_aliyun,
    gateway_refusals_mean_something_to_the_resident_and_the_operator,
    resident_sign_in_can_be_turned_off
);
