//! Importing ledgers (台账) from Excel and CSV: `tongxin import KIND FILE`, the upload page
//! and `POST /api/v1/registry/imports` all run [`run`].
//!
//! 1. The file is inspected whole ([`sheet::inspect`]): a file that cannot be a ledger of
//!    this kind is refused with one message, and nothing is read further.
//! 2. Every row is checked (households and residents in `people`, e-bikes, sheds and
//!    pledges in `ledgers`, the shared checks in [`kinds`]) and matched on its natural key;
//!    problems are collected with their row, column and reason.
//! 3. In "all or nothing" mode any problem stops here. In "valid rows" mode the refused rows
//!    are left out. Either way the rows are then written in one transaction, each added or
//!    changed record with its own audit entry (before and after), plus one entry for the
//!    import; a row whose record already holds its values changes nothing, so importing the
//!    same file again changes nothing.
//!
//! Rows stream from the file in chunks (two passes), so memory grows with the keys, not
//! with the rows.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use kinds::{Known, Plan, Seen};
use serde::Serialize;
use serde_json::json;
use tongxin_store::audit::AuditEntry;

use crate::caller::Who;
use crate::{App, Error};

pub use jobs::{Job, Jobs};
pub use kinds::{Kind, RowError};
pub use sheet::FileProblem;
pub use workbooks::{report, template};

mod jobs;
pub mod kinds;
mod ledgers;
mod people;
pub mod sheet;
mod workbooks;

/// Rows added by one import after which the database's statistics are refreshed.
const ANALYZE_AFTER: usize = 1_000;

/// What to do with the refused rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Any refused row imports nothing.
    AllOrNothing,
    /// Import the valid rows, report the rest.
    ValidRows,
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "all" | "all_or_nothing" => Ok(Mode::AllOrNothing),
            "valid" | "valid_rows" => Ok(Mode::ValidRows),
            other => Err(format!("'{other}' is not a mode: all (all or nothing) or valid (import the valid rows)")),
        }
    }
}

/// An import's settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub kind: Kind,
    pub mode: Mode,
    /// Check only; write nothing.
    pub dry_run: bool,
    /// The file's name, for the audit log and the report.
    pub file_name: String,
}

/// Where a running import stands, shared with whoever shows it.
#[derive(Debug, Default)]
pub struct Progress {
    /// 0 reading the file, 1 checking rows, 2 writing, 3 done.
    phase: AtomicU8,
    pub done: AtomicUsize,
    pub total: AtomicUsize,
}

