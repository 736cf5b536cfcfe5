//! The service door's three channels in real headless Chromium: an operator books for a
//! caller found by their phone number, cancels, and moves a booking; each booking shows its
//! channel.

mod common;

use common::TestApp;
use common::browser::Browser;
use serde_json::json;
use tongxin_core::geo::RegionCode;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::seed;

async fn an_operator_books_for_a_caller(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 3).await;
    let mut lead = app.login("shiftlead").await;
    let (status, caller) = lead
        .post_json(
            "/api/v1/residents",
            json!({ "household_id": f.household, "name": "钱桂英", "id_number": "310106194203150020",
                "phone": "13901234567", "role": "其他", "tags": "独居老人" }),
        )
        .await;
    assert_eq!(status, 201, "{caller}");

    browser.sign_in(&app.base, "operator", "/booking/console").await;
    assert_eq!(browser.text("h1").await, "坐席预约台");
    browser.fill("#find-caller input[name=phone]", "139 0123 4567").await;
    browser.click("#find-caller button").await;
    browser.wait_for_text("#caller h2", "钱桂英 女 · 84 岁").await;
    let card = browser.text("#caller").await;
    assert!(card.contains("139****4567") && card.contains("独居老人") && !card.contains("13901234567"), "{card}");
    browser.click("#ineligible summary").await;
    browser
        .wait_for_text(
            "#ineligible li",
            "测试服务 T-CARE：这项服务需要长护险评估等级 2 级以上；您还没有评估等级，可先申请长护险评估",
        )
        .await;

    // Pick a service and a day; book the first slot.
    let select = browser.client.find(fantoccini::Locator::Css("#pick-service select[name=service]")).await.unwrap();
    select.select_by_value("T-OPEN").await.unwrap();
    let select = browser.client.find(fantoccini::Locator::Css("#pick-service select[name=date]")).await.unwrap();
    select.select_by_value(&f.first_day.to_string()).await.unwrap();
    browser.click("#pick-service button").await;
    browser.wait_for_url("service=T-OPEN").await;
    assert!(browser.text("#slots").await.contains("09:00–10:00"));
    browser.screenshot("booking-console").await;
    browser.click("#slots button").await;
    browser.wait_for_url("done=").await;
    let done = browser.text("#done").await;
    assert!(done.starts_with("已预约") && done.contains("测试服务 T-OPEN") && done.contains("已预约"), "{done}");
    let mine = browser.text("#caller-bookings").await;
    assert!(mine.contains("电话坐席"), "the channel shows: {mine}");
    browser.screenshot("booking-console-booked").await;

    // Move it to the next day, then cancel it.
    browser.click("#caller-bookings a.button").await;
    browser.wait_for_url("reschedule=").await;
    let next = (f.first_day + chrono::Days::new(1)).to_string();
    let select = browser.client.find(fantoccini::Locator::Css("#pick-service select[name=date]")).await.unwrap();
    select.select_by_value(&next).await.unwrap();
    browser.click("#pick-service button").await;
    browser.wait_for_url(&format!("date={next}")).await;
    browser.click("#slots button").await;
    browser.wait_for_url("done=").await;
    let mine = browser.text("#caller-bookings").await;
    assert_eq!(mine.matches("测试服务 T-OPEN").count(), 1, "moved, not doubled: {mine}");
    assert!(mine.contains(&next), "{mine}");
    browser.click("#caller-bookings button").await;
    browser.wait_for_url("cancelled=").await;
    assert!(browser.text("#done").await.starts_with("已取消"));
    assert!(browser.client.find(fantoccini::Locator::Css("#caller-bookings")).await.is_err(), "no live booking left");
    browser.stop().await;
    app.stop().await;
}

/// A family member the elder linked books for her on their own phone.
async fn a_family_member_books_on_their_phone(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 3).await;
    TestApp::personal("13801112222");
    let elder = f.elders[0];
    let index = app.app.pii.blind_index("phone", "13801112222");
    let system = tongxin_store::audit::Caller::system("test");
    app.db.store.link_family(&system, elder, &index, "138****2222").await.unwrap();
    browser.client.set_window_size(390, 844).await.unwrap();

    browser.goto(&app.url("/resident/login")).await;
    browser.fill("input[name=phone]", "13801112222").await;
    browser.click("form.stack button[type=submit]").await;
    let sms = app.db.store.sent_sms(1).await.unwrap();
    let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
    browser.fill("input[name=code]", &code).await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_url("/me").await;
    browser.click("header nav a[href='/me/bookings']").await;
    browser.wait_for_url("/me/bookings").await;
    let person = browser.text(&format!("#person-{elder}")).await;
    assert!(person.contains("预约0") && person.contains("家人"), "{person}");
    browser.click(&format!("#person-{elder} a.button")).await;
    browser.wait_for_url(&format!("/me/book?person={elder}")).await;
    let services = browser.text(".phone").await;
    assert!(services.contains("测试服务 T-80") && !services.contains("长护险"), "{services}");
    browser.screenshot("booking-phone-services").await;
    browser.click("a.button[href$='service=T-OPEN']").await;
    browser.wait_for_text("#chosen-service", "测试服务 T-OPEN").await;
    browser.click(&format!("#days a[href$='date={}']", f.first_day)).await;
    browser.wait_for_url(&format!("date={}", f.first_day)).await;
    browser.screenshot("booking-phone-slots").await;
    browser.click("#slots button").await;
    browser.wait_for_url("done=").await;
    assert!(browser.text("#done").await.starts_with("已预约：测试服务 T-OPEN"));
    let mine = browser.text(&format!("#person-{elder} ul.bookings")).await;
    assert!(mine.contains("已预约 · 手机"), "the channel shows: {mine}");
    browser.screenshot("booking-phone-booked").await;
    let booking = app.db.store.bookings_of(elder, 5).await.unwrap();
    assert_eq!((booking[0].channel.as_str(), booking[0].actor_kind.as_str()), ("app", "resident"));
    browser.stop().await;
    app.stop().await;
}

backend_tests!(an_operator_books_for_a_caller, a_family_member_books_on_their_phone);
