//! Accounts, sessions, API keys and resident codes, on both backends.

use serde_json::{Value, json};
use tongxin_core::access::password::{Password, SESSION_IDLE_MS, SESSION_MAX_MS};
use tongxin_core::access::{ApiScope, Role};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::access::{NewUser, OtpCheck, Subject};
use tongxin_store::audit::{AuditFilter, Caller};
use tongxin_store::testing::TestDb;
use tongxin_store::{StoreError, backend_tests};

fn code(raw: &str) -> RegionCode {
    RegionCode::parse(raw).unwrap()
}

async fn with_regions(db: &TestDb) {
    let square = |x: f64| json!({"type": "Polygon", "coordinates": [[[x, 31.0], [x + 0.01, 31.0], [x + 0.01, 31.01], [x, 31.01], [x, 31.0]]]});
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106", "name": "静安区"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013", "name": "静安寺街道"}, "geometry": Value::Null},
        {"type": "Feature", "properties": {"code": "310106013001", "name": "景华"}, "geometry": square(121.0)},
        {"type": "Feature", "properties": {"code": "310106013002", "name": "美丽园"}, "geometry": square(121.01)},
    ]});
    db.store.import_regions(&Caller::system("test"), &file.to_string(), 1.0, false).await.unwrap();
}

fn new_user(name: &str, roles: Vec<Role>, regions: Vec<RegionCode>) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("{name} 同志"),
        password_hash: Password::parse("correct horse battery").unwrap().hash(),
        roles,
        regions,
    }
}

async fn audit_count(db: &TestDb, action: &str) -> i64 {
    db.store
        .audit_entries(&AuditFilter { action: Some(action.into()), limit: 1, ..Default::default() })
        .await
        .unwrap()
        .1
}

async fn creates_users_and_refuses_bad_ones(db: TestDb) {
    with_regions(&db).await;
    let caller = Caller::system("test");
    let user = db
        .store
        .create_user(&caller, &new_user("gridworker1", vec![Role::GridWorker], vec![code("310106013001")]))
        .await
        .unwrap();
    assert_eq!(user.roles, [Role::GridWorker]);
    assert_eq!(user.regions, [code("310106013001")]);
    assert!(!user.disabled && !user.has_totp);
    assert_eq!(db.store.user_by_username("gridworker1").await.unwrap().unwrap(), user);
    assert_eq!(audit_count(&db, "user.create").await, 1);

    let taken = db.store.create_user(&caller, &new_user("gridworker1", vec![Role::Viewer], vec![])).await.unwrap_err();
    assert!(matches!(taken, StoreError::Conflict { field: "username", .. }), "{taken:?}");
    let nowhere = db
        .store
        .create_user(&caller, &new_user("x1", vec![Role::Viewer], vec![code("310106013099")]))
        .await
        .unwrap_err();
    assert!(matches!(nowhere, StoreError::Conflict { field: "regions", .. }), "{nowhere:?}");
    let roleless = db.store.create_user(&caller, &new_user("x2", vec![], vec![])).await.unwrap_err();
    assert!(matches!(roleless, StoreError::Conflict { field: "roles", .. }));
    assert!(db.store.user_by_username("x1").await.unwrap().is_none(), "nothing half-written");
    assert_eq!(db.store.users().await.unwrap().len(), 1);
    assert_eq!(audit_count(&db, "user.create").await, 1);
}

async fn five_failures_lock_and_a_reset_unlocks(db: TestDb) {
    with_regions(&db).await;
    let caller = Caller::system("test");
    let user = db.store.create_user(&caller, &new_user("intake", vec![Role::Intake], vec![])).await.unwrap();
    let now = Timestamp::now().millis();
    for _ in 0..4 {
        assert_eq!(db.store.record_failed_login(user.id, now).await.unwrap(), None);
    }
    let until = db.store.record_failed_login(user.id, now).await.unwrap().expect("locked");
    assert_eq!(until, now + 15 * 60 * 1000);
    assert!(db.store.user(user.id).await.unwrap().unwrap().is_locked(now));
    db.store.reset_password(&caller, user.id, &Password::parse("another long password").unwrap().hash()).await.unwrap();
    assert!(!db.store.user(user.id).await.unwrap().unwrap().is_locked(now));
}

async fn sessions_expire_and_die_with_their_account(db: TestDb) {
    with_regions(&db).await;
    let caller = Caller::system("test");
    let user = db.store.create_user(&caller, &new_user("viewer", vec![Role::Viewer], vec![])).await.unwrap();
    let t0 = Timestamp::now().millis();
    let (session, token) = db.store.create_session(Subject::Staff(user.id), "127.0.0.1", t0).await.unwrap();
    assert_ne!(session.token_digest, token, "only the digest is stored");
    assert_eq!(db.store.session(&token, t0 + 1000).await.unwrap().unwrap().subject, Subject::Staff(user.id));
    assert!(db.store.session("not a token", t0).await.unwrap().is_none());
    // Idle for 30 minutes: gone, and deleted.
    assert!(db.store.session(&token, t0 + SESSION_IDLE_MS + 1).await.unwrap().is_none());
    assert!(db.store.session(&token, t0 + 1000).await.unwrap().is_none());

    // Active all day: still gone after 12 hours.
    let (_, token) = db.store.create_session(Subject::Staff(user.id), "127.0.0.1", t0).await.unwrap();
    let mut t = t0;
    while t < t0 + SESSION_MAX_MS - 20 * 60 * 1000 {
        t += 20 * 60 * 1000;
        assert!(db.store.session(&token, t).await.unwrap().is_some(), "alive at {}", t - t0);
    }
    assert!(db.store.session(&token, t0 + SESSION_MAX_MS).await.unwrap().is_none());

    // Disabling the account ends its sessions on the server.
    let (_, token) = db.store.create_session(Subject::Staff(user.id), "127.0.0.1", t0).await.unwrap();
    db.store.set_user_disabled(&caller, user.id, true).await.unwrap();
    assert!(db.store.session(&token, t0 + 1000).await.unwrap().is_none());
    assert!(db.store.user(user.id).await.unwrap().unwrap().disabled);
}

