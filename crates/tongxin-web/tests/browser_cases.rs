//! A case through the pages in real headless Chromium, on both backends: reported on the
//! phone page, verified, registered, dispatched on the board, handled by the department,
//! checked by the grid worker, closed.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn sign_out(browser: &Browser) {
    browser.click("form.logout button").await;
    browser.wait_for_url("/login").await;
}

/// Presses the action button of `action` on the case page, after typing a note.
async fn take(browser: &Browser, action: &str, note: &str) {
    let form = format!("form.action[data-action={action}]");
    if !note.is_empty() {
        browser.fill(&format!("{form} input[name=note]"), note).await;
    }
    browser.click(&format!("{form} button")).await;
}

/// Writes a 400×300 photo of one colour next to the app's photo store; returns its path.
fn photo_file(app: &TestApp, name: &str, rgb: [u8; 3]) -> String {
    let path = app.photo_dir.path().join(format!("upload-{name}"));
    image::RgbImage::from_pixel(400, 300, image::Rgb(rgb)).save(&path).unwrap();
    path.display().to_string()
}

/// Whether every photo on the page has loaded.
async fn images_loaded(browser: &Browser) -> bool {
    let script =
        "return Array.from(document.querySelectorAll('#photos img')).every(i => i.complete && i.naturalWidth > 0);";
    for _ in 0..50 {
        if browser.client.execute(script, vec![]).await.unwrap() == serde_json::Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

async fn a_case_from_phone_to_closed(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let building = app
        .db
        .store
        .buildings(&tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 })
        .await
        .unwrap()
        .remove(0);
    let c = &browser.client;

    // The grid worker reports from the phone.
    c.set_window_size(390, 900).await.unwrap();
    browser.sign_in(&app.base, "gridworker1", "/report").await;
    let select = c.find(Locator::Css("#choose-category select")).await.unwrap();
    select.select_by_value("E0103").await.unwrap();
    browser.wait_for_url("category=E0103").await;
    browser.fill("#report-form textarea[name=description]", "3号楼二楼楼道堆满纸箱").await;
    browser.fill("#report-form input[name=attr_floor]", "2").await;
    browser.fill("#lat", &building.fields.location.lat().to_string()).await;
    browser.fill("#lng", &building.fields.location.lng().to_string()).await;
    let photo = photo_file(&app, "boxes.jpg", [150, 110, 60]);
    c.find(Locator::Css("#photo")).await.unwrap().send_keys(&photo).await.unwrap();
    browser.screenshot("case-report-phone").await;
    browser.click("#report-form button[type=submit]").await;
    browser.wait_for_text("#case-status", "已上报").await;
    assert_eq!(c.find_all(Locator::Css("#photo-list img")).await.unwrap().len(), 1);
    assert!(images_loaded(&browser).await, "the thumbnail is served to the page");
    let id = c.current_url().await.unwrap().path().trim_start_matches("/cases/").to_owned();
    take(&browser, "verify", "现场确认").await;
    browser.wait_for_text("#case-status", "已核实").await;
    browser.screenshot("case-verified-phone").await;
    sign_out(&browser).await;
    c.set_window_size(1280, 1000).await.unwrap();

    // The intake officer registers it.
    browser.sign_in(&app.base, "intake", &format!("/cases/{id}")).await;
    take(&browser, "register", "").await;
    browser.wait_for_text("#case-status", "已立案").await;
    sign_out(&browser).await;

    // The dispatcher dispatches it from the board in one click.
    browser.sign_in(&app.base, "dispatcher", "/cases").await;
    let card = format!("[data-stage='board.dispatch'] article[data-case='{id}']");
    c.find(Locator::Css(&format!("{card} select"))).await.unwrap().select_by_value("cgzd").await.unwrap();
    browser.screenshot("case-board").await;
    browser.click(&format!("{card} button")).await;
    browser.wait_for_url("/cases").await;
    assert!(c.find(Locator::Css(&format!("[data-stage='board.handling'] article[data-case='{id}']"))).await.is_ok());
    sign_out(&browser).await;

    // The department takes it on and reports back.
    browser.sign_in(&app.base, "dept1", "/cases").await;
    browser.click(&format!("article[data-case='{id}'] a")).await;
    take(&browser, "accept", "").await;
    browser.wait_for_text("#case-status", "处置中").await;
    let after = photo_file(&app, "cleared.png", [220, 220, 220]);
    c.find(Locator::Css("form.action[data-action=feedback] input[type=file]"))
        .await
        .unwrap()
        .send_keys(&after)
        .await
        .unwrap();
    take(&browser, "feedback", "已清理完毕").await;
    browser.wait_for_text("#case-status", "已反馈").await;
    assert_eq!(c.find_all(Locator::Css("#photo-list img")).await.unwrap().len(), 2);
    assert_eq!(c.find_all(Locator::Css("#timeline .thumbs img")).await.unwrap().len(), 2, "each photo by its step");
    assert!(images_loaded(&browser).await);
    browser.screenshot("case-feedback-photos").await;
    sign_out(&browser).await;

    // The grid worker checks it.
    browser.sign_in(&app.base, "gridworker1", "/checks").await;
    browser.click(&format!("#case-list a[href='/cases/{id}']")).await;
    take(&browser, "pass", "现场已无堆物").await;
    browser.wait_for_text("#case-status", "已核查").await;
    sign_out(&browser).await;

    // And the intake officer closes it.
    browser.sign_in(&app.base, "intake", &format!("/cases/{id}")).await;
    take(&browser, "close", "").await;
    browser.wait_for_text("#case-status", "已结案").await;
    let timeline = browser.text("#timeline").await;
    for step in ["上报", "核实", "立案", "派遣", "接单处置", "处置反馈", "核查通过", "结案"] {
        assert!(timeline.contains(step), "{step} missing from {timeline}");
    }
    browser.screenshot("case-closed").await;
    browser.stop().await;
    app.stop().await;
}

/// A bad report is explained on the page and nothing is filed.
async fn a_bad_report_is_explained(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "gridworker1", "/report?category=E0101").await;
    browser.fill("#report-form textarea[name=description]", "外区垃圾").await;
    browser.fill("#lat", "39.9").await;
    browser.fill("#lng", "116.4").await;
    browser.click("#report-form button[type=submit]").await;
    let error = browser.text("#report-error").await;
    assert!(error.starts_with("位置："), "{error}");
    assert_eq!(
        browser.client.find(Locator::Css("#report-form textarea")).await.unwrap().text().await.unwrap(),
        "外区垃圾",
        "what was typed stays"
    );
    browser.stop().await;
    app.stop().await;
}

