//! Cases in the store: catalog, intake, the lifecycle, dispatch rules, deadlines, lists and
//! the overdue sweep, on both backends.

use std::collections::BTreeSet;

use tongxin_core::cases::calendar::TimeLimit;
use tongxin_core::cases::catalog::{Catalog, CategoryCode};
use tongxin_core::cases::lifecycle::{Action, Status};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::LatLng;
use tongxin_core::time::Timestamp;
use tongxin_store::cases::{ActionInput, CaseFilter, CaseOrder, CaseScope, NewPhoto};
use tongxin_store::testing::TestDb;

mod common;
use common::{calendar, code, report, setup, system};
use tongxin_store::{StoreError, backend_tests};

fn input() -> ActionInput {
    ActionInput::default()
}

async fn the_catalog_imports_and_reads_back(db: TestDb) {
    setup(&db).await;
    let categories = db.store.categories().await.unwrap();
    assert_eq!(categories.len(), Catalog::default_catalog().categories.len());
    let flying = db.store.category(&CategoryCode::parse("E0503").unwrap()).await.unwrap().unwrap();
    assert_eq!(flying.name, "电动车飞线充电");
    assert_eq!(flying.limits.handle, TimeLimit::NaturalHours(24));
    assert_eq!(flying.attributes.len(), 2);
    assert_eq!(db.store.category_classes().await.unwrap().len(), 12);
    assert_eq!(db.store.departments().await.unwrap().len(), 9);
    // importing again changes nothing
    db.store.import_catalog(&system(), &Catalog::default_catalog()).await.unwrap();
    assert_eq!(db.store.categories().await.unwrap(), categories);
    let mut edited = flying.clone();
    edited.department = Some("nowhere".into());
    let err = db.store.save_category(&system(), &edited).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { field: "department", .. }), "{err:?}");
}

async fn a_case_goes_round_the_whole_loop(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let (case, created) = db.store.create_case(&system(), &report("E0103", "310106013001"), &cal).await.unwrap();
    assert!(created);
    assert_eq!(case.state.status, Status::Reported);
    assert!(case.number.ends_with(&format!("-{:05}", case.id)));
    assert!(case.step_due_at.unwrap() > case.created_at, "the registering deadline runs");
    let mut id_input = input();
    for (action, status) in [(Action::Verify, Status::Verified), (Action::Register, Status::Registered)] {
        let t = db.store.apply_action(&system(), case.id, action, &id_input, &cal).await.unwrap();
        assert_eq!(t.case.state.status, status);
        assert_eq!(t.auto_dispatched, None, "no dispatch rules yet");
    }
    id_input.department = Some("jwh".into());
    let dispatched = db.store.apply_action(&system(), case.id, Action::Dispatch, &id_input, &cal).await.unwrap().case;
    assert_eq!((dispatched.state.status, dispatched.department.as_deref()), (Status::Dispatched, Some("jwh")));
    assert_eq!(dispatched.step_limit, Some(TimeLimit::WorkingHours(24)), "the handling limit of 楼道堆物");
    for action in [Action::Accept, Action::Feedback, Action::Rework, Action::Feedback, Action::Pass, Action::Close] {
        db.store.apply_action(&system(), case.id, action, &input(), &cal).await.unwrap();
    }
    let refused = db.store.apply_action(&system(), case.id, Action::Evaluate, &input(), &cal).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict { field: "rating", .. }));
    let evaluated = db
        .store
        .apply_action(&system(), case.id, Action::Evaluate, &ActionInput { rating: Some(5), ..input() }, &cal)
        .await
        .unwrap()
        .case;
    assert_eq!((evaluated.state.status, evaluated.rating, evaluated.rework_count), (Status::Closed, Some(5), 1));
    assert!(evaluated.closed_at.is_some() && evaluated.step_due_at.is_none());
    let timeline: Vec<String> = db.store.case_events(case.id).await.unwrap().iter().map(|e| e.action.clone()).collect();
    assert_eq!(
        timeline,
        [
            "report", "verify", "register", "dispatch", "accept", "feedback", "rework", "feedback", "pass", "close",
            "evaluate"
        ]
    );
    let e = db
        .store
        .apply_action(&system(), case.id, Action::Evaluate, &ActionInput { rating: Some(1), ..input() }, &cal)
        .await
        .unwrap_err();
    let StoreError::Refused(refused) = e else { panic!("{e:?}") };
    assert!(refused.allowed.is_empty());
}

