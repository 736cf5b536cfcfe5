//! Notifications end to end, on both backends: steps queue them, the worker delivers them
//! by SMS (to residents and callers), a signed webhook and the log, people read theirs in
//! the app, and with two servers on one database the overdue sweep and the delivery each
//! happen once.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use common::TestApp;
use serde_json::{Value, json};
use tongxin_core::access::token::hmac_sha256_hex;
use tongxin_core::time::Timestamp;
use tongxin_demo::DemoOptions;
use tongxin_store::notifications::Recipient;
use tongxin_store::testing::TestDb;
use tongxin_store::{Store, backend_tests};
use tongxin_web::notify::{WebhookConfig, deliver_due};
use tongxin_web::{App, WebConfig};

const SECRET: &str = "webhook secret for tests";

/// A webhook receiver: keeps what it is sent, answers `status`.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    status: Arc<Mutex<u16>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver { status: Arc::new(Mutex::new(200)), ..Default::default() };
        let keep = receiver.clone();
        let router = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let keep = keep.clone();
                async move {
                    keep.got.lock().unwrap().push((headers, body));
                    StatusCode::from_u16(*keep.status.lock().unwrap()).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.ok() });
        (receiver, url)
    }

    fn bodies(&self) -> Vec<Value> {
        self.got.lock().unwrap().iter().map(|(_, b)| serde_json::from_str(b).unwrap()).collect()
    }
}

fn config(url: &str) -> WebConfig {
    WebConfig { webhook: Some(WebhookConfig { url: url.into(), secret: SECRET.into() }), ..WebConfig::default() }
}

fn demo() -> Option<DemoOptions> {
    Some(DemoOptions { case_months: 0, ..Default::default() })
}

async fn point_in_grid(app: &TestApp) -> (f64, f64) {
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap();
    (b[0].fields.location.lat(), b[0].fields.location.lng())
}

async fn steps_reach_reporters_departments_and_webhooks(db: TestDb) {
    let (hook, url) = Receiver::start().await;
    let app = TestApp::spawn_with(db, demo(), config(&url)).await;
    let (lat, lng) = point_in_grid(&app).await;

    // a caller reports by phone through the operator; a resident reports on their own
    let mut operator = app.login("operator").await;
    let caller_phone = "13800138000";
    TestApp::personal(caller_phone);
    let (status, by_phone) = operator
        .post_json(
            "/api/v1/cases",
            json!({"category": "E0103", "description": "来电：楼道堆物", "lat": lat, "lng": lng, "attributes": {"floor": 3},
                   "reporter_name": "王先生", "reporter_phone": caller_phone}),
        )
        .await;
    assert_eq!(status, 201, "{by_phone}");
    let mut resident = app.resident_login("13916020001").await;
    let (status, own) = resident
        .post_json(
            "/api/v1/cases",
            json!({"category": "E0502", "description": "楼下商铺音响太响", "lat": lat, "lng": lng, "attributes": {"source": "shop"}}),
        )
        .await;
    assert_eq!(status, 201, "{own}");
    assert_eq!(deliver_due(&app.app).await.unwrap(), 1, "the caller is told; the resident, who filed it, is not");
    let mut intake = app.login("intake").await;
    let own_id = own["id"].as_i64().unwrap();
    intake.post_json(&format!("/api/v1/cases/{own_id}/actions/register"), json!({})).await;
    assert_eq!(deliver_due(&app.app).await.unwrap(), 2, "the resident is told; the dispatcher has one to dispatch");

    let sms = app.db.store.sent_sms(10).await.unwrap();
    let texts: Vec<(&str, &str)> = sms.iter().map(|s| (s.phone_masked.as_str(), s.body.as_str())).collect();
    let number = by_phone["number"].as_str().unwrap();
    assert!(
        texts.iter().any(|(to, body)| *to == "138****8000" && body.contains(number) && body.contains("已收到")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|(to, body)| *to == "139****0001" && body.contains("已立案")), "{texts:?}");

    // the webhook: signed, the same id on every try, no personal data
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    for (headers, body) in &got {
        let timestamp = headers["x-tongxin-timestamp"].to_str().unwrap();
        let signature = hmac_sha256_hex(SECRET.as_bytes(), format!("{timestamp}.{body}").as_bytes());
        assert_eq!(headers["x-tongxin-signature"].to_str().unwrap(), format!("sha256={signature}"));
        assert!(!body.contains("13800138000") && !body.contains("王先生") && !body.contains("13916020001"), "{body}");
    }
    let bodies = hook.bodies();
    let contact = bodies.iter().find(|b| b["recipient"]["kind"] == "contact").unwrap();
    assert_eq!((contact["kind"].as_str(), contact["case"]["number"].as_str()), (Some("received"), Some(number)));
    assert_eq!(got[0].0["x-tongxin-delivery"].to_str().unwrap(), bodies[0]["id"].to_string());

    // dispatch: the department hears of it, and the reporters do
    let id = by_phone["id"].as_i64().unwrap();
    intake.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await;
    let mut dispatcher = app.login("dispatcher").await;
    dispatcher.post_json(&format!("/api/v1/cases/{id}/actions/dispatch"), json!({"department": "cgzd"})).await;
    deliver_due(&app.app).await.unwrap();
    let dept = app.login("dept1").await;
    let (_, inbox) = dept.json("/api/v1/notifications").await;
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["kind"], "new_dispatch");
    assert!(inbox["items"][0]["text"].as_str().unwrap().contains(number));
    let mut dept = dept;
    let (_, marked) = dept.post_json("/api/v1/notifications/read", json!({})).await;
    assert_eq!(marked["marked"], 1);
    let (_, inbox) = dept.json("/api/v1/notifications").await;
    assert_eq!((inbox["unread"].as_i64(), inbox["items"][0]["read"].as_bool()), (Some(0), Some(true)));
    let kinds: Vec<String> = app.db.store.case_notifications(id).await.unwrap().into_iter().map(|n| n.kind).collect();
    assert_eq!(kinds, ["received", "registered", "awaiting_dispatch", "dispatched", "new_dispatch"]);
    assert!(app.db.store.case_notifications(id).await.unwrap().iter().all(|n| n.status == "sent"));

    // the resident reads theirs; an API key has no inbox
    let (_, mine) = resident.json("/api/v1/notifications").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    app.stop().await;
}

