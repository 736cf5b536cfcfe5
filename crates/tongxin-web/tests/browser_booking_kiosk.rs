//! The kiosk for an elder (issue 14, items 9 and 10), at the kiosk's size (1080×1920) in
//! real headless Chromium on both backends: the ID field has the focus; the on-screen
//! keypad types, deletes and clears; an ID-card reader's fast typing and Enter move on to
//! the PIN, whose Enter signs in; the QR way in is explained with a picture; today's
//! bookings to check in (or the line saying there are none); days with availability, a
//! colour legend and weekdays, and the next open date; a booking and a cancellation each
//! confirmed once; the last 10 seconds before the automatic sign-out counted down.

mod common;

use std::time::Duration;

use chrono::{Datelike, NaiveTime, Timelike, Weekday};
use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use serde_json::json;
use tongxin_core::booking::timetable::{Hours, Weekly};
use tongxin_core::booking::{BookingStatus, Channel};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::booking::past::PastBooking;
use tongxin_store::booking::slots::SlotFilter;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::seed;

const ID: &str = "310106194203150020";

async fn value(browser: &Browser, script: &str) -> serde_json::Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

/// Waits until `script` returns true.
async fn until(browser: &Browser, script: &str, seconds: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    while value(browser, script).await != json!(true) {
        assert!(std::time::Instant::now() < deadline, "never: {script}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A service at the test site whose one slot today started this minute and runs until
/// the site closes, so that today's check-in always has something to show; its code.
async fn on_now(app: &TestApp) -> Option<&'static str> {
    let system = Caller::system("test");
    let now = Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
    let start = NaiveTime::from_hms_opt(now.hour(), now.minute(), 0).unwrap();
    let minutes = (NaiveTime::from_hms_opt(23, 59, 0).unwrap() - start).num_minutes();
    if minutes < 2 {
        return None;
    }
    let site = app.db.store.sites().await.unwrap().into_iter().find(|s| s.code == "test-site").unwrap();
    let open = site.with_hours(Hours::parse(&["00:00-23:59"; 7]).unwrap());
    let mut s = app.db.store.service("T-OPEN").await.unwrap().unwrap();
    s.code = "T-NOW".into();
    s.name = "测试服务 T-NOW".into();
    s.cancel_cutoff_minutes = 0;
    s.timetable = vec![Weekly { weekday: now.weekday(), start, minutes: u32::try_from(minutes).unwrap(), capacity: 2 }];
    app.db.store.save_catalog(&system, &[], &[open], &[s]).await.unwrap();
    let today = now.date_naive();
    app.db.store.lay_out_slots(&system, today, today).await.unwrap();
    Some("T-NOW")
}

async fn an_elder_uses_the_kiosk(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 2).await;
    let system = Caller::system("test");
    let (key, secret) =
        app.db.store.create_api_key(&system, "终端 1", &[tongxin_core::access::ApiScope::Kiosk], None).await.unwrap();
    app.db.store.bind_kiosk(&system, key.id, f.site).await.unwrap();
    let (status, body) = app
        .login("shiftlead")
        .await
        .post_json(
            "/api/v1/residents",
            json!({ "household_id": f.household, "name": "钱桂英", "id_number": ID, "phone": "13901234567", "role": "其他" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let qian = body["id"].as_i64().unwrap();
    TestApp::personal(ID);
    TestApp::personal("13901234567");
    let mut operator = app.login("operator").await;
    let r = operator.post_form("/booking/console/kiosk-pin", &[("resident", &qian.to_string()), ("pin", "2580")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("pin_set=1"));
    // A clinic on Mondays only.
    let mut clinic = app.db.store.service("T-OPEN").await.unwrap().unwrap();
    clinic.code = "T-MON".into();
    clinic.name = "测试服务 T-MON".into();
    clinic.timetable.retain(|w| w.weekday == Weekday::Mon);
    app.db.store.save_catalog(&system, &[], &[], &[clinic]).await.unwrap();
    app.db.store.lay_out_slots(&system, f.first_day, f.first_day + chrono::Days::new(6)).await.unwrap();

    browser.client.set_window_size(1080, 1920).await.unwrap();
    browser.goto(&app.url("/kiosk/test-site")).await;
    browser.fill("#enrol input[name=key]", &secret).await;
    browser.click("#enrol button").await;
    browser.wait_for_text("h1", "欢迎！请先登录").await;

    // The ID field has the focus; the keypad shows and types into it.
    assert_eq!(value(&browser, "return document.activeElement.id;").await, json!("id-number"));
    for key in ["3", "1", "9"] {
        browser.click(&format!("#keypad button[data-key='{key}']")).await;
    }
    browser.click("#keypad button[data-key='delete']").await;
    assert_eq!(value(&browser, "return document.getElementById('id-number').value;").await, json!("31"));
    let keys = value(&browser, "return [...document.querySelectorAll('#keypad button')].map(b => [b.textContent, b.getBoundingClientRect().height]);").await;
    let keys: Vec<(String, f64)> = serde_json::from_value(keys).unwrap();
    let labels: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "删除", "清空"]);
    assert!(keys.iter().all(|(_, h)| *h >= 90.0), "big keys: {keys:?}");
    browser.click("#keypad button[data-key='clear']").await;
    assert_eq!(value(&browser, "return document.getElementById('id-number').value;").await, json!(""));
    // The QR way in, with a picture that loaded.
    let help = browser.text("#qr-help").await;
    assert!(help.contains("「我的预约」") && help.contains("「终端扫码登录」") && help.contains("扫描口"), "{help}");
    assert_eq!(
        value(&browser, "const i = document.getElementById('qr-picture'); return i.complete && i.naturalWidth > 0;")
            .await,
        json!(true)
    );
    browser.screenshot("i14-kiosk-sign-in").await;

    // An ID-card reader types the number and Enter, fast: on to the PIN.
    let focused = browser.client.active_element().await.unwrap();
    focused.send_keys(&format!("{ID}\u{E007}")).await.unwrap();
    until(&browser, "return document.activeElement.id === 'pin';", 5).await;
    assert_eq!(browser.text("#card-read").await, "身份证号已读入，请输入口令。");
    assert_eq!(value(&browser, "return document.getElementById('id-number').value;").await, json!(ID));
    for key in ["2", "5", "8", "0"] {
        browser.click(&format!("#keypad button[data-key='{key}']")).await;
    }
    browser.screenshot("i14-kiosk-card-read").await;
    browser.client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
    browser.wait_for_text("#who", "钱**").await;

    // Nothing to check in today.
    assert_eq!(browser.text("#nothing-today").await, "今天没有需要签到的预约");
    // Days with their seats and weekdays, a legend, the next open date.
    browser.click("#kiosk-services a[href$='service=T-MON']").await;
    browser.wait_for_text("#kiosk-service", "测试服务 T-MON").await;
    let days = browser.text("#kiosk-days").await.replace('\n', " ");
    assert!(days.contains("周一 余 3") && days.contains("无时段"), "{days}");
    assert!(browser.text("#slot-legend").await.contains("橙色：已满，可以排候补"));
    let none = value(&browser, "return document.querySelector('#kiosk-days a.none').getAttribute('href');").await;
    let none = none.as_str().unwrap().to_owned();
    browser.client.find(Locator::Css(&format!("#kiosk-days a[href='{none}']"))).await.unwrap().click().await.unwrap();
    browser.wait_for_url(none.rsplit_once('?').unwrap().1).await;
    assert!(browser.text("#next-open").await.starts_with("下一个可约日期："));
    assert!(browser.text("#next-open").await.ends_with("周一"));
    browser.screenshot("i14-kiosk-days").await;
    browser.click("#next-open").await;
    browser.wait_for_url("service=T-MON").await;
    browser.click("#kiosk-slots button.open").await;
    browser.wait_for_url("slot=").await;
    let facts = browser.text("#kiosk-confirm").await;
    assert!(
        facts.contains("测试服务 T-MON")
            && facts.contains("预约测试路 2 号")
            && facts.contains("12.00 元（补贴 5.00 元）"),
        "{facts}"
    );
    assert!(facts.contains("周一") && facts.contains("前可以取消"), "{facts}");
    assert!(app.db.store.bookings_of(qian, 5).await.unwrap().is_empty(), "nothing booked before the confirmation");
    browser.screenshot("i14-kiosk-confirm").await;
    browser.click("#confirm-button").await;
    browser.wait_for_url("message=").await;
    assert!(browser.text("#kiosk-message").await.starts_with("已预约：测试服务 T-MON"));
    // Cancelling asks once.
    browser.click("#kiosk-bookings a.button").await;
    browser.wait_for_url("cancel=").await;
    assert_eq!(browser.text("#kiosk-confirm h1").await, "确定要取消这个预约吗？");
    assert_eq!(app.db.store.bookings_of(qian, 5).await.unwrap()[0].status, BookingStatus::Confirmed);
    browser.click("#confirm-button").await;
    browser.wait_for_url("message=").await;
    assert!(browser.text("#kiosk-message").await.starts_with("已取消"));
    assert_eq!(app.db.store.bookings_of(qian, 5).await.unwrap()[0].status, BookingStatus::Cancelled);

    // Today's booking here, to check in.
    if let Some(code) = on_now(&app).await {
        let filter = SlotFilter { service: Some(code.into()), limit: 1, ..Default::default() };
        let slot = app.db.store.slots(&filter).await.unwrap().remove(0);
        let past = PastBooking {
            slot_id: slot.id,
            resident_id: qian,
            channel: Channel::Operator,
            status: BookingStatus::Confirmed,
        };
        assert_eq!(app.db.store.record_past_bookings(&system, &[past]).await.unwrap(), 1);
        browser.goto(&app.url("/kiosk/test-site")).await;
        assert!(browser.text("#kiosk-today").await.contains("测试服务 T-NOW"));
        browser.screenshot("i14-kiosk-today").await;
        browser.click("#kiosk-today button.check-in").await;
        browser.wait_for_url("message=").await;
        assert!(browser.text("#kiosk-message").await.starts_with("已签到"));
    } else {
        eprintln!("skipped today's check-in: the day is over in Shanghai");
    }

    // The last 10 seconds before the automatic sign-out are counted down.
    assert_eq!(value(&browser, "return document.getElementById('idle-countdown').hidden;").await, json!(true));
    browser
        .client
        .execute(
            "document.getElementById('sign-out').setAttribute('data-idle-seconds', '12'); document.body.click();",
            vec![],
        )
        .await
        .unwrap();
    until(&browser, "const c = document.getElementById('idle-countdown'); return !c.hidden && /^还有 (10|9|8) 秒自动退出/.test(c.textContent);", 8).await;
    browser.screenshot("i14-kiosk-countdown").await;
    until(
        &browser,
        "const m = document.getElementById('kiosk-message'); return !!m && m.textContent === '已退出，谢谢！';",
        15,
    )
    .await;
    assert!(browser.client.find(Locator::Css("#who")).await.is_err());
    browser.assert_no_csp_violations().await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(an_elder_uses_the_kiosk);