async fn refusals_name_the_field_and_change_nothing(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let (case, _) = db.store.create_case(&system(), &report("E0103", "310106013001"), &cal).await.unwrap();
    let e = db.store.apply_action(&system(), case.id, Action::Dispatch, &input(), &cal).await.unwrap_err();
    let StoreError::Refused(r) = e else { panic!("{e:?}") };
    assert_eq!(r.allowed, [Action::Verify, Action::Register, Action::Reject]);
    let e = db.store.apply_action(&system(), case.id, Action::Reject, &input(), &cal).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { field: "reason", .. }));
    db.store.apply_action(&system(), case.id, Action::Register, &input(), &cal).await.unwrap();
    let e = db
        .store
        .apply_action(
            &system(),
            case.id,
            Action::Dispatch,
            &ActionInput { department: Some("xx".into()), ..input() },
            &cal,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { field: "department", .. }));
    assert_eq!(db.store.case(case.id).await.unwrap().unwrap().state.status, Status::Registered);
    assert_eq!(db.store.case_events(case.id).await.unwrap().len(), 2);
    let unknown = db.store.create_case(&system(), &report("E0999", "310106013001"), &cal).await.unwrap_err();
    assert!(matches!(unknown, StoreError::Conflict { field: "category", .. }));
}

async fn one_matching_rule_dispatches_at_registration(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let noise = CategoryCode::parse("E0502").unwrap();
    db.store.add_dispatch_rule(&system(), &noise, &code("310106013001"), "cgzd").await.unwrap();
    let (a, _) = db.store.create_case(&system(), &report("E0502", "310106013001"), &cal).await.unwrap();
    let t = db.store.apply_action(&system(), a.id, Action::Register, &input(), &cal).await.unwrap();
    assert_eq!((t.case.state.status, t.auto_dispatched.as_deref()), (Status::Dispatched, Some("cgzd")));
    // a case in the other community matches no rule and waits for the dispatcher
    let (b, _) = db.store.create_case(&system(), &report("E0502", "310106013002"), &cal).await.unwrap();
    assert_eq!(
        db.store.apply_action(&system(), b.id, Action::Register, &input(), &cal).await.unwrap().case.state.status,
        Status::Registered
    );
    // two rules for the same place: the dispatcher chooses
    db.store.add_dispatch_rule(&system(), &noise.class(), &code("310106013"), "pcs").await.unwrap();
    let (c, _) = db.store.create_case(&system(), &report("E0502", "310106013001"), &cal).await.unwrap();
    assert_eq!(
        db.store.apply_action(&system(), c.id, Action::Register, &input(), &cal).await.unwrap().auto_dispatched,
        None
    );
    let dup = db.store.add_dispatch_rule(&system(), &noise, &code("310106013001"), "cgzd").await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict { field: "rule", .. }));

    // The queue suggests departments: the matching rules, the category's own, and who
    // handled such cases in the community before.
    let dispatch_to = |department: &str| ActionInput { department: Some(department.into()), ..input() };
    db.store.apply_action(&system(), b.id, Action::Dispatch, &dispatch_to("lhsr"), &cal).await.unwrap();
    let year_ago = Timestamp::from_millis(Timestamp::now().millis() - 365 * 86_400_000);
    let suggested = |region: &'static str| {
        let store = db.store.clone();
        let noise = noise.clone();
        async move {
            store
                .suggested_departments(&noise, &code(region), year_ago)
                .await
                .unwrap()
                .into_iter()
                .map(|s| (s.department, s.reason.as_str(), s.cases))
                .collect::<Vec<_>>()
        }
    };
    let own = |d: &str, reason: &'static str, n: i64| (d.to_owned(), reason, n);
    assert_eq!(suggested("310106013001").await, [own("cgzd", "rule", 1), own("pcs", "rule", 0)]);
    assert_eq!(
        suggested("310106013002001").await,
        [own("pcs", "rule", 0), own("cgzd", "category", 0), own("lhsr", "history", 1)]
    );
}

