//! A small, hand-made service door for the booking tests: one site open 07:00–21:00 every
//! day in the given grid, one household of residents, and six services whose rules each
//! tests one thing. Slots are laid out from tomorrow for a week (Shanghai days).
//!
//! | service | rules | timetable | seats |
//! |---|---|---|---|
//! | `T-OPEN` | none; cancel until 1 hour before | 09:00 daily, 60 min | 3 |
//! | `T-MEAL` | one a day, three a month | 11:00 and 17:00 daily, 30 min | 50 |
//! | `T-80` | 80 and over | 10:00 daily | 5 |
//! | `T-CARE` | care level 2 or more | 14:00 daily | 5 |
//! | `T-ALONE` | 独居老人 or 孤老, living here | 15:00 daily | 5 |
//! | `T-LATE` | cancel until 8 days before | 16:00 daily | 5 |
//!
//! Residents: `elders` born 1946-01-01 (80 and over), care level 3, living alone; `young`
//! born 1990-06-01, no tags, no care level; `gone` born 1946-01-01, living alone, moved
//! out.

use chrono::{NaiveDate, NaiveTime, Weekday};
use tongxin_core::booking::SiteKind;
use tongxin_core::booking::eligibility::Rules;
use tongxin_core::booking::timetable::{Hours, Weekly};
use tongxin_core::geo::{LatLng, NewBuilding, RegionCode};
use tongxin_core::registry::{Gender, HouseholdRole, Registration, Tag};
use tongxin_core::time::Timestamp;

use crate::Store;
use crate::audit::Caller;
use crate::booking::catalog::{Category, NewSite, Service};
use crate::booking::shanghai_day;
use crate::registry::{NewHousehold, NewResident};

#[derive(Debug, Clone)]
pub struct BookingFixture {
    pub site: i64,
    pub household: i64,
    pub elders: Vec<i64>,
    pub young: i64,
    pub gone: i64,
    /// Tomorrow in Shanghai: the first day with slots.
    pub first_day: NaiveDate,
}

fn service(code: &str, rules: Rules, times: &[(u32, u32)], minutes: u32, capacity: u32, cutoff: i64) -> Service {
    let timetable = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
        .iter()
        .flat_map(|d| {
            times.iter().map(move |(h, m)| Weekly {
                weekday: *d,
                start: NaiveTime::from_hms_opt(*h, *m, 0).expect("a time"),
                minutes,
                capacity,
            })
        })
        .collect();
    Service {
        code: code.into(),
        category: "TEST".into(),
        name: format!("测试服务 {code}"),
        name_en: format!("Test service {code}"),
        description: String::new(),
        provider: "测试机构".into(),
        home_visit: false,
        minutes,
        rules,
        price_fen: 1200,
        subsidy_fen: 500,
        cancel_cutoff_minutes: cutoff,
        documents: String::new(),
        active: true,
        position: 0,
        sites: vec!["test-site".into()],
        timetable,
    }
}

/// A small geography for the fixture when there is none: 静安寺街道's first community and
/// its first grid (`310106013001001`), a square near 31.0 N, 121.0 E; the grid's code.
pub async fn small_geography(store: &Store) -> RegionCode {
    let square = serde_json::json!({"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.01, 31.0], [121.01, 31.01], [121.0, 31.01], [121.0, 31.0]]]});
    let grid = "310106013001001";
    let file = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106", "name": "静安区"}, "geometry": null},
        {"type": "Feature", "properties": {"code": "310106013", "name": "静安寺街道"}, "geometry": null},
        {"type": "Feature", "properties": {"code": "310106013001", "name": "景华"}, "geometry": square},
        {"type": "Feature", "properties": {"code": grid, "name": "景华第一网格"}, "geometry": square},
    ]});
    store.import_regions(&Caller::system("test"), &file.to_string(), 1.0, false).await.expect("the regions");
    RegionCode::parse(grid).expect("a grid code")
}

