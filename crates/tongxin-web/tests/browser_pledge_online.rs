//! Signing the safety pledge on a resident's phone, in real headless Chromium (a phone-sized
//! window): sign in with a one-time code, open the pledge from the menu, tick the box, sign.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::registry::RegistryScope;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::{owners_sharing_phone, seed};

const PHONE: &str = "13912340003";

async fn a_resident_signs_on_their_phone(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    TestApp::personal(PHONE);
    let f = seed(&app.db.store).await;
    let all = RegistryScope { all: true, ..Default::default() };
    let household = app.db.store.resident(&all, f.residents[2]).await.unwrap().unwrap().household_id;
    let [six, seven, _] = owners_sharing_phone(&app.db.store, &app.app.pii, household, PHONE).await;
    browser.client.set_window_size(390, 844).await.unwrap();

    browser.goto(&app.url("/resident/login")).await;
    browser.fill("input[name=phone]", PHONE).await;
    browser.click("form.stack button[type=submit]").await;
    assert!(browser.text("#code-sent").await.starts_with("验证码已发送"));
    let sms = app.db.store.sent_sms(1).await.unwrap();
    let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
    browser.fill("input[name=code]", &code).await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_url("/me/bookings").await;
    browser.click("header nav a[href='/me/pledge']").await;
    browser.wait_for_url("/me/pledge").await;
    assert_eq!(browser.text("h1").await, "电动自行车消防安全承诺书");
    assert!(browser.text("#pledge-text").await.contains("不私拉电线"));
    assert!(browser.text(&format!("#owner-{seven}")).await.contains("已于 2020-05-01 签署"));
    browser.screenshot("pledge-to-sign").await;

    // without the box ticked: asked to agree first
    browser.click(&format!("#owner-{six} button")).await;
    assert!(browser.text("#pledge-error").await.contains("请先勾选"));
    browser.click(&format!("#owner-{six} input[name=agree]")).await;
    browser.click(&format!("#owner-{six} button")).await;
    browser.wait_for_url("signed=1").await;
    assert!(browser.text("#pledge-signed").await.contains("签署成功"));
    assert!(browser.text(&format!("#owner-{six}")).await.contains("签署"));
    assert!(browser.client.find(Locator::Css("form[action='/me/pledge']")).await.is_err(), "nothing left to sign");
    browser.screenshot("pledge-signed").await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_resident_signs_on_their_phone);
