//! Kiosk sign-in over HTTP on both backends: the birth date is no factor any more; an ID
//! number signs in only with the resident's kiosk PIN, set by an operator on the console
//! or by the resident on their phone; every wrong answer is the same words; failures lock
//! the ID number and the kiosk, each lock audited, and a new PIN lifts the ID's lock.

mod common;

use common::{Client, TestApp};
use serde_json::json;
use tongxin_core::geo::RegionCode;
use tongxin_core::pii::id_number::check_character;
use tongxin_store::audit::{AuditFilter, AuditRecord, Caller};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::{BookingFixture, seed};

/// 钱桂英, born 1942-03-15.
const ID: &str = "310106194203150020";
const PHONE: &str = "13901234567";

struct Kiosk {
    f: BookingFixture,
    secret: String,
    /// 钱桂英, with ID number and phone on record, no PIN yet.
    qian: i64,
}

async fn kiosk(app: &TestApp) -> Kiosk {
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 2).await;
    let system = Caller::system("test");
    let (key, secret) =
        app.db.store.create_api_key(&system, "终端 1", &[tongxin_core::access::ApiScope::Kiosk], None).await.unwrap();
    app.db.store.bind_kiosk(&system, key.id, f.site).await.unwrap();
    let mut lead = app.login("shiftlead").await;
    let (status, body) = lead
        .post_json(
            "/api/v1/residents",
            json!({ "household_id": f.household, "name": "钱桂英", "id_number": ID, "phone": PHONE, "role": "其他" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    TestApp::personal(ID);
    Kiosk { qian: body["id"].as_i64().unwrap(), f, secret }
}

/// A valid ID number that nobody in the registry has.
fn stranger(n: u32) -> String {
    let first17 = format!("31010619500101{:03}", 100 + n);
    format!("{first17}{}", check_character(&first17).unwrap())
}

/// A sign-in at the kiosk: the session token, or the words the kiosk shows.
async fn sign_in(app: &TestApp, k: &Kiosk, fields: &[(&str, &str)]) -> Result<String, String> {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let r = app
        .http
        .post(app.url("/kiosk/test-site/sign-in"))
        .header("cookie", format!("tongxin_kiosk={}", k.secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r.headers().get_all("set-cookie").iter().find_map(|c| {
        let rest = c.to_str().ok()?.strip_prefix("tongxin_kiosk_session=")?;
        Some(rest.split(';').next().unwrap_or("").to_owned())
    });
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    match session {
        Some(token) => Ok(token),
        None => {
            let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
            let error =
                form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "error").map(|(_, v)| v.into_owned());
            Err(error.unwrap_or_else(|| panic!("neither a session nor an error: {location}")))
        }
    }
}

async fn with_pin(app: &TestApp, k: &Kiosk, id: &str, pin: &str) -> Result<String, String> {
    sign_in(app, k, &[("id_number", id), ("pin", pin)]).await
}

/// The operator sets the caller's PIN on the console: the words it answers with.
async fn operator_sets(operator: &mut Client<'_>, resident: i64, pin: &str) -> String {
    let r =
        operator.post_form("/booking/console/kiosk-pin", &[("resident", &resident.to_string()), ("pin", pin)]).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("/booking/console?resident={resident}&")), "{location}");
    let query = location.split_once('?').unwrap().1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "error" || k == "pin_set")
        .map(|(k, v)| if k == "pin_set" { "set".to_owned() } else { v.into_owned() })
        .unwrap()
}

async fn audit(app: &TestApp, action: &str) -> Vec<AuditRecord> {
    let filter = AuditFilter { action: Some(action.into()), limit: 200, ..Default::default() };
    app.db.store.audit_entries(&filter).await.unwrap().0.into_iter().filter(|e| e.action == action).collect()
}

const WRONG: &str = "身份证号或口令不对，请再试一次。";
const LOCKED: &str = "尝试次数太多，登录已暂停 15 分钟。请稍后再试，或请工作人员帮忙；也可以用手机上的二维码登录。";