async fn an_external_order_number_is_taken_once(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let mut order = report("E0101", "310106013001");
    order.source = Source::Hotline;
    order.external_ref = Some("12345-20261127-0001".into());
    let (first, created) = db.store.create_case(&system(), &order, &cal).await.unwrap();
    assert!(created);
    let (again, created) = db.store.create_case(&system(), &order, &cal).await.unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);
    assert_eq!(
        db.store
            .cases(&CaseScope { all: true, ..Default::default() }, &CaseFilter { limit: 10, ..Default::default() })
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn extensions_move_the_deadline(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let (case, _) = db.store.create_case(&system(), &report("E0103", "310106013001"), &cal).await.unwrap();
    db.store.apply_action(&system(), case.id, Action::Register, &input(), &cal).await.unwrap();
    db.store
        .apply_action(
            &system(),
            case.id,
            Action::Dispatch,
            &ActionInput { department: Some("jwh".into()), ..input() },
            &cal,
        )
        .await
        .unwrap();
    let handling = db.store.apply_action(&system(), case.id, Action::Accept, &input(), &cal).await.unwrap().case;
    let due = handling.step_due_at.unwrap();
    let more = ActionInput { extension: Some(TimeLimit::WorkingHours(8)), ..input() };
    db.store.apply_action(&system(), case.id, Action::RequestExtension, &more, &cal).await.unwrap();
    let extended =
        db.store.apply_action(&system(), case.id, Action::ApproveExtension, &input(), &cal).await.unwrap().case;
    let expected = cal.add_working_minutes(due.to_utc(), 8 * 60);
    assert_eq!(extended.step_due_at.unwrap().millis(), expected.timestamp_millis());
    // a deferral stops the clock; resuming starts the handling limit again
    db.store.apply_action(&system(), case.id, Action::RequestDeferral, &input(), &cal).await.unwrap();
    let deferred =
        db.store.apply_action(&system(), case.id, Action::ApproveDeferral, &input(), &cal).await.unwrap().case;
    assert_eq!((deferred.state.status, deferred.step_due_at), (Status::Deferred, None));
    let resumed = db.store.apply_action(&system(), case.id, Action::Resume, &input(), &cal).await.unwrap().case;
    assert_eq!(resumed.step_limit, Some(TimeLimit::WorkingHours(24)));
}

async fn lists_filter_and_stay_in_scope(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    for (category, region) in [("E0103", "310106013001"), ("E0502", "310106013001"), ("E0103", "310106013002")] {
        db.store.create_case(&system(), &report(category, region), &cal).await.unwrap();
    }
    let all = CaseScope { all: true, ..Default::default() };
    let list = |scope: CaseScope, filter: CaseFilter| {
        let store = db.store.clone();
        let limit = if filter.limit == 0 { 50 } else { filter.limit };
        async move {
            store.cases(&scope, &CaseFilter { limit, ..filter }).await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(all.clone(), CaseFilter::default()).await, [3, 2, 1]);
    assert_eq!(
        list(all.clone(), CaseFilter { category: Some(CategoryCode::parse("E0103").unwrap()), ..Default::default() })
            .await,
        [3, 1]
    );
    assert_eq!(
        list(all.clone(), CaseFilter { category: Some(CategoryCode::parse("E05").unwrap()), ..Default::default() })
            .await,
        [2]
    );
    assert_eq!(list(all.clone(), CaseFilter { within: Some(code("310106013002")), ..Default::default() }).await, [3]);
    assert_eq!(list(all.clone(), CaseFilter { before: Some(3), limit: 1, ..Default::default() }).await, [2], "cursor");
    assert_eq!(list(all.clone(), CaseFilter { text: Some("纸箱".into()), ..Default::default() }).await.len(), 3);
    assert_eq!(list(all.clone(), CaseFilter { text: Some("100%".into()), ..Default::default() }).await.len(), 0);
    assert_eq!(list(all.clone(), CaseFilter { statuses: vec![Status::Closed], ..Default::default() }).await.len(), 0);
    let jinghua = CaseScope { regions: vec![code("310106013001")], ..Default::default() };
    assert_eq!(list(jinghua, CaseFilter::default()).await, [2, 1]);
    assert_eq!(list(CaseScope::default(), CaseFilter::default()).await.len(), 0, "an empty scope sees nothing");
}

/// A board column's order: the overdue first (the longest overdue at the top), then the
/// others by deadline, the soonest first, then those with no running deadline.
async fn a_column_lists_the_overdue_then_by_deadline(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    for _ in 0..6 {
        db.store.create_case(&system(), &report("E0103", "310106013001"), &cal).await.unwrap();
    }
    let now = Timestamp::now().millis();
    let hour = 3_600_000;
    // (id, deadline): 2 and 5 overdue, 5 the longer; 1, 3 and 6 ahead; 4 with none running
    let deadlines: [(i64, Option<i64>); 6] = [
        (1, Some(now + 9 * hour)),
        (2, Some(now - hour)),
        (3, Some(now + 2 * hour)),
        (4, None),
        (5, Some(now - 5 * hour)),
        (6, Some(now + 2 * hour)),
    ];
    for (id, due) in deadlines {
        let due = due.map_or("NULL".to_owned(), |d| d.to_string());
        db.store.execute_raw(&format!("UPDATE cases SET step_due_at = {due} WHERE id = {id}")).await.unwrap();
    }
    let filter = CaseFilter { order: CaseOrder::OverdueFirst, limit: 10, ..Default::default() };
    let all = CaseScope { all: true, ..Default::default() };
    let ids: Vec<i64> = db.store.cases(&all, &filter).await.unwrap().iter().map(|c| c.id).collect();
    // 3 and 6 share a deadline: the newer first
    assert_eq!(ids, [5, 2, 6, 3, 1, 4]);
    let second = CaseFilter { offset: 2, limit: 2, ..filter };
    let ids: Vec<i64> = db.store.cases(&all, &second).await.unwrap().iter().map(|c| c.id).collect();
    assert_eq!(ids, [6, 3], "pages keep the order");
}

/// Two servers sweep at once: every overdue case is marked by exactly one of them.
async fn the_overdue_sweep_marks_each_case_once(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    for _ in 0..30 {
        db.store.create_case(&system(), &report("E0103", "310106013001"), &cal).await.unwrap();
    }
    db.store.execute_raw("UPDATE cases SET step_due_at = 1000").await.unwrap();
    let (a, b) = tokio::join!(db.store.sweep_overdue(Timestamp::now()), db.store.sweep_overdue(Timestamp::now()));
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids: Vec<i64> = a.iter().chain(&b).map(|c| c.id).collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 30, "{} + {}", a.len(), b.len());
    assert_eq!(unique.len(), 30, "no case marked twice");
    assert!(db.store.sweep_overdue(Timestamp::now()).await.unwrap().is_empty(), "marked once, not every tick");
    let overdue = db
        .store
        .cases(
            &CaseScope { all: true, ..Default::default() },
            &CaseFilter { overdue: true, limit: 100, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(overdue.len(), 30);
    assert_eq!(db.store.case_events(1).await.unwrap().last().unwrap().action, "overdue");
}

/// A case without a point, then one with: the same prepared statement takes a NULL and then
/// a real coordinate (sqlx's Any driver mistypes NULL floats on PostgreSQL).
async fn cases_with_and_without_a_point(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    for _ in 0..3 {
        let mut address_only = report("E0101", "310106013");
        address_only.location = None;
        let (a, _) = db.store.create_case(&system(), &address_only, &cal).await.unwrap();
        assert_eq!(a.location, None);
        let (b, _) = db.store.create_case(&system(), &report("E0101", "310106013001"), &cal).await.unwrap();
        assert_eq!(b.location, Some(LatLng::new(31.005, 121.005).unwrap()));
    }
}

fn photo(key: &str) -> NewPhoto {
    NewPhoto {
        key: format!("cases/{key}.jpg"),
        thumb_key: format!("cases/{key}-thumb.jpg"),
        content_type: "image/jpeg".into(),
        width: 640,
        height: 480,
        bytes: 51_200,
    }
}

async fn photos_belong_to_their_step(db: TestDb) {
    setup(&db).await;
    let cal = calendar();
    let mut new = report("E0103", "310106013001");
    new.photos = vec![photo("a"), photo("b")];
    let (case, _) = db.store.create_case(&system(), &new, &cal).await.unwrap();
    let with_verify = ActionInput { photos: vec![photo("c")], note: "现场照片".into(), ..input() };
    db.store.apply_action(&system(), case.id, Action::Verify, &with_verify, &cal).await.unwrap();
    let added = db.store.add_photos(&system(), case.id, "补充照片", &[photo("d")]).await.unwrap();
    assert_eq!(added.len(), 1);
    let events = db.store.case_events(case.id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["report", "verify", "add_photos"]);
    assert_eq!(events[2].to_status, "verified", "adding photos keeps the status");
    let photos = db.store.case_photos(case.id).await.unwrap();
    let by_event: Vec<(Option<i64>, &str)> = photos.iter().map(|p| (p.event_id, p.key.as_str())).collect();
    assert_eq!(
        by_event,
        [
            (Some(events[0].id), "cases/a.jpg"),
            (Some(events[0].id), "cases/b.jpg"),
            (Some(events[1].id), "cases/c.jpg"),
            (Some(events[2].id), "cases/d.jpg")
        ]
    );
    assert_eq!(db.store.case_photo(case.id, photos[1].id).await.unwrap().unwrap(), photos[1]);
    assert_eq!(db.store.case_photo(case.id + 1, photos[1].id).await.unwrap(), None, "a photo is read through its case");

    // a step whose photo cannot be recorded is not taken at all
    let clash = ActionInput { photos: vec![photo("e"), photo("a")], ..input() };
    db.store.apply_action(&system(), case.id, Action::Register, &clash, &cal).await.unwrap_err();
    assert_eq!(db.store.case(case.id).await.unwrap().unwrap().state.status, Status::Verified);
    assert_eq!(db.store.case_events(case.id).await.unwrap().len(), 3);
    assert_eq!(db.store.case_photos(case.id).await.unwrap().len(), 4);
    let missing = db.store.add_photos(&system(), case.id + 100, "", &[photo("f")]).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { entity: "case", .. }), "{missing:?}");
}

/// A later year's notice is added whole, shows in the calendar, and an added day can be
/// taken back.
async fn a_later_year_is_added_to_the_calendar(db: TestDb) {
    setup(&db).await;
    let notice = tongxin_core::cases::calendar::parse_notice("2027-01-01 休 元旦\n2027-02-07 班 春节\n").unwrap();
    db.store.set_calendar_days(&system(), &notice).await.unwrap();
    let hours = tongxin_core::cases::calendar::WorkingHours::default();
    let cal = db.store.calendar(hours.clone()).await.unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    assert!(!cal.is_working_day(day(1, 1)));
    assert!(cal.is_working_day(day(2, 7)), "a Sunday worked");
    assert_eq!(db.store.calendar_overrides().await.unwrap(), notice);
    db.store.remove_calendar_day(&system(), day(2, 7)).await.unwrap();
    assert!(!db.store.calendar(hours).await.unwrap().is_working_day(day(2, 7)));
    let again = db.store.remove_calendar_day(&system(), day(2, 7)).await.unwrap_err();
    assert!(matches!(again, StoreError::NotFound { .. }), "{again:?}");
}

backend_tests!(
    a_later_year_is_added_to_the_calendar,
    photos_belong_to_their_step,
    cases_with_and_without_a_point,
    the_catalog_imports_and_reads_back,
    a_case_goes_round_the_whole_loop,
    refusals_name_the_field_and_change_nothing,
    one_matching_rule_dispatches_at_registration,
    an_external_order_number_is_taken_once,
    extensions_move_the_deadline,
    lists_filter_and_stay_in_scope,
    a_column_lists_the_overdue_then_by_deadline,
    the_overdue_sweep_marks_each_case_once,
);
