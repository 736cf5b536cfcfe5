//! The notification outbox, on both backends: who each step tells, claiming with a lease,
//! retries with growing delays, two workers never sending the same notice, and reporters
//! of merged duplicates following the case they joined.

use tongxin_core::access::Role;
use tongxin_core::cases::lifecycle::Action;
use tongxin_core::time::Timestamp;
use tongxin_store::access::NewUser;
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::cases::ActionInput;
use tongxin_store::notifications::{MAX_ATTEMPTS, Recipient, retry_delay_ms};
use tongxin_store::testing::TestDb;
use tongxin_store::{Backend, backend_tests};

mod common;
use common::{calendar, code, report, setup, system};

async fn user(db: &TestDb, name: &str, role: Role, region: &str) -> i64 {
    let new = NewUser {
        username: name.into(),
        display_name: name.into(),
        password_hash: "x".into(),
        roles: vec![role],
        regions: vec![code(region)],
    };
    db.store.create_user(&system(), &new).await.unwrap().id
}

async fn resident(db: &TestDb) -> i64 {
    let new = NewResidentAccount {
        phone_sealed: vec![1, 2, 3],
        phone_index: "idx".into(),
        phone_masked: "139****0001".into(),
        display_name: String::new(),
        region_code: None,
    };
    db.store.create_resident_account(&system(), &new).await.unwrap().id
}

fn step(department: Option<&str>) -> ActionInput {
    ActionInput { department: department.map(str::to_owned), reason: Some("r".into()), ..Default::default() }
}

async fn each_step_tells_its_audience(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let handler = user(&db, "handler", Role::Department, "310106013").await;
    db.store.add_user_department(&system(), handler, "cgzd").await.unwrap();
    let lead_here = user(&db, "lead1", Role::ShiftLead, "310106013001").await;
    let _lead_elsewhere = user(&db, "lead2", Role::ShiftLead, "310106013002").await;
    let lead_all = user(&db, "lead0", Role::ShiftLead, "310106013").await;
    let resident = resident(&db).await;

    let mut new = report("E0103", "310106013001");
    new.reporter_resident = Some(resident);
    new.reporter_sealed = Some(vec![9, 9]);
    let (case, _) = db.store.create_case(&system(), &new, &cal).await.unwrap();
    let id = case.id;
    for (action, department) in [
        (Action::Verify, None),
        (Action::Register, None),
        (Action::Dispatch, Some("cgzd")),
        (Action::Accept, None),
        (Action::RequestExtension, None),
    ] {
        let mut input = step(department);
        if action == Action::RequestExtension {
            input.extension = Some(tongxin_core::cases::calendar::TimeLimit::WorkingHours(8));
        }
        db.store.apply_action(&system(), id, action, &input, &cal).await.unwrap();
    }
    let sent: Vec<(String, Recipient)> =
        db.store.case_notifications(id).await.unwrap().into_iter().map(|n| (n.kind, n.recipient)).collect();
    let expect = |kind: &str, r: Recipient| (kind.to_owned(), r);
    assert_eq!(
        sent,
        [
            expect("received", Recipient::Resident(resident)),
            expect("received", Recipient::Contact(id)),
            expect("registered", Recipient::Resident(resident)),
            expect("registered", Recipient::Contact(id)),
            expect("dispatched", Recipient::Resident(resident)),
            expect("dispatched", Recipient::Contact(id)),
            expect("new_dispatch", Recipient::Staff(handler)),
            // only the shift leads whose regions hold the case
            expect("extension_requested", Recipient::Staff(lead_here)),
            expect("extension_requested", Recipient::Staff(lead_all)),
        ]
    );
    let texts = db.store.case_notifications(id).await.unwrap();
    assert!(
        texts[2].text.contains(&case.number) && texts[2].text.contains("楼道堆物") && texts[2].text.contains("立案")
    );
    // the text's variables travel with it, for SMS gateways that fill approved templates
    let params: Vec<(&str, &str)> = texts[2].params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(params, [("category", "楼道堆物"), ("number", case.number.as_str())]);

    // the actor is not told of their own step; a disabled account is not told at all
    let as_handler = tongxin_store::audit::Caller::new(
        tongxin_core::access::Actor::staff(handler, "handler", vec![Role::Department], vec![code("310106013")]),
        "test",
    );
    db.store.set_user_disabled(&system(), lead_all, true).await.unwrap();
    db.store.apply_action(&system(), id, Action::ApproveExtension, &step(None), &cal).await.unwrap();
    db.store.apply_action(&as_handler, id, Action::RequestDeferral, &step(None), &cal).await.unwrap();
    let last: Vec<(String, Recipient)> =
        db.store.case_notifications(id).await.unwrap().into_iter().skip(9).map(|n| (n.kind, n.recipient)).collect();
    assert_eq!(
        last,
        [
            expect("extension_approved", Recipient::Staff(handler)),
            expect("deferral_requested", Recipient::Staff(lead_here))
        ]
    );

    // the overdue sweep tells the shift lead
    let (late, _) = db.store.create_case(&system(), &report("E0101", "310106013001"), &cal).await.unwrap();
    let far = Timestamp::from_millis(late.step_due_at.unwrap().millis() + 1);
    db.store.sweep_overdue(far).await.unwrap();
    let kinds: Vec<String> = db.store.case_notifications(late.id).await.unwrap().into_iter().map(|n| n.kind).collect();
    assert_eq!(kinds, ["overdue"]);

    // the in-app inbox
    let inbox = db.store.notifications_for(Recipient::Staff(lead_here), 10).await.unwrap();
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox[0].kind, "overdue", "newest first");
    assert_eq!(db.store.unread_notifications(Recipient::Staff(lead_here)).await.unwrap(), 3);
    assert_eq!(db.store.mark_notifications_read(Recipient::Staff(lead_here), Timestamp::now()).await.unwrap(), 3);
    assert_eq!(db.store.unread_notifications(Recipient::Staff(lead_here)).await.unwrap(), 0);
}

