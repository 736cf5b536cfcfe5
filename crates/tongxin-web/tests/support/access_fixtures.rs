//! The objects the access matrix probes: inside the demo subdistrict (and inside
//! gridworker1's grid), and outside every demo account's regions (in a second subdistrict).

use serde_json::{Value, json};
use tongxin_core::access::Role;
use tongxin_core::geo::{LatLng, NewBuilding, RegionCode};
use tongxin_core::pii::PhoneNumber;
use tongxin_store::access::NewUser;
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::audit::Caller;

use super::common::{self, TestApp};

pub fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

/// Objects inside the demo subdistrict (and inside gridworker1's grid) and outside every
/// demo account's regions (in a second subdistrict).
pub struct Fixtures {
    /// A point inside gridworker1's grid (where one of its buildings stands).
    pub point_in: LatLng,
    pub building_in: i64,
    pub building_out: i64,
    pub account_in: i64,
    pub account_out: i64,
    pub user_in: i64,
    pub user_out: i64,
    /// An auditor's account in gridworker1's grid (only an auditor may manage it).
    pub auditor_in: i64,
    /// A household and its resident in gridworker1's grid, and outside.
    pub household_in: i64,
    pub household_out: i64,
    pub resident_in: i64,
    pub resident_out: i64,
    /// A charging shed and an e-bike in gridworker1's grid, and outside.
    pub shed_in: i64,
    pub shed_out: i64,
    pub ebike_in: i64,
    pub ebike_out: i64,
}

pub const GRID_IN: &str = "310106013001001";
pub const REGION_OUT: &str = "310106014001";

pub async fn fixtures(app: &TestApp) -> Fixtures {
    let store = &app.db.store;
    let system = Caller::system("test");
    let square = json!({"type": "Polygon", "coordinates": [[[121.50, 31.20], [121.51, 31.20], [121.51, 31.21], [121.50, 31.21], [121.50, 31.20]]]});
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106014", "name": "曹家渡街道"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": REGION_OUT, "name": "外区居民区"}, "geometry": square},
    ]});
    store.import_regions(&system, &file.to_string(), 1.0, false).await.unwrap();
    let building = |grid: &str, address: &str, lat: f64, lng: f64| NewBuilding {
        grid: code(grid),
        block: None,
        name: address.into(),
        address: address.into(),
        location: LatLng::new(lat, lng).unwrap(),
        floors: 6,
        has_elevator: false,
    };
    let first = app
        .db
        .store
        .buildings(&tongxin_store::geo::BuildingFilter { within: code(GRID_IN), limit: 1, offset: 0 })
        .await
        .unwrap();
    let (building_in, point_in) = (first[0].id, first[0].fields.location);
    // A building needs a grid; the outside community gets one.
    let grid_file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106014001001", "name": "外区网格"},
         "geometry": {"type": "Polygon", "coordinates": [[[121.50, 31.20], [121.505, 31.20], [121.505, 31.21], [121.50, 31.21], [121.50, 31.20]]]}},
    ]});
    store.import_regions(&system, &grid_file.to_string(), 1.0, false).await.unwrap();
    let building_out =
        store.insert_buildings(&system, &[building("310106014001001", "外区路 1号", 31.205, 121.502)]).await.unwrap()
            [0];

    let account = |phone: &str, region: &str| {
        let phone = PhoneNumber::parse(phone).unwrap();
        NewResidentAccount {
            phone_sealed: app.app.pii.seal("phone", phone.expose()),
            phone_index: app.app.pii.blind_index("phone", phone.expose()),
            phone_masked: phone.masked(),
            display_name: "测试".into(),
            region_code: Some(code(region)),
        }
    };
    TestApp::personal("13700001111");
    TestApp::personal("13700002222");
    let account_in = store.create_resident_account(&system, &account("13700001111", GRID_IN)).await.unwrap().id;
    let account_out = store.create_resident_account(&system, &account("13700002222", REGION_OUT)).await.unwrap().id;
    let user = |name: &str, region: &str| NewUser {
        username: name.into(),
        display_name: name.into(),
        password_hash: tongxin_core::access::password::Password::parse(common::PASSWORD).unwrap().hash(),
        roles: vec![Role::Viewer],
        regions: vec![code(region)],
    };
    let user_in = store.create_user(&system, &user("target_in", GRID_IN)).await.unwrap().id;
    let user_out = store.create_user(&system, &user("target_out", REGION_OUT)).await.unwrap().id;
    let mut auditor = user("auditor_in", GRID_IN);
    auditor.roles = vec![Role::Auditor];
    let auditor_in = store.create_user(&system, &auditor).await.unwrap().id;
    let mut kiosk = user("kiosk1", "310106013");
    kiosk.roles = vec![Role::Kiosk];
    store.create_user(&system, &kiosk).await.unwrap();
    let household = |building: i64, region: &str| tongxin_store::registry::NewHousehold {
        building_id: building,
        region: code(region),
        unit: String::new(),
        room: "101".into(),
        registration: tongxin_core::registry::Registration::Local,
        notes: String::new(),
    };
    let households = store
        .insert_households(&system, &[household(building_in, GRID_IN), household(building_out, "310106014001001")])
        .await
        .unwrap();
    let resident = |household_id: i64, region: &str| tongxin_store::registry::NewResident {
        household_id,
        region: code(region),
        name: "测试居民".into(),
        gender: tongxin_core::registry::Gender::Female,
        birth_date: chrono::NaiveDate::from_ymd_opt(1950, 3, 1).unwrap(),
        id_sealed: None,
        id_index: None,
        id_last4: String::new(),
        id_masked: String::new(),
        phone_sealed: None,
        phone_index: None,
        phone_last4: String::new(),
        phone_masked: String::new(),
        role: tongxin_core::registry::HouseholdRole::Head,
        tags: Vec::new(),
        moved_in: None,
        moved_out: None,
    };
    let residents = store
        .insert_residents(&system, &[resident(households[0], GRID_IN), resident(households[1], "310106014001001")])
        .await
        .unwrap();
    let shed = |n: u32, region: &str| tongxin_store::registry::NewShed {
        name: format!("矩阵充电棚{n}"),
        region: code(region),
        location: point_in,
        capacity: 10,
        facilities: Vec::new(),
        status: tongxin_core::registry::ShedStatus::InUse,
        opened_on: None,
    };
    let sheds = store.insert_sheds(&system, &[shed(1, GRID_IN), shed(2, "310106014001001")]).await.unwrap();
    let ebike = |n: usize, region: &str| tongxin_store::registry::NewEbike {
        owner_id: residents[n],
        household_id: households[n],
        region: code(region),
        plate: format!("沪矩{n:05}"),
        brand: String::new(),
        battery: tongxin_core::registry::Battery::Lithium,
        registered_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        status: tongxin_core::registry::EbikeStatus::Active,
        shed_id: None,
    };
    let ebikes = store.insert_ebikes(&system, &[ebike(0, GRID_IN), ebike(1, "310106014001001")]).await.unwrap();
    Fixtures {
        shed_in: sheds[0],
        shed_out: sheds[1],
        ebike_in: ebikes[0],
        ebike_out: ebikes[1],
        point_in,
        building_in,
        building_out,
        account_in,
        account_out,
        user_in,
        user_out,
        auditor_in,
        household_in: households[0],
        household_out: households[1],
        resident_in: residents[0],
        resident_out: residents[1],
    }
}
