//! Kiosk PINs and the lockout of kiosk sign-ins, on both backends: a PIN is found only
//! for a living resident who has one; failures are counted per ID number (known or not)
//! and per kiosk, lock at the limit with one audit entry each, and are forgotten after a
//! success or a new PIN; concurrent failures are each counted once.

use tongxin_core::booking::pin::{KioskPin, PER_ID, PER_KIOSK};
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::{Gender, HouseholdRole};
use tongxin_core::time::Timestamp;
use tongxin_store::audit::{AuditFilter, Caller};
use tongxin_store::backend_tests;
use tongxin_store::booking::pins::{Failure, Guarded};
use tongxin_store::registry::NewResident;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::{seed, small_geography};

struct Door {
    /// A resident with an ID number on record (blind index `ix-present`).
    present: i64,
    /// One who moved out (`ix-gone`).
    gone: i64,
    kiosk: i64,
}

async fn door(db: &TestDb) -> Door {
    let grid = small_geography(&db.store).await;
    let f = seed(&db.store, &grid, 1).await;
    let person = |index: &str, moved_out: Option<chrono::NaiveDate>| NewResident {
        household_id: f.household,
        region: RegionCode::parse("310106013001001").unwrap(),
        name: format!("口令{index}"),
        gender: Gender::Female,
        birth_date: chrono::NaiveDate::from_ymd_opt(1942, 3, 15).unwrap(),
        id_sealed: None,
        id_index: Some(index.into()),
        id_last4: "0020".into(),
        id_masked: "3***************20".into(),
        phone_sealed: None,
        phone_index: None,
        phone_last4: String::new(),
        phone_masked: String::new(),
        role: HouseholdRole::Other,
        tags: Vec::new(),
        moved_in: None,
        moved_out,
    };
    let system = Caller::system("test");
    let people = [person("ix-present", None), person("ix-gone", chrono::NaiveDate::from_ymd_opt(2025, 1, 1))];
    let ids = db.store.insert_residents(&system, &people).await.unwrap();
    let (key, _) =
        db.store.create_api_key(&system, "终端", &[tongxin_core::access::ApiScope::Kiosk], None).await.unwrap();
    Door { present: ids[0], gone: ids[1], kiosk: key.id }
}

fn id(index: &str) -> Guarded {
    Guarded::IdNumber { index: index.into(), masked: "3***************20".into() }
}

fn kiosk_caller() -> Caller {
    Caller::system("kiosk")
}

async fn fail(db: &TestDb, guarded: &[Guarded], kiosk: i64, now: i64) -> Option<i64> {
    let failure = Failure { guarded, reason: "wrong_pin", kiosk };
    db.store.record_kiosk_failure(&kiosk_caller(), &failure, now).await.unwrap()
}

async fn entries(db: &TestDb, action: &str) -> Vec<tongxin_store::audit::AuditRecord> {
    let filter = AuditFilter { action: Some(action.into()), limit: 100, ..Default::default() };
    db.store.audit_entries(&filter).await.unwrap().0.into_iter().filter(|e| e.action == action).collect()
}

async fn a_pin_is_found_only_for_a_living_resident_who_has_one(db: TestDb) {
    let d = door(&db).await;
    let system = Caller::system("test");
    assert_eq!(db.store.kiosk_pin_of("ix-present").await.unwrap(), None, "no PIN yet");
    assert_eq!(db.store.kiosk_pin_state(d.present).await.unwrap().set_at, None);
    let hash = KioskPin::parse("2580", None).unwrap().hash();
    db.store.set_kiosk_pin(&system, d.present, &hash).await.unwrap();
    assert_eq!(db.store.kiosk_pin_of("ix-present").await.unwrap(), Some((d.present, hash)));
    assert!(db.store.kiosk_pin_state(d.present).await.unwrap().set_at.is_some());
    let again = KioskPin::parse("3691", None).unwrap().hash();
    db.store.set_kiosk_pin(&system, d.present, &again).await.unwrap();
    assert_eq!(db.store.kiosk_pin_of("ix-present").await.unwrap().map(|p| p.1), Some(again), "replaced");
    let set = entries(&db, "booking.kiosk.pin_set").await;
    assert_eq!(set.len(), 2);
    assert_eq!(set[0].object_id, d.present.to_string());
    assert!(set[0].detail.contains("\"replaced\":true"), "{}", set[0].detail);

    db.store.set_kiosk_pin(&system, d.gone, &KioskPin::parse("2580", None).unwrap().hash()).await.unwrap();
    assert_eq!(db.store.kiosk_pin_of("ix-gone").await.unwrap(), None, "moved out");
    assert_eq!(db.store.kiosk_pin_of("ix-nobody").await.unwrap(), None);
    assert!(matches!(
        db.store.set_kiosk_pin(&system, 999_999, "x").await,
        Err(tongxin_store::StoreError::NotFound { .. })
    ));
}

