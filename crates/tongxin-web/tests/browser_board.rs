//! A working day on the board and the case page, in real headless Chromium, on both
//! backends (issue 14, items 7, 8 and the menu's unread count of item 4):
//! - the dispatcher's board at 1366×768 and 1920×1080: the overdue first, then by deadline;
//!   the filter bar; the dispatch form fitting its column; a dispatch confirmed with the
//!   next case;
//! - a grid worker on a phone (390×844): their own list at `/`, the menu folded, the case
//!   page as wide as the screen, a check confirmed with the next case;
//! - intake staff: 立案 first and in the primary colour, every placeholder whole, 下一件;
//! - a department: the unread count on 通知, 退单 last and plain.

mod common;

use std::collections::BTreeMap;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use serde_json::Value;
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::lifecycle::Action;
use tongxin_core::cases::report::Source;
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::cases::{ActionInput, NewCase};
use tongxin_store::notifications::Recipient;
use tongxin_store::testing::TestDb;

/// 景华居民区第一网格 (gridworker1's) and 美丽园居民区第二网格.
const JINGHUA_GRID: &str = "310106013001001";
const MEILIYUAN_GRID: &str = "310106013002002";
const HOUR: i64 = 3_600_000;

/// A case reported on `grid`, taken through `steps` (a dispatch goes to 城管中队, dept1's).
async fn case_at(app: &TestApp, category: &str, grid: &str, steps: &[Action]) -> i64 {
    let region = RegionCode::parse(grid).unwrap();
    let new = NewCase {
        source: Source::Phone,
        category: CategoryCode::parse(category).unwrap(),
        description: "楼道堆物，影响通行".into(),
        attributes: BTreeMap::new(),
        location: None,
        region: region.clone(),
        grid: Some(region),
        address: "常德路 27 弄 5 号".into(),
        building_id: None,
        reporter_user: None,
        reporter_resident: None,
        reporter_sealed: None,
        external_ref: None,
        duplicate_of: None,
        photos: Vec::new(),
        media_url: None,
        token: None,
    };
    let calendar = app.app.calendar.current();
    let caller = Caller::system("test");
    let (case, _) = app.db.store.create_case(&caller, &new, &calendar).await.unwrap();
    for step in steps {
        let department = (*step == Action::Dispatch).then(|| "cgzd".to_owned());
        let input = ActionInput { department, ..Default::default() };
        app.db.store.apply_action(&caller, case.id, *step, &input, &calendar).await.unwrap();
    }
    case.id
}

/// Sets the case's current step deadline, `hours` from now (negative: overdue).
async fn due_in(app: &TestApp, id: i64, hours: i64) {
    let due = Timestamp::now().millis() + hours * HOUR;
    app.db.store.execute_raw(&format!("UPDATE cases SET step_due_at = {due} WHERE id = {id}")).await.unwrap();
}

const REGISTERED: &[Action] = &[Action::Register];
const HANDLED: &[Action] = &[Action::Register, Action::Dispatch, Action::Accept, Action::Feedback];

async fn run(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

/// The ids of a board column's cards, top to bottom.
async fn column_ids(browser: &Browser, stage: &str) -> Vec<i64> {
    let script = format!(
        "return Array.from(document.querySelectorAll(\"[data-stage='{stage}'] article\")).map(a => Number(a.dataset.case));"
    );
    serde_json::from_value(run(browser, &script).await).unwrap()
}

/// Every dispatch form whose select and 派遣 button do not sit side by side in the card.
const DISPATCH_FORMS_THAT_DO_NOT_FIT: &str = r#"
const bad = [];
for (const form of document.querySelectorAll('.card form.dispatch')) {
  const card = form.closest('.card').getBoundingClientRect();
  const s = form.querySelector('select').getBoundingClientRect();
  const b = form.querySelector('button').getBoundingClientRect();
  if (b.right > card.right + 0.5 || s.right > b.left + 0.5 || Math.abs(b.top - s.top) > 12 || b.height > 40 || s.width < 96)
    bad.push(form.closest('.card').dataset.case + ': card ' + card.left + '-' + card.right + ', select ' + s.left + '-' + s.right + ' (' + s.top + '), button ' + b.left + '-' + b.right + ' (' + b.top + ', ' + b.height + ' high)');
}
return bad;"#;

/// Every visible field whose placeholder is wider than the room inside it.
const PLACEHOLDERS_CUT: &str = r#"
const ctx = document.createElement('canvas').getContext('2d');
const bad = [];
for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
  if (!el.offsetParent) continue;
  const st = getComputedStyle(el);
  ctx.font = st.fontStyle + ' ' + st.fontWeight + ' ' + st.fontSize + ' ' + st.fontFamily;
  const spinner = el.type === 'number' ? 20 : 0;
  const room = el.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - spinner;
  const need = ctx.measureText(el.placeholder).width;
  if (need > room) bad.push(el.name + ' "' + el.placeholder + '": ' + need.toFixed(0) + ' px in ' + room.toFixed(0));
}
return bad;"#;

