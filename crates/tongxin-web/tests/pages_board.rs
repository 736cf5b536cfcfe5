//! The case board during a surge: each column is its own query with its true count and its
//! own pages, so 520 new reports never hide the cases waiting for dispatch, handling, check
//! or closing; overdue cases come first in every column; the browser pages one column.
//! On both backends.

mod common;

use std::collections::BTreeMap;

use common::TestApp;
use common::browser::Browser;
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::report::Source;
use tongxin_core::geo::RegionCode;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::cases::{CaseFilter, CaseScope, NewCase};
use tongxin_store::testing::TestDb;

/// What one column of the board shows: its count, its cards' ids and SLA classes, and
/// its next page's link.
struct Shown {
    total: i64,
    cards: Vec<(i64, String)>,
    next: Option<String>,
}

fn column(html: &str, stage: &str) -> Shown {
    let start = html.find(&format!("data-stage=\"{stage}\"")).unwrap_or_else(|| panic!("no column {stage}"));
    let rest = &html[start..];
    let section = &rest[..rest.find("</section>").unwrap()];
    let total = section.split("<small class=\"count\">").nth(1).unwrap().split('<').next().unwrap().parse().unwrap();
    let cards = section
        .split("<article class=\"card sla-")
        .skip(1)
        .map(|card| {
            let sla = card.split('"').next().unwrap().to_owned();
            let id = card.split("data-case=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            (id, sla)
        })
        .collect();
    let next = section
        .split("rel=\"next\"")
        .next()
        .filter(|_| section.contains("rel=\"next\""))
        .and_then(|before| before.rsplit("href=\"").next())
        .map(|href| href.split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&"));
    Shown { total, cards, next }
}

/// The true number of cases in `statuses`, straight from the store.
async fn count(app: &TestApp, statuses: &[&str]) -> i64 {
    let filter = CaseFilter { statuses: statuses.iter().map(|s| s.parse().unwrap()).collect(), ..Default::default() };
    app.db.store.count_cases(&CaseScope { all: true, ..Default::default() }, &filter).await.unwrap()
}

/// A new report on the subdistrict's first grid, straight into the store.
fn report() -> NewCase {
    NewCase {
        source: Source::Open311,
        category: CategoryCode::parse("E0502").unwrap(),
        description: "夜间噪声".into(),
        attributes: BTreeMap::new(),
        location: None,
        region: RegionCode::parse("310106013001001").unwrap(),
        grid: Some(RegionCode::parse("310106013001001").unwrap()),
        address: "常德路 1 号".into(),
        building_id: None,
        reporter_user: None,
        reporter_resident: None,
        reporter_sealed: None,
        external_ref: None,
        duplicate_of: None,
        photos: Vec::new(),
        media_url: None,
        token: None,
    }
}

async fn surge(app: &TestApp, reports: usize) -> Vec<i64> {
    let calendar = app.app.calendar.current();
    let mut ids = Vec::with_capacity(reports);
    for _ in 0..reports {
        ids.push(app.db.store.create_case(&Caller::system("surge"), &report(), &calendar).await.unwrap().0.id);
    }
    ids
}

async fn a_surge_of_reports_hides_no_column(db: TestDb) {
    let app = TestApp::spawn_with_history(db, 1).await;
    let surged = surge(&app, 524).await;
    // The month's history holds cases at every stage only in working hours (at night the
    // latest are not registered, checked or closed yet): some of the surge wait at each.
    let calendar = app.app.calendar.current();
    let input = tongxin_store::cases::ActionInput { department: Some("cgzd".into()), ..Default::default() };
    use tongxin_core::cases::lifecycle::Action::*;
    let roads: [&[tongxin_core::cases::lifecycle::Action]; 4] = [
        &[Register],
        &[Register, Dispatch],
        &[Register, Dispatch, Accept, Feedback],
        &[Register, Dispatch, Accept, Feedback, Pass],
    ];
    for (road, id) in roads.iter().zip(&surged) {
        for action in road.iter() {
            app.db.store.apply_action(&Caller::system("surge"), *id, *action, &input, &calendar).await.unwrap();
        }
    }
    let shiftlead = app.login("shiftlead").await;
    let (status, html) = shiftlead.text("/cases").await;
    assert_eq!(status, 200);
    for (stage, statuses) in [
        ("board.intake", &["reported", "verified"][..]),
        ("board.dispatch", &["registered"][..]),
        ("board.handling", &["dispatched", "handling", "deferred"][..]),
        ("board.check", &["handled"][..]),
        ("board.close", &["checked"][..]),
    ] {
        let shown = column(&html, stage);
        let stored = count(&app, statuses).await;
        assert!(stored > 0, "the demo's month holds cases {stage}");
        assert_eq!(shown.total, stored, "{stage}: the column's count is the true count");
        assert_eq!(shown.cards.len() as i64, stored.min(50), "{stage}: a page of cards");
        // Overdue (red) cards first.
        let first_not_red = shown.cards.iter().position(|(_, sla)| sla != "red").unwrap_or(shown.cards.len());
        assert!(shown.cards[first_not_red..].iter().all(|(_, sla)| sla != "red"), "{stage}: overdue first");
    }
    // The intake column pages through the surge, the others staying where they are.
    let intake = column(&html, "board.intake");
    assert!(intake.total >= 520);
    let next = intake.next.expect("更多 on the intake column");
    assert_eq!(next, "/cases?intake=2");
    let (_, second) = shiftlead.text(&next).await;
    let page2 = column(&second, "board.intake");
    assert_eq!(page2.cards.len(), 50);
    assert!(page2.cards.iter().all(|(id, _)| !intake.cards.iter().any(|(first, _)| first == id)), "a new page");
    assert!(second.contains("rel=\"prev\""));
    assert_eq!(column(&second, "board.dispatch").cards.len(), column(&html, "board.dispatch").cards.len());
    app.stop().await;
}

/// The shift lead pages through the intake column in the browser.
async fn the_board_pages_one_column_in_the_browser(db: TestDb) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn_with_history(db, 1).await;
    surge(&app, 60).await;
    browser.sign_in(&app.base, "shiftlead", "/cases").await;
    let dispatch = browser.text("section[data-stage='board.dispatch'] h2").await;
    browser.screenshot("case-board-columns").await;
    browser.click("section[data-stage='board.intake'] a[rel=next]").await;
    browser.wait_for_url("/cases?intake=2").await;
    assert!(browser.text("section[data-stage='board.intake'] .pager").await.contains("第 2 页"));
    assert_eq!(browser.text("section[data-stage='board.dispatch'] h2").await, dispatch, "the other columns stay");
    browser.screenshot("case-board-page-2").await;
    browser.stop().await;
    app.stop().await;
}

/// The filters ride along when a column pages: `?category=E0502&intake=2`, never a page
/// of everything.
async fn filters_are_kept_across_column_pages(db: TestDb) {
    let app = TestApp::spawn(db).await;
    surge(&app, 60).await;
    let shiftlead = app.login("shiftlead").await;
    let (status, html) = shiftlead.text("/cases?category=E0502&overdue=0").await;
    assert_eq!(status, 200);
    let intake = column(&html, "board.intake");
    assert_eq!(intake.total, 60);
    let next = intake.next.expect("更多 on the intake column");
    assert_eq!(next, "/cases?category=E0502&intake=2");
    let (_, second) = shiftlead.text(&next).await;
    assert_eq!(column(&second, "board.intake").cards.len(), 10);
    // Another category: none of the surge.
    let (_, other) = shiftlead.text("/cases?category=E0101").await;
    assert_eq!(column(&other, "board.intake").total, 0);
    app.stop().await;
}

backend_tests!(
    a_surge_of_reports_hides_no_column,
    the_board_pages_one_column_in_the_browser,
    filters_are_kept_across_column_pages
);
