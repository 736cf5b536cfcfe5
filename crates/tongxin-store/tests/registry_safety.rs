//! The e-bike safety view on both backends, against the hand-made registry of
//! `tongxin_store::testing::safety`: exact figures per year, per community and per
//! building, the year's boundaries in Shanghai time, and scoping.

use serde_json::{Value, json};
use tongxin_core::cases::catalog::Catalog;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::safety::SafetyYear;
use tongxin_store::audit::{AuditFilter, Caller};
use tongxin_store::backend_tests;
use tongxin_store::registry::RegistryScope;
use tongxin_store::registry::safety::{SafetyFigures, SafetyFilter, SafetyRow};
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::{JINGHUA_GRID, MEILIYUAN_GRID, seed};

fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

async fn setup(db: &TestDb) {
    let square = |x: f64| json!({"type": "Polygon", "coordinates": [[[x, 31.0], [x + 0.01, 31.0], [x + 0.01, 31.01], [x, 31.01], [x, 31.0]]]});
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106", "name": "静安区"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013", "name": "静安寺街道"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013001", "name": "景华"}, "geometry": square(121.0)},
        {"type": "Feature", "properties": {"code": JINGHUA_GRID, "name": "景华第一网格"}, "geometry": square(121.0)},
        {"type": "Feature", "properties": {"code": "310106013002", "name": "美丽园"}, "geometry": square(121.01)},
        {"type": "Feature", "properties": {"code": MEILIYUAN_GRID, "name": "美丽园第二网格"}, "geometry": square(121.01)},
        {"type": "Feature", "properties": {"code": "310106013003", "name": "华怡"}, "geometry": square(121.02)},
    ]});
    let system = Caller::system("test");
    db.store.import_regions(&system, &file.to_string(), 1.0, false).await.unwrap();
    db.store.import_catalog(&system, &Catalog::default_catalog()).await.unwrap();
}

fn everyone() -> RegistryScope {
    RegistryScope { all: true, ..Default::default() }
}

fn filter(year: &str, within: Option<&str>, buildings: bool) -> SafetyFilter {
    SafetyFilter { year: SafetyYear::parse(year).unwrap(), within: within.map(code), buildings }
}

#[allow(clippy::too_many_arguments)]
fn row(
    ebikes: i64,
    lithium: i64,
    owners: i64,
    pledged: i64,
    sheds: i64,
    capacity: i64,
    found: i64,
    fixed: i64,
) -> SafetyRow {
    SafetyRow {
        ebikes,
        lithium,
        owners,
        pledged_owners: pledged,
        sheds,
        shed_capacity: capacity,
        hazards_found: found,
        hazards_fixed: fixed,
    }
}

async fn the_figures_come_out_of_the_records(db: TestDb) {
    setup(&db).await;
    let fixture = seed(&db.store).await;
    let report = db.store.ebike_safety(&everyone(), &filter("2020", None, false)).await.unwrap();
    assert_eq!(
        report.figures,
        SafetyFigures {
            sheds_checked: 2,  // s1 (twice) and s3; s2's check is in 2021
            sheds_built: 2,    // s2 and s5 (opened on 31 December)
            pledges_signed: 2, // r1 and r2 (whose bike is scrapped)
            hazards_found: 3,  // c1, c2 (23:00 on 31 December), c6; not the rejected c4, not the noise c5
            hazards_fixed: 2,  // c1 and c3 (filed in 2019)
            bikes_cleared: 1,  // c1, flying-lead charging
        }
    );
    let names: Vec<(&str, &str)> = report.communities.iter().map(|c| (c.code.as_str(), c.name.as_str())).collect();
    assert_eq!(names, [("310106013001", "景华"), ("310106013002", "美丽园"), ("310106013003", "华怡")]);
    // 景华: e1, e2, e4 active (e1, e4 lithium); owners r1, r3, of whom r1 signed; s1 + s2
    assert_eq!(report.communities[0].row, row(3, 2, 2, 1, 2, 30, 2, 1));
    // 美丽园: e5; r4 signed (in 2021: coverage counts any pledge); s5 in use (s3 closed, s4 planned)
    assert_eq!(report.communities[1].row, row(1, 0, 1, 1, 1, 12, 1, 1));
    assert_eq!(report.communities[2].row, SafetyRow::default(), "a community with nothing is listed");
    assert_eq!(report.total, row(4, 2, 3, 2, 3, 42, 3, 2));
    assert!(report.buildings.is_empty(), "buildings only when asked for");

    let next = db.store.ebike_safety(&everyone(), &filter("2021", None, true)).await.unwrap();
    assert_eq!(
        next.figures,
        SafetyFigures {
            sheds_checked: 1,
            sheds_built: 0,
            pledges_signed: 1,
            hazards_found: 0,
            hazards_fixed: 1, // c2, closed at 00:30 on 1 January 2021
            bikes_cleared: 0,
        }
    );
    // the stock does not depend on the year; the cases do
    assert_eq!(next.communities[0].row, row(3, 2, 2, 1, 2, 30, 0, 1));

    // Per building, by address: A1 (c1 found and fixed; c4 rejected), A2 (c2), B1 (c6).
    let by_building = db.store.ebike_safety(&everyone(), &filter("2020", None, true)).await.unwrap();
    let buildings: Vec<(i64, &str, &SafetyRow)> =
        by_building.buildings.iter().map(|b| (b.id, b.name.as_str(), &b.row)).collect();
    assert_eq!(
        buildings,
        [
            (fixture.buildings[0], "A1", &row(2, 1, 1, 1, 0, 0, 1, 1)),
            (fixture.buildings[1], "A2", &row(1, 1, 1, 0, 0, 0, 1, 0)),
            (fixture.buildings[2], "B1", &row(1, 0, 1, 1, 0, 0, 1, 0)),
        ]
    );
}

