//! Booking under contention: many clients at once booking the same slot until it is full,
//! through `Store::book` (checks, the resident's lock, the limits, the seat, the booking row
//! and its audit entry, one transaction each). Baseline from the same run, on the same
//! database: the bare conditional update that takes a seat (`booked = booked + 1 WHERE
//! booked < capacity`), one write transaction each, from as many clients.
//!
//! Run with `cargo bench -p tongxin-bench --bench booking` (SQLite; PostgreSQL too when
//! TONGXIN_TEST_DATABASE_URL is set). Each figure is the median of 5 runs, each on a fresh
//! slot: 400 requests from 32 concurrent clients for 300 seats.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tongxin_core::booking::Channel;
use tongxin_core::geo::RegionCode;
use tongxin_store::Backend;
use tongxin_store::audit::Caller;
use tongxin_store::booking::BookingError;
use tongxin_store::booking::book::BookingRequest;
use tongxin_store::booking::slots::SlotFilter;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::booking::seed;

const REQUESTS: usize = 400;
const SEATS: i64 = 300;
const CLIENTS: usize = 32;
const RUNS: usize = 5;
const GRID: &str = "310106013001001";

async fn fresh(backend: Backend) -> Option<TestDb> {
    let db = match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await?,
    };
    tongxin_store::testing::booking::small_geography(&db.store).await;
    Some(db)
}

/// Runs `REQUESTS` calls of `one(i)` from `CLIENTS` tasks; the time and how many succeeded.
async fn contend<F, Fut>(one: F) -> (Duration, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let one = Arc::new(one);
    let next = Arc::new(AtomicUsize::new(0));
    let won = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let (one, next, won) = (one.clone(), next.clone(), won.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= REQUESTS {
                    break;
                }
                if one(i).await {
                    won.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    tasks.join_all().await;
    (start.elapsed(), won.load(Ordering::Relaxed))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn bench(backend: Backend) {
    let Some(db) = fresh(backend).await else {
        println!("{backend:?}: skipped ({} is not set)", tongxin_store::testing::PG_URL_VAR);
        return;
    };
    let f = seed(&db.store, &RegionCode::parse(GRID).unwrap(), REQUESTS).await;
    let caller = Caller::system("bench");
    let of = |service: &str| SlotFilter { service: Some(service.into()), limit: 100, ..Default::default() };
    let open = db.store.slots(&of("T-OPEN")).await.unwrap();
    let other = db.store.slots(&of("T-80")).await.unwrap();
    assert!(open.len() >= RUNS && other.len() >= RUNS);
    let (mut bare, mut booking) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        // The baseline on one slot, the bookings on another of a service without limits.
        let (a, b) = (&other[run], &open[run]);
        for s in [a, b] {
            db.store.change_slot(&caller, s.id, Some(SEATS), None).await.unwrap();
        }
        let store = db.store.clone();
        let slot = a.id;
        let (t, won) = contend(move |_| {
            let store = store.clone();
            async move { store.take_seat_bare(slot).await.unwrap() }
        })
        .await;
        assert_eq!(won as i64, SEATS);
        bare.push(t);
        let (store, residents, slot) = (db.store.clone(), Arc::new(f.elders.clone()), b.id);
        let (t, won) = contend(move |i| {
            let (store, residents) = (store.clone(), residents.clone());
            async move {
                let request = BookingRequest {
                    slot_id: slot,
                    resident_id: residents[i],
                    channel: Channel::Operator,
                    idempotency_key: Some(format!("bench-{slot}-{i:05}")),
                    waitlist: false,
                };
                match store.book(&Caller::system("bench"), &request).await {
                    Ok(_) => true,
                    Err(BookingError::Full { .. }) => false,
                    Err(e) => panic!("{e}"),
                }
            }
        })
        .await;
        assert_eq!(won as i64, SEATS);
        assert_eq!(db.store.slot(slot).await.unwrap().unwrap().booked, SEATS);
        booking.push(t);
    }
    let (bare, booking) = (median(bare), median(booking));
    let rate = |d: Duration| REQUESTS as f64 / d.as_secs_f64();
    println!("\n{backend:?}: {REQUESTS} requests from {CLIENTS} clients for {SEATS} seats, median of {RUNS} runs");
    println!("| step | time | requests/s | × baseline |");
    println!("|---|---|---|---|");
    println!("| baseline: bare conditional update | {:.3} s | {:.0} | 1 |", bare.as_secs_f64(), rate(bare));
    println!(
        "| Store::book (checks, limits, row, audit) | {:.3} s | {:.0} | {:.1} |",
        booking.as_secs_f64(),
        rate(booking),
        booking.as_secs_f64() / bare.as_secs_f64()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(bench(Backend::Sqlite));
    runtime.block_on(bench(Backend::Postgres));
}
