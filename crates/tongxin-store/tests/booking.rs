//! Bookings on both backends, against the hand-made door of
//! `tongxin_store::testing::booking`: every eligibility rule refuses by name, seats and the
//! waitlist, cancelling and its cutoff, idempotency keys, slot changes, closures — and a
//! property test of random book / cancel / waitlist sequences against a model.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tongxin_core::access::{Actor, Role};
use tongxin_core::booking::{BookingStatus, Channel};
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::booking::BookingError;
use tongxin_store::booking::book::BookingRequest;
use tongxin_store::booking::slots::{Slot, SlotFilter};
use tongxin_store::notifications::Recipient;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::{BookingFixture, seed, small_geography};

const GRID: &str = "310106013001001";

async fn setup(db: &TestDb, elders: usize) -> BookingFixture {
    let grid = small_geography(&db.store).await;
    seed(&db.store, &grid, elders).await
}

fn operator() -> Caller {
    let actor = Actor::staff(7, "operator1", vec![Role::Operator], vec![RegionCode::parse(GRID).unwrap()]);
    Caller::new(actor, "127.0.0.1")
}

async fn slots(db: &TestDb, service: &str) -> Vec<Slot> {
    let filter = SlotFilter { service: Some(service.into()), limit: 100, ..Default::default() };
    db.store.slots(&filter).await.unwrap()
}

fn request(slot: &Slot, resident: i64) -> BookingRequest {
    BookingRequest {
        slot_id: slot.id,
        resident_id: resident,
        channel: Channel::Operator,
        idempotency_key: None,
        waitlist: false,
    }
}

async fn each_rule_refuses_by_name(db: TestDb) {
    let f = setup(&db, 2).await;
    let who = operator();
    let rule = |e: BookingError| match e {
        BookingError::Ineligible(r) => r.rule(),
        other => panic!("not an eligibility refusal: {other}"),
    };
    let t80 = &slots(&db, "T-80").await[0];
    assert_eq!(rule(db.store.book(&who, &request(t80, f.young)).await.unwrap_err()), "min_age");
    let care = &slots(&db, "T-CARE").await[0];
    assert_eq!(rule(db.store.book(&who, &request(care, f.young)).await.unwrap_err()), "care_level_min");
    let alone = &slots(&db, "T-ALONE").await[0];
    assert_eq!(rule(db.store.book(&who, &request(alone, f.young)).await.unwrap_err()), "tags_any");
    assert_eq!(rule(db.store.book(&who, &request(alone, f.gone)).await.unwrap_err()), "registered_only");
    for s in [t80, care, alone] {
        db.store.book(&who, &request(s, f.elders[0])).await.unwrap();
    }

    // One meal a day: the evening's is refused once the lunch is booked; three a month.
    let meals = slots(&db, "T-MEAL").await;
    db.store.book(&who, &request(&meals[0], f.elders[0])).await.unwrap();
    assert_eq!(rule(db.store.book(&who, &request(&meals[1], f.elders[0])).await.unwrap_err()), "per_day");
    // Three a month: in the month with the most of the week's days (at least four).
    let month_of = |s: &Slot| tongxin_store::booking::shanghai_day(s.starts_at).format("%Y-%m").to_string();
    let lunches: Vec<&Slot> = meals.iter().step_by(2).collect();
    let busiest =
        lunches.iter().map(|s| month_of(s)).max_by_key(|m| lunches.iter().filter(|s| month_of(s) == *m).count());
    let in_month: Vec<&&Slot> = lunches.iter().filter(|s| Some(month_of(s)) == busiest).collect();
    assert!(in_month.len() >= 4, "{} lunches in the busiest month", in_month.len());
    for lunch in &in_month[..3] {
        db.store.book(&who, &request(lunch, f.elders[1])).await.unwrap();
    }
    assert_eq!(rule(db.store.book(&who, &request(in_month[3], f.elders[1])).await.unwrap_err()), "per_month");
    // A cancelled meal no longer counts.
    let first = db.store.bookings_of(f.elders[0], 50).await.unwrap();
    let lunch = first.iter().find(|b| b.slot_id == meals[0].id).unwrap();
    db.store.cancel_booking(&who, lunch.id).await.unwrap();
    db.store.book(&who, &request(&meals[1], f.elders[0])).await.unwrap();
}

