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

/// The full registry: the sizes the issue asks for, people consistent with their numbers.
async fn a_registry_the_size_of_jingansi(db: TestDb) {
    let store = &db.store;
    let options = DemoOptions { case_months: 0, ..Default::default() };
    seed_if_empty(store, &options, &Quiet).await.unwrap();
    let pii = tongxin_core::pii::PiiCipher::new(&tongxin_core::pii::SecretKey::generate());
    let r = tongxin_demo::seed_registry_if_empty(store, &pii, &options, &Quiet).await.unwrap().unwrap();
    assert_eq!(r.households, 20_000);
    assert!((42_000..=48_000).contains(&r.residents), "{} residents", r.residents);
    assert!((2_800..=3_200).contains(&r.ebikes), "{} e-bikes", r.ebikes);
    assert_eq!(r.sheds, 70);
    assert!((1_400..=1_800).contains(&r.pledges), "{} pledges", r.pledges);
    let all = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    // the 2020 sweep, out of the records: 58 old sheds checked, 12 built
    assert_eq!(r.shed_checks, 58);
    let year = tongxin_core::registry::safety::SafetyYear::parse("2020").unwrap();
    let sweep = tongxin_store::registry::safety::SafetyFilter { year, within: None, buildings: false };
    let view = store.ebike_safety(&all, &sweep).await.unwrap();
    assert_eq!((view.figures.sheds_checked, view.figures.sheds_built), (58, 12));
    assert!(view.figures.pledges_signed > 1_000, "{:?}", view.figures);
    // the hazards the visits found: about 350 fixed, 65 of them e-bikes cleared
    assert_eq!(r.sweep_cases, 365);
    assert!((330..=365).contains(&view.figures.hazards_fixed), "{:?}", view.figures);
    assert!((55..=68).contains(&view.figures.bikes_cleared), "{:?}", view.figures);
    assert_eq!(store.registry_counts(&all).await.unwrap(), (20_000, r.residents as i64));
    // every sealed ID number is valid, uses the district's prefix and matches the birth date
    let filter = tongxin_store::registry::ResidentFilter { limit: 300, offset: 7_000, ..Default::default() };
    for person in store.residents(&all, &filter).await.unwrap() {
        let (sealed, _) = store.resident_sealed(person.id).await.unwrap();
        let number = tongxin_core::pii::IdNumber::parse(&pii.open("resident_id", &sealed.unwrap()).unwrap()).unwrap();
        assert!(number.expose().starts_with("310106"));
        assert_eq!(number.birth_date(), person.birth_date);
        assert_eq!(number.is_female(), person.gender == tongxin_core::registry::Gender::Female);
        assert!(person.id_masked.starts_with('3') && person.id_masked.contains("****"));
    }
    // a second start leaves it alone
    assert!(tongxin_demo::seed_registry_if_empty(store, &pii, &options, &Quiet).await.unwrap().is_none());

    // The service door: 6 categories and 55 services at 9 sites, with history and a kiosk.
    let b = tongxin_demo::seed_booking_if_empty(store, &pii, &options).await.unwrap().unwrap();
    assert_eq!((b.categories, b.services, b.sites), (6, 55, 9));
    assert!(b.slots > 1_500, "{} slots", b.slots);
    assert!(b.assessed > 500, "{} care assessments", b.assessed);
    assert!(b.past_bookings > 2_000, "{} past bookings", b.past_bookings);
    let (site, secret) = b.kiosk.clone().unwrap();
    assert_eq!(site, "elder-centre-1");
    let key = store.authenticate_api_key(&secret, 0).await.unwrap().unwrap();
    assert_eq!(
        store.kiosk_site(key.id).await.unwrap(),
        store.sites().await.unwrap().iter().find(|s| s.code == site).map(|s| s.id)
    );
    // A few elders sign in there with the demo's kiosk PIN.
    assert_eq!(b.kiosk_residents.len(), tongxin_demo::booking::KIOSK_ELDERS);
    for (name, age, id) in &b.kiosk_residents {
        let index = pii.blind_index("resident_id", id);
        let (_, hash) = store.kiosk_pin_of(&index).await.unwrap().expect("a PIN");
        assert!(tongxin_core::access::password::verify_password(tongxin_demo::booking::KIOSK_PIN, &hash));
        assert!(name.ends_with("**") && *age >= 80, "{name} {age}");
    }
    let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now());
    let stats = store
        .booking_stats(
            &tongxin_store::registry::RegistryScope { all: true, ..Default::default() },
            today - chrono::Days::new(14),
            today,
        )
        .await
        .unwrap();
    assert_eq!(stats.by_category.len(), 6, "{stats:?}");
    assert!(stats.utilisation > 0.2 && stats.utilisation < 0.95, "{stats:?}");
    assert!(stats.no_show_rate > 0.05 && stats.no_show_rate < 0.2, "{stats:?}");
    assert!(stats.by_channel.len() >= 4 && stats.by_age.keys().all(|a| a != "60 以下"), "{stats:?}");
    assert!(tongxin_demo::seed_booking_if_empty(store, &pii, &options).await.unwrap().is_none());
}

backend_tests!(seeds_once, a_registry_the_size_of_jingansi);
