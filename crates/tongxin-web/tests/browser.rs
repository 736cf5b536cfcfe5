//! The pages in real headless Chromium, on both backends.

mod common;

use common::TestApp;
use common::browser::Browser;
use std::time::Duration;

use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn text(browser: &Browser, css: &str) -> String {
    let found = browser.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await;
    found.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// Waits until the element's text is `expected` (the page may still be loading).
async fn wait_for_text(browser: &Browser, css: &str, expected: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = text(browser, css).await;
        if now == expected {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{css} shows {now:?}, never {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the browser is at `target`: a path (`/map`), or text in the query (`lat=95`).
async fn wait_for_url(browser: &Browser, target: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let url = browser.client.current_url().await.unwrap();
        let arrived =
            if target.starts_with('/') { url.path() == target } else { url.query().unwrap_or("").contains(target) };
        if arrived {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the browser never reached {target}; it is at {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs in through the login page, as a person would.
async fn sign_in(browser: &Browser, app: &TestApp, username: &str, next: &str) {
    browser.client.goto(&app.url(next)).await.unwrap();
    wait_for_text(browser, "h1", "工作人员登录").await;
    fill(browser, "input[name=username]", username).await;
    fill(browser, "input[name=password]", common::PASSWORD).await;
    click(browser, "form button[type=submit]").await;
    wait_for_url(browser, next).await;
}

/// Opens the map, switches to English and follows a grid link.
async fn map_language_switch_and_grid_link(db: TestDb) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(db).await;
    let c = &browser.client;

    sign_in(&browser, &app, "viewer", "/map").await;
    assert_eq!(text(&browser, "h1").await, "网格地图");
    assert_eq!(c.find_all(Locator::Css("#grid-map a.grid")).await.unwrap().len(), 60);
    browser.screenshot("map-zh").await;

    click(&browser, "#lang-switch").await;
    wait_for_text(&browser, "h1", "Grid map").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/map");
    browser.screenshot("map-en").await;

    // Follow a grid on the SVG map itself.
    let grid = c.find(Locator::Css("#grid-map a.grid[data-code='310106013001002']")).await.unwrap();
    grid.click().await.unwrap();
    wait_for_url(&browser, "/regions/310106013001002").await;
    assert_eq!(text(&browser, "#region-name").await, "景华第二网格 Grid");
    let crumbs = text(&browser, "nav.crumbs").await;
    assert!(crumbs.contains("静安寺街道") && crumbs.contains("景华居民区"), "{crumbs}");
    assert!(c.find_all(Locator::Css("#buildings tbody tr")).await.unwrap().len() >= 8);
    browser.screenshot("grid-en").await;

    browser.stop().await;
    app.stop().await;
}

/// Types `value` into the input matched by `css`, replacing what was there.
async fn fill(browser: &Browser, css: &str, value: &str) {
    let input = browser.client.find(Locator::Css(css)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

async fn click(browser: &Browser, css: &str) {
    browser.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

/// The locate form works without JavaScript and marks the point.
async fn locate_form_marks_the_point(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    sign_in(&browser, &app, "viewer", "/map").await;
    fill(&browser, "input[name=lat]", "31.2235").await;
    fill(&browser, "input[name=lng]", "121.4455").await;
    click(&browser, "form.locate button").await;
    wait_for_url(&browser, "lat=31.2235").await;
    let located = text(&browser, "#located").await;
    assert!(located.starts_with("该点位于") && located.contains("网格"), "{located}");
    assert!(browser.client.find(Locator::Css("circle.marker")).await.is_ok());
    browser.screenshot("map-located").await;

    fill(&browser, "input[name=lat]", "95").await;
    click(&browser, "form.locate button").await;
    wait_for_url(&browser, "lat=95").await;
    assert_eq!(text(&browser, "#located").await, "纬度必须是 -90 到 90 之间的数字。");
    browser.stop().await;
    app.stop().await;
}

backend_tests!(map_language_switch_and_grid_link, locate_form_marks_the_point);
