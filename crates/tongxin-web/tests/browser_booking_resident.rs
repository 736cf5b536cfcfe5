//! Booking without surprises (issue 14, item 9), in real headless Chromium on both
//! backends: a resident on their phone (390×844) lands on their bookings and what they
//! can do, sees each day's availability, is offered the next open date of a Mondays-only
//! clinic, confirms a booking once on a summary of everything that matters, is told of it
//! under 通知, and confirms a cancellation once; a resident eligible for nothing sees one
//! line saying why and how to book for an elder; the operator console (desktop) offers
//! the next open date too.

mod common;

use chrono::{Datelike, NaiveDate, Weekday};
use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use serde_json::json;
use tongxin_core::geo::RegionCode;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::{BookingFixture, seed};

/// Adds `T-MON`, a clinic held on Mondays only (as the demo's cardiology clinic), with
/// slots for three weeks; a day that is not a Monday, and the Monday after it.
async fn monday_clinic(app: &TestApp, f: &BookingFixture) -> (NaiveDate, NaiveDate) {
    let system = Caller::system("test");
    let mut clinic = app.db.store.service("T-OPEN").await.unwrap().unwrap();
    clinic.code = "T-MON".into();
    clinic.name = "测试服务 T-MON".into();
    clinic.name_en = "Test service T-MON".into();
    clinic.documents = "医保卡、既往病历".into();
    clinic.timetable.retain(|w| w.weekday == Weekday::Mon);
    app.db.store.save_catalog(&system, &[], &[], &[clinic]).await.unwrap();
    app.db.store.lay_out_slots(&system, f.first_day, f.first_day + chrono::Days::new(20)).await.unwrap();
    let mut other = f.first_day;
    while other.weekday() == Weekday::Mon {
        other = other.succ_opt().unwrap();
    }
    let mut monday = other;
    while monday.weekday() != Weekday::Mon {
        monday = monday.succ_opt().unwrap();
    }
    (other, monday)
}

/// 12月14日 周一
fn label(day: NaiveDate) -> String {
    let wd = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][day.weekday().num_days_from_monday() as usize];
    format!("{} {wd}", day.format("%-m月%-d日"))
}

/// Signs a resident in on the phone page with the code texted to `phone`.
async fn phone_sign_in(browser: &Browser, app: &TestApp, phone: &str) {
    browser.goto(&app.url("/resident/login")).await;
    browser.fill("input[name=phone]", phone).await;
    browser.click("form.stack button[type=submit]").await;
    let sms = app.db.store.sent_sms(1).await.unwrap();
    let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
    browser.fill("input[name=code]", &code).await;
    browser.click("form.stack button[type=submit]").await;
}

