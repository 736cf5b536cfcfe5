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

    // The operator looks at another service, then moves the booking: the move keeps the
    // booking's own service, named in the banner, and offers no other.
    let select = browser.client.find(fantoccini::Locator::Css("#pick-service select[name=service]")).await.unwrap();
    select.select_by_value("T-MEAL").await.unwrap();
    browser.click("#pick-service button").await;
    browser.wait_for_url("service=T-MEAL").await;
    browser.click("#caller-bookings a.reschedule").await;
    browser.wait_for_url("reschedule=").await;
    let banner = browser.text("#rescheduling").await;
    assert!(banner.starts_with("改约：测试服务 T-OPEN") && banner.contains("09:00–10:00"), "{banner}");
    assert!(browser.text("#service-facts").await.contains("测试服务 T-OPEN"));
    assert!(browser.text("#slots").await.contains("09:00–10:00"), "the booking's own service's slots");
    let picker = browser.client.find_all(fantoccini::Locator::Css("#pick-service select[name=service]")).await.unwrap();
    assert!(picker.is_empty(), "no other service is offered while moving");
    browser.screenshot("booking-console-moving").await;
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
    browser.wait_for_url("/me/bookings").await;
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
    browser.wait_for_url("/me/book/confirm").await;
    browser.click("#confirm-button").await;
    browser.wait_for_url("done=").await;
    assert!(browser.text("#done").await.starts_with("已预约：测试服务 T-OPEN"));
    let mine = browser.text(&format!("#person-{elder} ul.bookings")).await;
    assert!(mine.contains("已预约 · 手机"), "the channel shows: {mine}");
    browser.screenshot("booking-phone-booked").await;
    let booking = app.db.store.bookings_of(elder, 5).await.unwrap();
    assert_eq!((booking[0].channel.as_str(), booking[0].actor_kind.as_str()), ("app", "resident"));

    // The kiosk PIN for her, typed twice (once she has an ID number on record).
    browser.click("#kiosk-pin").await;
    browser
        .wait_for_text("#pin-no-id", "这位居民没有登记身份证号，不能用身份证号在终端登录；请用手机上的二维码登录。")
        .await;
    let first17 = "31010619460101002";
    let id = format!("{first17}{}", tongxin_core::pii::id_number::check_character(first17).unwrap());
    TestApp::personal(&id);
    let (status, body) = app
        .login("shiftlead")
        .await
        .patch_json(&format!("/api/v1/residents/{elder}"), json!({ "id_number": id }))
        .await;
    assert_eq!(status, 200, "{body}");
    browser.goto(&app.url("/me/kiosk-pin")).await;
    assert_eq!(browser.text("#pin-state").await, "还没有设置");
    browser.fill("#pin-form input[name=pin]", "2580").await;
    browser.fill("#pin-form input[name=pin_again]", "2589").await;
    browser.click("#pin-form button").await;
    browser.wait_for_text("#pin-error", "两次输入的口令不一样，请再输一次。").await;
    browser.screenshot("kiosk-pin-phone").await;
    browser.fill("#pin-form input[name=pin]", "2580").await;
    browser.fill("#pin-form input[name=pin_again]", "2580").await;
    browser.click("#pin-form button").await;
    browser.wait_for_text("#pin-saved", "口令已保存。在服务站点的自助终端上，输入身份证号和这个口令就能登录。").await;
    assert!(browser.text("#pin-state").await.starts_with("已设置（"));
    browser.screenshot("kiosk-pin-phone-saved").await;
    browser.stop().await;
    app.stop().await;
}