async fn delivery_is_claimed_retried_and_given_up(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let resident = resident(&db).await;
    let mut new = report("E0103", "310106013001");
    new.reporter_resident = Some(resident);
    let (case, _) = db.store.create_case(&system(), &new, &cal).await.unwrap();
    let now = Timestamp::now();

    let claimed = db.store.claim_notifications(now, 10, 60_000).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        claimed[0].phone_sealed.as_deref(),
        Some([1u8, 2, 3].as_slice()),
        "the resident's sealed phone comes along"
    );
    assert_eq!(claimed[0].notification.case_number, case.number);
    assert!(db.store.claim_notifications(now, 10, 60_000).await.unwrap().is_empty(), "leased: nobody else takes it");

    let id = claimed[0].notification.id;
    let mut at = now;
    for attempt in 1..=MAX_ATTEMPTS {
        let done = vec!["log".to_owned()];
        db.store.finish_notification(id, Err(format!("gateway down {attempt}")), &done, at).await.unwrap();
        let n = db.store.case_notifications(case.id).await.unwrap().remove(0);
        assert_eq!(n.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!((n.status.as_str(), n.delivered.clone()), ("pending", vec!["log".to_owned()]));
            let early = Timestamp::from_millis(at.millis() + retry_delay_ms(attempt) - 1);
            assert!(db.store.claim_notifications(early, 10, 60_000).await.unwrap().is_empty(), "not before its delay");
            at = Timestamp::from_millis(at.millis() + retry_delay_ms(attempt));
            assert_eq!(db.store.claim_notifications(at, 10, 60_000).await.unwrap().len(), 1);
        } else {
            assert_eq!((n.status.as_str(), n.last_error.as_str()), ("failed", "gateway down 6"));
        }
    }
    assert!(retry_delay_ms(1) < retry_delay_ms(3) && retry_delay_ms(3) < retry_delay_ms(5));
    let far = Timestamp::from_millis(at.millis() + 86_400_000);
    assert!(db.store.claim_notifications(far, 10, 60_000).await.unwrap().is_empty(), "given up");

    let (second, _) = db.store.create_case(&system(), &new, &cal).await.unwrap();
    let claimed = db.store.claim_notifications(Timestamp::now(), 10, 60_000).await.unwrap();
    let done = vec!["log".to_owned(), "sms".to_owned()];
    db.store.finish_notification(claimed[0].notification.id, Ok(()), &done, Timestamp::now()).await.unwrap();
    let n = db.store.case_notifications(second.id).await.unwrap().remove(0);
    assert_eq!((n.status.as_str(), n.attempts, n.delivered.len()), ("sent", 1, 2));
}