async fn assert_placeholders_whole(browser: &Browser, what: &str) {
    let cut = run(browser, PLACEHOLDERS_CUT).await;
    assert_eq!(cut, Value::Array(vec![]), "{what}: placeholders cut off");
}

/// The case page's step forms, top to bottom: (action, button classes).
async fn step_buttons(browser: &Browser) -> Vec<(String, String)> {
    let script = "return Array.from(document.querySelectorAll('#case-actions form.action[data-action]')).map(f => [f.dataset.action, f.querySelector('button').className]);";
    serde_json::from_value(run(browser, script).await).unwrap()
}

fn is_primary(class: &str) -> bool {
    !class.contains("secondary") && !class.contains("plain")
}

async fn sign_out(browser: &Browser) {
    browser.click("form.logout button").await;
    browser.wait_for_url("/login").await;
}

/// The dispatcher's board: deadline order, the dispatch form's fit at two desk sizes, the
/// filter bar, and a dispatch from the board confirmed with the next case.
async fn a_dispatcher_works_the_board(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let mut ids = Vec::new();
    for (category, grid, hours) in [
        ("E0502", JINGHUA_GRID, 5),
        ("E0502", JINGHUA_GRID, -2),
        ("E0502", JINGHUA_GRID, 1),
        ("E0502", JINGHUA_GRID, 3),
        ("E0502", JINGHUA_GRID, -6),
        ("E0502", JINGHUA_GRID, 2),
        ("E0102", MEILIYUAN_GRID, 4),
        ("E0102", MEILIYUAN_GRID, -1),
    ] {
        let id = case_at(&app, category, grid, REGISTERED).await;
        due_in(&app, id, hours).await;
        ids.push(id);
    }
    let by_deadline: Vec<i64> = [4, 1, 7, 2, 5, 3, 6, 0].iter().map(|i| ids[*i]).collect();
    let c = &browser.client;
    c.set_window_size(1366, 768).await.unwrap();
    browser.sign_in(&app.base, "dispatcher", "/cases").await;
    assert_eq!(column_ids(&browser, "board.dispatch").await, by_deadline, "the overdue first, then by deadline");
    assert_eq!(run(&browser, DISPATCH_FORMS_THAT_DO_NOT_FIT).await, Value::Array(vec![]), "at 1366×768");
    browser.screenshot("board-1366x768").await;
    c.set_window_size(1920, 1080).await.unwrap();
    browser.goto(&app.url("/cases")).await;
    assert_eq!(run(&browser, DISPATCH_FORMS_THAT_DO_NOT_FIT).await, Value::Array(vec![]), "at 1920×1080");
    browser.screenshot("board-1920x1080").await;

    // The filter bar: a category, then only the overdue within it.
    c.find(Locator::Css("#board-filters select[name=category]")).await.unwrap().select_by_value("E0102").await.unwrap();
    browser.click("#board-filters button").await;
    browser.wait_for_url("category=E0102").await;
    assert_eq!(column_ids(&browser, "board.dispatch").await, [ids[7], ids[6]]);
    assert_eq!(browser.text("[data-stage='board.dispatch'] .count").await, "2");
    browser.click("#board-filters input[name=overdue]").await;
    browser.click("#board-filters button").await;
    browser.wait_for_url("overdue=1").await;
    assert_eq!(column_ids(&browser, "board.dispatch").await, [ids[7]]);
    let community = c.find(Locator::Css("#board-filters select[name=community]")).await.unwrap();
    community.select_by_value("310106013001").await.unwrap();
    browser.click("#board-filters button").await;
    browser.wait_for_url("community=310106013001").await;
    assert!(column_ids(&browser, "board.dispatch").await.is_empty(), "美丽园's cases are not in 景华");
    browser.screenshot("board-filtered").await;
    browser.click("#clear-filters").await;
    browser.wait_for_url("/cases").await;
    assert_eq!(column_ids(&browser, "board.dispatch").await.len(), 8);

    // A value that is not offered is named, left out, and the board still shows.
    browser.goto(&app.url("/cases?category=Z99&department=nobody")).await;
    let said: Vec<String> = {
        let found = c.find_all(Locator::Css(".board-filter-error")).await.unwrap();
        let mut texts = Vec::new();
        for e in found {
            texts.push(e.text().await.unwrap());
        }
        texts
    };
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].contains("类别「Z99」") && said[0].contains("已忽略"), "{said:?}");
    assert!(said[1].contains("部门「nobody」"), "{said:?}");
    assert_eq!(column_ids(&browser, "board.dispatch").await.len(), 8);

    // Dispatch the most overdue from the filtered board: confirmed, the next one offered,
    // and the filter kept.
    browser.goto(&app.url("/cases?category=E0502")).await;
    let first = format!("[data-stage='board.dispatch'] article[data-case='{}']", by_deadline[0]);
    c.find(Locator::Css(&format!("{first} select"))).await.unwrap().select_by_value("cgzd").await.unwrap();
    browser.click(&format!("{first} button")).await;
    browser.wait_for_url("done=dispatch").await;
    let url = c.current_url().await.unwrap();
    assert!(url.query().unwrap().contains("category=E0502"), "{url}");
    let done = browser.text("#done").await;
    assert!(done.contains("已派遣到城管执法中队"), "{done}");
    let next = c.find(Locator::Css("#next-case")).await.unwrap().attr("href").await.unwrap();
    assert_eq!(next, Some(format!("/cases/{}", by_deadline[1])), "the next most overdue");
    browser.screenshot("board-dispatched").await;
    // The department filter: the dispatched case is 城管中队's now.
    browser.goto(&app.url("/cases?department=cgzd")).await;
    assert_eq!(column_ids(&browser, "board.handling").await, [by_deadline[0]]);
    assert!(column_ids(&browser, "board.dispatch").await.is_empty());
    browser.stop().await;
    app.stop().await;
}