/// At the kiosk of a site, at the kiosk's size (1080×1920): an operator sets a PIN for a
/// caller on the console; the kiosk is enrolled with the site's key; the elder signs in
/// with her ID number and that PIN (a wrong PIN gets the one message for every wrong
/// answer), books, sees the booking's channel, signs out; another resident signs in with
/// the QR code from their phone; the key refuses to serve at another site.
async fn a_resident_books_at_the_kiosk(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 3).await;
    let system = tongxin_store::audit::Caller::system("test");
    let (key, secret) = app
        .db
        .store
        .create_api_key(&system, "综合为老服务中心终端 1", &[tongxin_core::access::ApiScope::Kiosk], None)
        .await
        .unwrap();
    let mut admin = app.login("admin").await;
    let (status, body) =
        admin.put_json(&format!("/api/v1/booking/kiosks/{}", key.id), json!({ "site": "test-site" })).await;
    assert_eq!(status, 204, "{body}");
    let mut lead = app.login("shiftlead").await;
    let (status, _) = lead
        .post_json(
            "/api/v1/residents",
            json!({ "household_id": f.household, "name": "钱桂英", "id_number": "310106194203150020",
                "phone": "13901234567", "role": "其他" }),
        )
        .await;
    assert_eq!(status, 201);
    TestApp::personal("310106194203150020");
    TestApp::personal("13901234567");

    // She calls; the operator sets the PIN she chooses.
    browser.sign_in(&app.base, "operator", "/booking/console").await;
    browser.fill("#find-caller input[name=phone]", "13901234567").await;
    browser.click("#find-caller button").await;
    browser.wait_for_text("#kiosk-pin-state", "还没有设置").await;
    browser.click("#set-kiosk-pin summary").await;
    browser.fill("#set-kiosk-pin input[name=pin]", "1942").await;
    browser.click("#set-kiosk-pin button").await;
    browser.wait_for_text("#console-error", "口令不能用身份证号里的数字（如出生日期、末几位），请换一个。").await;
    browser.click("#set-kiosk-pin summary").await;
    browser.fill("#set-kiosk-pin input[name=pin]", "2580").await;
    browser.click("#set-kiosk-pin button").await;
    browser.wait_for_text("#done", "终端口令已设置。请告诉老人：在自助终端上输入身份证号和这个口令登录。").await;
    assert!(browser.text("#kiosk-pin-state").await.starts_with("已设置（"));
    browser.screenshot("kiosk-pin-console").await;
    browser.client.delete_all_cookies().await.unwrap();

    browser.client.set_window_size(1080, 1920).await.unwrap();
    browser.goto(&app.url("/kiosk/test-site")).await;
    assert_eq!(browser.text("h1").await, "设置这台终端");
    browser.fill("#enrol input[name=key]", "tx_00000000_wrong").await;
    browser.click("#enrol button").await;
    browser.wait_for_text("#kiosk-error", "密钥不对或已作废").await;
    browser.fill("#enrol input[name=key]", &secret).await;
    browser.click("#enrol button").await;
    browser.wait_for_text("h1", "欢迎！请先登录").await;
    assert!(browser.text("#pin-help").await.starts_with("还没有口令？请打电话请坐席帮您设置"));
    // Big enough for old eyes and fingers: 24 px text, 64 px targets.
    let sizes = browser
        .client
        .execute(
            "return ['#id-sign-in input[name=id_number]', '#id-sign-in input[name=pin]', '#id-sign-in button[type=submit]']
                .map(s => document.querySelector(s).getBoundingClientRect().height)
                .concat([parseFloat(getComputedStyle(document.querySelector('#pin-help')).fontSize)]);",
            vec![],
        )
        .await
        .unwrap();
    let sizes: Vec<f64> = serde_json::from_value(sizes).unwrap();
    assert!(sizes[..3].iter().all(|h| *h >= 64.0) && sizes[3] >= 24.0, "{sizes:?}");
    browser.screenshot("kiosk-sign-in").await;
    browser.fill("#id-sign-in input[name=id_number]", "310106194203150020").await;
    browser.fill("#id-sign-in input[name=pin]", "2581").await;
    browser.click("#id-sign-in button[type=submit]").await;
    browser.wait_for_text("#kiosk-error", "身份证号或口令不对，请再试一次。").await;
    browser.screenshot("kiosk-sign-in-wrong").await;
    browser.fill("#id-sign-in input[name=id_number]", "310106194203150020").await;
    browser.fill("#id-sign-in input[name=pin]", "2580").await;
    browser.click("#id-sign-in button[type=submit]").await;
    browser.wait_for_text("#who", "钱**").await;
    let body = browser.text("body").await;
    assert!(!body.contains("钱桂英") && !body.contains("310106194203150020"), "only masked data on screen");
    let first = browser.text("#kiosk-services li:first-child").await;
    assert!(first.starts_with("测试服务"), "this site's services first: {first}");
    browser.screenshot("kiosk-services").await;
    browser.click("#kiosk-services a[href$='service=T-OPEN']").await;
    browser.wait_for_text("#kiosk-service", "测试服务 T-OPEN").await;
    browser.click("#kiosk-slots button").await;
    browser.wait_for_url("slot=").await;
    browser.click("#confirm-button").await;
    browser.wait_for_url("message=").await;
    assert!(browser.text("#kiosk-message").await.starts_with("已预约：测试服务 T-OPEN · "));
    assert!(browser.text("#kiosk-bookings").await.contains("自助终端"), "the channel shows");
    browser.screenshot("kiosk-booked").await;
    browser.click("#sign-out button").await;
    browser.wait_for_text("#kiosk-message", "已退出，谢谢！").await;
    assert!(browser.client.find(fantoccini::Locator::Css("#who")).await.is_err());

    // The QR code from a phone signs the next resident in, once.
    let code = app.db.store.kiosk_code(f.elders[1]).await.unwrap();
    browser.fill("#qr-sign-in input[name=code]", &code).await;
    browser.click("#qr-sign-in button").await;
    browser.wait_for_text("#who", "预**").await;
    browser.click("#sign-out button").await;
    browser.wait_for_text("#kiosk-message", "已退出，谢谢！").await;
    browser.fill("#qr-sign-in input[name=code]", &code).await;
    browser.click("#qr-sign-in button").await;
    browser.wait_for_text("#kiosk-error", "二维码无效或已过期，请在手机上重新打开。").await;

    // The same key at another site is refused.
    let other = tongxin_store::booking::catalog::NewSite {
        code: "other-site".into(),
        kind: tongxin_core::booking::SiteKind::Canteen,
        name: "另一个助餐点".into(),
        name_en: String::new(),
        region: RegionCode::parse("310106013001001").unwrap(),
        address: String::new(),
        hours: tongxin_core::booking::timetable::Hours::parse(&["10:00-14:00"; 7]).unwrap(),
    };
    app.db.store.save_catalog(&system, &[], &[other], &[]).await.unwrap();
    browser.goto(&app.url("/kiosk/other-site")).await;
    browser
        .wait_for_text("#kiosk-error", "这台终端的密钥属于另一个站点（测试为老服务中心），不能在另一个助餐点使用")
        .await;
    let bookings = app
        .db
        .store
        .bookings_of(
            app.db
                .store
                .residents_born_before(chrono::NaiveDate::from_ymd_opt(1943, 1, 1).unwrap())
                .await
                .unwrap()
                .into_iter()
                .max()
                .unwrap(),
            5,
        )
        .await
        .unwrap();
    assert_eq!((bookings[0].channel.as_str(), bookings[0].actor_name.as_str()), ("kiosk", "综合为老服务中心终端 1"));
    browser.stop().await;
    app.stop().await;
}