async fn a_failing_channel_is_retried_without_repeating_the_others(db: TestDb) {
    let (hook, url) = Receiver::start().await;
    let app = TestApp::spawn_with(db, demo(), config(&url)).await;
    *hook.status.lock().unwrap() = 500;
    let mut resident = app.resident_login("13916020002").await;
    let (status, case) = resident
        .post_json("/api/v1/cases", json!({"category": "E0101", "description": "垃圾满溢", "address": "华山路 100 号"}))
        .await;
    assert_eq!(status, 201, "{case}");
    let mut intake = app.login("intake").await;
    intake.post_json(&format!("/api/v1/cases/{}/actions/register", case["id"]), json!({})).await;
    let before = app.db.store.sent_sms(50).await.unwrap().len();
    deliver_due(&app.app).await.unwrap();
    let notices = app.db.store.case_notifications(case["id"].as_i64().unwrap()).await.unwrap();
    let kinds: Vec<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, ["registered", "dispatched"], "registering 垃圾 dispatched it by rule");
    for n in &notices {
        assert_eq!((n.status.as_str(), n.attempts), ("pending", 1));
        assert_eq!(n.delivered, ["log", "sms"], "the text went out; only the webhook is owed");
        assert!(n.last_error.contains("webhook answered 500"), "{}", n.last_error);
    }
    assert_eq!(app.db.store.sent_sms(50).await.unwrap().len(), before + 2);
    // nothing is due again until its delay has passed
    assert_eq!(deliver_due(&app.app).await.unwrap(), 0);
    app.stop().await;
}

/// Two servers on one database: the overdue sweep marks each case once, and the shift
/// lead's notice is delivered once.
async fn two_servers_mark_and_notify_overdue_cases_once(db: TestDb) {
    let (hook, url) = Receiver::start().await;
    let app = TestApp::spawn_with(db, demo(), config(&url)).await;
    let second_store = Store::connect(&app.db.url, app.db.options.clone()).await.unwrap();
    let second =
        App::new(second_store, config(&url), &tongxin_core::pii::SecretKey::generate()).await.expect("a second node");

    let mut worker = app.login("gridworker1").await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let (_, case) = worker
            .post_json("/api/v1/cases", json!({"category": "E0101", "description": format!("暴露垃圾 {i}"), "lat": lat, "lng": lng + f64::from(i) * 0.002}))
            .await;
        ids.push(case["id"].as_i64().unwrap());
    }
    assert_eq!(deliver_due(&app.app).await.unwrap(), 0, "a grid worker's own report tells nobody");
    let later = Timestamp::from_millis(Timestamp::now().millis() + 30 * 86_400_000);
    let (a, b) = tokio::join!(
        tongxin_web::live::sweep_overdue_once(&app.app, later),
        tongxin_web::live::sweep_overdue_once(&second, later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 6, "each case is marked by one node");
    for id in &ids {
        let events = app.db.store.case_events(*id).await.unwrap();
        assert_eq!(events.iter().filter(|e| e.action == "overdue").count(), 1);
    }
    let (a, b) = tokio::join!(deliver_due(&app.app), deliver_due(&second));
    assert_eq!(a.unwrap() + b.unwrap(), 6, "one notice per case for the one shift lead");
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 6, "each delivered once");
    assert!(bodies.iter().all(|b| b["kind"] == "overdue"));
    let lead = app.db.store.user_by_username("shiftlead").await.unwrap().unwrap();
    let inbox = app.db.store.notifications_for(Recipient::Staff(lead.id), 20).await.unwrap();
    assert_eq!(inbox.len(), 6);

    // the page
    let shift_lead = app.login("shiftlead").await;
    let (status, page) = shift_lead.text("/notifications").await;
    assert_eq!(status, 200);
    assert!(page.contains("6 条未读") && page.contains("超期"), "{page}");
    let (_, again) = shift_lead.text("/notifications").await;
    assert!(again.contains("0 条未读"), "opening the page reads them");
    tokio::time::sleep(Duration::from_millis(10)).await;
    app.stop().await;
}

backend_tests!(
    steps_reach_reporters_departments_and_webhooks,
    a_failing_channel_is_retried_without_repeating_the_others,
    two_servers_mark_and_notify_overdue_cases_once
);
