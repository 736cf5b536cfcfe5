//! Intake by phone in real headless Chromium, on both backends (issue 14, items 1, 3, 5
//! and 6): the intake officer takes a call with an address and the caller's name and
//! phone; the address finds its building, or offers the buildings it may be; a case with
//! an address no building has is placed by the dispatcher, on the map; the grid worker
//! checks it; the shift lead closes it and opens the caller's number to call back.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_core::geo::{Building, RegionCode};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

const CALLER_PHONE: &str = "13812345678";

async fn sign_out(browser: &Browser) {
    browser.click("form.logout button").await;
    browser.wait_for_url("/login").await;
}

/// Waits until the element's text contains `part`.
async fn wait_containing(browser: &Browser, css: &str, part: &str) {
    for _ in 0..200 {
        if browser.text(css).await.contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{css} shows {:?}, without {part:?}", browser.text(css).await);
}

async fn take(browser: &Browser, action: &str) {
    browser.click(&format!("form.action[data-action={action}] button")).await;
}

async fn grid_buildings(app: &TestApp) -> Vec<Building> {
    let grid = RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 50, offset: 0 };
    app.db.store.buildings(&filter).await.unwrap()
}

/// Starts a phone report of 楼道堆物 on /report, with the caller's name and phone.
async fn start_report(browser: &Browser, app: &TestApp, address: &str) {
    browser.goto(&app.url("/report?category=E0103")).await;
    browser.fill("#report-form textarea[name=description]", "来电反映楼道堆满纸箱").await;
    browser.fill("#report-form input[name=attr_floor]", "3").await;
    browser.fill("#address", address).await;
    browser.fill("#report-form input[name=reporter_name]", "王建华").await;
    browser.fill("#report-form input[name=reporter_phone]", CALLER_PHONE).await;
}

fn case_id(path: &str) -> i64 {
    path.trim_start_matches("/cases/").parse().unwrap()
}