async fn the_view_keeps_to_the_readers_regions(db: TestDb) {
    setup(&db).await;
    let fixture = seed(&db.store).await;
    // a grid worker of 景华's first grid
    let grid = RegistryScope { all: false, regions: vec![code(JINGHUA_GRID)] };
    let report = db.store.ebike_safety(&grid, &filter("2020", None, true)).await.unwrap();
    assert_eq!(report.communities.len(), 1);
    assert_eq!(report.communities[0].code.as_str(), "310106013001");
    assert_eq!(report.communities[0].row, row(3, 2, 2, 1, 2, 30, 2, 1));
    assert_eq!(
        report.figures,
        SafetyFigures {
            sheds_checked: 1,
            sheds_built: 1,
            pledges_signed: 2,
            hazards_found: 2,
            hazards_fixed: 1,
            bikes_cleared: 1
        }
    );
    let ids: Vec<i64> = report.buildings.iter().map(|b| b.id).collect();
    assert_eq!(ids, fixture.buildings[..2]);

    // the whole subdistrict, narrowed to 美丽园
    let narrowed = db.store.ebike_safety(&everyone(), &filter("2020", Some("310106013002"), true)).await.unwrap();
    assert_eq!(narrowed.communities.len(), 1);
    assert_eq!(narrowed.total, row(1, 0, 1, 1, 1, 12, 1, 1));
    assert_eq!(narrowed.figures.sheds_checked, 1);
    assert_eq!(narrowed.figures.sheds_built, 1);
    assert_eq!(narrowed.figures.pledges_signed, 0);
    assert_eq!(narrowed.buildings.iter().map(|b| b.id).collect::<Vec<_>>(), [fixture.buildings[2]]);

    // nobody's regions: nothing at all
    let none = db.store.ebike_safety(&RegistryScope::default(), &filter("2020", None, true)).await.unwrap();
    assert!(none.communities.is_empty() && none.buildings.is_empty());
    assert_eq!(none.figures, SafetyFigures::default());
}

async fn shed_checks_are_recorded_and_audited(db: TestDb) {
    setup(&db).await;
    let fixture = seed(&db.store).await;
    let checks = db.store.shed_checks(fixture.sheds[0]).await.unwrap();
    let days: Vec<(String, bool, &str)> =
        checks.iter().map(|k| (k.checked_on.to_string(), k.ok, k.findings.as_str())).collect();
    assert_eq!(days, [("2020-09-01".into(), false, "灭火器过期"), ("2020-05-10".into(), true, "")]);
    let (entries, _) = db
        .store
        .audit_entries(&AuditFilter { action: Some("registry.sheds.check".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "one entry for the fixture's four checks");
    let detail: Value = serde_json::from_str(&entries[0].detail).unwrap();
    assert_eq!(detail["count"], 4);
    // a check of a shed that does not exist is refused, and nothing is written
    let bad = tongxin_store::registry::safety::NewShedCheck {
        shed_id: 999_999,
        checked_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        checked_by: "网格员".into(),
        ok: true,
        findings: String::new(),
    };
    assert!(db.store.record_shed_checks(&Caller::system("test"), &[bad]).await.is_err());
    assert!(db.store.shed_checks(999_999).await.unwrap().is_empty());
}

backend_tests!(
    the_figures_come_out_of_the_records,
    the_view_keeps_to_the_readers_regions,
    shed_checks_are_recorded_and_audited
);
