//! Account pages in real headless Chromium, on both backends: signing in and out, a
//! resident's one-time code, account and key administration, the audit log, personal data
//! and two-factor enrolment.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_core::access::password::Totp;
use tongxin_core::time::Timestamp;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// A wrong password is explained in Chinese; the right one lands on the page asked for;
/// signing out returns to the login page.
async fn staff_sign_in_and_out(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.goto(&app.url("/map")).await;
    browser.wait_for_url("/login").await;
    browser.fill("input[name=username]", "viewer").await;
    browser.fill("input[name=password]", "not the password").await;
    browser.click("form.stack button[type=submit]").await;
    assert_eq!(browser.text("#login-error").await, "用户名或密码错误。");
    browser.screenshot("login-error").await;
    browser.fill("input[name=password]", common::PASSWORD).await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_url("/map").await;
    assert_eq!(browser.text("#signed-in-as").await, "街道领导 赵强");
    browser.click("form.logout button").await;
    browser.wait_for_url("/login").await;
    browser.goto(&app.url("/map")).await;
    browser.wait_for_url("/login").await;
    browser.stop().await;
    app.stop().await;
}

/// A resident asks for a code, reads it in the development inbox, and signs in.
async fn resident_signs_in_with_a_code(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let phone = tongxin_demo::access::RESIDENTS[1].0;
    browser.goto(&app.url("/resident/login")).await;
    browser.fill("input[name=phone]", phone).await;
    browser.click("form.stack button[type=submit]").await;
    assert!(browser.text("#code-sent").await.starts_with("验证码已发送"));
    browser.screenshot("resident-code").await;
    let sms = app.db.store.sent_sms(1).await.unwrap();
    let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
    browser.fill("input[name=code]", &code).await;
    browser.click("form.stack button[type=submit]").await;
    // A resident lands on their bookings and what they can do (issue 14).
    browser.wait_for_url("/me/bookings").await;
    browser.goto(&app.url("/me")).await;
    assert_eq!(browser.text("#my-phone").await, "139****0002");
    browser.screenshot("resident-me").await;
    // The logo leads a resident to a page they may see; a page they may not see leads
    // back to one, never round in a circle.
    browser.click("a.brand").await;
    browser.wait_for_url("/me/bookings").await;
    browser.goto(&app.url("/map")).await;
    assert!(browser.text("section.error h1").await.contains("403"));
    browser.click("#back-home").await;
    browser.wait_for_url("/me/bookings").await;
    browser.goto(&app.url("/dev/sms")).await;
    assert!(browser.text("#sms .sms-body").await.contains(&code));
    assert!(!browser.text("#sms").await.contains(phone), "the inbox masks the number");
    browser.stop().await;
    app.stop().await;
}

/// An administrator adds an account and creates an API key, whose secret is shown once.
async fn administrator_adds_an_account_and_a_key(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "admin", "/admin/users").await;
    browser.fill("#add-user input[name=username]", "gridworker9").await;
    browser.fill("#add-user input[name=display_name]", "网格员 小九").await;
    browser.fill("#add-user input[name=password]", "short").await;
    browser.click("#add-user input[value=gridworker]").await;
    browser.fill("#add-user input[name=regions]", "310106013004001").await;
    // the browser itself refuses a short password (minlength); send a long one
    browser.fill("#add-user input[name=password]", "a long enough password").await;
    browser.click("#add-user button[type=submit]").await;
    assert_eq!(browser.text("#users-notice").await, "已创建账号 gridworker9。");
    assert!(browser.client.find(Locator::Css("tr[data-username=gridworker9]")).await.is_ok());
    browser.fill("#add-user input[name=username]", "gridworker9").await;
    browser.fill("#add-user input[name=password]", "a long enough password").await;
    browser.click("#add-user input[value=viewer]").await;
    browser.fill("#add-user input[name=regions]", "310106013").await;
    browser.click("#add-user button[type=submit]").await;
    assert_eq!(browser.text("#users-error").await, "用户名：该用户名已被使用。");
    // 三员分立: the auditor's account is listed without actions, and why; no auditor role
    // is offered.
    let auditor = browser.text("tr[data-username=auditor] td.actions").await;
    assert!(auditor.contains("您不能管理它") && auditor.contains("audit.read"), "{auditor}");
    assert!(browser.client.find(Locator::Css("#add-user input[value=auditor]")).await.is_err());
    assert!(browser.text("#ungrantable").await.contains("审计员"));
    browser.screenshot("admin-users").await;

    browser.goto(&app.url("/admin/apikeys")).await;
    browser.fill("input[name=name]", "12345 热线").await;
    browser.click("input[value=hotline]").await;
    browser.click("form.stack button[type=submit]").await;
    let secret = browser.text("#new-key-secret").await;
    assert!(secret.starts_with("tx_"));
    browser.screenshot("admin-keys").await;
    browser.goto(&app.url("/admin/apikeys")).await;
    assert!(!browser.text("#keys").await.contains(&secret), "shown once");
    browser.stop().await;
    app.stop().await;
}

/// An auditor filters the log and verifies the chain; an operator reveals a number with a
/// reason, which the auditor then finds.
async fn reveal_then_audit(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "operator", "/residents").await;
    let phone = tongxin_demo::access::RESIDENTS[0].0;
    assert!(!browser.text("#residents").await.contains(phone), "masked by default");
    browser.fill("#residents tbody tr:first-child input[name=purpose]", "回访居民").await;
    browser.click("#residents tbody tr:first-child button").await;
    assert!(browser.text("#revealed").await.contains(phone));
    browser.screenshot("residents-revealed").await;
    browser.click("form.logout button").await;
    browser.wait_for_url("/login").await;

    browser.sign_in(&app.base, "auditor", "/audit").await;
    browser.fill("input[name=action]", "pii.").await;
    browser.click("form.filters button[type=submit]").await;
    browser.wait_for_url("action=pii.").await;
    let table = browser.text("#audit").await;
    assert!(table.contains("pii.reveal") && table.contains("回访居民") && table.contains("operator"), "{table}");
    browser.click("form.filters button[name=verify]").await;
    assert!(browser.text("#audit-verified").await.starts_with("校验通过"));
    browser.screenshot("audit").await;
    browser.stop().await;
    app.stop().await;
}

/// A staff member turns on two-factor sign-in by scanning the code and confirming it.
async fn two_factor_enrolment(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "shiftlead", "/account").await;
    assert_eq!(browser.text("#totp-status").await, "未开启");
    browser.click("#enroll-totp").await;
    browser.wait_for_url("/account/totp").await;
    assert!(browser.client.find(Locator::Css("figure.qr svg")).await.is_ok(), "a QR code");
    browser.screenshot("totp").await;
    let secret = browser.text("#totp-secret").await;
    let totp = Totp::from_base32(&secret, "shiftlead").unwrap();
    browser.fill("input[name=code]", &totp.code_at((Timestamp::now().millis() / 1000) as u64)).await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_url("/account").await;
    assert_eq!(browser.text("#totp-status").await, "已开启");
    browser.stop().await;
    app.stop().await;
}

backend_tests!(
    staff_sign_in_and_out,
    resident_signs_in_with_a_code,
    administrator_adds_an_account_and_a_key,
    reveal_then_audit,
    two_factor_enrolment,
);