async fn seats_the_waitlist_and_cancelling(db: TestDb) {
    let f = setup(&db, 6).await;
    let who = operator();
    let slot = &slots(&db, "T-OPEN").await[0];
    for r in &f.elders[..3] {
        assert_eq!(db.store.book(&who, &request(slot, *r)).await.unwrap().booking.status, BookingStatus::Confirmed);
    }
    assert!(matches!(db.store.book(&who, &request(slot, f.elders[3])).await, Err(BookingError::Full { capacity: 3 })));
    assert!(matches!(db.store.book(&who, &request(slot, f.elders[0])).await, Err(BookingError::AlreadyBooked)));
    let wait = |r: i64| BookingRequest { waitlist: true, ..request(slot, r) };
    let w1 = db.store.book(&who, &wait(f.elders[3])).await.unwrap().booking;
    let w2 = db.store.book(&who, &wait(f.elders[4])).await.unwrap().booking;
    assert_eq!((w1.status, w2.status), (BookingStatus::Waitlisted, BookingStatus::Waitlisted));
    let now = db.store.slot(slot.id).await.unwrap().unwrap();
    assert_eq!((now.booked, now.waitlisted, now.free()), (3, 2, 0));

    // A cancellation frees a seat for the first on the waitlist.
    let mine = db.store.bookings_on(slot.id).await.unwrap();
    let cancelled = db.store.cancel_booking(&who, mine[1].id).await.unwrap();
    assert_eq!(cancelled.booking.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.promoted.iter().map(|b| b.id).collect::<Vec<_>>(), [w1.id]);
    assert!(matches!(db.store.cancel_booking(&who, mine[1].id).await, Err(BookingError::Status(_))));
    let now = db.store.slot(slot.id).await.unwrap().unwrap();
    assert_eq!((now.booked, now.waitlisted), (3, 1));
    // The promoted resident is told, by a text to the phone in their record.
    let told = db.store.notifications_for(Recipient::Person(f.elders[3]), 10).await.unwrap();
    let told: Vec<_> = told.into_iter().filter(|n| n.kind != "booking.waitlisted").collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].kind, "booking.promoted");
    assert!(told[0].text.contains("已为您预约成功"), "{}", told[0].text);
    let params: Vec<&str> = told[0].params.keys().map(String::as_str).collect();
    assert_eq!(params, ["service", "site", "when"], "the text's variables, for SMS templates");
    assert!(told[0].text.contains(&told[0].params["when"]) && told[0].text.contains(&told[0].params["service"]));

    // The day before, each confirmed booking is reminded once.
    let eve = Timestamp::from_millis(slot.starts_at.millis() - 86_400_000);
    let reminded = db.store.queue_reminders(eve).await.unwrap();
    assert_eq!(reminded, 3, "three confirmed bookings on that slot's day");
    assert_eq!(db.store.queue_reminders(eve).await.unwrap(), 0, "once");
    let told = db.store.notifications_for(Recipient::Person(f.elders[0]), 10).await.unwrap();
    assert!(told.iter().any(|n| n.kind == "booking.reminder" && n.text.contains("在明天")), "{told:?}");

    // Capacity: never below the seats booked; raising it promotes the waitlist.
    assert!(matches!(
        db.store.change_slot(&who, slot.id, Some(2), None).await,
        Err(BookingError::BelowBooked { booked: 3 })
    ));
    db.store.change_slot(&who, slot.id, Some(4), None).await.unwrap();
    let promoted = db.store.promote_waitlist(&who, slot.id).await.unwrap();
    assert_eq!(promoted.iter().map(|b| b.id).collect::<Vec<_>>(), [w2.id]);
    db.store.change_slot(&who, slot.id, None, Some(true)).await.unwrap();
    assert!(matches!(db.store.book(&who, &request(slot, f.elders[5])).await, Err(BookingError::Blocked)));

    // Cancelling closes 8 days before a T-LATE slot, which is at most a week away.
    let late = &slots(&db, "T-LATE").await[0];
    let b = db.store.book(&who, &request(late, f.elders[0])).await.unwrap().booking;
    assert!(matches!(db.store.cancel_booking(&who, b.id).await, Err(BookingError::AfterCutoff(_))));
    // Checked in on its day only (this one is tomorrow).
    assert!(matches!(db.store.check_in(&who, b.id).await, Err(BookingError::NotToday(d)) if d == f.first_day));

    // A site closed on a day refuses that day's slots.
    let other = &slots(&db, "T-OPEN").await[1];
    let day = tongxin_store::booking::shanghai_day(other.starts_at);
    db.store.close_site(&who, f.site, day, "消防检查").await.unwrap();
    assert!(
        matches!(db.store.book(&who, &request(other, f.elders[0])).await, Err(BookingError::SiteClosed(d)) if d == day)
    );
    // After the slot, who did not come is a no-show.
    let after = Timestamp::from_millis(slot.ends_at.millis() + 1);
    assert_eq!(db.store.mark_no_shows(after).await.unwrap(), 4);
    let statuses: Vec<BookingStatus> = db.store.bookings_on(slot.id).await.unwrap().iter().map(|b| b.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == BookingStatus::NoShow).count(), 4, "{statuses:?}");
}

