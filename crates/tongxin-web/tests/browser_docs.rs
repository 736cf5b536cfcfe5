//! Issue 14, items 13 and 11 in real headless Chromium: a member of staff opens the API
//! reference from the menu and reads its operations, drawn by the vendored Swagger UI
//! under the Content-Security-Policy; a resident is not shown it. A leader (the demo
//! viewer) walks their day through every page the menu offers them.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use serde_json::json;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// The hrefs of the main navigation's links, as the browser sees them.
async fn nav_hrefs(browser: &Browser) -> Vec<String> {
    let links = browser.client.find_all(Locator::Css("header.top nav a")).await.unwrap();
    let mut hrefs = Vec::new();
    for link in links {
        if let Some(href) = link.attr("href").await.unwrap() {
            hrefs.push(href);
        }
    }
    hrefs
}

async fn the_api_reference_is_for_staff(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;

    browser.sign_in(&app.base, "intake", "/cases").await;
    assert!(nav_hrefs(&browser).await.contains(&"/docs/api".to_owned()), "staff are shown the API reference");
    browser.click("header.top nav a[href='/docs/api']").await;
    browser.wait_for_url("/docs/api").await;
    assert_eq!(browser.text("h1").await, "接口文档");
    // Swagger UI draws the document's operations: method and path.
    let operation = "#operations-cases-create .opblock-summary";
    let summary = browser.text(operation).await;
    assert!(summary.contains("POST") && summary.contains("/api/v1/cases"), "{summary}");
    assert!(browser.text("#swagger-ui .info .title").await.contains("Tongxin"));
    browser.screenshot("docs-api-reference").await;
    // the raw document stays where machine clients read it
    let raw = browser.client.find(Locator::Css("#openapi-json")).await.unwrap();
    assert_eq!(raw.attr("href").await.unwrap().as_deref(), Some("/api/v1/openapi.json"));
    assert_eq!(app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().status(), 200);

    // a resident has no link, and the page is not theirs
    browser.client.delete_all_cookies().await.unwrap();
    let resident = app.resident_login(tongxin_demo::access::RESIDENTS[0].0).await;
    let (_, mine) = resident.text("/my/reports").await;
    assert!(!mine.contains("/docs/api") && !mine.contains("openapi.json"), "a resident is shown no API link");
    assert_eq!(resident.get("/docs/api").await.status(), 403);
    browser.stop().await;
    app.stop().await;
}

/// The datetime attributes of the search results' report times, top to bottom.
async fn reported_times(browser: &Browser) -> Vec<String> {
    let cells = browser.client.find_all(Locator::Css("#results time")).await.unwrap();
    let mut times = Vec::new();
    for cell in cells {
        times.push(cell.attr("datetime").await.unwrap().unwrap_or_default());
    }
    times
}

