//! Ledger imports as the API and pages start them (`registry.write`): download a template,
//! post a file, follow the import, download the error report. An import runs in the
//! background on the node that took the file; its starter follows it there.

use std::sync::atomic::Ordering;

use serde::Serialize;
use tongxin_core::access::Permission;
use tongxin_core::xlsx_guard;
use utoipa::ToSchema;

use crate::caller::Who;
use crate::params::Params;
use crate::registry_import::{self, Job, Kind, Mode, Options, Outcome, RowError};
use crate::{App, Error};

/// The most request body taken: above the import's own limit, so that a file too large
/// is answered with the import's message.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The errors an answer lists; the report has them all.
pub const LISTED: usize = 200;

/// Where an import stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub id: String,
    /// households or residents
    pub kind: String,
    /// all_or_nothing or valid_rows
    pub mode: String,
    pub dry_run: bool,
    pub file_name: String,
    /// reading, checking, writing or done
    pub phase: String,
    /// Rows gone through in this phase, of `total`.
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    /// Why the file was refused as a whole (nothing imported).
    pub problem: Option<String>,
    /// The result, once finished: counts, and the first 200 problems.
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<Outcome>,
    /// How many problems in all (the report lists them).
    pub error_count: usize,
}

impl ImportView {
    pub fn of(job: &Job) -> Self {
        let result = job.result.lock().expect("job lock").clone();
        let (problem, outcome, error_count) = match result {
            None => (None, None, 0),
            Some(Err(p)) => (Some(p), None, 0),
            Some(Ok(mut o)) => {
                let count = o.errors.len();
                o.errors.truncate(LISTED);
                (None, Some(o), count)
            }
        };
        Self {
            id: job.id.clone(),
            kind: job.options.kind.as_str().into(),
            mode: match job.options.mode {
                Mode::AllOrNothing => "all_or_nothing".into(),
                Mode::ValidRows => "valid_rows".into(),
            },
            dry_run: job.options.dry_run,
            file_name: job.options.file_name.clone(),
            phase: job.progress.phase().into(),
            done: job.progress.done.load(Ordering::Relaxed),
            total: job.progress.total.load(Ordering::Relaxed),
            finished: problem.is_some() || outcome.is_some(),
            problem,
            outcome,
            error_count,
        }
    }
}

pub fn kind(raw: &str) -> Result<Kind, Error> {
    raw.parse().map_err(|e: String| Error::invalid("kind", e))
}

/// Reads the import's settings from the query (or a form): kind, mode, dry_run, file name.
pub fn options(params: &Params, file_name: Option<String>) -> Result<Options, Error> {
    let kind =
        kind(params.get("kind").ok_or_else(|| {
            Error::invalid("kind", "say which ledger: households, residents, ebikes, sheds or pledges")
        })?)?;
    let mode = params
        .get("mode")
        .map(|m| m.parse::<Mode>().map_err(|e| Error::invalid("mode", e)))
        .transpose()?
        .unwrap_or(Mode::AllOrNothing);
    let dry_run = params.parse::<bool>("dry_run")?.unwrap_or(false);
    let file_name = file_name.or_else(|| params.get("file_name").map(str::to_owned)).unwrap_or_default();
    Ok(Options { kind, mode, dry_run, file_name: file_name.chars().take(200).collect() })
}

/// Starts an import of `bytes` for `who`. A workbook past the guard's limits is refused
/// here, before any job starts: the inner error, for the caller to word for its reader.
/// The file's other problems are the job's to report.
pub async fn start(
    app: &App,
    who: &Who,
    bytes: Vec<u8>,
    options: Options,
) -> Result<Result<std::sync::Arc<Job>, xlsx_guard::Refused>, Error> {
    who.require(app, Permission::RegistryWrite).await?;
    if bytes.is_empty() {
        return Err(Error::invalid("file", "the file is empty (文件是空的)"));
    }
    Ok(match within_limits(bytes).await? {
        Ok(bytes) => Ok(app.imports.start(app, who, bytes, options)),
        Err(refused) => Err(refused),
    })
}

/// Runs [`xlsx_guard::check`] on a workbook off the async threads. Only a limit passed
/// refuses it here; a damaged workbook is the job's to report, with the rest.
pub async fn within_limits(bytes: Vec<u8>) -> Result<Result<Vec<u8>, xlsx_guard::Refused>, Error> {
    if !registry_import::sheet::is_xlsx(&bytes) {
        return Ok(Ok(bytes));
    }
    let (bytes, checked) = tokio::task::spawn_blocking(move || {
        let checked = xlsx_guard::check(&bytes);
        (bytes, checked)
    })
    .await
    .map_err(|e| Error::Internal(format!("the workbook check stopped: {e}")))?;
    Ok(match checked {
        Err(refused) if refused.is_limit() => Err(refused),
        _ => Ok(bytes),
    })
}

/// The API's words for a workbook past the limits: the limit in English, then in the
/// Chinese the pages show.
pub fn past_limits(refused: &xlsx_guard::Refused) -> Error {
    Error::invalid("file", format!("{}; nothing was imported ({refused})", refused.english()))
}

/// `who`'s import `id`; anyone else's is the same 404 as none.
pub async fn job(app: &App, who: &Who, id: &str) -> Result<std::sync::Arc<Job>, Error> {
    who.require(app, Permission::RegistryWrite).await?;
    app.imports.get(who, id).ok_or_else(|| Error::not_found(format!("no import {id}")))
}

pub fn urlencoding(name: &str) -> String {
    form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The errors of a finished import as an XLSX report.
pub async fn report_of(app: &App, who: &Who, id: &str) -> Result<(Vec<u8>, String), Error> {
    let job = job(app, who, id).await?;
    let errors: Vec<RowError> = match &*job.result.lock().expect("job lock") {
        Some(Ok(outcome)) => outcome.errors.clone(),
        Some(Err(problem)) => {
            vec![RowError { line: 1, column: String::new(), value: String::new(), reason: problem.clone() }]
        }
        None => return Err(Error::Conflict { field: "id".into(), message: "the import is still running".into() }),
    };
    Ok((registry_import::report(&errors)?, format!("{}-错误报告.xlsx", job.options.kind.zh())))
}