impl Progress {
    pub fn phase(&self) -> &'static str {
        match self.phase.load(Ordering::Relaxed) {
            0 => "reading",
            1 => "checking",
            2 => "writing",
            _ => "done",
        }
    }

    fn set(&self, phase: u8, total: usize) {
        self.phase.store(phase, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows refused.
    pub refused: usize,
    /// Whether anything was written (false for a dry run, or when all or nothing refused).
    pub written: bool,
    /// Columns in the file the template does not know (ignored).
    pub ignored_columns: Vec<String>,
    pub errors: Vec<RowError>,
}

/// The records rows are matched against, within `who`'s regions.
async fn known(app: &App, who: &Who, kind: Kind) -> Result<Known, Error> {
    let mut known = Known::default();
    let mut building_address = HashMap::new();
    for b in app.store.building_keys().await? {
        building_address.insert(b.id, b.address.clone());
        if who.actor.covers(&b.region) {
            known.buildings.insert(b.address, (b.id, b.region));
        }
    }
    for h in app.store.household_keys().await? {
        // Only a household the importer covers is named in a row's error; of any other,
        // they learn no more than that it lies elsewhere.
        if who.actor.covers(&h.region) {
            let address = building_address.get(&h.building_id).cloned().unwrap_or_default();
            known.addresses.insert(h.id, tongxin_store::registry::full_address(&address, &h.unit, &h.room));
            known.households.insert((h.building_id, h.unit, h.room), (h.id, h.region));
        }
    }
    if kind == Kind::Ebikes {
        let mut homes = HashMap::new();
        for r in app.store.resident_keys().await? {
            homes.insert(r.id, r.household_id);
            if r.living {
                known.by_household_name.entry((r.household_id, r.name)).or_default().push(r.id);
            }
        }
        for e in app.store.ebike_keys().await? {
            let in_reach = homes.get(&e.owner_id).is_some_and(|h| known.addresses.contains_key(h));
            known.plates.insert(e.plate, (e.id, e.owner_id, in_reach));
        }
        for s in app.store.shed_keys().await? {
            if who.actor.covers(&s.region) {
                known.sheds.insert(s.name, s.id);
            }
        }
    }
    if kind == Kind::Sheds {
        for s in app.store.shed_keys().await? {
            known.shed_names.insert(s.name.clone());
            if who.actor.covers(&s.region)
                && let Some(fields) = app.store.shed_fields(s.id).await?
            {
                known.shed_fields.insert(s.name, (s.id, fields));
            }
        }
        known.grids = Some((app.geo.current(), who.actor.clone()));
    }
    if kind == Kind::Pledges {
        for r in app.store.resident_keys().await? {
            known.signers.entry((r.household_id, r.name)).or_default().push((r.id, r.living));
        }
        for p in app.store.pledge_keys().await? {
            if let Ok(day) = chrono::NaiveDate::parse_from_str(&p.signed_on, "%Y-%m-%d") {
                known.pledges.insert((p.resident_id, day), p.id);
            }
            if p.channel == tongxin_core::registry::PledgeChannel::Online.as_str() {
                known.online.insert(p.resident_id, p.id);
            }
        }
    }
    if kind == Kind::Residents {
        for r in app.store.resident_keys().await? {
            match r.id_index {
                Some(index) => {
                    known.by_id.insert(index, (r.id, r.household_id));
                }
                None => {
                    if let Ok(birth) = chrono::NaiveDate::parse_from_str(&r.birth_date, "%Y-%m-%d") {
                        known.by_name.insert((r.household_id, r.name, birth), r.id);
                    }
                }
            }
        }
    }
    Ok(known)
}

fn plan(app: &App, kind: Kind, row: &sheet::Row, known: &Known, seen: &mut Seen) -> Result<Plan, Vec<RowError>> {
    let today = crate::registry::today();
    match kind {
        Kind::Households => people::household(row, known, seen),
        Kind::Residents => people::resident(row, known, seen, &app.pii, today),
        Kind::Ebikes => ledgers::ebike(row, known, seen, today),
        Kind::Sheds => ledgers::shed(row, known, seen, today),
        Kind::Pledges => ledgers::pledge(row, known, seen, today),
    }
}

/// Imports `bytes` as a ledger of `options.kind` for `who` (who needs `registry.write`).
/// A file refused whole is `Err(Ok(problem))`; other failures are `Err(Err(api error))`.
pub async fn run(
    app: &App,
    who: &Who,
    bytes: Arc<Vec<u8>>,
    options: &Options,
    progress: &Progress,
) -> Result<Outcome, Result<FileProblem, Error>> {
    who.require(app, tongxin_core::access::Permission::RegistryWrite).await.map_err(Err)?;
    let layout = {
        let bytes = bytes.clone();
        let template = options.kind.template();
        tokio::task::spawn_blocking(move || sheet::inspect(&bytes, template))
            .await
            .map_err(|e| Err(Error::Internal(e.to_string())))?
            .map_err(Ok)?
    };
    let known = known(app, who, options.kind).await.map_err(Err)?;
    let mut outcome = Outcome { ignored_columns: layout.ignored.clone(), ..Outcome::default() };

    // Check every row.
    progress.set(1, layout.rows);
    let mut seen = Seen::default();
    let mut refused = HashSet::new();
    let mut rows = sheet::stream(bytes.clone(), layout.clone());
    while let Some(chunk) = rows.recv().await {
        for row in chunk.map_err(Ok)? {
            progress.done.fetch_add(1, Ordering::Relaxed);
            if row.is_blank() {
                continue;
            }
            outcome.rows += 1;
            if let Some(column) = row.control {
                refused.insert(row.line);
                let column = options.kind.template().columns.get(column).map_or("", |c| c.0).to_owned();
                let reason = "含有不可见的控制字符（如 NUL），请删除后重新导入".to_owned();
                outcome.errors.push(RowError { line: row.line, column, value: String::new(), reason });
                continue;
            }
            if let Err(errors) = plan(app, options.kind, &row, &known, &mut seen) {
                refused.insert(row.line);
                outcome.errors.extend(errors);
            }
        }
    }
    outcome.refused = refused.len();
    let stop = options.dry_run || (options.mode == Mode::AllOrNothing && !refused.is_empty());
    if stop || outcome.rows == refused.len() {
        // A dry run is audited like a real one: what it checks (ID numbers against the
        // registry) is a look-up of personal data in its own right.
        audit(app, who, options, &outcome).await.map_err(Err)?;
        progress.set(3, 0);
        return Ok(outcome);
    }

    // Write the valid rows in one transaction.
    progress.set(2, layout.rows);
    let caller = who.caller();
    let mut seen = Seen::default();
    let mut tx = app.store.begin_write().await.map_err(|e| Err(e.into()))?;
    let mut rows = sheet::stream(bytes, layout);
    while let Some(chunk) = rows.recv().await {
        for row in chunk.map_err(Ok)? {
            progress.done.fetch_add(1, Ordering::Relaxed);
            if row.is_blank() || refused.contains(&row.line) {
                continue;
            }
            let Ok(plan) = plan(app, options.kind, &row, &known, &mut seen) else {
                return Err(Err(Error::Internal(format!("row {} checked differently the second time", row.line))));
            };
            let store = &app.store;
            let changed = match plan {
                Plan::AddHousehold(new) => store.add_household_in(&mut tx, &caller, &new).await.map(|_| None),
                Plan::AddResident(new) => store.add_resident_in(&mut tx, &caller, &new).await.map(|_| None),
                Plan::UpdateHousehold(id, new) => store.update_household_in(&mut tx, &caller, id, &new).await.map(Some),
                Plan::UpdateResident(id, new) => store.update_resident_in(&mut tx, &caller, id, &new).await.map(Some),
                Plan::AddEbike(new) => store.add_ebike_in(&mut tx, &caller, &new).await.map(|_| None),
                Plan::UpdateEbike(id, new) => store.update_ebike_in(&mut tx, &caller, id, &new).await.map(Some),
                Plan::AddShed(new) => store.add_shed_in(&mut tx, &caller, &new).await.map(|_| None),
                Plan::UpdateShed(id, new) => store.update_shed_in(&mut tx, &caller, id, &new).await.map(Some),
                Plan::AddPledge(new) => store.add_pledge_in(&mut tx, &caller, &new).await.map(|_| None),
                Plan::UpdatePledge(id, new) => store.update_pledge_in(&mut tx, &caller, id, &new).await.map(Some),
            }
            .map_err(|e| Err(e.into()))?;
            match changed {
                None => outcome.added += 1,
                Some(changes) if changes.is_empty() => outcome.unchanged += 1,
                Some(_) => outcome.updated += 1,
            }
        }
    }
    outcome.written = true;
    audit_in(app, &mut tx, who, options, &outcome).await.map_err(Err)?;
    tx.commit().await.map_err(|e| Err(tongxin_store::StoreError::from(e).into()))?;
    if outcome.added >= ANALYZE_AFTER {
        app.store.analyze_registry().await.map_err(|e| Err(e.into()))?;
    }
    progress.set(3, 0);
    Ok(outcome)
}

fn entry(options: &Options, outcome: &Outcome) -> AuditEntry {
    AuditEntry::ok("registry.import", options.kind.as_str(), "").with_detail(json!({
        "file": options.file_name,
        "mode": options.mode,
        "dry_run": options.dry_run,
        "rows": outcome.rows,
        "added": outcome.added,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "refused": outcome.refused,
        "written": outcome.written,
    }))
}

async fn audit(app: &App, who: &Who, options: &Options, outcome: &Outcome) -> Result<(), Error> {
    app.store.audit(&who.caller(), entry(options, outcome)).await?;
    Ok(())
}

async fn audit_in(
    app: &App,
    tx: &mut tongxin_store::Tx,
    who: &Who,
    options: &Options,
    outcome: &Outcome,
) -> Result<(), Error> {
    app.store.audit_in(tx, &who.caller(), entry(options, outcome)).await?;
    Ok(())
}
