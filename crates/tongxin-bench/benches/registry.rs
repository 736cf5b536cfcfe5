//! Finding a resident in the demo registry (20,000 households, about 45,000 residents) on
//! SQLite: by name, by the last four digits of a phone, by address, and a household by
//! building and room — each against the same store's plainest read, the first page of
//! residents with no filter, measured in the same run.
//!
//! Run with `cargo bench -p tongxin-bench --bench registry` (and on PostgreSQL as well when
//! TONGXIN_TEST_DATABASE_URL is set).

use criterion::{Criterion, criterion_group, criterion_main};
use tongxin_core::pii::{PiiCipher, SecretKey};
use tongxin_demo::{DemoOptions, Quiet, seed_if_empty, seed_registry_if_empty};
use tongxin_store::registry::{HouseholdFilter, RegistryScope, ResidentFilter};
use tongxin_store::testing::TestDb;

fn registry(c: &mut Criterion) {
    bench_on(c, tongxin_store::Backend::Sqlite);
    if std::env::var(tongxin_store::testing::PG_URL_VAR).is_ok() {
        bench_on(c, tongxin_store::Backend::Postgres);
    }
}

fn bench_on(c: &mut Criterion, backend: tongxin_store::Backend) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (db, name, last4, building, room) = runtime.block_on(async {
        let db = match backend {
            tongxin_store::Backend::Sqlite => TestDb::sqlite().await,
            tongxin_store::Backend::Postgres => TestDb::postgres().await.expect("PostgreSQL"),
        };
        let options = DemoOptions { case_months: 0, ..Default::default() };
        seed_if_empty(&db.store, &options, &Quiet).await.unwrap();
        let pii = PiiCipher::new(&SecretKey::generate());
        seed_registry_if_empty(&db.store, &pii, &options, &Quiet).await.unwrap();
        let all = RegistryScope { all: true, ..Default::default() };
        let sample = ResidentFilter { limit: 1, offset: 20_000, ..Default::default() };
        let someone = db.store.residents(&all, &sample).await.unwrap().remove(0);
        let households = HouseholdFilter { limit: 1, offset: 9_000, ..Default::default() };
        let home = db.store.households(&all, &households).await.unwrap().remove(0);
        let last4 = someone.phone_masked[someone.phone_masked.len() - 4..].to_owned();
        (db, someone.name, last4, home.building_id, home.room)
    });
    // A staff member bound to the subdistrict: every read carries the region condition.
    let scope = RegistryScope { all: false, regions: vec![tongxin_core::geo::RegionCode::parse("310106013").unwrap()] };
    let search = |q: Option<String>| ResidentFilter { q, limit: 50, ..Default::default() };
    let mut group = c.benchmark_group(format!("registry_{backend:?}"));
    let cases: [(&str, ResidentFilter); 4] = [
        ("baseline_first_page", search(None)),
        ("by_name", search(Some(name))),
        ("by_last4", search(Some(last4))),
        ("by_address", search(Some("常德路".into()))),
    ];
    for (label, filter) in cases {
        assert!(!runtime.block_on(db.store.residents(&scope, &filter)).unwrap().is_empty(), "{label} finds someone");
        group.bench_function(label, |b| b.iter(|| runtime.block_on(db.store.residents(&scope, &filter)).unwrap()));
    }
    let room_filter = HouseholdFilter { building: Some(building), q: Some(room), limit: 50, ..Default::default() };
    group.bench_function("household_by_building_and_room", |b| {
        b.iter(|| runtime.block_on(db.store.households(&scope, &room_filter)).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = registry
}
criterion_main!(benches);