async fn a_resident_books_and_cancels_with_one_confirmation_each(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 3).await;
    let (other, monday) = monday_clinic(&app, &f).await;
    TestApp::personal("13801112222");
    let elder = f.elders[0];
    let index = app.app.pii.blind_index("phone", "13801112222");
    app.db.store.link_family(&Caller::system("test"), elder, &index, "138****2222").await.unwrap();
    browser.client.set_window_size(390, 844).await.unwrap();

    // After sign-in: the bookings and what else can be done; the kiosk code a small link.
    phone_sign_in(&browser, &app, "13801112222").await;
    browser.wait_for_url("/me/bookings").await;
    assert_eq!(browser.text("h1").await, "我的预约");
    assert!(browser.text(&format!("#person-{elder}")).await.contains("预约服务"));
    let can_do = browser.text("#can-do").await;
    assert!(can_do.contains("报告一个问题") && can_do.contains("通知"), "{can_do}");
    assert!(browser.text("#kiosk-links").await.contains("终端扫码登录"));
    let tall: f64 = serde_json::from_value(
        browser
            .client
            .execute("return document.querySelector('#kiosk-code').getBoundingClientRect().height;", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(tall < 30.0, "the kiosk code is a small link, not the page: {tall}px");
    browser.screenshot("i14-phone-home").await;

    // Days show their seats; a day without the clinic offers the next Monday.
    browser.click(&format!("#person-{elder} a.button.big")).await;
    browser.click("a.button[href$='service=T-MON']").await;
    browser.wait_for_text("#chosen-service", "测试服务 T-MON").await;
    let days = browser.text("#days").await.replace('\n', " ");
    assert!(
        days.contains(&format!("{} 余 3", label(monday))) && days.contains(&format!("{} 无时段", label(other))),
        "{days}"
    );
    assert!(browser.text("#slot-legend").await.contains("绿色：有空位"));
    browser.click(&format!("#days a[href$='date={other}']")).await;
    browser.wait_for_url(&format!("date={other}")).await;
    browser.wait_for_text("#next-open", &format!("下一个可约日期：{}", label(monday))).await;
    browser.screenshot("i14-phone-next-open").await;
    browser.click("#next-open").await;
    browser.wait_for_url(&format!("date={monday}")).await;

    // One confirmation, on a summary of everything that matters.
    browser.click("#slots button").await;
    browser.wait_for_url("/me/book/confirm").await;
    assert_eq!(browser.text("#confirm-title").await, "请确认预约 预约0");
    let facts = browser.text("#confirm-facts").await;
    for part in [
        "测试服务 T-MON".to_owned(),
        label(monday),
        "09:00–10:00".to_owned(),
        "测试为老服务中心".to_owned(),
        "预约测试路 2 号".to_owned(),
        "12.00 元（补贴 5.00 元）".to_owned(),
        "医保卡、既往病历".to_owned(),
        format!("{} 08:00 前可以取消", label(monday)),
    ] {
        assert!(facts.contains(&part), "{part} in {facts}");
    }
    assert!(app.db.store.bookings_of(elder, 5).await.unwrap().is_empty(), "nothing booked before the confirmation");
    browser.screenshot("i14-phone-confirm").await;
    browser.click("#confirm-button").await;
    browser.wait_for_url("done=").await;
    assert!(browser.text("#done").await.starts_with("已预约：测试服务 T-MON"));
    assert_eq!(app.db.store.bookings_of(elder, 5).await.unwrap().len(), 1);

    // Told in the app (and by text to the phone on record).
    browser.goto(&app.url("/notifications")).await;
    let told = browser.text("#notices").await;
    assert!(told.contains("您已预约「测试服务 T-MON」") && told.contains("测试为老服务中心"), "{told}");
    assert!(!told.contains("预约0"), "no name in the notice: {told}");
    browser.screenshot("i14-phone-notified").await;

    // Cancelling asks once too.
    browser.goto(&app.url("/me/bookings")).await;
    browser.click(&format!("#person-{elder} a.cancel")).await;
    browser.wait_for_text("#confirm-title", "确定要取消这个预约吗？ 预约0").await;
    assert!(browser.text("#confirm-facts").await.contains("测试服务 T-MON"));
    let live = app.db.store.bookings_of(elder, 5).await.unwrap();
    assert_eq!(live[0].status, tongxin_core::booking::BookingStatus::Confirmed, "not cancelled by looking");
    browser.screenshot("i14-phone-cancel-confirm").await;
    browser.click("#confirm-button").await;
    browser.wait_for_url("cancelled=").await;
    assert!(browser.text("#done").await.starts_with("已取消"));
    browser.goto(&app.url("/notifications")).await;
    assert!(browser.text("#notices").await.contains("您预约的「测试服务 T-MON」"));
    browser.assert_no_csp_violations().await;
    browser.stop().await;
    app.stop().await;
}

async fn a_resident_eligible_for_nothing_reads_one_line(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 1).await;
    // As in the demo, every service is for elders.
    let mut all = Vec::new();
    for code in ["T-OPEN", "T-MEAL", "T-LATE"] {
        let mut s = app.db.store.service(code).await.unwrap().unwrap();
        s.rules.min_age = Some(60);
        all.push(s);
    }
    app.db.store.save_catalog(&Caller::system("test"), &[], &[], &all).await.unwrap();
    TestApp::personal("13805556666");
    let (status, body) = app
        .login("shiftlead")
        .await
        .patch_json(&format!("/api/v1/residents/{}", f.young), json!({ "phone": "13805556666" }))
        .await;
    assert_eq!(status, 200, "{body}");
    browser.client.set_window_size(390, 844).await.unwrap();
    phone_sign_in(&browser, &app, "13805556666").await;
    browser.wait_for_url("/me/bookings").await;
    browser.click(&format!("#person-{} a.button.big", f.young)).await;
    browser.wait_for_url(&format!("/me/book?person={}", f.young)).await;
    let line = browser.text("#nothing-eligible").await;
    assert!(line.starts_with("预约1暂时不能预约这里的服务：这项服务面向 60 周岁以上的老人"), "{line}");
    assert!(line.contains("代为预约") && line.contains("家人手机"), "{line}");
    let tiles = browser.client.find_all(Locator::Css(".phone ul.services li, .ineligible")).await.unwrap();
    assert!(tiles.is_empty(), "no greyed tiles: {}", tiles.len());
    assert_eq!(browser.text(".phone").await.matches("周岁以上").count(), 1, "the reason once");
    browser.screenshot("i14-phone-nothing-eligible").await;
    browser.stop().await;
    app.stop().await;
}

async fn the_console_offers_the_next_open_date(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 1).await;
    let (other, monday) = monday_clinic(&app, &f).await;
    browser.sign_in(&app.base, "operator", &format!("/booking/console?resident={}", f.elders[0])).await;
    let select = browser.client.find(Locator::Css("#pick-service select[name=service]")).await.unwrap();
    select.select_by_value("T-MON").await.unwrap();
    let select = browser.client.find(Locator::Css("#pick-service select[name=date]")).await.unwrap();
    select.select_by_value(&other.to_string()).await.unwrap();
    browser.click("#pick-service button").await;
    browser.wait_for_url(&format!("date={other}")).await;
    let next = browser.text(".next-open").await;
    assert!(next.starts_with("这一天没有可预约的时段"), "{next}");
    browser.wait_for_text("#next-open", &format!("下一个可约日期：{}", label(monday))).await;
    let options = browser.text("#pick-service select[name=date]").await;
    assert!(
        options.contains(&format!("{} · 无时段", label(other)))
            && options.contains(&format!("{} · 余 3", label(monday))),
        "{options}"
    );
    browser.screenshot("i14-console-next-open").await;
    browser.click("#next-open").await;
    browser.wait_for_url(&format!("date={monday}")).await;
    assert!(browser.text("#slots").await.contains("09:00–10:00"));
    browser.stop().await;
    app.stop().await;
}

backend_tests!(
    a_resident_books_and_cancels_with_one_confirmation_each,
    a_resident_eligible_for_nothing_reads_one_line,
    the_console_offers_the_next_open_date
);
