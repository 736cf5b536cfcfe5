//! What the case tests share: two communities of a subdistrict, the shipped catalog, and a
//! patrol report in either.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tongxin_core::cases::calendar::{Calendar, WorkingHours};
use tongxin_core::cases::catalog::{Catalog, CategoryCode};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::{LatLng, RegionCode};
use tongxin_store::audit::Caller;
use tongxin_store::cases::NewCase;
use tongxin_store::testing::TestDb;

pub fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

pub fn system() -> Caller {
    Caller::system("test")
}

pub fn calendar() -> Calendar {
    Calendar::prc(WorkingHours::default())
}

pub async fn setup(db: &TestDb) {
    let square = |x: f64| json!({"type": "Polygon", "coordinates": [[[x, 31.0], [x + 0.01, 31.0], [x + 0.01, 31.01], [x, 31.01], [x, 31.0]]]});
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106", "name": "静安区"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013", "name": "静安寺街道"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013001", "name": "景华"}, "geometry": square(121.0)},
        {"type": "Feature", "properties": {"code": "310106013002", "name": "美丽园"}, "geometry": square(121.01)},
    ]});
    db.store.import_regions(&system(), &file.to_string(), 1.0, false).await.unwrap();
    db.store.import_catalog(&system(), &Catalog::default_catalog()).await.unwrap();
}

pub fn report(category: &str, region: &str) -> NewCase {
    NewCase {
        source: Source::Patrol,
        category: CategoryCode::parse(category).unwrap(),
        description: "楼道里堆满纸箱".into(),
        attributes: BTreeMap::new(),
        location: Some(LatLng::new(31.005, 121.005).unwrap()),
        region: code(region),
        grid: None,
        address: "华山路 1号".into(),
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
