//! The e-bike safety view in real headless Chromium, over the hand-made registry of
//! `tongxin_store::testing::safety`: a shift lead reads 2020's figures, opens 景华's
//! buildings; a bad year is explained in Chinese; a grid worker sees only 景华.

mod common;

use common::TestApp;
use common::browser::Browser;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::seed;

async fn a_shift_lead_reads_the_sweep_and_opens_a_community(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let fixture = seed(&app.db.store).await;

    browser.sign_in(&app.base, "shiftlead", "/registry/ebike-safety?year=2020").await;
    assert_eq!(browser.text("h1").await, "电动车消防安全");
    let figure = |id: &'static str| {
        let browser = &browser;
        async move { browser.text(&format!("#fig-{id} dd")).await }
    };
    assert_eq!(figure("sheds-checked").await, "2");
    assert_eq!(figure("sheds-built").await, "2");
    assert_eq!(figure("pledges-signed").await, "2");
    assert_eq!(figure("hazards-found").await, "3");
    assert_eq!(figure("hazards-fixed").await, "2");
    assert_eq!(figure("bikes-cleared").await, "1");
    let jinghua = browser.text("#community-310106013001").await;
    assert!(jinghua.starts_with("景华居民区"), "{jinghua}");
    let cells: Vec<&str> = jinghua.split_whitespace().skip(1).collect();
    assert_eq!(cells, ["3", "2", "2", "1", "50%", "2", "30", "0", "2", "1"], "{jinghua}");
    let total = browser.text("#safety-total").await;
    assert!(total.contains("合计") && total.contains("67%"), "{total}");
    browser.screenshot("registry-ebike-safety").await;

    // 景华's buildings
    browser.click("#community-310106013001 a").await;
    browser.wait_for_url("region=310106013001").await;
    assert!(browser.text("#buildings-title").await.contains("景华居民区"));
    let a1 = browser.text(&format!("#building-{}", fixture.buildings[0])).await;
    assert!(a1.contains("安全测试路 A1") && a1.contains("100%"), "{a1}");
    assert!(browser.text("#safety-buildings").await.contains("安全测试路 A2"));
    assert!(!browser.text("#safety-buildings").await.contains("B1"), "美丽园's building is not 景华's");
    assert_eq!(figure("hazards-found").await, "2", "the figures follow the community");
    browser.screenshot("registry-ebike-safety-community").await;

    // another year, typed in; then a bad one
    browser.fill("#safety-year input[name=year]", "2021").await;
    browser.click("#safety-year button").await;
    browser.wait_for_url("year=2021").await;
    assert_eq!(figure("hazards-fixed").await, "1");
    browser.fill("#safety-year input[name=year]", "20x1").await;
    browser.click("#safety-year button").await;
    browser.wait_for_url("year=20x1").await;
    assert!(browser.text("#safety-error").await.contains("四位数字"));

    // a grid worker of 景华 sees 景华 alone
    browser.client.delete_all_cookies().await.unwrap();
    browser.sign_in(&app.base, "gridworker1", "/registry/ebike-safety?year=2020").await;
    let rows = browser.text("#safety-communities tbody").await;
    assert!(rows.contains("景华居民区") && !rows.contains("美丽园"), "{rows}");
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_shift_lead_reads_the_sweep_and_opens_a_community);
