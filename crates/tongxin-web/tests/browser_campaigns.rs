//! A campaign walked in real headless Chromium, on both backends (issue 16): the shift lead
//! starts the e-bike sweep over a grid from the campaigns page; the grid worker, on a phone
//! (390×844), opens their first household, answers the checklist (the follow-up questions
//! appear once the household has an e-bike), loses the network as they send, and gets it
//! back: the visit is stored once and its finding is a case; the dispatcher sees the case;
//! the campaign's page counts the visit.

mod common;

use std::time::Duration;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::registry::RegistryScope;
use tongxin_store::testing::TestDb;

const GRID: &str = "310106013001001";

/// Waits until the element's text contains `part`.
async fn wait_containing(browser: &Browser, css: &str, part: &str) {
    for _ in 0..200 {
        if browser.text(css).await.contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} shows {:?}, without {part:?}", browser.text(css).await);
}

async fn is_shown(browser: &Browser, css: &str) -> bool {
    let element = browser.client.find(Locator::Css(css)).await.expect(css);
    element.is_displayed().await.unwrap_or(false)
}

async fn sign_out(browser: &Browser) {
    browser.click("form.logout button").await;
    browser.wait_for_url("/login").await;
}

async fn a_visit_survives_a_lost_connection(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn_with_registry(db, 3000).await;
    let c = &browser.client;
    let today = tongxin_app::registry::today();

    // 1. The shift lead starts the sweep over one grid from the campaigns page.
    browser.sign_in(&app.base, "shiftlead", "/campaigns").await;
    browser.fill("#campaign-form input[name=name]", "电动自行车消防安全排摸").await;
    c.find(Locator::Css("#campaign-form select[name=template]"))
        .await
        .unwrap()
        .select_by_value("ebike_sweep")
        .await
        .unwrap();
    browser.fill("#campaign-form input[name=regions]", GRID).await;
    browser.screenshot("campaigns-start").await;
    browser.click("#campaign-form button[type=submit]").await;
    wait_containing(&browser, "#campaign-totals", "0").await;
    let campaign: i64 = c.current_url().await.unwrap().path().rsplit('/').next().unwrap().parse().unwrap();
    let everyone = RegistryScope { all: true, ..Default::default() };
    let figures = app.db.store.campaign_progress(campaign, &everyone).await.unwrap();
    let targets: i64 = figures.iter().map(|(_, p)| p.targets).sum();
    assert!(targets > 0, "the grid's households with e-bikes are its targets");
    assert_eq!(browser.text("#total-visited").await, "0");
    sign_out(&browser).await;

    // 2. The grid worker, on a phone: their tasks, the first household's checklist.
    c.set_window_size(390, 844).await.unwrap();
    browser.sign_in(&app.base, "gridworker1", "/tasks").await;
    browser.screenshot("campaign-tasks-phone").await;
    let gw1 = app.db.store.user_by_username("gridworker1").await.unwrap().unwrap().id;
    let task =
        app.db.store.tasks_of(gw1, today).await.unwrap().into_iter().find(|t| t.campaign_id == campaign).unwrap();
    browser.click(&format!("a[href='/tasks/{}']", task.id)).await;
    browser.wait_for_url(&format!("/tasks/{}", task.id)).await;
    assert!(!is_shown(&browser, "#item-flying_wire").await, "follow-ups wait for the e-bike count");
    browser.fill("#item-ebikes input", "1").await;
    for css in ["#item-corridor_charging input[value=false]", "#item-battery_indoors input[value=false]"] {
        browser.click(css).await;
    }
    assert!(is_shown(&browser, "#item-flying_wire").await, "an e-bike opens the follow-up questions");
    browser.click("#item-flying_wire input[value=true]").await;
    browser.click("#item-charging_place input[value=home]").await;
    browser.click("#item-pledge input[value=true]").await;
    browser.screenshot("campaign-visit-phone").await;

    // 3. The network drops as the visit is sent: it waits on the phone, nothing is stored.
    browser.set_offline(true).await;
    browser.click("#visit-submit").await;
    wait_containing(&browser, "#visit-queue", "网络中断").await;
    assert!(app.db.store.visits_of(task.id).await.unwrap().is_empty(), "nothing reached the server");
    browser.screenshot("campaign-visit-offline").await;

    // 4. The network returns: the queued visit goes out by itself, once.
    browser.set_offline(false).await;
    browser.wait_for_url(&format!("/tasks?done={}", task.id)).await;
    wait_containing(&browser, "#visit-done", "已保存走访").await;
    let visits = app.db.store.visits_of(task.id).await.unwrap();
    assert_eq!(visits.len(), 1, "stored once");
    assert_eq!(visits[0].case_ids.len(), 1, "the flying wire is a case");
    let queued: String = c.execute("return localStorage.getItem('tongxin.visits')", vec![]).await.unwrap().to_string();
    assert_eq!(queued, "\"[]\"", "the phone's queue is empty");
    browser.screenshot("campaign-visit-sent").await;
    sign_out(&browser).await;

    // 5. The dispatcher sees the case; the campaign's page counts the visit.
    c.set_window_size(1280, 1000).await.unwrap();
    let case = app.db.store.case(visits[0].case_ids[0]).await.unwrap().unwrap();
    browser.sign_in(&app.base, "dispatcher", "/cases").await;
    wait_containing(&browser, "main", &case.number).await;
    sign_out(&browser).await;
    browser.sign_in(&app.base, "shiftlead", &format!("/campaigns/{campaign}")).await;
    assert_eq!(browser.text("#total-visited").await, "1");
    assert_eq!(browser.text("#total-cases").await, "1");
    browser.screenshot("campaign-progress").await;

    // 6. The shift lead gives the grid's tasks not yet visited to nobody, then back.
    let form = format!("form.assign[data-grid='{GRID}']");
    browser.click(&format!("{form} button")).await;
    wait_containing(&browser, "#assigned", &(targets - 1).to_string()).await;
    assert!(browser.text("#campaign-totals").await.contains(&format!("未派人\n{}", targets - 1)));
    let unassigned =
        app.db.store.tasks_of(gw1, today).await.unwrap().into_iter().filter(|t| t.campaign_id == campaign).count();
    assert_eq!(unassigned, 1, "only the visited task stays with the worker");
    c.find(Locator::Css(&format!("{form} select"))).await.unwrap().select_by_value(&gw1.to_string()).await.unwrap();
    browser.click(&format!("{form} button")).await;
    wait_containing(&browser, "#assigned", &format!("{}", targets - 1)).await;
    browser.screenshot("campaign-assign").await;
    let back =
        app.db.store.tasks_of(gw1, today).await.unwrap().into_iter().filter(|t| t.campaign_id == campaign).count();
    assert_eq!(back as i64, targets, "every task is the worker's again");
    browser.click("#report-link").await;
    browser.wait_for_url(&format!("/campaigns/{campaign}/report")).await;
    wait_containing(&browser, "#campaign-report tr.line-campaign\\.level_total", "合计").await;
    browser.screenshot("campaign-report").await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_visit_survives_a_lost_connection);
