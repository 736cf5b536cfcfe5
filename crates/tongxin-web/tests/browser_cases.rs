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

/// Where the first building of 景华's first grid stands.
async fn building_point(app: &TestApp) -> (f64, f64) {
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap().remove(0);
    (b.fields.location.lat(), b.fields.location.lng())
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
    // A photo cut short in transit is refused by name; what was typed stays.
    let cut = app.photo_dir.path().join("upload-cut.jpg");
    std::fs::write(&cut, include_bytes!("../../tongxin-core/src/cases/photo/corpus/cut-in-half.jpg")).unwrap();
    c.find(Locator::Css("#photo")).await.unwrap().send_keys(&cut.display().to_string()).await.unwrap();
    browser.click("#report-form button[type=submit]").await;
    let said = browser.text("#report-error").await;
    assert!(said.contains("照片不完整或已损坏"), "{said}");
    browser.screenshot("case-report-photo-incomplete").await;
    browser.fill("#report-form input[name=attr_floor]", "2").await;
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
    // the queue suggests the category's own department first, and preselects it
    let first = c.find(Locator::Css(&format!("{card} select option"))).await.unwrap();
    assert_eq!(first.attr("value").await.unwrap().as_deref(), Some("jwh"));
    assert!(first.text().await.unwrap().contains("类别默认部门"));
    assert_eq!(c.find_all(Locator::Css(&format!("{card} select option[value=cgzd]"))).await.unwrap().len(), 1);
    c.find(Locator::Css(&format!("{card} select"))).await.unwrap().select_by_value("cgzd").await.unwrap();
    browser.screenshot("case-board").await;
    browser.click(&format!("{card} button")).await;
    // The board posts and comes back to itself: wait for the card to move, not for the URL.
    let handled = format!("[data-stage='board.handling'] article[data-case='{id}']");
    let moved = c.wait().at_most(std::time::Duration::from_secs(10)).for_element(Locator::Css(&handled)).await;
    assert!(moved.is_ok(), "the card moved to the handling column");
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
    // the facts of each step are in words, not keys
    assert!(timeline.contains("来源：网格巡查") && timeline.contains("派往："), "{timeline}");
    assert!(!timeline.contains("source:") && !timeline.contains("department:"), "{timeline}");
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
    let (lat, lng) = building_point(&app).await;
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

/// The dispatcher finds last month's closed cases on the search page, pages through them,
/// and downloads the same selection; a bad date is explained in Chinese.
async fn cases_are_found_and_exported_from_the_search_page(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn_with_history(db, 2).await;
    browser.sign_in(&app.base, "dispatcher", "/cases/search").await;
    assert_eq!(browser.text("h1").await, "案件查询");
    browser
        .client
        .find(Locator::Css("#search-form select[name=status]"))
        .await
        .unwrap()
        .select_by_value("closed")
        .await
        .unwrap();
    browser.click("#search-form button[type=submit]").await;
    browser.wait_for_url("status=closed").await;
    let rows = browser.client.find_all(Locator::Css("#results tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 50, "a full first page of the demo's closed cases");
    for row in &rows {
        assert!(row.text().await.unwrap().contains("已结案"));
    }
    browser.screenshot("case-search").await;

    // The export link carries the same filters; its CSV holds every closed case in reach.
    let href = browser.client.find(Locator::Css("#export-csv")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(href.contains("format=csv") && href.contains("status=closed"), "{href}");
    let dispatcher = app.login("dispatcher").await;
    let csv = dispatcher.get(&href).await.text().await.unwrap();
    let (_, all) = dispatcher.json("/api/v1/cases?status=closed&limit=500").await;
    let closed = all["items"].as_array().unwrap().len();
    assert!(closed > 50, "two months of history close more than one page ({closed})");
    assert_eq!(csv.lines().count(), closed + 1, "a header and one line per closed case");

    // The next page continues where the first ended, and leads back.
    let first_last = rows[49].text().await.unwrap();
    browser.click("#next-page").await;
    browser.wait_for_url("page=2").await;
    let next_first = browser.text("#results tbody tr").await;
    assert_ne!(first_last, next_first);
    assert!(next_first.contains("已结案"));
    assert!(browser.text("#search-total").await.contains(&format!("共 {closed} 件")));
    browser.click("#previous-page").await;
    browser.wait_for_url("page=1").await;
    assert_eq!(browser.text("#results tbody tr:nth-child(50)").await, first_last);

    // A date that is not a date is named, in Chinese, and nothing is listed.
    browser.goto(&app.url("/cases/search?since=2026-13-45")).await;
    let error = browser.text("#search-error").await;
    assert!(error.contains("上报日期起") && error.contains("2026-11-27"), "{error}");
    assert!(browser.client.find(Locator::Css("#results")).await.is_err());
    browser.stop().await;
    app.stop().await;
}

/// Intake staff check a 12345 file on the import page, then import it: the good orders become
/// cases, the bad rows are explained in Chinese, and a second upload doubles nothing.
async fn a_hotline_file_is_imported_on_its_page(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let (lat, lng) = building_point(&app).await;
    let csv = format!(
        "工单编号,问题类别,问题描述,纬度,经度\n\
         SH-20261129-01,暴露垃圾,垃圾房门口散落垃圾,{lat},{lng}\n\
         SH-20261129-02,路灯损坏,路灯不亮,{lat},{lng}\n\
         SH-20261129-03,不存在的类别,说不清楚,{lat},{lng}\n"
    );
    // GB18030, as Excel in China saves a CSV
    let path = app.photo_dir.path().join("orders.csv");
    std::fs::write(&path, encoding_rs::GB18030.encode(&csv).0).unwrap();
    let path = path.display().to_string();

    browser.sign_in(&app.base, "intake", "/cases/import").await;
    assert_eq!(browser.text("h1").await, "12345 工单导入");
    let c = &browser.client;
    c.find(Locator::Css("#import-form input[type=file]")).await.unwrap().send_keys(&path).await.unwrap();
    browser.click("#import-form input[name=dry_run]").await;
    browser.click("#import-form button").await;
    let counts = browser.text("#import-counts").await;
    assert!(
        counts.contains("可以建案 2 条") && counts.contains("被拒 1 条") && counts.contains("未建任何案件"),
        "{counts}"
    );
    let refused = browser.text("#refused tbody").await;
    assert!(refused.starts_with('3') && refused.contains("没有这个类别"), "{refused}");

    c.find(Locator::Css("#import-form input[type=file]")).await.unwrap().send_keys(&path).await.unwrap();
    browser.click("#import-form button").await;
    browser.wait_for_text("#import-result h2", "导入结果").await;
    assert!(browser.text("#import-counts").await.contains("新建 2 件"));
    let filed = browser.text("#filed tbody").await;
    assert_eq!(filed.matches("新建").count(), 2, "{filed}");
    browser.screenshot("case-import").await;

    c.find(Locator::Css("#import-form input[type=file]")).await.unwrap().send_keys(&path).await.unwrap();
    browser.click("#import-form button").await;
    browser.wait_for_text("#import-result h2", "导入结果").await;
    let again = browser.text("#import-counts").await;
    assert!(again.contains("新建 0 件") && again.contains("已在案 2 件"), "{again}");

    // The cases are on file as hotline cases; the link finds one.
    browser.click("#filed a").await;
    browser.wait_for_url("/cases/search").await;
    assert!(browser.text("#results tbody").await.contains("12345"));

    // A file without the required columns is refused whole.
    let bad = app.photo_dir.path().join("notes.csv");
    std::fs::write(&bad, "地址,说明\n华山路,x\n").unwrap();
    browser.goto(&app.url("/cases/import")).await;
    c.find(Locator::Css("#import-form input[type=file]"))
        .await
        .unwrap()
        .send_keys(&bad.display().to_string())
        .await
        .unwrap();
    browser.click("#import-form button").await;
    let error = browser.text("#import-error").await;
    assert!(error.contains("文件无法读取") && error.contains("工单编号"), "{error}");
    browser.stop().await;
    app.stop().await;
}

/// An administrator adds 2027 from the State Council's notice: a wrong line is explained and
/// nothing saved; the corrected notice is saved and shown; an added day can be taken back.
async fn a_later_year_is_added_on_the_calendar_page(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    browser.sign_in(&app.base, "admin", "/admin/calendar?year=2024").await;
    let shipped = browser.text("#days tbody").await;
    assert!(
        shipped.contains("2024-10-01") && shipped.contains("国庆节") && shipped.contains("随版本发布"),
        "{shipped}"
    );
    assert!(shipped.contains("2024-10-12") && shipped.contains("调休上班"));

    browser.goto(&app.url("/admin/calendar?year=2027")).await;
    assert!(browser.text("#calendar-missing").await.contains("还没有节假日安排"));
    let wrong = "2027-01-01 休 元旦\n2027-02-08 班 春节\n";
    browser.fill("#calendar-form textarea[name=days]", wrong).await;
    browser.click("#calendar-form button").await;
    let problems = browser.text("#calendar-problems").await;
    assert!(problems.contains("第 2 行") && problems.contains("只能是周六或周日"), "{problems}");
    assert!(browser.client.find(Locator::Css("#days")).await.is_err(), "nothing was saved");

    let notice = "# 国办发明电〔2026〕x号\n2027-01-01 休 元旦\n2027-02-06 休 春节\n2027-02-07 班 春节\n";
    browser.fill("#calendar-form textarea[name=days]", notice).await;
    browser.click("#calendar-form button").await;
    browser.wait_for_url("saved=3").await;
    assert!(browser.text("#calendar-saved").await.contains("已保存 3 天"));
    let worked = browser.text("#days tr.work").await;
    for part in ["2027-02-07", "周日", "调休上班", "春节", "管理员录入"] {
        assert!(worked.contains(part), "{part} missing from {worked}");
    }
    browser.screenshot("calendar").await;

    browser.click("#days tr.work form button").await;
    browser.wait_for_url("/admin/calendar?year=2027").await;
    let days = browser.text("#days tbody").await;
    assert!(!days.contains("2027-02-07") && days.contains("2027-02-06"), "{days}");
    browser.stop().await;
    app.stop().await;
}

backend_tests!(
    a_case_from_phone_to_closed,
    a_bad_report_is_explained,
    a_duplicate_is_merged_on_its_page,
    cases_are_found_and_exported_from_the_search_page,
    a_hotline_file_is_imported_on_its_page,
    a_later_year_is_added_on_the_calendar_page
);
