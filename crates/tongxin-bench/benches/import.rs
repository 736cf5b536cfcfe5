//! Importing a ledger of 100,000 households (XLSX) into the demo geography, with the peak
//! memory of each step. Baselines from the same run: reading the file alone (no checks, no
//! database), and the store's bulk insert of the same households (what the demo uses, no
//! checks and one audit entry per batch).
//!
//! Run with `cargo bench -p tongxin-bench --bench import` (SQLite; PostgreSQL too when
//! TONGXIN_TEST_DATABASE_URL is set). Each step runs 3 times on a fresh database; the
//! median is printed. Peak memory is the process's resident high-water mark during the
//! step (reset before it through /proc/self/clear_refs), so it includes what the process
//! already held: the file's bytes and the demo's geography.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tongxin_app::caller::Who;
use tongxin_app::registry_import::{self, Kind, Mode, Options, Progress, sheet};
use tongxin_app::{App, Config};
use tongxin_core::access::Actor;
use tongxin_core::pii::SecretKey;
use tongxin_core::registry::Registration;
use tongxin_demo::{DemoOptions, Quiet, seed_if_empty};
use tongxin_store::Backend;
use tongxin_store::audit::Caller;
use tongxin_store::registry::NewHousehold;
use tongxin_store::testing::TestDb;

const HOUSEHOLDS: usize = 100_000;
const RUNS: usize = 3;

/// Resets the resident high-water mark; false where the kernel cannot.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The resident high-water mark in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn fresh(backend: Backend) -> TestDb {
    let db = match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await.expect("PostgreSQL"),
    };
    let options = DemoOptions { case_months: 0, households: 0, ..Default::default() };
    seed_if_empty(&db.store, &options, &Quiet).await.unwrap();
    db
}

/// The households of the ledger: buildings of the demo, six units, rooms by floor.
async fn ledger(db: &TestDb) -> (Vec<u8>, Vec<NewHousehold>) {
    let buildings = db.store.building_keys().await.unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("户").unwrap();
    for (c, h) in ["地址", "单元", "室", "户籍类型", "备注"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let mut rows = Vec::with_capacity(HOUSEHOLDS);
    for i in 0..HOUSEHOLDS {
        let b = &buildings[i % buildings.len()];
        let n = i / buildings.len();
        let (unit, room) = ((n % 6 + 1).to_string(), format!("{}{:02}", n / 6 / 4 + 1, n / 6 % 4 + 1));
        let registration = [Registration::Local, Registration::Separated, Registration::Migrant][i % 3];
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &b.address).unwrap();
        sheet.write_string(r, 1, &unit).unwrap();
        sheet.write_string(r, 2, &room).unwrap();
        sheet.write_string(r, 3, registration.zh()).unwrap();
        rows.push(NewHousehold {
            building_id: b.id,
            region: b.region.clone(),
            unit,
            room,
            registration,
            notes: String::new(),
        });
    }
    (book.save_to_buffer().unwrap(), rows)
}

struct Step {
    label: &'static str,
    times: Vec<Duration>,
    peak: f64,
}

impl Step {
    fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t[t.len() / 2]
    }
}

async fn bench(backend: Backend) {
    let who = Who {
        actor: Actor::system("bench"),
        display_name: "bench".into(),
        ip: "local".into(),
        session: None,
        unread: None,
    };
    let probe = fresh(backend).await;
    let (bytes, rows) = ledger(&probe).await;
    drop(probe);
    let bytes = Arc::new(bytes);
    let mut steps: Vec<Step> = [
        "read the file only (baseline)",
        "bulk insert, no checks (baseline)",
        "check only (dry run)",
        "import",
        "import again (all unchanged)",
    ]
    .into_iter()
    .map(|label| Step { label, times: vec![], peak: 0.0 })
    .collect();
    let options =
        |dry_run| Options { kind: Kind::Households, mode: Mode::AllOrNothing, dry_run, file_name: "bench.xlsx".into() };
    for _ in 0..RUNS {
        let db = fresh(backend).await;
        let app = App::new(db.store.clone(), Config::default(), &SecretKey::generate()).await.unwrap();
        let mut timed = |i: usize, start: Instant| {
            steps[i].times.push(start.elapsed());
            steps[i].peak = steps[i].peak.max(peak_mib());
        };

        reset_peak();
        let start = Instant::now();
        let layout = sheet::inspect(&bytes, Kind::Households.template()).unwrap();
        let mut stream = sheet::stream(bytes.clone(), layout);
        let mut read = 0;
        while let Some(chunk) = stream.recv().await {
            read += chunk.unwrap().len();
        }
        assert_eq!(read, HOUSEHOLDS);
        timed(0, start);

        let other = fresh(backend).await;
        reset_peak();
        let start = Instant::now();
        for chunk in rows.chunks(2_000) {
            other.store.insert_households(&Caller::system("bench"), chunk).await.unwrap();
        }
        timed(1, start);
        drop(other);

        for (i, dry_run) in [(2, true), (3, false), (4, false)] {
            reset_peak();
            let start = Instant::now();
            let outcome =
                registry_import::run(&app, &who, bytes.clone(), &options(dry_run), &Progress::default()).await.unwrap();
            timed(i, start);
            assert_eq!(outcome.refused, 0, "{:?}", outcome.errors.first());
            match i {
                3 => assert_eq!(outcome.added, HOUSEHOLDS),
                4 => assert_eq!(outcome.unchanged, HOUSEHOLDS),
                _ => {}
            }
        }
    }
    let baseline = steps[0].median().as_secs_f64();
    println!(
        "\n{backend:?}: {HOUSEHOLDS} households, XLSX of {:.1} MB, median of {RUNS} runs",
        bytes.len() as f64 / 1048576.0
    );
    println!("| step | median | rows/s | ÷ reading | peak RSS |");
    println!("|---|---|---|---|---|");
    for s in &steps {
        let m = s.median().as_secs_f64();
        println!(
            "| {} | {:.2} s | {:.0} | {:.1} | {:.0} MiB |",
            s.label,
            m,
            HOUSEHOLDS as f64 / m,
            m / baseline,
            s.peak
        );
    }
}

fn main() {
    // `cargo test --benches` runs benches with --bench absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        bench(Backend::Sqlite).await;
        if std::env::var(tongxin_store::testing::PG_URL_VAR).is_ok() {
            bench(Backend::Postgres).await;
        }
    });
}
