//! Reading the e-bike ledgers on both backends: charging sheds, e-bikes and pledges found
//! by name, plate or owner, filtered by status and shed, within the reader's regions; and
//! pledges signed online, once.

use serde_json::{Value, json};
use tongxin_core::cases::catalog::Catalog;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::PledgeChannel;
use tongxin_store::StoreError;
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::registry::NewPledge;
use tongxin_store::registry::RegistryScope;
use tongxin_store::registry::ebikes::LedgerFilter;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::safety::{JINGHUA_GRID, MEILIYUAN_GRID, owners_sharing_phone, seed};

async fn setup(db: &TestDb) {
    let square = |x: f64| json!({"type": "Polygon", "coordinates": [[[x, 31.0], [x + 0.01, 31.0], [x + 0.01, 31.01], [x, 31.01], [x, 31.0]]]});
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106", "name": "静安区"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013", "name": "静安寺街道"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013001", "name": "景华"}, "geometry": square(121.0)},
        {"type": "Feature", "properties": {"code": JINGHUA_GRID, "name": "景华第一网格"}, "geometry": square(121.0)},
        {"type": "Feature", "properties": {"code": "310106013002", "name": "美丽园"}, "geometry": square(121.01)},
        {"type": "Feature", "properties": {"code": MEILIYUAN_GRID, "name": "美丽园第二网格"}, "geometry": square(121.01)},
    ]});
    let system = Caller::system("test");
    db.store.import_regions(&system, &file.to_string(), 1.0, false).await.unwrap();
    db.store.import_catalog(&system, &Catalog::default_catalog()).await.unwrap();
}

fn filter(q: Option<&str>, status: Option<&str>, shed: Option<i64>) -> LedgerFilter {
    LedgerFilter { q: q.map(str::to_owned), status: status.map(str::to_owned), shed, limit: 50, ..Default::default() }
}

async fn the_ledgers_are_searched_within_reach(db: TestDb) {
    setup(&db).await;
    let f = seed(&db.store).await;
    let all = RegistryScope { all: true, ..Default::default() };
    let jinghua = RegistryScope { all: false, regions: vec![RegionCode::parse(JINGHUA_GRID).unwrap()] };

    // sheds: by name, by status; with their e-bikes and latest inspection
    let sheds = db.store.sheds(&all, &filter(None, None, None)).await.unwrap();
    assert_eq!(sheds.iter().map(|s| s.id).collect::<Vec<_>>(), f.sheds);
    assert_eq!((sheds[0].ebikes, sheds[0].last_checked.map(|d| d.to_string())), (1, Some("2020-09-01".into())));
    assert_eq!(sheds[3].last_checked, None);
    let in_use = db.store.sheds(&all, &filter(None, Some("in_use"), None)).await.unwrap();
    assert_eq!(in_use.iter().map(|s| s.id).collect::<Vec<_>>(), [f.sheds[0], f.sheds[1], f.sheds[4]]);
    let named = db.store.sheds(&all, &filter(Some("充电棚5"), None, None)).await.unwrap();
    assert_eq!(named.iter().map(|s| s.id).collect::<Vec<_>>(), [f.sheds[4]]);
    let theirs = db.store.sheds(&jinghua, &filter(None, None, None)).await.unwrap();
    assert_eq!(theirs.iter().map(|s| s.id).collect::<Vec<_>>(), f.sheds[..2]);
    assert!(db.store.shed(&jinghua, f.sheds[2]).await.unwrap().is_none(), "美丽园's shed");
    assert_eq!(db.store.shed(&all, f.sheds[2]).await.unwrap().unwrap().name, "安全测试充电棚3");

    // e-bikes: by plate, by owner, by status, by shed; the owner's pledge shows
    let plates = |found: Vec<tongxin_store::registry::ebikes::EbikeRecord>| {
        found.into_iter().map(|e| e.plate).collect::<Vec<_>>()
    };
    assert_eq!(plates(db.store.ebikes(&all, &filter(Some("00004"), None, None)).await.unwrap()), ["沪测00004"]);
    assert_eq!(
        plates(db.store.ebikes(&all, &filter(Some("安一"), None, None)).await.unwrap()),
        ["沪测00001", "沪测00002"]
    );
    assert_eq!(plates(db.store.ebikes(&all, &filter(None, Some("active"), None)).await.unwrap()).len(), 4);
    assert_eq!(
        plates(db.store.ebikes(&all, &filter(None, None, Some(f.sheds[0]))).await.unwrap()),
        ["沪测00001", "沪测00003"]
    );
    assert_eq!(plates(db.store.ebikes(&jinghua, &filter(None, None, None)).await.unwrap()).len(), 4);
    assert!(plates(db.store.ebikes(&jinghua, &filter(Some("安四"), None, None)).await.unwrap()).is_empty());
    let e1 = db.store.ebike(&all, f.ebikes[0]).await.unwrap().unwrap();
    assert_eq!((e1.owner_name.as_str(), e1.pledged, e1.shed_name.as_deref()), ("安一", true, Some("安全测试充电棚1")));
    assert_eq!(e1.address, "安全测试路 A1 101 室");
    assert!(!db.store.ebike(&all, f.ebikes[3]).await.unwrap().unwrap().pledged);
    assert!(db.store.ebike(&jinghua, f.ebikes[4]).await.unwrap().is_none());
    // LIKE wildcards are literal
    assert!(db.store.ebikes(&all, &filter(Some("%"), None, None)).await.unwrap().is_empty());

    // pledges: the latest first, by the signer's name, within reach
    let pledges = db.store.pledges(&all, &filter(None, None, None)).await.unwrap();
    let signers: Vec<(&str, String)> =
        pledges.iter().map(|p| (p.resident_name.as_str(), p.signed_on.to_string())).collect();
    assert_eq!(signers, [("安四", "2021-03-01".into()), ("安二", "2020-07-01".into()), ("安一", "2020-06-01".into())]);
    assert_eq!(db.store.pledges(&jinghua, &filter(None, None, None)).await.unwrap().len(), 2);
    assert_eq!(db.store.pledges(&all, &filter(Some("安二"), None, None)).await.unwrap()[0].resident_id, f.residents[1]);
    let paged = LedgerFilter { limit: 1, offset: 1, ..Default::default() };
    assert_eq!(db.store.pledges(&all, &paged).await.unwrap()[0].resident_name, "安二");
}

