//! The booking day sheet over HTTP, on both backends: a site serves several grids, and a
//! grid's staff see the names and ages of their own residents only; the others are
//! counted ("另有 N 位其他网格的预约"), as the API answers 404 for them.

mod common;

use common::browser::Browser;
use common::{PASSWORD, TestApp};
use tongxin_core::access::Role;
use tongxin_core::booking::Channel;
use tongxin_core::geo::{LatLng, NewBuilding, RegionCode};
use tongxin_core::registry::{Gender, HouseholdRole, Registration};
use tongxin_store::access::NewUser;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::booking::book::BookingRequest;
use tongxin_store::booking::slots::SlotFilter;
use tongxin_store::registry::{NewHousehold, NewResident};
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::seed;

/// The site's grid (gridworker1's), and another grid whose residents come to it too.
const SITE_GRID: &str = "310106013001001";
const OTHER_GRID: &str = "310106013002002";

fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

/// A resident named `name` in a household of `grid`.
async fn resident_in(app: &TestApp, grid: &str, name: &str) -> i64 {
    let (store, caller) = (&app.db.store, Caller::system("test"));
    let building = NewBuilding {
        grid: code(grid),
        block: None,
        name: "远处的楼".into(),
        address: "远处路 9 号".into(),
        location: LatLng::new(31.22, 121.44).unwrap(),
        floors: 6,
        has_elevator: false,
    };
    let building = store.insert_buildings(&caller, &[building]).await.unwrap()[0];
    let household = NewHousehold {
        building_id: building,
        region: code(grid),
        unit: String::new(),
        room: "901".into(),
        registration: Registration::Local,
        notes: String::new(),
    };
    let household = store.insert_households(&caller, &[household]).await.unwrap()[0];
    let person = NewResident {
        household_id: household,
        region: code(grid),
        name: name.into(),
        gender: Gender::Female,
        birth_date: chrono::NaiveDate::from_ymd_opt(1931, 2, 3).unwrap(),
        id_sealed: None,
        id_index: None,
        id_last4: String::new(),
        id_masked: String::new(),
        phone_sealed: None,
        phone_index: None,
        phone_last4: String::new(),
        phone_masked: String::new(),
        role: HouseholdRole::Head,
        tags: Vec::new(),
        moved_in: None,
        moved_out: None,
    };
    store.insert_residents(&caller, &[person]).await.unwrap()[0]
}

/// The fixture's site, an elder of its grid and one of the other grid booked on its first
/// 09:00 slot, and an operator bound to the site's grid: (first day, slot, far booking).
async fn two_grids_on_one_slot(app: &TestApp) -> (chrono::NaiveDate, i64, i64) {
    let store = &app.db.store;
    let system = Caller::system("test");
    let f = seed(store, &code(SITE_GRID), 2).await;
    let far = resident_in(app, OTHER_GRID, "远方的葛阿婆").await;
    let filter = SlotFilter {
        service: Some("T-OPEN".into()),
        from: Some(tongxin_core::time::Timestamp::now()),
        limit: 1,
        ..Default::default()
    };
    let slot = store.slots(&filter).await.unwrap().remove(0);
    let mut far_booking = 0;
    for resident in [f.elders[0], far] {
        let request = BookingRequest {
            slot_id: slot.id,
            resident_id: resident,
            channel: Channel::Staff,
            idempotency_key: None,
            waitlist: false,
        };
        far_booking = store.book(&system, &request).await.unwrap().booking.id;
    }
    let new = NewUser {
        username: "operator_grid".into(),
        display_name: "坐席 一网格".into(),
        password_hash: tongxin_core::access::password::Password::parse(PASSWORD).unwrap().hash(),
        roles: vec![Role::Operator],
        regions: vec![code(SITE_GRID)],
    };
    store.create_user(&system, &new).await.unwrap();
    (f.first_day, slot.id, far_booking)
}

async fn the_day_sheet_names_only_the_readers_residents(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (day, slot, far_booking) = two_grids_on_one_slot(&app).await;
    let mut operator = app.login("operator_grid").await;
    let path = format!("/booking/day?site=test-site&date={day}");
    let (status, page) = operator.text(&path).await;
    assert_eq!(status, 200);
    let start = page.find(&format!("id=\"slot-{slot}\"")).unwrap();
    let sheet = &page[start..start + page[start..].find("</section>").unwrap()];
    assert!(sheet.contains("预约0"), "their own resident is named: {sheet}");
    assert!(!page.contains("远方的葛阿婆") && !page.contains(">95<"), "not the other grid's: {sheet}");
    assert!(sheet.contains("另有 1 位其他网格的预约"), "{sheet}");
    assert!(sheet.contains("2 / 3"), "the seats taken stay whole: {sheet}");
    // The same as the API answers.
    assert_eq!(operator.json(&format!("/api/v1/booking/bookings/{far_booking}")).await.0, 404);

    // Someone covering both grids sees both, and no count.
    let (_, page) = app.login("operator").await.text(&path).await;
    assert!(page.contains("预约0") && page.contains("远方的葛阿婆") && !page.contains("其他网格的预约"));
    // In English too.
    operator.lang = Some("en");
    assert!(operator.text(&path).await.1.contains("1 more booked from other grids"));
    app.stop().await;
}

/// The same in a browser, where the count sits under the slot's heading.
async fn the_day_sheet_in_a_browser(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn(db).await;
    let (day, slot, _) = two_grids_on_one_slot(&app).await;
    browser.sign_in(&app.base, "operator_grid", &format!("/booking/day?site=test-site&date={day}")).await;
    assert_eq!(
        browser.text(&format!("#slot-{slot} .elsewhere")).await,
        "另有 1 位其他网格的预约（不在您负责的区域内，不显示姓名）。"
    );
    assert!(browser.text(&format!("#slot-{slot} table.sheet")).await.contains("预约0"));
    browser.screenshot("booking-day-sheet-one-grid").await;
    browser.stop().await;
    app.stop().await;
}

backend_tests!(the_day_sheet_names_only_the_readers_residents, the_day_sheet_in_a_browser);
