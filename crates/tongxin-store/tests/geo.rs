//! The region tree and buildings, on both backends.

use serde_json::{Value, json};
use tongxin_core::geo::{LatLng, NewBuilding, RegionCode, RegionLevel};
use tongxin_store::audit::Caller;
use tongxin_store::geo::{BuildingFilter, RegionFilter, RegionImportError};
use tongxin_store::testing::TestDb;
use tongxin_store::{StoreError, backend_tests};

fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

fn square(x0: f64, y0: f64, w: f64, h: f64) -> Value {
    let (x1, y1) = (x0 + w, y0 + h);
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
}

fn feature(code: &str, name: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry})
}

/// District, subdistrict, one community with two grids.
fn tree() -> String {
    json!({"type": "FeatureCollection", "features": [
        feature("310106", "静安区", Value::Null),
        feature("310106013", "静安寺街道", Value::Null),
        feature("310106013001", "景华", square(121.44, 31.22, 0.002, 0.002)),
        feature("310106013001001", "景华第一网格", square(121.44, 31.22, 0.001, 0.002)),
        feature("310106013001002", "景华第二网格", square(121.441, 31.22, 0.001, 0.002)),
    ]})
    .to_string()
}

fn building(grid: &str, address: &str) -> NewBuilding {
    NewBuilding {
        grid: code(grid),
        block: None,
        name: format!("{address}楼"),
        address: address.into(),
        location: LatLng::new(31.221, 121.4405).unwrap(),
        floors: 6,
        has_elevator: true,
    }
}

async fn imports_and_lists_regions(db: TestDb) {
    let store = &db.store;
    assert_eq!(store.geo_revision().await.unwrap(), 0);
    let plan = store.import_regions(&Caller::system("test"), &tree(), 1.0, false).await.unwrap();
    assert_eq!((plan.created, plan.updated), (5, 0));
    assert_eq!(store.geo_revision().await.unwrap(), 1);

    let grids = store.regions(&RegionFilter { level: Some(RegionLevel::Grid), ..Default::default() }).await.unwrap();
    let names: Vec<_> = grids.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["景华第一网格", "景华第二网格"]);
    assert!(grids[0].shape().is_some());

    let children =
        store.regions(&RegionFilter { parent: Some(code("310106013")), ..Default::default() }).await.unwrap();
    assert_eq!(children.len(), 1);
    let within =
        store.regions(&RegionFilter { within: Some(code("310106013001")), ..Default::default() }).await.unwrap();
    assert_eq!(within.len(), 3);

    let one = store.region(&code("310106013001")).await.unwrap().unwrap();
    assert_eq!(one.name, "景华");
    assert!(store.region(&code("310106013009")).await.unwrap().is_none());
    let counts = store.child_counts(&code("310106013")).await.unwrap();
    assert_eq!(counts, [(code("310106013001"), 2)]);

    // importing the same file again updates in place
    let again = store.import_regions(&Caller::system("test"), &tree(), 1.0, false).await.unwrap();
    assert_eq!((again.created, again.updated), (0, 5));
    assert_eq!(store.regions(&RegionFilter::default()).await.unwrap().len(), 5);
}

async fn a_rejected_or_dry_run_import_writes_nothing(db: TestDb) {
    let store = &db.store;
    let dry = store.import_regions(&Caller::system("test"), &tree(), 1.0, true).await.unwrap();
    assert_eq!(dry.created, 5);
    assert!(store.regions(&RegionFilter::default()).await.unwrap().is_empty());

    let mut bad: Value = serde_json::from_str(&tree()).unwrap();
    bad["features"][4]["geometry"] = square(121.4405, 31.22, 0.001, 0.002); // overlaps grid 1
    let err = store.import_regions(&Caller::system("test"), &bad.to_string(), 1.0, false).await.unwrap_err();
    let RegionImportError::Invalid(tongxin_core::geo::ImportError::Rejected(problems)) = err else {
        panic!("expected a rejection, got {err:?}")
    };
    assert_eq!(problems.iter().map(|p| p.index).collect::<Vec<_>>(), [3, 4]);
    assert!(store.regions(&RegionFilter::default()).await.unwrap().is_empty());
    assert_eq!(store.geo_revision().await.unwrap(), 0);
}

async fn stores_buildings_in_their_grid(db: TestDb) {
    let store = &db.store;
    store.import_regions(&Caller::system("test"), &tree(), 1.0, false).await.unwrap();
    let ids = store
        .insert_buildings(
            &Caller::system("test"),
            &[building("310106013001001", "华山路 1号"), building("310106013001002", "华山路 2号")],
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let first = store.building(ids[0]).await.unwrap().unwrap();
    assert_eq!(first.fields, building("310106013001001", "华山路 1号"));
    assert!(first.fields.has_elevator);

    let filter = |within: &str| BuildingFilter { within: code(within), limit: 100, offset: 0 };
    assert_eq!(store.buildings(&filter("310106013001")).await.unwrap().len(), 2);
    assert_eq!(store.buildings(&filter("310106013001002")).await.unwrap()[0].fields.address, "华山路 2号");
    assert_eq!(store.count_buildings(&code("310106013")).await.unwrap(), 2);
    assert_eq!(store.count_buildings(&code("310106013001002")).await.unwrap(), 1);
    let by_grid = store.building_counts_by_child(&code("310106013001")).await.unwrap();
    assert_eq!(by_grid, [(code("310106013001001"), 1), (code("310106013001002"), 1)]);
    let by_community = store.building_counts_by_child(&code("310106013")).await.unwrap();
    assert_eq!(by_community, [(code("310106013001"), 2)]);
    let ancestors = store.ancestors(&code("310106013001002")).await.unwrap();
    let names: Vec<_> = ancestors.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["静安区", "静安寺街道", "景华"]);
}

async fn refuses_a_duplicate_address_and_writes_none_of_the_batch(db: TestDb) {
    let store = &db.store;
    store.import_regions(&Caller::system("test"), &tree(), 1.0, false).await.unwrap();
    store.insert_buildings(&Caller::system("test"), &[building("310106013001001", "华山路 1号")]).await.unwrap();
    let err = store
        .insert_buildings(
            &Caller::system("test"),
            &[building("310106013001001", "华山路 3号"), building("310106013001002", "华山路 1号")],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { field: "address", .. }), "{err:?}");
    assert_eq!(store.count_buildings(&code("310106")).await.unwrap(), 1);
}

async fn refuses_a_building_in_an_unknown_grid(db: TestDb) {
    let store = &db.store;
    store.import_regions(&Caller::system("test"), &tree(), 1.0, false).await.unwrap();
    let err = store
        .insert_buildings(&Caller::system("test"), &[building("310106013001009", "华山路 9号")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "foreign key must refuse it: {err:?}");
    assert_eq!(store.count_buildings(&code("310106")).await.unwrap(), 0);
}

backend_tests!(
    imports_and_lists_regions,
    a_rejected_or_dry_run_import_writes_nothing,
    stores_buildings_in_their_grid,
    refuses_a_duplicate_address_and_writes_none_of_the_batch,
    refuses_a_building_in_an_unknown_grid,
);
