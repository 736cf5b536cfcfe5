//! The Open311 door's own page in real headless Chromium: reached from the API keys page,
//! it names the endpoint, the jurisdiction and every service with its questions.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn the_open311_page_describes_the_door(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "admin", "/admin/apikeys").await;
    browser.click("#open311-link").await;
    browser.wait_for_url("/open311/v2/").await;
    assert_eq!(browser.text("h1").await, "Open311 接口");
    assert_eq!(browser.text("#endpoint").await, format!("{}/open311/v2", app.base));
    assert!(browser.text("#jurisdictions").await.contains("310106013 静安寺街道"));
    let services = browser.text("#services tbody").await;
    assert!(
        services.contains("E0502") && services.contains("source*（噪声来源）") && services.contains("times[]"),
        "{services}"
    );
    browser.screenshot("open311").await;

    // The definition link answers the spec's JSON.
    let href = browser
        .client
        .find(Locator::Css("#services a[href$='/services/E0502.json']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let definition: serde_json::Value = app.http.get(&href).send().await.unwrap().json().await.unwrap();
    assert_eq!(definition["service_code"], "E0502");
    browser.click("#lang-switch").await;
    browser.wait_for_text("h1", "Open311 door").await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(the_open311_page_describes_the_door);