async fn api_keys_work_until_revoked(db: TestDb) {
    with_regions(&db).await;
    let caller = Caller::system("test");
    let (key, secret) = db.store.create_api_key(&caller, "fixmystreet", &[ApiScope::Open311], None).await.unwrap();
    assert!(secret.starts_with(&format!("{}_", key.prefix)));
    let now = Timestamp::now().millis();
    assert_eq!(db.store.authenticate_api_key(&secret, now).await.unwrap().unwrap().id, key.id);
    assert!(db.store.authenticate_api_key(&format!("{secret}x"), now).await.unwrap().is_none());
    assert!(db.store.authenticate_api_key("tx_00000000_nope", now).await.unwrap().is_none());
    assert!(db.store.authenticate_api_key("garbage", now).await.unwrap().is_none());
    let dup = db.store.create_api_key(&caller, "fixmystreet", &[ApiScope::Read], None).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { field: "name", .. }));
    let bound = [code("310106013001")];
    let (sensor, _) = db.store.create_api_key(&caller, "烟感", &[ApiScope::Sensor], Some(&bound)).await.unwrap();
    assert_eq!(sensor.regions.as_deref(), Some(&bound[..]));
    db.store.revoke_api_key(&caller, key.id).await.unwrap();
    assert!(db.store.authenticate_api_key(&secret, now).await.unwrap().is_none());
    assert!(matches!(db.store.revoke_api_key(&caller, key.id).await, Err(StoreError::NotFound { .. })));
    assert_eq!(audit_count(&db, "apikey.").await, 3);
}

async fn resident_accounts_and_codes(db: TestDb) {
    with_regions(&db).await;
    let caller = Caller::system("test");
    let account = |index: &str, region: &str| NewResidentAccount {
        phone_sealed: vec![1, 2, 3],
        phone_index: index.into(),
        phone_masked: "138****5678".into(),
        display_name: "张*".into(),
        region_code: Some(code(region)),
    };
    let a = db.store.create_resident_account(&caller, &account("idx-a", "310106013001")).await.unwrap();
    db.store.create_resident_account(&caller, &account("idx-b", "310106013002")).await.unwrap();
    let dup = db.store.create_resident_account(&caller, &account("idx-a", "310106013002")).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { field: "phone", .. }));
    assert_eq!(db.store.resident_account_by_phone("idx-a").await.unwrap().unwrap(), a);
    assert_eq!(db.store.resident_phone_sealed(a.id).await.unwrap(), [1, 2, 3]);
    assert_eq!(db.store.resident_accounts(None, 10, 0).await.unwrap().1, 2);
    let jinghua = [code("310106013001")];
    let (mine, total) = db.store.resident_accounts(Some(&jinghua), 10, 0).await.unwrap();
    assert_eq!((mine.len(), total), (1, 1));
    assert_eq!(db.store.resident_accounts(Some(&[]), 10, 0).await.unwrap().1, 0);

    let now = Timestamp::now().millis();
    assert!(db.store.put_otp("idx-a", "digest-1", now, 300_000, 60_000).await.unwrap());
    assert!(!db.store.put_otp("idx-a", "digest-2", now + 10_000, 300_000, 60_000).await.unwrap(), "one code a minute");
    assert_eq!(db.store.check_otp("idx-a", "digest-1", now + 1000).await.unwrap(), OtpCheck::Valid);
    assert_eq!(db.store.check_otp("idx-a", "digest-1", now + 1000).await.unwrap(), OtpCheck::Missing, "used up");

    assert!(db.store.put_otp("idx-a", "digest-3", now + 61_000, 300_000, 60_000).await.unwrap());
    for _ in 0..5 {
        assert_eq!(db.store.check_otp("idx-a", "wrong", now + 62_000).await.unwrap(), OtpCheck::Wrong);
    }
    assert_eq!(db.store.check_otp("idx-a", "digest-3", now + 62_000).await.unwrap(), OtpCheck::TooManyTries);
    assert!(db.store.put_otp("idx-b", "digest-4", now, 300_000, 60_000).await.unwrap());
    assert_eq!(db.store.check_otp("idx-b", "digest-4", now + 300_001).await.unwrap(), OtpCheck::Missing, "expired");

    db.store.push_sms("138****5678", "您的验证码是 123456").await.unwrap();
    assert_eq!(db.store.sent_sms(10).await.unwrap()[0].body, "您的验证码是 123456");
}

backend_tests!(
    creates_users_and_refuses_bad_ones,
    five_failures_lock_and_a_reset_unlocks,
    sessions_expire_and_die_with_their_account,
    api_keys_work_until_revoked,
    resident_accounts_and_codes,
);