async fn an_idempotency_key_books_once(db: TestDb) {
    let f = setup(&db, 2).await;
    let who = operator();
    let all = slots(&db, "T-OPEN").await;
    let keyed = BookingRequest { idempotency_key: Some("key-0001-abcd".into()), ..request(&all[0], f.elders[0]) };
    let first = db.store.book(&who, &keyed).await.unwrap();
    let again = db.store.book(&who, &keyed).await.unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.booking.id, again.booking.id);
    assert_eq!(db.store.slot(all[0].id).await.unwrap().unwrap().booked, 1, "booked once");
    // The same key for another slot is a conflict; another caller's key is theirs.
    let elsewhere = BookingRequest { slot_id: all[1].id, ..keyed.clone() };
    assert!(matches!(db.store.book(&who, &elsewhere).await, Err(BookingError::Store(_))));
    let someone = Caller::new(Actor::staff(8, "operator2", vec![Role::Operator], vec![]), "127.0.0.1");
    let theirs = BookingRequest { resident_id: f.elders[1], ..keyed };
    assert!(!db.store.book(&someone, &theirs).await.unwrap().replayed);
}

/// Copies of one keyed request at once, where the service allows one a day: each copy
/// must find the key before it counts the day, so every one gets the same booking.
async fn copies_of_a_keyed_request_at_once_all_get_the_booking(db: TestDb) {
    let f = setup(&db, 10).await;
    let meals = slots(&db, "T-MEAL").await;
    for (round, elder) in f.elders.iter().enumerate() {
        let keyed = BookingRequest {
            idempotency_key: Some(format!("copies-{round:04}")),
            ..request(&meals[round % meals.len()], *elder)
        };
        let mut copies = tokio::task::JoinSet::new();
        for _ in 0..30 {
            let (store, keyed) = (db.store.clone(), keyed.clone());
            copies.spawn(async move { store.book(&operator(), &keyed).await });
        }
        let answers = copies.join_all().await;
        let ids: Vec<i64> = answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|e| panic!("round {round}: a copy was refused: {e}")).booking.id)
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "round {round}: {ids:?}");
    }
}

/// One step of a random sequence on one slot.
#[derive(Debug, Clone)]
enum Op {
    Book { who: usize, waitlist: bool },
    Cancel { nth: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..8usize, any::<bool>()).prop_map(|(who, waitlist)| Op::Book { who, waitlist }),
        2 => (0..16usize).prop_map(|nth| Op::Cancel { nth }),
    ]
}