/// Two workers claiming at once on PostgreSQL: every notice is claimed by exactly one.
async fn two_workers_never_claim_the_same_notice(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let resident = resident(&db).await;
    let mut new = report("E0103", "310106013001");
    new.reporter_resident = Some(resident);
    for _ in 0..40 {
        db.store.create_case(&system(), &new, &cal).await.unwrap();
    }
    let now = Timestamp::now();
    let (a, b) = tokio::join!(
        async {
            let mut all = Vec::new();
            for _ in 0..10 {
                all.extend(db.store.claim_notifications(now, 3, 60_000).await.unwrap());
            }
            all
        },
        async {
            let mut all = Vec::new();
            for _ in 0..10 {
                all.extend(db.store.claim_notifications(now, 3, 60_000).await.unwrap());
            }
            all
        }
    );
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|o| o.notification.id).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no notice was claimed twice");
    assert_eq!(total, 40);
    if db.store.backend() == Backend::Postgres {
        assert!(!a.is_empty() && !b.is_empty(), "both workers got work");
    }
}

async fn merged_reporters_follow_the_case_they_joined(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let first_resident = resident(&db).await;
    let second = NewResidentAccount {
        phone_sealed: vec![4, 5, 6],
        phone_index: "idx2".into(),
        phone_masked: "139****0002".into(),
        display_name: String::new(),
        region_code: None,
    };
    let second_resident = db.store.create_resident_account(&system(), &second).await.unwrap().id;
    let mut a = report("E0103", "310106013001");
    a.reporter_resident = Some(first_resident);
    let (master, _) = db.store.create_case(&system(), &a, &cal).await.unwrap();
    let mut b = report("E0103", "310106013001");
    b.reporter_resident = Some(second_resident);
    b.reporter_sealed = Some(vec![7]);
    b.duplicate_of = Some(master.id);
    let (dup, _) = db.store.create_case(&system(), &b, &cal).await.unwrap();

    // refusals: into itself, into a missing case, a registered case
    let e = db.store.merge_case(&system(), dup.id, dup.id, "").await.unwrap_err();
    assert!(matches!(e, tongxin_store::StoreError::Conflict { field: "into", .. }), "{e:?}");
    let e = db.store.merge_case(&system(), dup.id, 999_999, "").await.unwrap_err();
    assert!(matches!(e, tongxin_store::StoreError::NotFound { .. }), "{e:?}");

    let (merged, joined) = db.store.merge_case(&system(), dup.id, master.id, "同一处堆物").await.unwrap();
    assert_eq!((merged.state.status.as_str(), merged.merged_into), ("rejected", Some(master.id)));
    assert_eq!(merged.step_due_at, None);
    assert_eq!(db.store.merged_cases(master.id).await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), [dup.id]);
    let events = db.store.case_events(joined.id).await.unwrap();
    assert_eq!(events.last().unwrap().action, "merged");
    assert_eq!(events.last().unwrap().data["from"], dup.id);
    let merge_notices: Vec<(String, Recipient)> =
        db.store.case_notifications(dup.id).await.unwrap().into_iter().skip(2).map(|n| (n.kind, n.recipient)).collect();
    assert_eq!(
        merge_notices,
        [
            ("merged".to_owned(), Recipient::Resident(second_resident)),
            ("merged".to_owned(), Recipient::Contact(dup.id))
        ]
    );
    let again = db.store.merge_case(&system(), dup.id, master.id, "").await.unwrap_err();
    assert!(matches!(again, tongxin_store::StoreError::Conflict { field: "status", .. }), "{again:?}");

    // from now on the master's news reaches the merged reporters too
    db.store.apply_action(&system(), master.id, Action::Register, &step(None), &cal).await.unwrap();
    let registered: Vec<Recipient> = db
        .store
        .case_notifications(master.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == "registered")
        .map(|n| n.recipient)
        .collect();
    assert_eq!(
        registered,
        [Recipient::Resident(first_resident), Recipient::Resident(second_resident), Recipient::Contact(dup.id)]
    );
    // and a merged case's own duplicate cannot be a target
    let (third, _) = db.store.create_case(&system(), &report("E0103", "310106013001"), &cal).await.unwrap();
    let e = db.store.merge_case(&system(), third.id, dup.id, "").await.unwrap_err();
    assert!(matches!(e, tongxin_store::StoreError::Conflict { field: "into", .. }), "{e:?}");
}

backend_tests!(
    each_step_tells_its_audience,
    delivery_is_claimed_retried_and_given_up,
    two_workers_never_claim_the_same_notice,
    merged_reporters_follow_the_case_they_joined
);
