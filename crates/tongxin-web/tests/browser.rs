//! The pages in real headless Chromium, on both backends.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// Opens the map, switches to English and follows a grid link.
async fn map_language_switch_and_grid_link(db: TestDb) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(db).await;
    let c = &browser.client;

    browser.sign_in(&app.base, "viewer", "/map").await;
    assert_eq!(browser.text("h1").await, "网格地图");
    assert_eq!(c.find_all(Locator::Css("#grid-map a.grid")).await.unwrap().len(), 60);
    browser.screenshot("map-zh").await;

    browser.click("#lang-switch").await;
    browser.wait_for_text("h1", "Grid map").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/map");
    browser.screenshot("map-en").await;

    // Follow a grid on the SVG map itself.
    let grid = c.find(Locator::Css("#grid-map a.grid[data-code='310106013001002']")).await.unwrap();
    grid.click().await.unwrap();
    browser.wait_for_url("/regions/310106013001002").await;
    assert_eq!(browser.text("#region-name").await, "景华第二网格 Grid");
    let crumbs = browser.text("nav.crumbs").await;
    assert!(crumbs.contains("静安寺街道") && crumbs.contains("景华居民区"), "{crumbs}");
    assert!(c.find_all(Locator::Css("#buildings tbody tr")).await.unwrap().len() >= 8);
    browser.screenshot("grid-en").await;

    browser.stop().await;
    app.stop().await;
}

/// The locate form works without JavaScript and marks the point.
async fn locate_form_marks_the_point(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "viewer", "/map").await;
    browser.fill("input[name=lat]", "31.2235").await;
    browser.fill("input[name=lng]", "121.4455").await;
    browser.click("form.locate button").await;
    browser.wait_for_url("lat=31.2235").await;
    let located = browser.text("#located").await;
    assert!(located.starts_with("该点位于") && located.contains("网格"), "{located}");
    assert!(browser.client.find(Locator::Css("circle.marker")).await.is_ok());
    browser.screenshot("map-located").await;

    browser.fill("input[name=lat]", "95").await;
    browser.click("form.locate button").await;
    browser.wait_for_url("lat=95").await;
    assert_eq!(browser.text("#located").await, "纬度必须是 -90 到 90 之间的数字。");
    browser.stop().await;
    app.stop().await;
}

backend_tests!(map_language_switch_and_grid_link, locate_form_marks_the_point);
