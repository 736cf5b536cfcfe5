//! A small, hand-made registry for the e-bike safety view's tests, in two grids of two
//! communities (景华 `310106013001001` and 美丽园 `310106013002002`, as in the demo). The
//! regions and the case catalog must exist already. Every number the view should show is
//! written down here, so both the store's and the API's tests can expect exact figures.
//!
//! | building | e-bikes (status, battery, owner, shed) | pledges |
//! |---|---|---|
//! | A1 (景华) | e1 active lithium r1 s1, e2 active lead-acid r1, e3 scrapped lithium r2 s1 | r1 2020-06-01, r2 2020-07-01 |
//! | A2 (景华) | e4 active lithium r3 | — |
//! | B1 (美丽园) | e5 active lead-acid r4 s5, e6 moved away lithium r5 | r4 2021-03-01 |
//!
//! Residents r1 安一, r2 安二 (A1), r3 安三 (A2), r4 安四, r5 安五 (B1); plates 沪测00001 …
//! 沪测00006.
//!
//! Sheds: s1 景华 in use 10 (2018), s2 景华 in use 20 (2020-08-01), s3 美丽园 closed 8
//! (2016), s4 美丽园 planned, s5 美丽园 in use 12 (2020-12-31). Checks: s1 2020-05-10 and
//! 2020-09-01 (not ok), s3 2020-06-01, s2 2021-01-05.
//!
//! Cases (Shanghai time): c1 E0503 A1 filed 2020-03-01, closed 2020-03-05; c2 E0103 A2
//! filed 2020-12-31 23:00, closed 2021-01-01 00:30; c3 E0401 美丽园 (no building) filed
//! 2019-12-31 23:59, closed 2020-01-02; c4 C0103 A1 filed 2020-05-01, rejected; c5 E0502
//! (noise, not fire safety) 景华 filed and closed 2020; c6 E0504 B1 filed 2020-04-01, open.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::lifecycle::{State, Status};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::{LatLng, NewBuilding, RegionCode};
use tongxin_core::registry::{
    Battery, EbikeStatus, Facility, Gender, HouseholdRole, PledgeChannel, Registration, ShedStatus,
};
use tongxin_core::time::{SHANGHAI, Timestamp};

use tongxin_core::pii::PiiCipher;

use crate::Store;
use crate::audit::Caller;
use crate::cases::NewCase;
use crate::cases::history::PastCase;
use crate::registry::safety::NewShedCheck;
use crate::registry::{NewEbike, NewHousehold, NewPledge, NewResident, NewShed};

pub const JINGHUA_GRID: &str = "310106013001001";
pub const MEILIYUAN_GRID: &str = "310106013002002";

/// What the fixture made.
#[derive(Debug, Clone)]
pub struct SafetyFixture {
    /// A1, A2 (景华) and B1 (美丽园).
    pub buildings: [i64; 3],
    /// s1 … s5.
    pub sheds: [i64; 5],
    /// r1 … r5.
    pub residents: [i64; 5],
    /// e1 … e6.
    pub ebikes: [i64; 6],
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    Timestamp::from_millis(SHANGHAI.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().timestamp_millis())
}

fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).expect("a region code")
}

