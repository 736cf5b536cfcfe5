//! Residents are told of every change to their bookings, whichever channel made it: a
//! booking made, a waitlist place, a move (改约) and a cancellation each queue a notice in
//! the change's own transaction — a text to the phone in the resident's record and an
//! in-app notice to each account that may book for them (their own phone's, a linked
//! family member's). A refused booking and a replayed request tell no one. The texts name
//! the service, the time and the site, never the resident.

use tongxin_core::access::{Actor, Role};
use tongxin_core::booking::Channel;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::{Gender, HouseholdRole};
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::booking::book::BookingRequest;
use tongxin_store::booking::slots::{Slot, SlotFilter};
use tongxin_store::notifications::{Notification, Recipient};
use tongxin_store::registry::NewResident;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::{seed, small_geography};

fn operator() -> Caller {
    let actor = Actor::staff(7, "operator1", vec![Role::Operator], vec![RegionCode::parse("310106013001001").unwrap()]);
    Caller::new(actor, "127.0.0.1")
}

async fn slots(db: &TestDb, service: &str) -> Vec<Slot> {
    let filter = SlotFilter { service: Some(service.into()), limit: 100, ..Default::default() };
    db.store.slots(&filter).await.unwrap()
}

fn request(slot: &Slot, resident: i64, channel: Channel) -> BookingRequest {
    BookingRequest { slot_id: slot.id, resident_id: resident, channel, idempotency_key: None, waitlist: false }
}

async fn account(db: &TestDb, index: &str) -> i64 {
    let new = NewResidentAccount {
        phone_sealed: vec![1, 2, 3],
        phone_index: index.into(),
        phone_masked: "138****0000".into(),
        display_name: "138****0000".into(),
        region_code: None,
    };
    db.store.create_resident_account(&Caller::system("test"), &new).await.unwrap().id
}

async fn told(db: &TestDb, who: Recipient) -> Vec<Notification> {
    db.store.notifications_for(who, 50).await.unwrap()
}

fn kinds(list: &[Notification]) -> Vec<&str> {
    list.iter().rev().map(|n| n.kind.as_str()).collect()
}

async fn every_change_is_told(db: TestDb) {
    let grid = small_geography(&db.store).await;
    let f = seed(&db.store, &grid, 4).await;
    let (who, system) = (operator(), Caller::system("test"));
    let elder = f.elders[0];
    db.store.link_family(&system, elder, "idx-family", "138****2222").await.unwrap();
    let family = account(&db, "idx-family").await;
    let open = slots(&db, "T-OPEN").await;

    // Booked by the operator: confirmed, with the cancellation cutoff (T-OPEN: 1 hour).
    let booked = db.store.book(&who, &request(&open[0], elder, Channel::Operator)).await.unwrap().booking;
    let sms = told(&db, Recipient::Person(elder)).await;
    assert_eq!(kinds(&sms), ["booking.confirmed"]);
    let text = &sms[0].text;
    assert!(text.contains("测试服务 T-OPEN") && text.contains("测试为老服务中心"), "{text}");
    assert!(text.contains(" 09:00") && text.contains(" 08:00前取消"), "the time and the cutoff: {text}");
    assert!(!text.contains(&booked.resident_name), "never a name: {text}");
    let params: Vec<&str> = sms[0].params.keys().map(String::as_str).collect();
    assert_eq!(params, ["service", "site", "when"]);
    assert_eq!(kinds(&told(&db, Recipient::Resident(family)).await), ["booking.confirmed"], "the family, in the app");

    // Moved (改约) to the next day: one notice naming the new time and the old.
    let moved = db.store.reschedule(&who, booked.id, open[1].id, Channel::Operator).await.unwrap().booking;
    let sms = told(&db, Recipient::Person(elder)).await;
    assert_eq!(kinds(&sms), ["booking.confirmed", "booking.moved"], "a move is one notice, not a cancel and a booking");
    assert_eq!(sms[0].params["old"], sms[1].params["when"]);
    assert!(sms[0].text.contains(&sms[0].params["when"]) && sms[0].text.contains(&sms[0].params["old"]));
    assert_ne!(sms[0].params["when"], sms[0].params["old"]);

    // Cancelled.
    db.store.cancel_booking(&who, moved.id).await.unwrap();
    let sms = told(&db, Recipient::Person(elder)).await;
    assert_eq!(kinds(&sms), ["booking.confirmed", "booking.moved", "booking.cancelled"]);
    assert!(sms[0].text.contains("已取消") && sms[0].text.contains("测试服务 T-OPEN"), "{}", sms[0].text);
    assert_eq!(told(&db, Recipient::Resident(family)).await.len(), 3);

    // A full slot's waitlist place is told as such.
    for r in &f.elders[1..4] {
        db.store.book(&who, &request(&open[2], *r, Channel::Kiosk)).await.unwrap();
    }
    let wait = BookingRequest { waitlist: true, ..request(&open[2], elder, Channel::App) };
    db.store.book(&who, &wait).await.unwrap();
    let sms = told(&db, Recipient::Person(elder)).await;
    assert_eq!(sms[0].kind, "booking.waitlisted");
    assert!(sms[0].text.contains("候补"), "{}", sms[0].text);
}

async fn the_residents_own_account_is_told(db: TestDb) {
    let grid = small_geography(&db.store).await;
    let f = seed(&db.store, &grid, 1).await;
    let who = operator();
    let own = NewResident {
        household_id: f.household,
        region: grid.clone(),
        name: "自己约".into(),
        gender: Gender::Male,
        birth_date: chrono::NaiveDate::from_ymd_opt(1950, 3, 1).unwrap(),
        id_sealed: None,
        id_index: None,
        id_last4: String::new(),
        id_masked: String::new(),
        phone_sealed: None,
        phone_index: Some("idx-own".into()),
        phone_last4: "0000".into(),
        phone_masked: "138****0000".into(),
        role: HouseholdRole::Other,
        tags: Vec::new(),
        moved_in: None,
        moved_out: None,
    };
    let me = db.store.insert_residents(&Caller::system("test"), &[own]).await.unwrap()[0];
    let mine = account(&db, "idx-own").await;
    let open = slots(&db, "T-OPEN").await;
    let keyed = BookingRequest { idempotency_key: Some("k1".into()), ..request(&open[0], me, Channel::App) };
    db.store.book(&who, &keyed).await.unwrap();
    let replay = db.store.book(&who, &keyed).await.unwrap();
    assert!(replay.replayed);
    let inbox = told(&db, Recipient::Resident(mine)).await;
    assert_eq!(kinds(&inbox), ["booking.confirmed"], "once, in the app of the resident's own phone");
    assert!(!inbox[0].text.contains("自己约"));

    // A refused booking tells no one.
    let t80 = slots(&db, "T-80").await;
    assert!(db.store.book(&who, &request(&t80[0], f.young, Channel::Operator)).await.is_err());
    assert!(told(&db, Recipient::Person(f.young)).await.is_empty());
}

backend_tests!(every_change_is_told, the_residents_own_account_is_told);
