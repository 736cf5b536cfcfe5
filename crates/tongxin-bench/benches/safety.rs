//! The e-bike safety view on the demo (20,000 households, about 3,000 e-bikes, 70 sheds,
//! 1,600 pledges and a year of cases): the whole subdistrict's view, one community with its
//! buildings, and a grid worker's view — each against the registry's plainest read, the
//! first page of residents with no filter, measured in the same run and on the same store.
//! SQLite always; PostgreSQL too when `TONGXIN_TEST_DATABASE_URL` is set.
//!
//! Run with `cargo bench -p tongxin-bench --bench safety`.

use criterion::{Criterion, criterion_group, criterion_main};
use tongxin_core::geo::RegionCode;
use tongxin_core::pii::{PiiCipher, SecretKey};
use tongxin_core::registry::safety::SafetyYear;
use tongxin_demo::{DemoOptions, Quiet, seed_if_empty, seed_registry_if_empty};
use tongxin_store::registry::safety::SafetyFilter;
use tongxin_store::registry::{RegistryScope, ResidentFilter};
use tongxin_store::testing::TestDb;

fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

async fn demo(db: TestDb) -> TestDb {
    let options = DemoOptions::default();
    seed_if_empty(&db.store, &options, &Quiet).await.unwrap();
    let pii = PiiCipher::new(&SecretKey::generate());
    seed_registry_if_empty(&db.store, &pii, &options, &Quiet).await.unwrap();
    db
}

fn bench(c: &mut Criterion, runtime: &tokio::runtime::Runtime, backend: &str, db: &TestDb) {
    // A staff member bound to the subdistrict: every read carries the region condition.
    let staff = RegistryScope { all: false, regions: vec![code("310106013")] };
    let worker = RegistryScope { all: false, regions: vec![code("310106013001001")] };
    let today = tongxin_core::time::Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
    let this_year = SafetyYear::of(today.date_naive());
    let year =
        |within: Option<&str>| SafetyFilter { year: this_year, within: within.map(code), buildings: within.is_some() };
    let first_page = ResidentFilter { limit: 50, ..Default::default() };
    let view = runtime.block_on(db.store.ebike_safety(&staff, &year(None))).unwrap();
    assert!(view.total.ebikes > 2_000 && view.communities.len() == 13, "the demo's e-bikes: {:?}", view.total);
    assert!(view.figures.hazards_found > 0, "a year of cases: {:?}", view.figures);
    let community = runtime.block_on(db.store.ebike_safety(&staff, &year(Some("310106013001")))).unwrap();
    assert!(!community.buildings.is_empty());

    let mut group = c.benchmark_group(format!("safety_{backend}"));
    group.bench_function("baseline_residents_first_page", |b| {
        b.iter(|| runtime.block_on(db.store.residents(&staff, &first_page)).unwrap())
    });
    group.bench_function("subdistrict_by_community", |b| {
        b.iter(|| runtime.block_on(db.store.ebike_safety(&staff, &year(None))).unwrap())
    });
    group.bench_function("one_community_with_buildings", |b| {
        b.iter(|| runtime.block_on(db.store.ebike_safety(&staff, &year(Some("310106013001")))).unwrap())
    });
    group.bench_function("grid_worker", |b| {
        b.iter(|| runtime.block_on(db.store.ebike_safety(&worker, &year(None))).unwrap())
    });
    group.finish();
}

fn safety(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let sqlite = runtime.block_on(async { demo(TestDb::sqlite().await).await });
    bench(c, &runtime, "sqlite", &sqlite);
    if let Some(pg) = runtime.block_on(TestDb::postgres()) {
        let pg = runtime.block_on(demo(pg));
        bench(c, &runtime, "postgres", &pg);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = safety
}
criterion_main!(benches);