async fn an_id_number_needs_its_pin(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let k = kiosk(&app).await;
    // The old second factor is in the first: it no longer opens the account.
    assert_eq!(sign_in(&app, &k, &[("id_number", ID), ("birth_date", "1942-03-15")]).await, Err(WRONG.into()));
    assert_eq!(with_pin(&app, &k, ID, "").await, Err(WRONG.into()), "no PIN set yet");

    // Only those who book for callers set a PIN for one.
    let mut viewer = app.login("viewer").await;
    let r = viewer.post_form("/booking/console/kiosk-pin", &[("resident", &k.qian.to_string()), ("pin", "2580")]).await;
    assert_eq!(r.status(), 403);

    // The operator sets one for the caller; the rules are named.
    let mut operator = app.login("operator").await;
    assert_eq!(operator_sets(&mut operator, k.qian, "12a4").await, "口令要 4 到 6 位数字。");
    assert_eq!(operator_sets(&mut operator, k.qian, "1234").await, "这个口令太容易被猜到（如 0000、1234），请换一个。");
    assert_eq!(
        operator_sets(&mut operator, k.qian, "0315").await,
        "口令不能用身份证号里的数字（如出生日期、末几位），请换一个。"
    );
    assert_eq!(operator_sets(&mut operator, k.qian, "2580").await, "set");
    let (_, console) = operator.text(&format!("/booking/console?resident={}", k.qian)).await;
    assert!(console.contains("<dd id=\"kiosk-pin-state\">已设置（"), "the console shows it is set");
    let set = audit(&app, "booking.kiosk.pin_set").await;
    assert_eq!((set.len(), set[0].actor_name.as_str()), (1, "operator"));

    // Every wrong answer is the same words: wrong PIN, unknown or malformed ID number, a
    // resident without a PIN.
    assert_eq!(with_pin(&app, &k, ID, "2581").await, Err(WRONG.into()));
    assert_eq!(with_pin(&app, &k, &stranger(1), "2580").await, Err(WRONG.into()));
    assert_eq!(with_pin(&app, &k, "31010619420315002X", "2580").await, Err(WRONG.into()));
    let (status, other) = app
        .login("shiftlead")
        .await
        .post_json(
            "/api/v1/residents",
            json!({ "household_id": k.f.household, "name": "孙秀兰", "id_number": stranger(2), "role": "其他" }),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    assert_eq!(with_pin(&app, &k, &stranger(2), "2580").await, Err(WRONG.into()), "on record, no PIN");

    // The right PIN (typed with full-width digits, as an input method may) signs her in.
    let token = with_pin(&app, &k, ID, "２５８０").await.expect("signed in");
    let page = app
        .http
        .get(app.url("/kiosk/test-site"))
        .header("cookie", format!("tongxin_kiosk={}; tongxin_kiosk_session={token}", k.secret))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("钱**") && !page.contains(ID), "only masked data");
    let failures = audit(&app, "booking.kiosk.sign_in").await;
    assert_eq!(failures.iter().filter(|e| e.outcome == "failed").count(), 6, "every failure is audited");
    assert!(failures[0].detail.contains("\"by\":\"pin\""), "{}", failures[0].detail);
    assert!(failures.iter().all(|e| !e.detail.contains(ID) && !e.object_id.contains(ID)));
    app.stop().await;
}

async fn failures_lock_the_id_number_and_the_kiosk(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let k = kiosk(&app).await;
    let mut operator = app.login("operator").await;
    assert_eq!(operator_sets(&mut operator, k.qian, "2580").await, "set");
    for n in 1..5 {
        assert_eq!(with_pin(&app, &k, ID, "9999").await, Err(WRONG.into()), "failure {n}");
    }
    assert_eq!(with_pin(&app, &k, ID, "9999").await, Err(LOCKED.into()), "the fifth locks");
    assert_eq!(with_pin(&app, &k, ID, "2580").await, Err(LOCKED.into()), "even the right PIN waits");
    let locks = audit(&app, "booking.kiosk.lock").await;
    assert_eq!(locks.len(), 1);
    assert_eq!((locks[0].object_kind.as_str(), locks[0].object_id.as_str()), ("id_number", "3***************20"));
    let (_, console) = operator.text(&format!("/booking/console?resident={}", k.qian)).await;
    assert!(console.contains("终端登录锁定到"), "the operator sees the lock");

    // A new PIN, set with her on the line, lifts the lock.
    assert_eq!(operator_sets(&mut operator, k.qian, "3690").await, "set");
    assert!(with_pin(&app, &k, ID, "3690").await.is_ok());

    // Twenty failures at one kiosk within ten minutes lock it, whatever the ID numbers;
    // an unknown ID number locks like a known one; the phone's QR code still works.
    // (The five failures above count here too.)
    for n in 0..14 {
        assert_eq!(with_pin(&app, &k, &stranger(n), "2580").await, Err(WRONG.into()), "failure {n}");
    }
    assert_eq!(with_pin(&app, &k, &stranger(14), "2580").await, Err(LOCKED.into()));
    assert_eq!(with_pin(&app, &k, ID, "3690").await, Err(LOCKED.into()), "the kiosk is locked");
    let code = app.db.store.kiosk_code(k.f.elders[0]).await.unwrap();
    assert!(sign_in(&app, &k, &[("code", &code)]).await.is_ok(), "the QR code needs no PIN");
    let locks = audit(&app, "booking.kiosk.lock").await;
    assert_eq!(locks.len(), 2, "{locks:?}");
    assert_eq!(locks[0].object_kind, "api_key");
    app.stop().await;
}

/// A resident sets the PIN on their phone, typed twice.
async fn a_resident_sets_the_pin_on_the_phone(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let k = kiosk(&app).await;
    let mut phone = app.resident_login(PHONE).await;
    let (status, page) = phone.text("/me/kiosk-pin").await;
    assert_eq!(status, 200);
    assert!(page.contains("钱桂英") && page.contains("还没有设置"), "one person: her form at once");
    let person = k.qian.to_string();
    let r = phone.post_form("/me/kiosk-pin", &[("person", &person), ("pin", "2580"), ("pin_again", "2589")]).await;
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("error="), "{location}");
    let (_, page) = phone.text(&location).await;
    assert!(page.contains("两次输入的口令不一样，请再输一次。"));
    let r = phone.post_form("/me/kiosk-pin", &[("person", &person), ("pin", "2580"), ("pin_again", "2580")]).await;
    assert_eq!(r.headers()["location"], format!("/me/kiosk-pin?person={}&saved=1", k.qian).as_str());
    assert!(with_pin(&app, &k, ID, "2580").await.is_ok());
    assert_eq!(audit(&app, "booking.kiosk.pin_set").await[0].actor_kind, "resident");
    // Someone they may not book for: the same 404 as no one.
    let other = k.f.elders[0].to_string();
    let r = phone.post_form("/me/kiosk-pin", &[("person", &other), ("pin", "2580"), ("pin_again", "2580")]).await;
    assert_eq!(r.status(), 404);
    app.stop().await;
}

backend_tests!(
    an_id_number_needs_its_pin,
    failures_lock_the_id_number_and_the_kiosk,
    a_resident_sets_the_pin_on_the_phone
);
