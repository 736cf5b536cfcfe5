//! Booking over HTTP on both backends, against the hand-made door of
//! `tongxin_store::testing::booking`: the slots contract, the booking POST with its
//! idempotency key and every refusal in the error shape, cancelling, slot changes — and
//! 200 concurrent requests for the last seat, of which exactly one wins.

mod common;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_core::booking::Channel;
use tongxin_core::geo::RegionCode;
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::booking::book::BookingRequest;
use tongxin_store::booking::slots::SlotFilter;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::{BookingFixture, seed};

const GRID: &str = "310106013001001";

async fn door(app: &TestApp, elders: usize) -> BookingFixture {
    seed(&app.db.store, &RegionCode::parse(GRID).unwrap(), elders).await
}

/// The first slot of `service`, as the slots endpoint lists it on the fixture's first day.
async fn first_slot(client: &common::client::Client<'_>, f: &BookingFixture, service: &str) -> Value {
    let (status, body) = client.json(&format!("/api/v1/booking/slots?service={service}&date={}", f.first_day)).await;
    assert_eq!(status, 200, "{body}");
    body["items"][0].clone()
}

async fn booking_through_the_api(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = door(&app, 4).await;
    let mut operator = app.login("operator").await;

    // The catalogue and the slots contract.
    let (_, catalog) = operator.json("/api/v1/booking/catalog").await;
    assert_eq!(catalog["categories"][0]["code"], "TEST", "{catalog}");
    assert_eq!(catalog["categories"][0]["services"].as_array().unwrap().len(), 6);
    let slot = first_slot(&operator, &f, "T-OPEN").await;
    assert_eq!((slot["capacity"].as_i64(), slot["booked"].as_i64()), (Some(3), Some(0)), "{slot}");
    assert!(slot["starts_at"].as_str().unwrap().ends_with("T09:00:00+08:00"), "{slot}");
    assert_error(
        &operator.json("/api/v1/booking/slots?service=T-OPEN&date=12/01").await,
        400,
        "invalid_parameter",
        Some("date"),
    );
    assert_error(
        &operator.json("/api/v1/booking/slots?date=2026-12-01").await,
        400,
        "invalid_parameter",
        Some("service"),
    );
    assert_error(
        &operator.json(&format!("/api/v1/booking/slots?service=NOPE&date={}", f.first_day)).await,
        404,
        "not_found",
        None,
    );

    // A booking, retried with the same key: booked once.
    let body = json!({ "slot_id": slot["id"], "resident_id": f.elders[0] });
    let post = |key: &str| {
        app.http
            .post(app.url("/api/v1/booking/bookings"))
            .header("cookie", format!("tongxin_session={}", operator.cookie.clone().unwrap()))
            .header("x-csrf-token", operator.csrf.clone().unwrap())
            .header("idempotency-key", key.to_owned())
            .json(&body)
            .send()
    };
    let first = post("0f9c1c9e-retry-test").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!((first["status"].as_str(), first["channel"].as_str()), (Some("confirmed"), Some("operator")), "{first}");
    assert_eq!(first["booked_by"], "坐席 李娜");
    let again = post("0f9c1c9e-retry-test").await.unwrap();
    assert_eq!((again.status().as_u16(), again.headers()["idempotent-replayed"].to_str().unwrap()), (201, "true"));
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let bad = post("no spaces!").await.unwrap();
    assert_eq!(bad.status(), 400);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["details"]["field"], "Idempotency-Key", "{bad}");
    let (_, now) = operator.json(&format!("/api/v1/booking/slots?service=T-OPEN&date={}", f.first_day)).await;
    assert_eq!(now["items"][0]["booked"], 1, "booked once: {now}");

    // Refusals, in the error shape, nothing changed.
    let book = |slot: &Value, resident: i64| json!({ "slot_id": slot["id"], "resident_id": resident });
    let t80 = first_slot(&operator, &f, "T-80").await;
    let (status, refused) = operator.post_json("/api/v1/booking/bookings", book(&t80, f.young)).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["details"]["rule"], "min_age");
    assert!(refused["error"]["message"].as_str().unwrap().contains("80 周岁以上"), "{refused}");
    assert!(refused["error"]["details"]["reason_en"].as_str().unwrap().contains("aged 80 and over"), "{refused}");
    let (status, refused) = operator.post_json("/api/v1/booking/bookings", book(&slot, f.elders[0])).await;
    assert_eq!((status, refused["error"]["details"]["field"].as_str()), (409, Some("resident_id")), "{refused}");
    assert_error(&operator.post_json("/api/v1/booking/bookings", book(&slot, 999_999)).await, 404, "not_found", None);
    assert_error(
        &operator
            .post_json("/api/v1/booking/bookings", json!({ "slot_id": 999_999, "resident_id": f.elders[0] }))
            .await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &operator.post_json("/api/v1/booking/bookings", json!({ "slot": 1 })).await,
        400,
        "invalid_parameter",
        Some("body"),
    );
    // A slot that has started.
    let caller = Caller::system("test");
    let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now());
    app.db.store.lay_out_slots(&caller, today - chrono::Days::new(1), today - chrono::Days::new(1)).await.unwrap();
    let past = app
        .db
        .store
        .slots(&SlotFilter { service: Some("T-OPEN".into()), limit: 1, ..Default::default() })
        .await
        .unwrap();
    let (status, refused) = operator
        .post_json("/api/v1/booking/bookings", json!({ "slot_id": past[0].id, "resident_id": f.elders[1] }))
        .await;
    assert_eq!((status, refused["error"]["details"]["rule"].as_str()), (422, Some("past")), "{refused}");

    // Full, then the waitlist; a cancellation promotes it.
    for r in &f.elders[1..3] {
        let (status, _) = operator.post_json("/api/v1/booking/bookings", book(&slot, *r)).await;
        assert_eq!(status, 201);
    }
    let (status, full) = operator.post_json("/api/v1/booking/bookings", book(&slot, f.elders[3])).await;
    assert_eq!((status, full["error"]["details"]["field"].as_str()), (409, Some("slot_id")), "{full}");
    assert!(full["error"]["message"].as_str().unwrap().contains("名额已满"), "{full}");
    let (status, waiting) = operator
        .post_json(
            "/api/v1/booking/bookings",
            json!({ "slot_id": slot["id"], "resident_id": f.elders[3], "waitlist": true }),
        )
        .await;
    assert_eq!((status, waiting["status"].as_str()), (201, Some("waitlisted")), "{waiting}");
    let (status, cancelled) =
        operator.post_json(&format!("/api/v1/booking/bookings/{}/cancel", first["id"]), json!({})).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["booking"]["status"], "cancelled");
    assert_eq!(cancelled["promoted"][0]["id"], waiting["id"]);
    let (status, again) =
        operator.post_json(&format!("/api/v1/booking/bookings/{}/cancel", first["id"]), json!({})).await;
    assert_eq!((status, again["error"]["details"]["rule"].as_str()), (422, Some("status")), "{again}");
    let (_, mine) = operator.json(&format!("/api/v1/booking/bookings?resident_id={}", f.elders[3])).await;
    assert_eq!(mine[0]["status"], "confirmed", "{mine}");

    // Slot administration: not below the seats booked; not for an operator.
    let path = format!("/api/v1/booking/slots/{}", slot["id"]);
    assert_error(&operator.patch_json(&path, json!({ "capacity": 9 })).await, 403, "forbidden", None);
    let mut admin = app.login("admin").await;
    let (status, below) = admin.patch_json(&path, json!({ "capacity": 1 })).await;
    assert_eq!(status, 409, "{below}");
    assert!(below["error"]["message"].as_str().unwrap().contains("已有 3 人预约"), "{below}");
    let (status, raised) = admin.patch_json(&path, json!({ "capacity": 5, "blocked": true })).await;
    assert_eq!((status, raised["free"].as_i64(), raised["capacity"].as_i64()), (200, Some(0), Some(5)), "{raised}");
    // Staff without booking.book cannot book.
    let mut worker = app.login("gridworker1").await;
    assert_error(&worker.post_json("/api/v1/booking/bookings", book(&slot, f.elders[0])).await, 403, "forbidden", None);
    app.stop().await;
}

