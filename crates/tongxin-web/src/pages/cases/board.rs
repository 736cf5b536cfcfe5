//! `/cases` (the board), `/checks` (a grid worker's work) and `/my/reports` (a resident's).

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::lifecycle::Status;
use tongxin_store::cases::{CaseFilter, CaseOrder, CaseRecord};

use std::collections::HashMap;

use super::{Card, Suggested, suggested};
use crate::api::cases::{Reach, category_names};
use crate::api::params::Params;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::{ApiError, App};

/// The most cases a list (`/checks`, `/my/reports`) shows.
const BOARD_LIMIT: i64 = 500;

/// The cards one column shows at a time; "更多" pages through the rest.
pub const COLUMN_LIMIT: i64 = 50;

/// The board's columns: the message key, the query parameter of its page, its states.
const STAGES: [(&str, &str, &[Status]); 5] = [
    ("board.intake", "intake", &[Status::Reported, Status::Verified]),
    ("board.dispatch", "dispatch", &[Status::Registered]),
    ("board.handling", "handling", &[Status::Dispatched, Status::Handling, Status::Deferred]),
    ("board.check", "check", &[Status::Handled]),
    ("board.close", "close", &[Status::Checked]),
];

/// One column of the board: its own query, its true count and its own pages, so that a
/// surge in one state never hides another.
pub struct Column {
    pub key: &'static str,
    pub cards: Vec<Card>,
    /// Every case in this column's states within the caller's reach.
    pub total: i64,
    /// "第 2 页", in the reader's language.
    pub page_label: String,
    /// Links to the previous and next pages of this column, the others kept where they are.
    pub previous: Option<String>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "cases/board.html")]
struct BoardPage {
    page: PageContext,
    columns: Vec<Column>,
    departments: Vec<(String, String)>,
    can_dispatch: bool,
    can_report: bool,
}

/// The caller's reach over cases, once they may read cases at all.
async fn reach(app: &App, who: &PageCaller) -> Result<Reach, ApiError> {
    if !Reach::reads_cases(who) {
        who.require(app, Permission::CasesRead).await?;
    }
    Reach::of(app, who).await
}

async fn open_cases(app: &App, who: &PageCaller, statuses: Vec<Status>) -> Result<(Vec<CaseRecord>, Reach), ApiError> {
    let reach = reach(app, who).await?;
    let filter = CaseFilter { statuses, limit: BOARD_LIMIT, ..Default::default() };
    Ok((app.store.cases(&reach.scope(who), &filter).await?, reach))
}

/// The page of each column asked for (`?dispatch=3`), from 1.
fn column_pages(params: &Params) -> Vec<i64> {
    STAGES
        .iter()
        .map(|(_, name, _)| params.get(name).and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1).unwrap_or(1))
        .collect()
}

/// `/cases` with column `index` on `page` and the others on theirs.
fn board_link(pages: &[i64], index: usize, page: i64) -> String {
    let query: Vec<String> = STAGES
        .iter()
        .zip(pages)
        .enumerate()
        .map(|(i, ((_, name, _), p))| if i == index { (name, page) } else { (name, *p) })
        .filter(|(_, p)| *p > 1)
        .map(|(name, p)| format!("{name}={p}"))
        .collect();
    if query.is_empty() { "/cases".to_owned() } else { format!("/cases?{}", query.join("&")) }
}

/// Each column's cases (overdue first) and its count.
async fn columns(
    app: &App,
    lang: Lang,
    who: &PageCaller,
    pages: &[i64],
) -> Result<Vec<(Column, Vec<CaseRecord>)>, ApiError> {
    let scope = reach(app, who).await?.scope(who);
    let names = category_names(app).await?;
    let mut out = Vec::new();
    for (index, ((key, _, statuses), page)) in STAGES.iter().zip(pages).enumerate() {
        let filter = CaseFilter {
            statuses: statuses.to_vec(),
            limit: COLUMN_LIMIT,
            offset: (page - 1).saturating_mul(COLUMN_LIMIT),
            order: CaseOrder::OverdueFirst,
            ..Default::default()
        };
        let cases = app.store.cases(&scope, &filter).await?;
        let total = app.store.count_cases(&scope, &filter).await?;
        let cards = cases
            .iter()
            .map(|c| Card::new(app, c, names.get(c.category.as_str()).map_or("", String::as_str)))
            .collect();
        let column = Column {
            key,
            cards,
            total,
            page_label: lang.catalog().fmt("board.page", &[("page", page)]),
            previous: (*page > 1).then(|| board_link(pages, index, page - 1)),
            next: (page * COLUMN_LIMIT < total).then(|| board_link(pages, index, page + 1)),
        };
        out.push((column, cases));
    }
    Ok(out)
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let built = match columns(&app, lang, &who, &column_pages(&params)).await {
        Ok(built) => built,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let can_dispatch = who.actor.can(Permission::CasesDispatch);
    let mut columns = Vec::new();
    for (mut column, cases) in built {
        // The dispatch queue offers the likely departments first; cases of one category in
        // one community share them.
        if can_dispatch && column.key == "board.dispatch" {
            let mut known: HashMap<(String, String), Vec<Suggested>> = HashMap::new();
            for (card, case) in column.cards.iter_mut().zip(&cases) {
                let place = case.grid.as_ref().unwrap_or(&case.region).as_str();
                let key = (case.category.to_string(), place.get(..12).unwrap_or(place).to_owned());
                if !known.contains_key(&key) {
                    known.insert(key.clone(), suggested(&app, lang, case).await);
                }
                card.suggested = known.get(&key).cloned().unwrap_or_default();
            }
        }
        columns.push(column);
    }
    let departments = app.store.departments().await.unwrap_or_default();
    let page = BoardPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        columns,
        departments,
        can_dispatch,
        can_report: who.actor.can(Permission::CasesReport),
    };
    render(&page).into_response()
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    page: PageContext,
    title: &'static str,
    intro: &'static str,
    cards: Vec<Card>,
    report_link: bool,
}

#[allow(clippy::too_many_arguments)]
async fn list(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    statuses: Vec<Status>,
    title: &'static str,
    intro: &'static str,
    mine: bool,
) -> Response {
    let (cases, _) = match open_cases(app, who, statuses).await {
        Ok(found) => found,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let names = category_names(app).await.unwrap_or_default();
    let cards = cases
        .iter()
        .filter(|c| !mine || c.reporter_user == Some(who.actor.id) || c.reporter_resident == Some(who.actor.id))
        .map(|c| Card::new(app, c, names.get(c.category.as_str()).map_or("", String::as_str)))
        .collect();
    let page = ListPage { page: PageContext::new(lang, uri, Some(who)), title, intro, cards, report_link: true };
    render(&page).into_response()
}

/// A grid worker's work: fixes waiting for their check.
pub async fn checks(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    if let Err(e) = who.require(&app, Permission::CasesCheck).await {
        return PageError::from_api(lang, e).into_response();
    }
    list(&app, lang, &uri, &who, vec![Status::Handled, Status::Reported], "checks.title", "checks.intro", false).await
}

/// What the caller reported, in every state.
pub async fn my_reports(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
) -> Response {
    if who.actor.kind != ActorKind::Resident
        && !who.actor.can(Permission::CasesReport)
        && let Err(e) = who.require(&app, Permission::CasesReport).await
    {
        return PageError::from_api(lang, e).into_response();
    }
    list(&app, lang, &uri, &who, Vec::new(), "mine.title", "mine.intro", true).await
}