/// The dispatcher merges a flagged duplicate from its page; the department's inbox shows
/// the new work.
async fn a_duplicate_is_merged_on_its_page(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap().remove(0);
    let (lat, lng) = (b.fields.location.lat(), b.fields.location.lng());
    let mut worker = app.login("gridworker1").await;
    let body = |text: &str| serde_json::json!({"category": "E0103", "description": text, "lat": lat, "lng": lng, "attributes": {"floor": 1}});
    let (_, first) = worker.post_json("/api/v1/cases", body("一楼门厅堆放杂物")).await;
    let (_, dup) = worker.post_json("/api/v1/cases", body("门厅杂物还在")).await;
    assert_eq!(dup["duplicate_of"], first["id"]);

    browser.sign_in(&app.base, "dispatcher", &format!("/cases/{}", dup["id"])).await;
    let into = browser.client.find(Locator::Css("#merge-form input[name=into]")).await.unwrap();
    assert_eq!(into.prop("value").await.unwrap().as_deref(), first["id"].to_string().as_str().into());
    browser.screenshot("case-merge").await;
    browser.click("#merge-form button").await;
    browser.wait_for_url(&format!("/cases/{}", first["id"])).await;
    let merged = browser.text("#merged").await;
    assert!(merged.contains(dup["number"].as_str().unwrap()), "{merged}");
    assert!(browser.text("#timeline").await.contains("并入重复案件"));

    // dispatch it; the department reads its notice
    sign_out(&browser).await;
    browser.sign_in(&app.base, "intake", &format!("/cases/{}", first["id"])).await;
    browser.click("form.action[data-action=register] button").await;
    browser.wait_for_text("#case-status", "已立案").await;
    sign_out(&browser).await;
    browser.sign_in(&app.base, "dispatcher", &format!("/cases/{}", first["id"])).await;
    browser
        .client
        .find(Locator::Css("form.action[data-action=dispatch] select"))
        .await
        .unwrap()
        .select_by_value("cgzd")
        .await
        .unwrap();
    browser.click("form.action[data-action=dispatch] button").await;
    browser.wait_for_text("#case-status", "已派遣").await;
    sign_out(&browser).await;
    browser.sign_in(&app.base, "dept1", "/notifications").await;
    let notices = browser.text("#notices").await;
    assert!(notices.contains("新派遣") && notices.contains(first["number"].as_str().unwrap()), "{notices}");
    assert!(browser.text("#unread").await.starts_with('1'));
    browser.screenshot("notifications").await;
    browser.click("#notices a").await;
    browser.wait_for_url(&format!("/cases/{}", first["id"])).await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_case_from_phone_to_closed, a_bad_report_is_explained, a_duplicate_is_merged_on_its_page);