async fn a_phone_report_lands_on_its_grid_and_never_gets_stuck(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    TestApp::personal(CALLER_PHONE);
    let app = TestApp::spawn(db).await;
    let c = &browser.client;
    let buildings = grid_buildings(&app).await;
    let b = buildings.iter().find(|b| b.fields.address.contains('弄')).unwrap();
    let lane = &b.fields.address[..b.fields.address.find('弄').unwrap() + '弄'.len_utf8()];
    let grid_name = app.db.store.region(&b.fields.grid).await.unwrap().unwrap().name;

    // 1. An address written the caller's way finds its building and its grid.
    browser.sign_in(&app.base, "intake", "/report?category=E0103").await;
    assert_eq!(browser.text("#report-where legend").await, "事发地点", "one 位置 label only");
    start_report(&browser, &app, &format!("上海市静安区{} 302室", b.fields.address)).await;
    browser.screenshot("report-intake-caller").await;
    browser.click("#report-form button[type=submit]").await;
    browser.wait_for_text("#case-status", "已上报").await;
    let placed = browser.text("#case-place-words").await;
    assert!(placed.contains(&grid_name), "{placed} names the grid {grid_name}");
    assert!(!placed.contains("310106013"), "no region codes: {placed}");
    let caller = browser.text("#case-caller").await;
    assert!(caller.contains("王**") && caller.contains("138****5678"), "masked: {caller}");
    assert!(!c.source().await.unwrap().contains(CALLER_PHONE), "the full number is nowhere on the page");
    assert!(!browser.text("#case-title").await.starts_with("E0103"), "the title is the category's name");

    // 6. An address that may be several buildings: choose one; every answer stays.
    start_report(&browser, &app, lane).await;
    browser.click("#report-form button[type=submit]").await;
    wait_containing(&browser, "#report-error", "多栋楼").await;
    assert_eq!(
        c.find(Locator::Css("#report-form input[name=attr_floor]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("3")
    );
    assert_eq!(
        c.find(Locator::Css("#report-form input[name=reporter_name]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("王建华")
    );
    browser.screenshot("report-address-candidates").await;
    browser.click(&format!("#address-candidates input[value='{}']", b.id)).await;
    browser.click("#report-form button[type=submit]").await;
    browser.wait_for_text("#case-status", "已上报").await;
    assert!(browser.text("#case-place-words").await.contains(&grid_name));

    // 1. An address no building has: the case waits with the subdistrict, and says so.
    start_report(&browser, &app, "某某路999号后门").await;
    browser.click("#report-form button[type=submit]").await;
    browser.wait_for_text("#case-status", "已上报").await;
    assert!(browser.text("#unplaced").await.contains("未落网格"));
    let id = case_id(c.current_url().await.unwrap().path());
    take(&browser, "register").await;
    browser.wait_for_text("#case-status", "已立案").await;
    sign_out(&browser).await;

    // The dispatcher finds the building and places it by a click on its dot.
    browser.sign_in(&app.base, "dispatcher", &format!("/cases/{id}")).await;
    assert!(browser.text("#case-place").await.contains("还没有落到网格"));
    let dot = format!("#case-place circle.building[data-building='{}']", b.id);
    c.find(Locator::Css(&dot)).await.unwrap().click().await.unwrap();
    let lat = c.find(Locator::Css("#place-by-point input[name=lat]")).await.unwrap().prop("value").await.unwrap();
    assert!(lat.is_some_and(|v| v.starts_with("31.")), "the click gave a point");
    browser.screenshot("case-place-dispatcher").await;
    browser.click("#place-by-point button[type=submit]").await;
    wait_containing(&browser, "#case-place-words", &grid_name).await;
    let case = app.db.store.case(id).await.unwrap().unwrap();
    assert_eq!(case.grid.as_ref(), Some(&b.fields.grid));
    assert_eq!(case.building_id, Some(b.id), "the dot chose its building");
    assert!(browser.text("#timeline").await.contains("落到网格"));
    c.find(Locator::Css("form.action[data-action=dispatch] select"))
        .await
        .unwrap()
        .select_by_value("cgzd")
        .await
        .unwrap();
    take(&browser, "dispatch").await;
    browser.wait_for_text("#case-status", "已派遣").await;
    sign_out(&browser).await;

    browser.sign_in(&app.base, "dept1", &format!("/cases/{id}")).await;
    take(&browser, "accept").await;
    browser.wait_for_text("#case-status", "处置中").await;
    take(&browser, "feedback").await;
    browser.wait_for_text("#case-status", "已反馈").await;
    sign_out(&browser).await;

    // The grid worker, on a phone, has it in their checks and passes it.
    c.set_window_size(390, 844).await.unwrap();
    browser.sign_in(&app.base, "gridworker1", "/checks").await;
    let card = format!("a[href='/cases/{id}']");
    c.find(Locator::Css(&card)).await.expect("the case waits in the grid worker's checks");
    browser.goto(&app.url(&format!("/cases/{id}"))).await;
    take(&browser, "pass").await;
    browser.wait_for_text("#case-status", "已核查").await;
    sign_out(&browser).await;
    c.set_window_size(1280, 1000).await.unwrap();

    // 3. The shift lead closes it and opens the caller's number to call back, audited.
    browser.sign_in(&app.base, "shiftlead", &format!("/cases/{id}")).await;
    take(&browser, "close").await;
    browser.wait_for_text("#case-status", "已结案").await;
    assert!(browser.text("#case-caller").await.contains("138****5678"), "still masked until asked");
    browser.click("#reveal-caller button").await;
    wait_containing(&browser, "#case-caller", CALLER_PHONE).await;
    assert!(browser.text("#case-caller").await.contains("王建华"));
    browser.screenshot("case-caller-revealed").await;
    let audit = app.db.store.audit_of_object("case", &id.to_string(), "pii.reveal", 5).await.unwrap();
    assert_eq!(audit.len(), 1, "the reveal is audited");
    browser.stop().await;
    app.stop().await;
}

async fn the_case_page_names_the_place_and_draws_the_buildings_around(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let c = &browser.client;
    let b = grid_buildings(&app).await.remove(0);
    // A grid worker's report by GPS, a few metres from a building.
    let (lat, lng) = (b.fields.location.lat() + 0.00005, b.fields.location.lng());
    c.set_window_size(390, 844).await.unwrap();
    browser.sign_in(&app.base, "gridworker1", "/report?category=E0103").await;
    browser.fill("#report-form textarea[name=description]", "楼道堆物").await;
    browser.fill("#report-form input[name=attr_floor]", "1").await;
    browser.fill("#lat", &lat.to_string()).await;
    browser.fill("#lng", &lng.to_string()).await;
    browser.click("#report-form button[type=submit]").await;
    browser.wait_for_text("#case-status", "已上报").await;
    let near = browser.text("#case-near").await;
    assert!(near.contains(&b.fields.address), "{near} names the nearest building");
    let drawn = c.find_all(Locator::Css("figure.map rect.building")).await.unwrap().len();
    assert!(drawn > 1, "the map shows the buildings around ({drawn})");
    browser.screenshot("case-near-building-phone").await;
    browser.goto(&app.url("/my/reports")).await;
    let list = browser.text("main").await;
    assert!(!list.contains("310106013001001"), "my reports name places, not codes: {list}");
    browser.stop().await;
    app.stop().await;
}

backend_tests!(
    a_phone_report_lands_on_its_grid_and_never_gets_stuck,
    the_case_page_names_the_place_and_draws_the_buildings_around
);