/// A leader's day: the demo viewer opens every page the menu offers. The booking figures
/// and the e-bike safety figures are there, counts only, with no way into anyone's
/// record; the case search says how many it found, puts the latest reported first and
/// dates the cases of earlier years with their year.
async fn a_leader_walks_their_day(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn_with_history(db, 14).await;
    tongxin_store::testing::safety::seed(&app.db.store).await;
    booked_today(&app).await;

    browser.sign_in(&app.base, "viewer", "/cases").await;
    let menu = nav_hrefs(&browser).await;
    for page in ["/cases", "/cases/search", "/map", "/booking/stats", "/registry/ebike-safety"] {
        assert!(menu.iter().any(|h| h == page), "the leader's menu offers {page}: {menu:?}");
    }
    assert!(!menu.iter().any(|h| h.starts_with("/registry/residents") || h.starts_with("/booking/console")));
    for href in &menu {
        if href == "/docs/api" || href.starts_with("/lang/") {
            continue; // Swagger UI has its own test; the language stays Chinese
        }
        browser.goto(&app.url(href)).await;
        let title = browser.text("main h1").await;
        assert!(!title.is_empty() && !title.contains("403"), "{href} opens for the leader: {title}");
    }

    // the case search: the total, the latest reported first, and an earlier year shown
    browser.goto(&app.url("/cases/search")).await;
    let total = browser.text("#search-total").await;
    assert!(total.starts_with("共 ") && total.contains(" 件"), "{total}");
    let times = reported_times(&browser).await;
    assert!(times.len() > 10, "{times:?}");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "the latest reported first: {times:?}");
    let this_year = &times[0][..4];
    let shown = browser.text("#results tbody tr:first-child time").await;
    assert!(!shown.starts_with(this_year), "this year's dates have no year: {shown}");
    browser.screenshot("leader-case-search").await;
    // (`until` takes in the whole day named)
    let last_year = (this_year.parse::<i32>().unwrap() - 1).to_string();
    browser.goto(&app.url(&format!("/cases/search?until={last_year}-12-30"))).await;
    let shown = browser.text("#results tbody tr:first-child time").await;
    assert!(shown.starts_with(&format!("{last_year}-")), "a case of last year shows its year: {shown}");
    let times = reported_times(&browser).await;
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // the booking figures, read only
    browser.goto(&app.url("/booking/stats")).await;
    assert_eq!(browser.text("#stat-bookings").await, "1", "today's booking is counted");
    assert!(browser.client.find(Locator::Css("main form[method=post]")).await.is_err(), "nothing to change");
    browser.screenshot("leader-booking-stats").await;

    // the e-bike safety figures: counts, never a person or a building's households
    browser.goto(&app.url("/registry/ebike-safety?year=2020")).await;
    assert_eq!(browser.text("#fig-sheds-checked dd").await, "2");
    assert!(browser.text("#figures-only").await.contains("汇总"));
    browser.click("#community-310106013001 a").await;
    browser.wait_for_url("region=310106013001").await;
    assert_eq!(browser.text("#fig-hazards-found dd").await, "2", "the community's figures");
    let html = browser.client.source().await.unwrap();
    for personal in
        ["/registry/households", "/registry/residents", "/registry/sheds", "/registry/ebikes", "/registry/pledges"]
    {
        assert!(!html.contains(personal), "no link into the registry ({personal}) for a leader");
    }
    assert!(browser.client.find(Locator::Css("#safety-buildings")).await.is_err(), "no rows per building");
    browser.screenshot("leader-ebike-safety").await;
    browser.stop().await;

    // the same figures over the API, and the registry itself stays closed
    let viewer = app.login("viewer").await;
    let (status, view) = viewer.json("/api/v1/registry/ebike-safety?year=2020&region=310106013001").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["buildings"].as_array().map(Vec::len), Some(0), "{view}");
    assert_eq!(viewer.get("/registry/residents").await.status(), 403);
    assert_eq!(viewer.get("/api/v1/residents").await.status(), 403);
    // a leader of another community counts that community's bookings alone
    let (_, stats) = viewer.json("/api/v1/booking/stats").await;
    assert_eq!(stats["bookings"], 1, "{stats}");
    let mut admin = app.login("admin").await;
    let leader = json!({"username": "viewer2", "display_name": "居民区领导", "password": common::PASSWORD,
        "roles": ["viewer"], "regions": ["310106013002"]});
    let (status, body) = admin.post_json("/api/v1/users", leader).await;
    assert_eq!(status, 201, "{body}");
    let (status, stats) = app.login("viewer2").await.json("/api/v1/booking/stats").await;
    assert_eq!((status, stats["bookings"].clone(), stats["seats"].clone()), (200, json!(0), json!(0)), "{stats}");
    app.stop().await;
}

/// One booking today at the test site in 景华居民区 (310106013001), made by an operator.
async fn booked_today(app: &TestApp) {
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let f = tongxin_store::testing::booking::seed(&app.db.store, &grid, 1).await;
    let system = tongxin_store::audit::Caller::system("test");
    let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now());
    app.db.store.lay_out_slots(&system, today, today).await.unwrap();
    let filter =
        tongxin_store::booking::slots::SlotFilter { service: Some("T-OPEN".into()), limit: 1, ..Default::default() };
    let slot = app.db.store.slots(&filter).await.unwrap().remove(0);
    let past = tongxin_store::booking::past::PastBooking {
        slot_id: slot.id,
        resident_id: f.elders[0],
        channel: tongxin_core::booking::Channel::Operator,
        status: tongxin_core::booking::BookingStatus::Confirmed,
    };
    assert_eq!(app.db.store.record_past_bookings(&system, &[past]).await.unwrap(), 1);
}

backend_tests!(the_api_reference_is_for_staff, a_leader_walks_their_day);