/// A grid worker on a phone: `/` is their own list, the menu folds away, the case page is
/// as wide as the screen, and a check is confirmed with the next one.
async fn a_grid_worker_works_on_a_phone(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    // A fix waiting for a check runs no deadline: the newer is listed first.
    let later = case_at(&app, "E0502", JINGHUA_GRID, HANDLED).await;
    let sooner = case_at(&app, "E0502", JINGHUA_GRID, HANDLED).await;
    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    assert_eq!(run(&browser, "return window.innerWidth;").await, 390);
    browser.goto(&app.url("/login")).await;
    browser.fill("input[name=username]", "gridworker1").await;
    browser.fill("input[name=password]", common::PASSWORD).await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for_url("/checks").await;
    let cards =
        run(&browser, "return Array.from(document.querySelectorAll('#case-list a')).map(a => a.getAttribute('href'));")
            .await;
    assert_eq!(cards, serde_json::json!([format!("/cases/{sooner}"), format!("/cases/{later}")]));

    // The menu is folded behind one button.
    let nav = c.find(Locator::Css("header nav")).await.unwrap();
    assert!(!nav.is_displayed().await.unwrap(), "the links are folded away");
    assert!(c.find(Locator::Css("#nav-menu")).await.unwrap().is_displayed().await.unwrap());
    browser.screenshot("phone-checks").await;
    browser.click("#nav-menu").await;
    assert!(nav.is_displayed().await.unwrap(), "菜单 opens the links");
    assert!(c.find(Locator::Css("header nav a[href='/checks']")).await.unwrap().is_displayed().await.unwrap());
    browser.screenshot("phone-menu").await;
    browser.click("#nav-menu").await;

    // The case page fits the screen; the photo form's button is one line.
    browser.click(&format!("#case-list a[href='/cases/{sooner}']")).await;
    browser.wait_for_url(&format!("/cases/{sooner}")).await;
    let width = run(&browser, "return document.scrollingElement.scrollWidth;").await;
    assert!(width.as_i64().unwrap() <= 390, "the case page is {width} px wide on a 390 px screen");
    let button = run(
        &browser,
        "const r = document.querySelector('#add-photos button').getBoundingClientRect(); return [r.height, r.right];",
    )
    .await;
    assert!(button[0].as_f64().unwrap() <= 40.0 && button[1].as_f64().unwrap() <= 390.0, "{button}");
    let steps = step_buttons(&browser).await;
    assert_eq!(steps.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["pass", "rework"]);
    assert!(is_primary(&steps[0].1) && steps[1].1.contains("plain"), "{steps:?}");
    assert_placeholders_whole(&browser, "the case page on a phone").await;
    browser.screenshot("phone-case").await;

    // 核查通过: confirmed, and the next check offered; after the last, the way back.
    browser.click("form.action[data-action=pass] button").await;
    browser.wait_for_url("done=pass").await;
    let done = browser.text("#done").await;
    assert!(done.contains("已核查通过") && done.contains("已核查"), "{done}");
    assert_eq!(run(&browser, "return document.scrollingElement.scrollWidth <= 390;").await, true);
    browser.screenshot("phone-case-passed").await;
    browser.click("#next-case").await;
    browser.wait_for_url(&format!("/cases/{later}")).await;
    browser.click("form.action[data-action=pass] button").await;
    browser.wait_for_url("done=pass").await;
    assert!(browser.text("#none-left").await.contains("核查通过"));
    browser.click("#back-to-list").await;
    browser.wait_for_url("/checks").await;
    browser.stop().await;
    app.stop().await;
}