/// Random book, cancel and waitlist sequences keep 0 ≤ booked ≤ capacity, `booked` equal
/// to the bookings holding a seat, and the waitlist promoted in order — as a model says.
fn random_sequences_keep_the_seats_true(db: TestDb, runtime: &tokio::runtime::Handle) {
    let f = runtime.block_on(setup(&db, 8));
    let slot = runtime.block_on(slots(&db, "T-OPEN"))[0].clone();
    let who = operator();
    let mut runner = TestRunner::new(Config { cases: 24, failure_persistence: None, ..Config::default() });
    let strategy = (1..5i64, prop::collection::vec(op(), 1..40));
    runner
        .run(&strategy, |(capacity, ops)| {
            runtime.block_on(async {
                // Start empty, at this case's capacity.
                for b in db.store.bookings_on(slot.id).await.unwrap() {
                    if matches!(b.status, BookingStatus::Confirmed | BookingStatus::Waitlisted) {
                        db.store.cancel_booking(&who, b.id).await.unwrap();
                    }
                }
                db.store.change_slot(&who, slot.id, Some(capacity), Some(false)).await.unwrap();
                // The model: live bookings in the order made, each (resident, holds a seat).
                let mut live: Vec<(i64, i64, bool)> = Vec::new();
                for op in ops {
                    match op {
                        Op::Book { who: n, waitlist } => {
                            let resident = f.elders[n];
                            let seats = live.iter().filter(|l| l.2).count() as i64;
                            let got =
                                db.store.book(&who, &BookingRequest { waitlist, ..request(&slot, resident) }).await;
                            match got {
                                Ok(b) => {
                                    prop_assert!(!live.iter().any(|l| l.1 == resident));
                                    let seat = seats < capacity;
                                    prop_assert!(seat || waitlist);
                                    prop_assert_eq!(b.booking.status.holds_seat(), seat);
                                    live.push((b.booking.id, resident, seat));
                                }
                                Err(BookingError::AlreadyBooked) => prop_assert!(live.iter().any(|l| l.1 == resident)),
                                Err(BookingError::Full { .. }) => prop_assert!(!waitlist && seats >= capacity),
                                Err(e) => prop_assert!(false, "unexpected refusal: {}", e),
                            }
                        }
                        Op::Cancel { nth } => {
                            if live.is_empty() {
                                continue;
                            }
                            let (id, _, seat) = live.remove(nth % live.len());
                            let done = db.store.cancel_booking(&who, id).await.unwrap();
                            let expected: Vec<i64> = if seat {
                                live.iter_mut()
                                    .find(|l| !l.2)
                                    .map(|l| {
                                        l.2 = true;
                                        l.0
                                    })
                                    .into_iter()
                                    .collect()
                            } else {
                                Vec::new()
                            };
                            prop_assert_eq!(done.promoted.iter().map(|b| b.id).collect::<Vec<_>>(), expected);
                        }
                    }
                    let now = db.store.slot(slot.id).await.unwrap().unwrap();
                    let holding =
                        db.store.bookings_on(slot.id).await.unwrap().iter().filter(|b| b.status.holds_seat()).count();
                    prop_assert!(0 <= now.booked && now.booked <= now.capacity);
                    prop_assert_eq!(now.booked, holding as i64);
                    prop_assert_eq!(now.booked, live.iter().filter(|l| l.2).count() as i64);
                    prop_assert_eq!(now.waitlisted, live.iter().filter(|l| !l.2).count() as i64);
                }
                Ok(())
            })
        })
        .unwrap();
}

backend_tests!(
    copies_of_a_keyed_request_at_once_all_get_the_booking,
    each_rule_refuses_by_name,
    seats_the_waitlist_and_cancelling,
    an_idempotency_key_books_once
);

#[test]
fn random_sequences_on_sqlite() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(TestDb::sqlite());
    random_sequences_keep_the_seats_true(db, runtime.handle());
}

#[test]
fn random_sequences_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match runtime.block_on(TestDb::postgres()) {
        Some(db) => random_sequences_keep_the_seats_true(db, runtime.handle()),
        None => eprintln!("skipped: {} is not set", tongxin_store::testing::PG_URL_VAR),
    }
}
