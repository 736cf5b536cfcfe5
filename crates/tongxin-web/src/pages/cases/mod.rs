//! Casework pages: the board (queues per stage with SLA colours and one-click dispatch),
//! a case's page (timeline, position, the steps the reader may take), the reporting page
//! for phones, the grid worker's checks, a resident's reports, and the catalog editor.
//! After a step taken on a page, the page confirms it and links the next case ([`after`]).
//! The rules are the JSON API's ([`tongxin_app::cases`]).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tongxin_core::cases::lifecycle::Action;
use tongxin_store::cases::CaseRecord;

use crate::App;
use crate::uploads::MAX_UPLOAD_BYTES;

pub use tongxin_app::labels::{source_key, status_key};

pub mod action_forms;
pub mod after;
pub mod board;
pub mod board_filter;
pub mod calendar;
pub mod catalog;
pub mod detail;
pub mod import;
pub mod lists;
pub mod pick_map;
pub mod place;
pub mod report;
pub mod search;
pub mod timeline;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/cases", get(board::page))
        .route("/cases/search", get(search::page))
        .route(
            "/cases/import",
            get(import::page)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(tongxin_app::cases::batch::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/cases/{id}", get(detail::page))
        .route("/cases/{id}/act", post(detail::act).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/cases/{id}/merge", post(detail::merge))
        .route("/cases/{id}/place", post(place::submit))
        .route("/cases/{id}/caller", post(place::reveal))
        .route("/cases/{id}/photos", post(detail::add_photos).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/report", get(report::form).post(report::submit).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/checks", get(lists::checks))
        .route("/my/reports", get(lists::my_reports))
        .route("/admin/catalog", get(catalog::page))
        .route("/admin/calendar", get(calendar::page).post(calendar::add))
        .route("/admin/calendar/remove", post(calendar::remove))
        .route("/admin/catalog/{code}", post(catalog::save))
}

/// The catalog key naming an action (and its button).
pub fn action_key(action: Action) -> &'static str {
    match action {
        Action::Verify => "action.verify",
        Action::Register => "action.register",
        Action::Reject => "action.reject",
        Action::Dispatch => "action.dispatch",
        Action::Accept => "action.accept",
        Action::Return => "action.return",
        Action::Recall => "action.recall",
        Action::Feedback => "action.feedback",
        Action::Pass => "action.pass",
        Action::Rework => "action.rework",
        Action::Close => "action.close",
        Action::RequestExtension => "action.request_extension",
        Action::ApproveExtension => "action.approve_extension",
        Action::DenyExtension => "action.deny_extension",
        Action::RequestDeferral => "action.request_deferral",
        Action::ApproveDeferral => "action.approve_deferral",
        Action::DenyDeferral => "action.deny_deferral",
        Action::Resume => "action.resume",
        Action::Evaluate => "action.evaluate",
    }
}

/// A case as a card on the board or a row in a list.
pub struct Card {
    pub id: i64,
    pub number: String,
    pub category: String,
    pub place: String,
    pub status: &'static str,
    /// green, yellow, red, or "" when no deadline runs
    pub sla: &'static str,
    pub due: String,
    pub pending: bool,
    pub duplicate: bool,
    /// For a case waiting for dispatch, on the board: the likely departments.
    pub suggested: Vec<Suggested>,
}

/// A department offered first in a dispatch form, and why.
#[derive(Debug, Clone)]
pub struct Suggested {
    pub code: String,
    pub name: String,
    pub why: String,
}

impl Card {
    /// Whether `code` is among the suggested departments (the form lists it there).
    pub fn suggests(&self, code: &str) -> bool {
        self.suggested.iter().any(|s| s.code == code)
    }
}

/// The likely departments for `case`, with the reason in the reader's language.
pub async fn suggested(app: &App, lang: crate::i18n::Lang, case: &CaseRecord) -> Vec<Suggested> {
    let t = lang.catalog();
    tongxin_app::cases::read::suggestions(app, case)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let mut why = t
                .get(match s.reason {
                    "rule" => "dispatch.rule",
                    "category" => "dispatch.category",
                    _ => "dispatch.history",
                })
                .to_owned();
            if s.cases > 0 {
                why = format!("{why}{}", t.fmt("dispatch.cases", &[("n", &s.cases)]));
            }
            Suggested { code: s.department, name: s.name, why }
        })
        .collect()
}

impl Card {
    pub fn new(app: &App, case: &CaseRecord, category: &str) -> Self {
        let calendar = app.calendar.current();
        let now = tongxin_core::time::Timestamp::now().to_utc();
        let sla = match (case.step_limit, case.step_due_at) {
            (Some(limit), Some(due)) => calendar.sla(case.step_started_at.to_utc(), limit, due.to_utc(), now).as_str(),
            _ => "",
        };
        let place = [place_words(app, case), tongxin_core::pii::mask_numbers_in(&case.address)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        Self {
            id: case.id,
            number: case.number.clone(),
            category: category.to_owned(),
            place,
            status: status_key(case.state.status),
            sla,
            due: case.step_due_at.map(|t| short_time(&t.to_shanghai_rfc3339())).unwrap_or_default(),
            pending: case.state.pending.is_some(),
            duplicate: case.duplicate_of.is_some(),
            suggested: Vec::new(),
        }
    }
}

/// Where a case is on the grid, by name: "静安别墅居民区 · 第3网格"; a case that waits
/// to be placed gets the subdistrict's name.
pub fn place_words(app: &App, case: &CaseRecord) -> String {
    use tongxin_core::geo::RegionLevel;
    let locator = app.geo.current();
    let code = case.grid.as_ref().unwrap_or(&case.region);
    let mut codes = code.ancestors();
    codes.push(code.clone());
    let wanted =
        |level| if case.grid.is_some() { matches!(level, RegionLevel::Community | RegionLevel::Grid) } else { true };
    codes
        .iter()
        .filter(|c| c.level() >= RegionLevel::Subdistrict && wanted(c.level()))
        .filter_map(|c| locator.name(c).map(str::to_owned))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `2026-11-27T13:14:00+08:00` as `11-27 13:14`.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(5..16).map(|s| s.replace('T', " ")).unwrap_or_default()
}
