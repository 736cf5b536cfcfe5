//! The demo subdistrict: its shape, its determinism, and seeding on both backends.

use geo::ChamberlainDuquetteArea;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tongxin_core::geo::{LatLng, Locator, RegionLevel};
use tongxin_demo::{DemoOptions, Quiet, geo::generate, seed_if_empty};
use tongxin_store::backend_tests;
use tongxin_store::cases::{CaseFilter, CaseScope};
use tongxin_store::geo::RegionFilter;
use tongxin_store::testing::TestDb;

fn demo(scale: usize) -> tongxin_demo::geo::Geography {
    generate(&mut ChaCha8Rng::seed_from_u64(DemoOptions::default().seed), scale)
}

fn count(g: &tongxin_demo::geo::Geography, level: RegionLevel) -> usize {
    g.regions.iter().filter(|r| r.level() == level).count()
}

#[test]
fn has_the_size_of_jingansi() {
    let g = demo(1);
    assert_eq!(count(&g, RegionLevel::Subdistrict), 1);
    assert_eq!(count(&g, RegionLevel::Community), 13);
    assert!((50..=70).contains(&count(&g, RegionLevel::Grid)));
    assert!((540..=660).contains(&g.buildings.len()), "{} buildings", g.buildings.len());
    let area_km2: f64 = g
        .regions
        .iter()
        .filter(|r| r.level() == RegionLevel::Community)
        .map(|r| r.shape().unwrap().chamberlain_duquette_unsigned_area())
        .sum::<f64>()
        / 1e6;
    assert!((1.4..1.8).contains(&area_km2), "{area_km2} km²");
    let names: Vec<_> = g.regions.iter().map(|r| r.name.as_str()).collect();
    for wanted in ["静安寺街道", "景华居民区", "美丽园居民区", "华怡居民区"] {
        assert!(names.contains(&wanted), "{wanted} missing");
    }
    assert!(g.buildings.iter().any(|b| b.name.starts_with("华怡园")));
}

#[test]
fn is_deterministic() {
    assert_eq!(demo(1).to_geojson(), demo(1).to_geojson());
    assert_eq!(demo(1).buildings, demo(1).buildings);
    let other = generate(&mut ChaCha8Rng::seed_from_u64(7), 1);
    assert_ne!(other.to_geojson(), demo(1).to_geojson());
}

#[test]
fn every_building_lies_in_its_own_building_group() {
    let g = demo(1);
    let locator = Locator::build(&g.regions);
    for b in &g.buildings {
        let path = locator.locate(b.location).expect("inside the subdistrict");
        assert_eq!(path.at(RegionLevel::Block).map(|r| &r.code), b.block.as_ref(), "{}", b.name);
        assert_eq!(path.at(RegionLevel::Grid).map(|r| &r.code), Some(&b.grid));
    }
    let temple = locator.locate(LatLng::new(31.2235, 121.4455).unwrap()).unwrap();
    assert!(temple.at(RegionLevel::Grid).is_some());
}

#[test]
fn scale_multiplies_everything() {
    let (one, three) = (demo(1), demo(3));
    assert_eq!(count(&three, RegionLevel::Community), 3 * count(&one, RegionLevel::Community));
    assert_eq!(count(&three, RegionLevel::Grid), 3 * count(&one, RegionLevel::Grid));
    assert!(three.buildings.len() > 2 * one.buildings.len());
}

async fn seeds_once(db: TestDb) {
    let store = &db.store;
    let options = DemoOptions { case_months: 2, ..Default::default() };
    let summary = seed_if_empty(store, &options, &Quiet).await.unwrap().unwrap();
    assert_eq!(summary.grids, 60);
    assert_eq!(summary.buildings, demo(1).buildings.len());
    let grids = store.regions(&RegionFilter { level: Some(RegionLevel::Grid), ..Default::default() }).await.unwrap();
    assert_eq!(grids.len(), 60);
    assert_eq!(
        store.count_buildings(&grids[0].code.parent().unwrap().parent().unwrap()).await.unwrap() as usize,
        summary.buildings
    );
    // two months of cases, each with its timeline
    let all = CaseScope { all: true, ..Default::default() };
    let cases = store.cases(&all, &CaseFilter { limit: 100_000, ..Default::default() }).await.unwrap();
    assert_eq!(cases.len(), summary.cases);
    assert!((300..=700).contains(&cases.len()), "{} cases in two months", cases.len());
    let numbers: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers.len(), cases.len(), "case numbers are unique");
    let rated = cases.iter().find(|c| c.rating.is_some()).expect("some cases were evaluated");
    let events = store.case_events(rated.id).await.unwrap();
    assert_eq!(events.first().unwrap().action, "report");
    assert_eq!(events.last().unwrap().data["rating"].as_i64(), rated.rating);
    assert!(
        events.iter().any(|e| e.action == "dispatch" && e.data["department"].as_str() == rated.department.as_deref())
    );
    let now = tongxin_core::time::Timestamp::now();
    let overdue = store.cases(&all, &CaseFilter { overdue: true, limit: 1_000, ..Default::default() }).await.unwrap();
    assert!(overdue.iter().all(|c| c.step_due_at.is_some_and(|d| d < now)));
    // a second start finds the data and leaves it alone
    assert!(seed_if_empty(store, &DemoOptions::default(), &Quiet).await.unwrap().is_none());
    assert_eq!(store.geo_revision().await.unwrap(), 1);
}

backend_tests!(seeds_once);