/// Online signing: the owners sharing an account's phone, one signature each, and the
/// database itself refusing a second online pledge.
async fn a_pledge_is_signed_online_once(db: TestDb) {
    setup(&db).await;
    let f = seed(&db.store).await;
    let pii = tongxin_core::pii::PiiCipher::new(&tongxin_core::pii::SecretKey::generate());
    let all = RegistryScope { all: true, ..Default::default() };
    let household = db.store.resident(&all, f.residents[2]).await.unwrap().unwrap().household_id;
    let phone = "13912340009";
    let [six, seven, eight] = owners_sharing_phone(&db.store, &pii, household, phone).await;
    let account = db
        .store
        .create_resident_account(
            &Caller::system("test"),
            &NewResidentAccount {
                phone_sealed: pii.seal("phone", phone),
                phone_index: pii.blind_index("phone", phone),
                phone_masked: "139****0009".into(),
                display_name: String::new(),
                region_code: None,
            },
        )
        .await
        .unwrap();
    let owners = db.store.pledge_owners(account.id).await.unwrap();
    let listed: Vec<(i64, Option<String>)> =
        owners.iter().map(|o| (o.resident_id, o.signed_on.map(|d| d.to_string()))).collect();
    assert_eq!(listed, [(six, None), (seven, Some("2020-05-01".into()))]);

    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let caller = Caller::system("test");
    db.store.sign_pledge_online(&caller, account.id, six, day).await.unwrap();
    for (resident, refused) in
        [(six, "conflict"), (seven, "conflict"), (eight, "not found"), (f.residents[0], "not found")]
    {
        let e = db.store.sign_pledge_online(&caller, account.id, resident, day).await.unwrap_err();
        let kind = match e {
            StoreError::Conflict { field, .. } => {
                assert_eq!(field, "resident_id");
                "conflict"
            }
            StoreError::NotFound { .. } => "not found",
            other => panic!("{other}"),
        };
        assert_eq!(kind, refused, "resident {resident}");
    }
    // the partial unique index: a second online pledge cannot be written at all
    let again = NewPledge {
        resident_id: six,
        region: RegionCode::parse(JINGHUA_GRID).unwrap(),
        signed_on: day,
        collected_by: "线上".into(),
        channel: PledgeChannel::Online,
    };
    assert!(db.store.insert_pledges(&caller, &[again]).await.is_err());
    let signed = db.store.pledges(&all, &filter(Some("安六"), None, None)).await.unwrap();
    assert_eq!(signed.len(), 1);
    assert_eq!((signed[0].channel, signed[0].collected_by.as_str()), (PledgeChannel::Online, "线上"));
}

backend_tests!(the_ledgers_are_searched_within_reach, a_pledge_is_signed_online_once);