/// Writes the fixture (see the module's table).
pub async fn seed(store: &Store) -> SafetyFixture {
    let caller = Caller::system("test");
    let (j, m) = (code(JINGHUA_GRID), code(MEILIYUAN_GRID));
    let point = LatLng::new(31.223, 121.445).unwrap();
    let building = |grid: &RegionCode, name: &str| NewBuilding {
        grid: grid.clone(),
        block: None,
        name: name.into(),
        address: format!("安全测试路 {name}"),
        location: point,
        floors: 6,
        has_elevator: false,
    };
    let b =
        store.insert_buildings(&caller, &[building(&j, "A1"), building(&j, "A2"), building(&m, "B1")]).await.unwrap();
    let household = |building: i64, region: &RegionCode| NewHousehold {
        building_id: building,
        region: region.clone(),
        unit: String::new(),
        room: "101".into(),
        registration: Registration::Local,
        notes: String::new(),
    };
    let h = store
        .insert_households(&caller, &[household(b[0], &j), household(b[1], &j), household(b[2], &m)])
        .await
        .unwrap();
    let resident = |household: i64, region: &RegionCode, name: &str| NewResident {
        household_id: household,
        region: region.clone(),
        name: name.into(),
        gender: Gender::Male,
        birth_date: day(1980, 1, 1),
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
    let r = store
        .insert_residents(
            &caller,
            &[
                resident(h[0], &j, "安一"),
                resident(h[0], &j, "安二"),
                resident(h[1], &j, "安三"),
                resident(h[2], &m, "安四"),
                resident(h[2], &m, "安五"),
            ],
        )
        .await
        .unwrap();
    let shed = |n: usize, region: &RegionCode, capacity: i64, status: ShedStatus, opened: Option<NaiveDate>| NewShed {
        name: format!("安全测试充电棚{n}"),
        region: region.clone(),
        location: point,
        capacity,
        facilities: vec![Facility::Extinguisher],
        status,
        opened_on: opened,
    };
    let s = store
        .insert_sheds(
            &caller,
            &[
                shed(1, &j, 10, ShedStatus::InUse, Some(day(2018, 5, 1))),
                shed(2, &j, 20, ShedStatus::InUse, Some(day(2020, 8, 1))),
                shed(3, &m, 8, ShedStatus::Closed, Some(day(2016, 3, 1))),
                shed(4, &m, 16, ShedStatus::Planned, None),
                shed(5, &m, 12, ShedStatus::InUse, Some(day(2020, 12, 31))),
            ],
        )
        .await
        .unwrap();
    let ebike = |n: usize, owner: usize, household: i64, region: &RegionCode, battery, status, shed| NewEbike {
        owner_id: r[owner],
        household_id: household,
        region: region.clone(),
        plate: format!("沪测{n:05}"),
        brand: "雅迪".into(),
        battery,
        registered_on: day(2019, 1, 1),
        status,
        shed_id: shed,
    };
    let e = store
        .insert_ebikes(
            &caller,
            &[
                ebike(1, 0, h[0], &j, Battery::Lithium, EbikeStatus::Active, Some(s[0])),
                ebike(2, 0, h[0], &j, Battery::LeadAcid, EbikeStatus::Active, None),
                ebike(3, 1, h[0], &j, Battery::Lithium, EbikeStatus::Scrapped, Some(s[0])),
                ebike(4, 2, h[1], &j, Battery::Lithium, EbikeStatus::Active, None),
                ebike(5, 3, h[2], &m, Battery::LeadAcid, EbikeStatus::Active, Some(s[4])),
                ebike(6, 4, h[2], &m, Battery::Lithium, EbikeStatus::MovedAway, None),
            ],
        )
        .await
        .unwrap();
    let pledge = |owner: usize, region: &RegionCode, signed_on| NewPledge {
        resident_id: r[owner],
        region: region.clone(),
        signed_on,
        collected_by: "网格员".into(),
        channel: PledgeChannel::Paper,
    };
    store
        .insert_pledges(
            &caller,
            &[pledge(0, &j, day(2020, 6, 1)), pledge(1, &j, day(2020, 7, 1)), pledge(3, &m, day(2021, 3, 1))],
        )
        .await
        .unwrap();
    let check = |shed: i64, checked_on, ok| NewShedCheck {
        shed_id: shed,
        checked_on,
        checked_by: "网格员 张伟".into(),
        ok,
        findings: if ok { String::new() } else { "灭火器过期".into() },
    };
    store
        .record_shed_checks(
            &caller,
            &[
                check(s[0], day(2020, 5, 10), true),
                check(s[0], day(2020, 9, 1), false),
                check(s[2], day(2020, 6, 1), true),
                check(s[1], day(2021, 1, 5), true),
            ],
        )
        .await
        .unwrap();

    let case =
        |category: &str, grid: &RegionCode, building: Option<i64>, filed: Timestamp, closed: Option<Timestamp>| {
            let status = match closed {
                Some(_) => Status::Closed,
                None if category == "C0103" => Status::Rejected,
                None => Status::Handling,
            };
            PastCase {
                case: NewCase {
                    source: Source::Patrol,
                    category: CategoryCode::parse(category).unwrap(),
                    description: "消防安全排查".into(),
                    attributes: BTreeMap::new(),
                    location: Some(point),
                    region: grid.clone(),
                    grid: Some(grid.clone()),
                    address: String::new(),
                    building_id: building,
                    reporter_user: None,
                    reporter_resident: None,
                    reporter_sealed: None,
                    external_ref: None,
                    duplicate_of: None,
                    photos: Vec::new(),
                    media_url: None,
                    token: None,
                },
                created_at: filed,
                state: State { status, pending: None, evaluated: false },
                rating: None,
                department: None,
                rework_count: 0,
                step_started_at: closed.unwrap_or(filed),
                step_limit: None,
                step_due_at: None,
                overdue_notified: false,
                closed_at: closed,
                events: Vec::new(),
            }
        };
    let cases = [
        case("E0503", &j, Some(b[0]), at(2020, 3, 1, 9, 0), Some(at(2020, 3, 5, 10, 0))),
        case("E0103", &j, Some(b[1]), at(2020, 12, 31, 23, 0), Some(at(2021, 1, 1, 0, 30))),
        case("E0401", &m, None, at(2019, 12, 31, 23, 59), Some(at(2020, 1, 2, 9, 0))),
        case("C0103", &j, Some(b[0]), at(2020, 5, 1, 9, 0), None),
        case("E0502", &j, Some(b[0]), at(2020, 5, 2, 9, 0), Some(at(2020, 5, 3, 9, 0))),
        case("E0504", &m, Some(b[2]), at(2020, 4, 1, 9, 0), None),
    ];
    let mut tx = store.begin_write().await.unwrap();
    store.insert_past_cases_in(&mut tx, &caller, &cases).await.unwrap();
    tx.commit().await.unwrap();

    SafetyFixture {
        buildings: [b[0], b[1], b[2]],
        sheds: [s[0], s[1], s[2], s[3], s[4]],
        residents: [r[0], r[1], r[2], r[3], r[4]],
        ebikes: [e[0], e[1], e[2], e[3], e[4], e[5]],
    }
}

/// Three registry residents sharing `phone`: 安六 (an active e-bike), 安七 (an active
/// e-bike and a paper pledge), 安八 (a scrapped e-bike only). Their ids, in that order.
pub async fn owners_sharing_phone(store: &Store, pii: &PiiCipher, household: i64, phone: &str) -> [i64; 3] {
    let caller = Caller::system("test");
    let grid = code(JINGHUA_GRID);
    let person = |name: &str| NewResident {
        household_id: household,
        region: grid.clone(),
        name: name.into(),
        gender: Gender::Female,
        birth_date: day(1985, 5, 5),
        id_sealed: None,
        id_index: None,
        id_last4: String::new(),
        id_masked: String::new(),
        phone_sealed: Some(pii.seal("phone", phone)),
        phone_index: Some(pii.blind_index("phone", phone)),
        phone_last4: phone[7..].to_owned(),
        phone_masked: format!("{}****{}", &phone[..3], &phone[7..]),
        role: HouseholdRole::Other,
        tags: Vec::new(),
        moved_in: None,
        moved_out: None,
    };
    let ids = store.insert_residents(&caller, &[person("安六"), person("安七"), person("安八")]).await.unwrap();
    let bike = |n: usize, owner: i64, status| NewEbike {
        owner_id: owner,
        household_id: household,
        region: grid.clone(),
        plate: format!("沪线{n:05}"),
        brand: "小牛".into(),
        battery: Battery::Lithium,
        registered_on: day(2022, 1, 1),
        status,
        shed_id: None,
    };
    let bikes = [
        bike(1, ids[0], EbikeStatus::Active),
        bike(2, ids[1], EbikeStatus::Active),
        bike(3, ids[2], EbikeStatus::Scrapped),
    ];
    store.insert_ebikes(&caller, &bikes).await.unwrap();
    let paper = NewPledge {
        resident_id: ids[1],
        region: grid.clone(),
        signed_on: day(2020, 5, 1),
        collected_by: "网格员".into(),
        channel: PledgeChannel::Paper,
    };
    store.insert_pledges(&caller, &[paper]).await.unwrap();
    [ids[0], ids[1], ids[2]]
}