/// 200 concurrent requests for the last seat: exactly one books it, the rest get 409.
async fn the_last_seat_goes_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = door(&app, 202).await;
    let slots = app
        .db
        .store
        .slots(&SlotFilter {
            service: Some("T-OPEN".into()),
            from: Some(tongxin_core::time::Timestamp::now()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let slot = &slots[0];
    let caller = Caller::system("test");
    for r in &f.elders[..2] {
        let request = BookingRequest {
            slot_id: slot.id,
            resident_id: *r,
            channel: Channel::Staff,
            idempotency_key: None,
            waitlist: false,
        };
        app.db.store.book(&caller, &request).await.unwrap();
    }
    let operator = app.login("operator").await;
    let (cookie, csrf) = (operator.cookie.clone().unwrap(), operator.csrf.clone().unwrap());
    let mut requests = tokio::task::JoinSet::new();
    for (n, r) in f.elders[2..].iter().enumerate() {
        let request = app
            .http
            .post(app.url("/api/v1/booking/bookings"))
            .header("cookie", format!("tongxin_session={cookie}"))
            .header("x-csrf-token", csrf.clone())
            .header("idempotency-key", format!("last-seat-{n:04}"))
            .json(&json!({ "slot_id": slot.id, "resident_id": r }));
        requests.spawn(async move {
            let response = request.send().await.expect("a response");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = requests.join_all().await;
    assert_eq!(answers.len(), 200);
    let won: Vec<&(u16, Value)> = answers.iter().filter(|(s, _)| *s == 201).collect();
    assert_eq!(won.len(), 1, "exactly one success: {:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["details"]["field"], "slot_id", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("名额已满"), "{body}");
    }
    let now = app.db.store.slot(slot.id).await.unwrap().unwrap();
    assert_eq!((now.booked, now.capacity), (3, 3));
    let live = app.db.store.bookings_on(slot.id).await.unwrap();
    assert_eq!(live.len(), 3, "no booking row beyond the seats");
    app.stop().await;
}

/// A phone on a flaky network sends one booking 30 times at once with the same key: every
/// copy gets the same booking, the first as made and the rest as replays, even where the
/// service allows one a day (the copies must find the key before they count the day).
/// Five rounds, each with its own resident and key.
async fn copies_of_one_request_at_once_get_one_booking(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = door(&app, 5).await;
    let operator = app.login("operator").await;
    let slot = first_slot(&operator, &f, "T-MEAL").await;
    let (cookie, csrf) = (operator.cookie.clone().unwrap(), operator.csrf.clone().unwrap());
    for (round, elder) in f.elders.iter().enumerate() {
        let mut copies = tokio::task::JoinSet::new();
        for _ in 0..30 {
            let request = app
                .http
                .post(app.url("/api/v1/booking/bookings"))
                .header("cookie", format!("tongxin_session={cookie}"))
                .header("x-csrf-token", csrf.clone())
                .header("idempotency-key", format!("flaky-phone-{round:04}"))
                .json(&json!({ "slot_id": slot["id"], "resident_id": elder }));
            copies.spawn(async move {
                let response = request.send().await.expect("a response");
                let status = response.status().as_u16();
                let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
                (status, replayed, response.json::<Value>().await.unwrap_or(Value::Null))
            });
        }
        let answers = copies.join_all().await;
        for (status, _, body) in &answers {
            assert_eq!(*status, 201, "round {round}: every copy gets the booking: {body}");
        }
        let first_id = &answers[0].2["id"];
        assert!(answers.iter().all(|(_, _, b)| &b["id"] == first_id), "round {round}: one booking for all");
        assert_eq!(answers.iter().filter(|(_, replayed, _)| !replayed).count(), 1, "round {round}: made once");
    }
    let now = app.db.store.slot(slot["id"].as_i64().unwrap()).await.unwrap().unwrap();
    assert_eq!(now.booked, 5, "one seat per round");
    app.stop().await;
}

/// Administrators run the catalogue; a booking moves; a resident reaches only their own.
async fn the_catalogue_is_run_and_bookings_move(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = door(&app, 3).await;
    let mut admin = app.login("admin").await;
    let service = json!({ "category": "TEST", "name": "助浴点助浴", "minutes": 60, "sites": ["test-site"],
        "min_age": 70, "per_month": 4, "price_fen": 5000, "subsidy_fen": 3000, "cancel_cutoff_minutes": 1440,
        "timetable": [{ "weekday": 1, "start": "13:30", "capacity": 2 }] });
    let (status, saved) = admin.put_json("/api/v1/booking/services/T-BATH", service.clone()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!((saved["rules"]["per_month"].as_u64(), saved["price"].as_str()), (Some(4), Some("50.00")));
    let mut bad = service.clone();
    bad["min_age"] = json!(65);
    bad["sites"] = json!(["nowhere"]);
    bad["timetable"] = json!([{ "weekday": 8, "start": "25:00", "capacity": 0 }]);
    let (status, refused) = admin.put_json("/api/v1/booking/services/T-BATH", bad).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["details"]["problems"].as_array().unwrap().len(), 3, "{refused}");
    let mut operator = app.login("operator").await;
    assert_error(&operator.put_json("/api/v1/booking/services/T-BATH", service).await, 403, "forbidden", None);
    let (status, _) =
        admin.put_json("/api/v1/booking/sites/test-site/hours", json!({ "hours": ["08:00-17:00"] })).await;
    assert_eq!(status, 400);

    // A closure refuses that day's slots at once.
    let second = (f.first_day + chrono::Days::new(1)).to_string();
    let (status, _) = admin
        .post_json("/api/v1/booking/sites/test-site/closures", json!({ "day": second, "reason": "消防检查" }))
        .await;
    assert_eq!(status, 204);
    let (_, slots) = operator.json(&format!("/api/v1/booking/slots?service=T-OPEN&date={second}")).await;
    let closed = &slots["items"][0];
    let (status, refused) = operator
        .post_json("/api/v1/booking/bookings", json!({ "slot_id": closed["id"], "resident_id": f.elders[0] }))
        .await;
    assert_eq!((status, refused["error"]["details"]["rule"].as_str()), (422, Some("site_closed")), "{refused}");

    // Moving a booking: the old seat frees, the new one is taken.
    let (_, day1) = operator.json(&format!("/api/v1/booking/slots?service=T-OPEN&date={}", f.first_day)).await;
    let third = (f.first_day + chrono::Days::new(2)).to_string();
    let (_, day3) = operator.json(&format!("/api/v1/booking/slots?service=T-OPEN&date={third}")).await;
    let (_, booked) = operator
        .post_json("/api/v1/booking/bookings", json!({ "slot_id": day1["items"][0]["id"], "resident_id": f.elders[0] }))
        .await;
    let path = format!("/api/v1/booking/bookings/{}/reschedule", booked["id"]);
    let (status, moved) = operator.post_json(&path, json!({ "slot_id": day3["items"][0]["id"] })).await;
    assert_eq!(status, 201, "{moved}");
    assert_eq!(moved["starts_at"], day3["items"][0]["starts_at"]);
    let (_, old) = operator.json(&format!("/api/v1/booking/bookings/{}", booked["id"])).await;
    assert_eq!(old["status"], "cancelled");
    let (status, refused) = operator
        .post_json(&format!("/api/v1/booking/bookings/{}/reschedule", moved["id"]), json!({ "slot_id": closed["id"] }))
        .await;
    assert_eq!(status, 422, "{refused}");
    let (_, still) = operator.json(&format!("/api/v1/booking/bookings/{}", moved["id"])).await;
    assert_eq!(still["status"], "confirmed", "a refused move changes nothing");
    // A move keeps the service: lunch is not a move of this booking.
    let (_, meals) = operator.json(&format!("/api/v1/booking/slots?service=T-MEAL&date={third}")).await;
    let (status, refused) = operator
        .post_json(
            &format!("/api/v1/booking/bookings/{}/reschedule", moved["id"]),
            json!({ "slot_id": meals["items"][0]["id"] }),
        )
        .await;
    assert_eq!((status, refused["error"]["details"]["rule"].as_str()), (422, Some("other_service")), "{refused}");
    let (_, still) = operator.json(&format!("/api/v1/booking/bookings/{}", moved["id"])).await;
    assert_eq!(still["status"], "confirmed", "the booking stands");

    // A resident reaches only the people they may book for.
    let mut resident = app.resident_login("13700009999").await;
    assert_error(
        &resident.post_json(&format!("/api/v1/booking/bookings/{}/cancel", moved["id"]), json!({})).await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &resident.json(&format!("/api/v1/booking/bookings?resident_id={}", f.elders[0])).await,
        404,
        "not_found",
        None,
    );
    let index = app.app.pii.blind_index("phone", "13700009999");
    app.db.store.link_family(&Caller::system("test"), f.elders[0], &index, "137****9999").await.unwrap();
    let (status, cancelled) =
        resident.post_json(&format!("/api/v1/booking/bookings/{}/cancel", moved["id"]), json!({})).await;
    assert_eq!((status, cancelled["booking"]["status"].as_str()), (200, Some("cancelled")), "{cancelled}");
    let (status, mine) = resident
        .post_json("/api/v1/booking/bookings", json!({ "slot_id": day1["items"][0]["id"], "resident_id": f.elders[0] }))
        .await;
    assert_eq!((status, mine["channel"].as_str()), (201, Some("app")), "{mine}");
    app.stop().await;
}

backend_tests!(
    copies_of_one_request_at_once_get_one_booking,
    booking_through_the_api,
    the_last_seat_goes_once,
    the_catalogue_is_run_and_bookings_move
);