/// Intake staff register a phone report: 立案 leads in the primary colour, 不予立案 trails
/// plain, every placeholder shows whole, and 下一件 opens the next report.
async fn intake_registers_and_goes_on(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let first = case_at(&app, "E0502", JINGHUA_GRID, &[]).await;
    let second = case_at(&app, "E0502", MEILIYUAN_GRID, &[]).await;
    due_in(&app, first, 1).await;
    due_in(&app, second, 2).await;
    browser.client.set_window_size(1366, 768).await.unwrap();
    browser.sign_in(&app.base, "intake", &format!("/cases/{first}")).await;
    let steps = step_buttons(&browser).await;
    assert_eq!(steps.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["register", "verify", "reject"]);
    assert!(is_primary(&steps[0].1), "{steps:?}");
    assert!(steps[1].1.contains("secondary") && steps[2].1.contains("plain"), "{steps:?}");
    assert_placeholders_whole(&browser, "intake's case page").await;
    browser.screenshot("case-intake-steps").await;
    browser.click("form.action[data-action=register] button").await;
    browser.wait_for_url("done=register").await;
    browser.wait_for_text("#case-status", "已立案").await;
    assert!(browser.text("#done").await.contains("已立案"));
    browser.screenshot("case-registered-next").await;
    browser.click("#next-case").await;
    browser.wait_for_url(&format!("/cases/{second}")).await;
    // A hand-made link confirms nothing that did not happen.
    browser.goto(&app.url(&format!("/cases/{second}?done=close"))).await;
    assert!(browser.client.find(Locator::Css("#done")).await.is_err());
    browser.stop().await;
    app.stop().await;
}

/// The department: 通知 shows the unread count until the inbox is opened; 接单处置 leads,
/// 退单 trails plain; the extension's placeholder shows whole.
async fn a_department_sees_its_unread_count(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let a = case_at(&app, "E0502", JINGHUA_GRID, &[Action::Register, Action::Dispatch]).await;
    let b = case_at(&app, "E0502", MEILIYUAN_GRID, &[Action::Register, Action::Dispatch]).await;
    due_in(&app, a, -3).await;
    let dept = app.db.store.user_by_username("dept1").await.unwrap().unwrap();
    let unread = app.db.store.unread_notifications(Recipient::Staff(dept.id)).await.unwrap();
    assert!(unread >= 2, "a notice per dispatch ({unread})");
    browser.client.set_window_size(1366, 768).await.unwrap();
    browser.sign_in(&app.base, "dept1", "/cases").await;
    assert_eq!(browser.text("#nav-unread").await, unread.to_string());
    let link = browser.text("header nav a[href='/notifications']").await;
    assert!(link.starts_with("通知") && link.ends_with(&unread.to_string()), "{link}");
    browser.screenshot("nav-unread").await;

    browser.goto(&app.url(&format!("/cases/{a}"))).await;
    let steps = step_buttons(&browser).await;
    assert_eq!(steps.first().map(|(a, c)| (a.as_str(), is_primary(c))), Some(("accept", true)), "{steps:?}");
    assert_eq!(steps.last().map(|(a, c)| (a.as_str(), c.contains("plain"))), Some(("return", true)), "{steps:?}");
    assert_placeholders_whole(&browser, "a dispatched case").await;
    browser.click("form.action[data-action=accept] button").await;
    browser.wait_for_url("done=accept").await;
    assert_eq!(
        browser.client.find(Locator::Css("#next-case")).await.unwrap().attr("href").await.unwrap(),
        Some(format!("/cases/{b}"))
    );
    let steps = step_buttons(&browser).await;
    assert_eq!(steps.first().map(|(a, _)| a.as_str()), Some("feedback"), "{steps:?}");
    assert_eq!(steps.last().map(|(a, _)| a.as_str()), Some("return"), "{steps:?}");
    assert_placeholders_whole(&browser, "a case in hand").await;
    browser.screenshot("case-department-steps").await;

    // Reading the inbox clears the count, on that page and the next.
    browser.goto(&app.url("/notifications")).await;
    assert!(browser.client.find(Locator::Css("#nav-unread")).await.is_err(), "read now");
    browser.goto(&app.url("/cases")).await;
    assert!(browser.client.find(Locator::Css("#nav-unread")).await.is_err());
    sign_out(&browser).await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(
    a_dispatcher_works_the_board,
    a_grid_worker_works_on_a_phone,
    intake_registers_and_goes_on,
    a_department_sees_its_unread_count
);
