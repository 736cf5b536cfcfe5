//! The e-bike ledgers' pages in real headless Chromium: a grid worker finds an e-bike by its
//! owner's name, opens it and its shed, records an inspection (a failed one without
//! findings is explained in Chinese), and reads the pledges of their community only.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::seed;

async fn a_grid_worker_checks_a_shed(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let f = seed(&app.db.store).await;

    browser.sign_in(&app.base, "gridworker1", "/registry/ebikes").await;
    assert_eq!(browser.text("h1").await, "电动车台账");
    browser.fill("#ebike-search input[name=q]", "安一").await;
    browser.click("#ebike-search button").await;
    browser.wait_for_url("q=").await;
    let rows = browser.text("#ebikes tbody").await;
    assert!(rows.contains("沪测00001") && rows.contains("沪测00002") && !rows.contains("沪测00004"), "{rows}");
    browser.screenshot("registry-ebikes").await;
    let href = browser.client.find(Locator::Css("#export-xlsx")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("/api/v1/ebikes/export?format=xlsx&q="), "the export keeps the search: {href}");

    browser.click(&format!("#ebikes a[href='/registry/ebikes/{}']", f.ebikes[0])).await;
    browser.wait_for_url(&format!("/registry/ebikes/{}", f.ebikes[0])).await;
    assert_eq!(browser.text("#ebike-plate").await, "沪测00001");
    assert_eq!(browser.text("#ebike-battery").await, "锂电");
    assert_eq!(browser.text("#ebike-pledged").await, "是");
    browser.click(&format!("#ebike-facts a[href='/registry/sheds/{}']", f.sheds[0])).await;
    browser.wait_for_url(&format!("/registry/sheds/{}", f.sheds[0])).await;
    assert_eq!(browser.text("#shed-name").await, "安全测试充电棚1");
    assert!(browser.text("#shed-checks").await.contains("灭火器过期"));

    // a failed inspection needs its findings
    let select = browser.client.find(Locator::Css("#check-form select[name=ok]")).await.unwrap();
    select.select_by_value("no").await.unwrap();
    browser.click("#check-form button").await;
    assert!(browser.text("#check-error").await.contains("请写明问题"));
    let select = browser.client.find(Locator::Css("#check-form select[name=ok]")).await.unwrap();
    select.select_by_value("no").await.unwrap();
    browser.fill("#check-form input[name=findings]", "充电插座松动").await;
    browser.click("#check-form button").await;
    browser.wait_for_url(&format!("/registry/sheds/{}", f.sheds[0])).await;
    let checks = browser.text("#shed-checks tbody").await;
    assert!(checks.lines().next().unwrap().contains("充电插座松动"), "the newest first: {checks}");
    assert!(checks.contains("网格员 张伟"));
    browser.screenshot("registry-shed").await;
    assert_eq!(app.db.store.shed_checks(f.sheds[0]).await.unwrap().len(), 3);

    browser.goto(&app.url("/registry/pledges")).await;
    let pledges = browser.text("#pledges tbody").await;
    assert!(pledges.contains("安一") && pledges.contains("安二") && !pledges.contains("安四"), "{pledges}");
    browser.screenshot("registry-pledges").await;
    browser.goto(&app.url("/registry/sheds")).await;
    let sheds = browser.text("#sheds tbody").await;
    assert!(sheds.contains("安全测试充电棚2") && !sheds.contains("安全测试充电棚5"), "{sheds}");
    browser.screenshot("registry-sheds").await;
    // 美丽园's shed is not there for this grid worker
    browser.goto(&app.url(&format!("/registry/sheds/{}", f.sheds[4]))).await;
    assert!(browser.text("main").await.contains("找不到"));
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_grid_worker_checks_a_shed);