/// The site's day sheet: who is coming, checked in at the desk; a slot's seats changed
/// (not below those booked) and blocked; the statistics; the public catalogue.
async fn a_site_keeps_its_day(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store, &RegionCode::parse("310106013001001").unwrap(), 3).await;
    let system = tongxin_store::audit::Caller::system("test");
    let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now());
    app.db.store.lay_out_slots(&system, today, today).await.unwrap();
    let filter =
        tongxin_store::booking::slots::SlotFilter { service: Some("T-OPEN".into()), limit: 1, ..Default::default() };
    let slot = app.db.store.slots(&filter).await.unwrap().remove(0);
    assert_eq!(tongxin_store::booking::shanghai_day(slot.starts_at), today);
    // (booked at the desk this morning, on the paper list)
    let past = tongxin_store::booking::past::PastBooking {
        slot_id: slot.id,
        resident_id: f.elders[0],
        channel: tongxin_core::booking::Channel::Staff,
        status: tongxin_core::booking::BookingStatus::Confirmed,
    };
    assert_eq!(app.db.store.record_past_bookings(&system, &[past]).await.unwrap(), 1);

    browser.sign_in(&app.base, "admin", &format!("/booking/day?site=test-site&date={today}")).await;
    assert_eq!(browser.text("h1").await, "站点日程");
    let sheet = browser.text(&format!("#slot-{}", slot.id)).await;
    assert!(sheet.contains("预约0") && sheet.contains("已预约") && sheet.contains("1 / 3"), "{sheet}");
    browser.click(&format!("#slot-{} td.actions button", slot.id)).await;
    browser.wait_for_text("#day-message", "已签到：预约0 · 测试服务 T-OPEN").await;
    assert!(browser.text(&format!("#slot-{}", slot.id)).await.contains("已签到"));
    browser.fill(&format!("#slot-{} input[name=capacity]", slot.id), "0").await;
    browser.click(&format!("#slot-{} form.slot-admin button", slot.id)).await;
    browser.wait_for_text("#day-error", "这个时段已有 1 人预约，名额不能少于 1").await;
    browser.click(&format!("#slot-{} input[name=blocked][value='1'] + button", slot.id)).await;
    browser.wait_for_url("message=").await;
    assert!(browser.text(&format!("#slot-{} h2", slot.id)).await.contains("已停约"));
    browser.screenshot("booking-day-sheet").await;

    browser.goto(&app.url(&format!("/booking/stats?from={today}&to={today}"))).await;
    assert_eq!(browser.text("#stat-bookings").await, "1");
    assert!(browser.text("#stat-no-show").await.starts_with("0.0%"));
    browser.screenshot("booking-stats").await;

    // The catalogue: a new service, refused in Chinese, then saved; a site closed a day.
    browser.goto(&app.url("/booking/admin/services/new")).await;
    browser.fill("#service-form input[name=code]", "T-CUT").await;
    browser.fill("#service-form input[name=name]", "上门理发").await;
    browser.click("#service-form input[name=home_visit]").await;
    browser.fill("#service-form input[name=minutes]", "30").await;
    browser.fill("#service-form input[name=price]", "10").await;
    browser.fill("#service-form textarea[name=timetable]", "8 09:00 2").await;
    browser.click("#service-form button").await;
    browser.wait_for_text("#form-problems li", "时间表：「8 09:00 2」应为星期 1–7、开始时间如 09:00、名额大于 0").await;
    browser.screenshot("booking-service-form").await;
    browser.fill("#service-form textarea[name=timetable]", "2 09:00 2\n4 14:00 2").await;
    browser.click("#service-form button").await;
    browser.wait_for_url("saved=1").await;
    assert!(browser.text("#admin-services").await.contains("上门理发"));
    let saved = app.db.store.service("T-CUT").await.unwrap().unwrap();
    assert!(saved.home_visit && saved.timetable.len() == 2 && saved.price_fen == 1000, "{saved:?}");
    browser.goto(&app.url("/booking/admin/sites/test-site")).await;
    let closing = (today + chrono::Days::new(3)).to_string();
    let script = format!("document.querySelector('#closure-form input[name=close_day]').value = '{closing}';");
    browser.client.execute(&script, vec![]).await.unwrap();
    browser.fill("#closure-form input[name=reason]", "消防检查").await;
    browser.click("#closure-form button").await;
    browser.wait_for_text("#site-message", "已设为闭馆：当天的时段不再接受预约。").await;
    assert!(browser.text("#closures").await.contains(&closing));
    browser.stop().await;

    // The catalogue is public.
    let page = app.http.get(app.url("/services")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("测试服务 T-80") && html.contains("80 周岁以上"), "the rules in words");
    assert!(html.contains("href=\"/resident/login\""), "a way in to book");
    let english = app.http.get(app.url("/services")).header("cookie", "tongxin_lang=en").send().await.unwrap();
    let html = english.text().await.unwrap();
    assert!(html.contains("aged 80 and over") && html.contains("¥12.00 (subsidy ¥5.00)"), "in English too");
    app.stop().await;
}

backend_tests!(
    an_operator_books_for_a_caller,
    a_family_member_books_on_their_phone,
    a_resident_books_at_the_kiosk,
    a_site_keeps_its_day
);
