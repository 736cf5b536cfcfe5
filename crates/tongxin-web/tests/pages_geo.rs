//! The map and region pages over HTTP (what a browser receives), on both backends.
//! `browser.rs` drives the same pages in Chromium.

mod common;

use common::TestApp;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn with_lang(app: &TestApp, path: &str, lang: &'static str) -> (u16, String) {
    let mut viewer = app.login("viewer").await;
    viewer.lang = Some(lang);
    viewer.text(path).await
}

async fn the_map_draws_every_grid_in_chinese_or_english(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let viewer = app.login("viewer").await;
    let response = viewer.get("/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/cases", "a viewer starts on the case board");

    let (status, html) = viewer.text("/map").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<h1>网格地图</h1>"));
    assert!(html.contains("13 个居民区，60 个网格"));
    assert_eq!(html.matches("class=\"grid c").count(), 60, "one link per grid");
    assert!(html.contains("href=\"/regions/310106013001001\""));
    assert!(html.contains(">美丽园</text>"), "community labels are drawn");

    let (_, english) = with_lang(&app, "/map", "en").await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("<h1>Grid map</h1>"));
    assert!(english.contains("13 communities, 60 grids"));
    app.stop().await;
}

async fn the_map_locates_a_point_and_explains_bad_input(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let viewer = app.login("viewer").await;
    let (status, html) = viewer.text("/map?lat=31.2235&lng=121.4455&crs=wgs84").await;
    assert_eq!(status, 200);
    assert!(html.contains("该点位于"), "{html}");
    assert!(html.contains("class=\"marker\""));
    assert!(html.contains("静安寺街道</a>"));

    let (_, html) = viewer.text("/map?lat=95&lng=121.4455").await;
    assert!(html.contains("纬度必须是 -90 到 90 之间的数字。"));
    let (_, html) = viewer.text("/map?lat=31.2&lng=121.4&crs=mars").await;
    assert!(html.contains("坐标系只能是 WGS-84、GCJ-02 或 BD-09。"));
    let (_, html) = viewer.text("/map?lat=39.9&lng=116.4").await;
    assert!(html.contains("该点不在任何网格内。"));
    // what the reader typed stays in the form, escaped
    let (_, html) = viewer.text("/map?lat=%3Cb%3E&lng=1").await;
    assert!(html.contains("value=\"&#60;b&#62;\""), "input is escaped");
    app.stop().await;
}

async fn a_grid_page_shows_its_buildings_and_parent_chain(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let viewer = app.login("viewer").await;
    let (status, html) = viewer.text("/regions/310106013001002").await;
    assert_eq!(status, 200);
    assert!(html.contains("景华第二网格"));
    for crumb in ["静安区", "静安寺街道", "景华居民区"] {
        assert!(html.contains(&format!(">{crumb}</a>")), "breadcrumb {crumb}");
    }
    assert!(html.contains("<table id=\"buildings\">"));
    assert!(html.contains("class=\"building\""), "buildings are on the mini map");
    let (_, community) = viewer.text("/regions/310106013001").await;
    assert!(community.contains("<table id=\"children\">"));
    assert!(!community.contains("<table id=\"buildings\">"));

    let (status, html) = viewer.text("/regions/12345").await;
    assert_eq!(status, 400);
    assert!(html.contains("区划代码格式不正确"));
    let (status, html) = viewer.text("/regions/310106013099").await;
    assert_eq!(status, 404);
    assert!(html.contains("找不到这个区划"));
    let (status, html) = with_lang(&app, "/nowhere", "en").await;
    assert_eq!(status, 404);
    assert!(html.contains("There is no such page."));
    app.stop().await;
}

async fn the_language_switch_remembers_and_stays_local(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let viewer = app.login("viewer").await;
    let response = viewer.get("/lang/en?next=%2Fregions%2F310106013001").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/regions/310106013001");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("tongxin_lang=en;") && cookie.contains("SameSite=Lax"), "{cookie}");
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r//evil.example",
    ] {
        let response = viewer.get(&format!("/lang/en?next={}", urlencode(evil))).await;
        assert_eq!(response.headers()["location"], "/map", "{evil}");
    }
    app.stop().await;
}

async fn static_assets_are_embedded_and_cacheable(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let viewer = app.login("viewer").await;
    let response = viewer.get("/static/tongxin.css").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let etag = response.headers()["etag"].clone();
    let again = app.http.get(app.url("/static/tongxin.css")).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(viewer.get("/static/missing.js").await.status(), 404);
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

backend_tests!(
    the_map_draws_every_grid_in_chinese_or_english,
    the_map_locates_a_point_and_explains_bad_input,
    a_grid_page_shows_its_buildings_and_parent_chain,
    the_language_switch_remembers_and_stays_local,
    static_assets_are_embedded_and_cacheable,
);