/// The fixture's residents (`elders` of them over 80) and services, in `grid`.
pub async fn seed(store: &Store, grid: &RegionCode, elders: usize) -> BookingFixture {
    let caller = Caller::system("test");
    let building = NewBuilding {
        grid: grid.clone(),
        block: None,
        name: "预约测试楼".into(),
        address: "预约测试路 1 号".into(),
        location: LatLng::new(31.005, 121.005).expect("a point"),
        floors: 6,
        has_elevator: false,
    };
    let building = store.insert_buildings(&caller, &[building]).await.expect("the building")[0];
    let household = NewHousehold {
        building_id: building,
        region: grid.clone(),
        unit: String::new(),
        room: "101".into(),
        registration: Registration::Local,
        notes: String::new(),
    };
    let household = store.insert_households(&caller, &[household]).await.expect("the household")[0];
    let person = |n: usize, born: NaiveDate, tags: Vec<Tag>, moved_out: Option<NaiveDate>| NewResident {
        household_id: household,
        region: grid.clone(),
        name: format!("预约{n}"),
        gender: Gender::Female,
        birth_date: born,
        id_sealed: None,
        id_index: None,
        id_last4: String::new(),
        id_masked: String::new(),
        phone_sealed: None,
        phone_index: None,
        phone_last4: String::new(),
        phone_masked: String::new(),
        role: if n == 0 { HouseholdRole::Head } else { HouseholdRole::Other },
        tags,
        moved_in: None,
        moved_out,
    };
    let old = NaiveDate::from_ymd_opt(1946, 1, 1).expect("a day");
    let mut people: Vec<NewResident> = (0..elders).map(|n| person(n, old, vec![Tag::LivesAlone], None)).collect();
    people.push(person(elders, NaiveDate::from_ymd_opt(1990, 6, 1).expect("a day"), Vec::new(), None));
    people.push(person(elders + 1, old, vec![Tag::LivesAlone], NaiveDate::from_ymd_opt(2025, 1, 1)));
    let ids = store.insert_residents(&caller, &people).await.expect("the residents");
    let levels: Vec<(i64, u8)> = ids[..elders].iter().map(|id| (*id, 3)).collect();
    store.set_care_levels(&caller, &levels).await.expect("care levels");

    let site = NewSite {
        code: "test-site".into(),
        kind: SiteKind::ElderCentre,
        name: "测试为老服务中心".into(),
        name_en: "Test centre".into(),
        region: grid.clone(),
        address: "预约测试路 2 号".into(),
        hours: Hours::parse(&["07:00-21:00"; 7]).expect("hours"),
    };
    let category = Category { code: "TEST".into(), name: "测试".into(), name_en: "Test".into(), position: 0 };
    let services = [
        service("T-OPEN", Rules::default(), &[(9, 0)], 60, 3, 60),
        service(
            "T-MEAL",
            Rules { per_day: Some(1), per_month: Some(3), ..Rules::default() },
            &[(11, 0), (17, 0)],
            30,
            50,
            0,
        ),
        service("T-80", Rules { min_age: Some(80), ..Rules::default() }, &[(10, 0)], 30, 5, 0),
        service("T-CARE", Rules { care_level_min: Some(2), ..Rules::default() }, &[(14, 0)], 30, 5, 0),
        service(
            "T-ALONE",
            Rules { tags_any: vec![Tag::LivesAlone, Tag::Childless], registered_only: true, ..Rules::default() },
            &[(15, 0)],
            30,
            5,
            0,
        ),
        service("T-LATE", Rules::default(), &[(16, 0)], 30, 5, 8 * 24 * 60),
    ];
    store.save_catalog(&caller, &[category], &[site], &services).await.expect("the catalogue");
    let first_day = shanghai_day(Timestamp::now()) + chrono::Days::new(1);
    store.lay_out_slots(&caller, first_day, first_day + chrono::Days::new(6)).await.expect("the slots");
    let site = store.sites().await.expect("sites").into_iter().find(|s| s.code == "test-site").expect("the site").id;
    BookingFixture {
        site,
        household,
        elders: ids[..elders].to_vec(),
        young: ids[elders],
        gone: ids[elders + 1],
        first_day,
    }
}