async fn failures_lock_an_id_number_whoever_has_it(db: TestDb) {
    let d = door(&db).await;
    let now = Timestamp::now().millis();
    for index in ["ix-present", "ix-nobody"] {
        for n in 1..PER_ID.failures {
            assert_eq!(fail(&db, &[id(index)], d.kiosk, now + n).await, None, "{index}: failure {n} does not lock");
        }
        let until = fail(&db, &[id(index)], d.kiosk, now + 10).await;
        assert_eq!(until, Some(now + 10 + PER_ID.lock_ms), "{index}: the fifth failure locks");
        assert_eq!(db.store.kiosk_locked_until(&[id(index)], now + 11).await.unwrap(), until);
        // Another failure while locked is refused by the lock, not counted again.
        assert_eq!(fail(&db, &[id(index)], d.kiosk, now + 12).await, until);
    }
    let locks = entries(&db, "booking.kiosk.lock").await;
    assert_eq!(locks.len(), 2, "one entry per lock, none for failures under a lock");
    assert_eq!((locks[0].object_kind.as_str(), locks[0].object_id.as_str()), ("id_number", "3***************20"));
    assert!(locks[0].detail.contains("\"failures\":5"), "{}", locks[0].detail);
    assert_eq!(entries(&db, "booking.kiosk.sign_in").await.len(), 12, "every failure is audited");
    assert_eq!(
        db.store.kiosk_pin_state(d.present).await.unwrap().locked_until.map(|t| t.millis()),
        Some(now + 10 + PER_ID.lock_ms)
    );

    // The lock ends; the count starts again.
    let later = now + 11 + PER_ID.lock_ms;
    assert_eq!(db.store.kiosk_locked_until(&[id("ix-present")], later).await.unwrap(), None);
    assert_eq!(fail(&db, &[id("ix-present")], d.kiosk, later).await, None, "counting from one again");
}

async fn failures_lock_a_kiosk_within_its_window(db: TestDb) {
    let d = door(&db).await;
    let now = Timestamp::now().millis();
    let kiosk = Guarded::Kiosk(d.kiosk);
    // Spread over more than the window: never a lock.
    let step = PER_KIOSK.window_ms / (PER_KIOSK.failures - 1) + 1;
    for n in 0..PER_KIOSK.failures {
        let guarded = [id(&format!("ix-spread-{n}")), kiosk.clone()];
        assert_eq!(fail(&db, &guarded, d.kiosk, now + n * step).await, None, "failure {n}");
    }
    // Within the window: the twentieth locks the kiosk, whatever the ID numbers.
    let start = now + PER_KIOSK.failures * step + PER_KIOSK.window_ms;
    for n in 1..PER_KIOSK.failures {
        assert_eq!(fail(&db, &[id(&format!("ix-{n}")), kiosk.clone()], d.kiosk, start + n).await, None);
    }
    let until = fail(&db, &[id("ix-last"), kiosk.clone()], d.kiosk, start + 100).await;
    assert_eq!(until, Some(start + 100 + PER_KIOSK.lock_ms));
    assert_eq!(db.store.kiosk_locked_until(&[id("ix-fresh"), kiosk.clone()], start + 101).await.unwrap(), until);
    let locks = entries(&db, "booking.kiosk.lock").await;
    assert_eq!(locks.len(), 1);
    assert_eq!((locks[0].object_kind.as_str(), locks[0].object_id.clone()), ("api_key", d.kiosk.to_string()));
}

async fn a_success_or_a_new_pin_forgets_the_failures(db: TestDb) {
    let d = door(&db).await;
    let system = Caller::system("test");
    let now = Timestamp::now().millis();
    for n in 1..PER_ID.failures {
        fail(&db, &[id("ix-present")], d.kiosk, now + n).await;
    }
    db.store.open_kiosk_session(&system, d.kiosk, d.present, "pin", Some("ix-present")).await.unwrap();
    for n in 1..PER_ID.failures {
        assert_eq!(fail(&db, &[id("ix-present")], d.kiosk, now + 10 + n).await, None, "counted from zero");
    }
    assert!(fail(&db, &[id("ix-present")], d.kiosk, now + 20).await.is_some(), "now it locks");
    let hash = KioskPin::parse("2580", None).unwrap().hash();
    db.store.set_kiosk_pin(&system, d.present, &hash).await.unwrap();
    assert_eq!(db.store.kiosk_locked_until(&[id("ix-present")], Timestamp::now().millis()).await.unwrap(), None);
    assert_eq!(db.store.kiosk_pin_state(d.present).await.unwrap().locked_until, None);
    let set = entries(&db, "booking.kiosk.pin_set").await;
    assert!(set[0].detail.contains("\"unlocked\":true"), "{}", set[0].detail);
}

/// Twelve failures at once on one ID number: five count and lock it once; the rest meet
/// the lock.
async fn concurrent_failures_count_once_each(db: TestDb) {
    let d = door(&db).await;
    let now = Timestamp::now().millis();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let store = db.store.clone();
            let kiosk = d.kiosk;
            tokio::spawn(async move {
                let guarded = [id("ix-present")];
                let failure = Failure { guarded: &guarded, reason: "wrong_pin", kiosk };
                store.record_kiosk_failure(&kiosk_caller(), &failure, now).await.unwrap()
            })
        })
        .collect();
    let mut locked = 0;
    for t in tasks {
        locked += usize::from(t.await.unwrap().is_some());
    }
    assert_eq!(locked, 12 - (PER_ID.failures as usize - 1), "all but the first four meet the lock");
    assert_eq!(entries(&db, "booking.kiosk.lock").await.len(), 1);
}

backend_tests!(
    a_pin_is_found_only_for_a_living_resident_who_has_one,
    failures_lock_an_id_number_whoever_has_it,
    failures_lock_a_kiosk_within_its_window,
    a_success_or_a_new_pin_forgets_the_failures,
    concurrent_failures_count_once_each
);
