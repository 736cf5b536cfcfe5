//! Keeping the registry in real headless Chromium: a grid worker corrects a resident (a
//! wrong ID number is named in Chinese, a new phone is saved and shows in the history,
//! masked), registers someone in a household, records a building's 加梯 stage, and imports
//! a ledger through the wizard, seeing the refused row with its reason.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

fn id_number(birth: &str, seq: u32) -> String {
    let first = format!("310106{birth}{seq:03}");
    format!("{first}{}", tongxin_core::pii::id_number::check_character(&first).unwrap())
}

async fn a_grid_worker_keeps_the_registry(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn_with_registry(db, 600).await;
    let worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/residents").await;
    let person = theirs["items"][0].clone();
    let (id, household) = (person["id"].as_i64().unwrap(), person["household_id"].as_i64().unwrap());
    let (_, h) = worker.json(&format!("/api/v1/households/{household}")).await;

    // A wrong ID number is refused with its reason; nothing changes.
    browser.sign_in(&app.base, "gridworker1", &format!("/registry/residents/{id}")).await;
    browser.click("#edit-resident").await;
    browser.wait_for_url(&format!("/registry/residents/{id}/edit")).await;
    let mut wrong = id_number("19460308", 902);
    wrong.replace_range(17.., if wrong.ends_with('1') { "2" } else { "1" });
    browser.fill("input[name=id_number]", &wrong).await;
    browser.click("#resident-form button[type=submit]").await;
    let problems = browser.text("#form-problems").await;
    assert!(problems.contains("身份证号") && problems.contains("校验位"), "{problems}");
    browser.screenshot("registry-edit-refused").await;

    // A new phone: saved, shown masked, and in the history with before and after.
    browser.fill("input[name=id_number]", "").await;
    browser.fill("input[name=phone]", "13700001234").await;
    TestApp::personal("13700001234");
    browser.click("#resident-form button[type=submit]").await;
    browser.wait_for_url(&format!("/registry/residents/{id}?saved=1")).await;
    assert_eq!(browser.text("#phone").await, "137****1234");
    let history = browser.text("#history table").await;
    assert!(
        history.contains("手机") && history.contains("137****1234") && history.contains("gridworker1"),
        "{history}"
    );
    assert!(!browser.client.source().await.unwrap().contains("13700001234"), "never in full");
    browser.screenshot("registry-history").await;

    // Someone new in the household: gender and birth date from the ID number.
    browser.goto(&app.url(&format!("/registry/households/{household}"))).await;
    browser.click("#add-resident").await;
    browser.fill("input[name=name]", "陈静").await;
    let new_id = id_number("19880612", 924);
    TestApp::personal(&new_id);
    browser.fill("input[name=id_number]", &new_id).await;
    browser.click("select[name=role] option[value=child]").await;
    browser.click("#resident-form button[type=submit]").await;
    browser.wait_for_text("#resident-name", "陈静").await;
    let facts = browser.text("#resident-facts").await;
    assert!(facts.contains("女") && facts.contains("1988-06-12"), "{facts}");

    // The building's 加梯 stage.
    let building = h["building_id"].as_i64().unwrap();
    browser.goto(&app.url(&format!("/registry/buildings/{building}"))).await;
    browser.click("#edit-building summary").await;
    browser.fill("input[name=year_built]", "1986").await;
    browser.click("select[name=lift_stage] option[value=consulted]").await;
    if browser.client.find(Locator::Css("input[name=elevator]:checked")).await.is_ok() {
        browser.click("input[name=elevator]").await;
    }
    browser.click("#building-form button[type=submit]").await;
    browser.wait_for_url(&format!("/registry/buildings/{building}?saved=1")).await;
    assert_eq!(browser.text("#lift-stage").await, "征询通过");
    assert!(browser.text("#history").await.contains("加梯阶段"));
    browser.screenshot("registry-building").await;

    // An e-bike scrapped: the status changes and the history says so.
    let (_, bikes) = worker.json("/api/v1/ebikes?status=active&limit=1").await;
    let bike = bikes["items"][0]["id"].as_i64().expect("an e-bike in the grid");
    browser.goto(&app.url(&format!("/registry/ebikes/{bike}"))).await;
    browser.click("#edit-ebike summary").await;
    browser.click("select[name=status] option[value=scrapped]").await;
    browser.click("#ebike-form button[type=submit]").await;
    browser.wait_for_url(&format!("/registry/ebikes/{bike}?saved=1")).await;
    assert_eq!(browser.text("#ebike-status").await, "已报废");
    assert!(browser.text("#history").await.contains("已报废"));
    browser.screenshot("registry-ebike-edited").await;
    // … and a new one registered from its owner's page.
    browser.goto(&app.url(&format!("/registry/residents/{id}"))).await;
    browser.click("#add-ebike").await;
    browser.fill("input[name=plate]", "沪J88888").await;
    browser.click("select[name=battery] option[value=lithium]").await;
    browser.click("#ebike-form button[type=submit]").await;
    browser.wait_for_text("#ebike-plate", "沪J88888").await;
    assert_eq!(browser.text("#ebike-status").await, "在用");

    // A charging shed: a bad latitude explained in Chinese, then a new capacity saved and
    // in its history.
    let (_, sheds) = worker.json("/api/v1/sheds?limit=1").await;
    let shed = sheds["items"][0]["id"].as_i64().expect("a shed in the grid");
    browser.goto(&app.url(&format!("/registry/sheds/{shed}"))).await;
    browser.click("#edit-shed").await;
    browser.wait_for_url(&format!("/registry/sheds/{shed}/edit")).await;
    let lat = sheds["items"][0]["lat"].to_string();
    browser.fill("#shed-form input[name=lat]", "北纬31").await;
    browser.fill("#shed-form input[name=capacity]", "30").await;
    browser.click("#shed-form button[type=submit]").await;
    browser.wait_for_text("#form-problems li", "纬度：「北纬31」不是纬度（-90 到 90 之间的数）").await;
    assert_eq!(
        browser
            .client
            .find(Locator::Css("#shed-form input[name=capacity]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("30"),
        "what was typed stays"
    );
    browser.screenshot("registry-shed-form").await;
    browser.fill("#shed-form input[name=lat]", &lat).await;
    browser.click("#shed-form button[type=submit]").await;
    browser.wait_for_url(&format!("/registry/sheds/{shed}?saved=1")).await;
    let history = browser.text("#history").await;
    assert!(history.contains("车位") && history.contains("30"), "{history}");
    browser.screenshot("registry-shed-edited").await;

    // A ledger through the wizard: valid rows in, the bad one named.
    let file = app.photo_dir.path().join("居民.csv");
    let (address, unit, room) =
        (h["building_address"].as_str().unwrap(), h["unit"].as_str().unwrap(), h["room"].as_str().unwrap());
    let text = format!(
        "姓名,性别,出生日期,身份证号,手机号,地址,单元,室,与户主关系,标签,迁入日期,迁出日期\n\
         周敏,女,1992-04-01,,,{address},{unit},{room},其他,志愿者,2024-03-01,\n\
         吴刚,男,1990-02-30,,,{address},{unit},{room},其他,,,\n"
    );
    std::fs::write(&file, text).unwrap();
    // A workbook that inflates 1,000:1 is refused at once, naming the limit.
    let template = tongxin_app::registry_import::template(tongxin_app::registry_import::Kind::Residents).unwrap();
    let bomb = app.photo_dir.path().join("bomb.xlsx");
    let spaces = 300 << 20;
    std::fs::write(&bomb, tongxin_core::xlsx_guard::hostile::inflating(&template, "xl/worksheets/sheet1.xml", spaces))
        .unwrap();
    browser.goto(&app.url("/registry/import")).await;
    let input = browser.client.find(Locator::Css("input[name=file]")).await.unwrap();
    input.send_keys(&bomb.display().to_string()).await.unwrap();
    browser.click("#ledger-form button[type=submit]").await;
    let said = browser.text("#import-problem").await;
    assert!(said.contains("压缩比超过 100:1"), "{said}");
    browser.screenshot("registry-import-refused").await;
    browser.goto(&app.url("/registry/import")).await;
    browser.screenshot("registry-import-form").await;
    browser
        .client
        .find(Locator::Css("input[name=file]"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    browser.click("input[name=mode][value=valid]").await;
    browser.click("#ledger-form button[type=submit]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while browser.client.find(Locator::Css("#import-result")).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the import never finished");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(browser.text("#count-added").await, "1");
    assert_eq!(browser.text("#count-refused").await, "1");
    let errors = browser.text("#import-errors").await;
    assert!(errors.contains("出生日期") && errors.contains("不是日期"), "{errors}");
    browser.screenshot("registry-import-result").await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_grid_worker_keeps_the_registry);
