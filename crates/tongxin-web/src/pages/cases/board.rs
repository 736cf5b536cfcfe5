//! `/cases`: the board. One column per stage, each its own query with its true count and
//! its own pages, the overdue first and then by deadline; a filter bar (category,
//! community, department, overdue) that every link keeps; one-click dispatch; and after a
//! dispatch, its confirmation and the next case.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::cases::{Reach, category_names};
use tongxin_core::access::Permission;
use tongxin_core::cases::lifecycle::Status;
use tongxin_store::cases::{CaseFilter, CaseOrder, CaseRecord};

use super::after::{Done, confirmed, done};
use super::board_filter::{BoardFilter, Choices};
use super::{Card, Suggested, suggested};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

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
    /// This board, its pages and filters kept: where the dispatch form comes back to.
    here: String,
    /// After a dispatch from the board: what was done, and the next case.
    done: Option<Done>,
    choices: Choices,
    chosen: BoardFilter,
}

/// The caller's reach over cases, once they may read cases at all.
pub async fn reach(app: &App, who: &PageCaller) -> Result<Reach, ApiError> {
    if !Reach::reads_cases(who) {
        who.require(app, Permission::CasesRead).await?;
    }
    Reach::of(app, who).await.map_err(ApiError::from)
}

/// The page of each column asked for (`?dispatch=3`), from 1.
fn column_pages(params: &Params) -> Vec<i64> {
    STAGES
        .iter()
        .map(|(_, name, _)| params.get(name).and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1).unwrap_or(1))
        .collect()
}

/// `/cases` with column `index` on `page`, the others on theirs, and the filters kept.
fn board_link(pages: &[i64], index: Option<usize>, page: i64, filter: &BoardFilter) -> String {
    let mut query: Vec<(&str, String)> = filter.pairs();
    query.extend(
        STAGES
            .iter()
            .zip(pages)
            .enumerate()
            .map(|(i, ((_, name, _), p))| if Some(i) == index { (*name, page) } else { (*name, *p) })
            .filter(|(_, p)| *p > 1)
            .map(|(name, p)| (name, p.to_string())),
    );
    if query.is_empty() {
        return "/cases".to_owned();
    }
    format!("/cases?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish())
}

/// Each column's cases (overdue first, then by deadline) and its count, within the filters.
async fn columns(
    app: &App,
    lang: Lang,
    who: &PageCaller,
    reach: &Reach,
    pages: &[i64],
    chosen: &BoardFilter,
) -> Result<Vec<(Column, Vec<CaseRecord>)>, ApiError> {
    let scope = reach.scope(who);
    let names = category_names(app).await?;
    let mut out = Vec::new();
    for (index, ((key, _, statuses), page)) in STAGES.iter().zip(pages).enumerate() {
        let mut filter = CaseFilter {
            statuses: statuses.to_vec(),
            limit: COLUMN_LIMIT,
            offset: (page - 1).saturating_mul(COLUMN_LIMIT),
            order: CaseOrder::OverdueFirst,
            ..Default::default()
        };
        chosen.apply(&mut filter);
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
            previous: (*page > 1).then(|| board_link(pages, Some(index), page - 1, chosen)),
            next: (page * COLUMN_LIMIT < total).then(|| board_link(pages, Some(index), page + 1, chosen)),
        };
        out.push((column, cases));
    }
    Ok(out)
}

/// The dispatch queue offers the likely departments first; cases of one category in one
/// community share them.
async fn suggest_departments(app: &App, lang: Lang, column: &mut Column, cases: &[CaseRecord]) {
    let mut known: HashMap<(String, String), Vec<Suggested>> = HashMap::new();
    for (card, case) in column.cards.iter_mut().zip(cases) {
        let place = case.grid.as_ref().unwrap_or(&case.region).as_str();
        let key = (case.category.to_string(), place.get(..12).unwrap_or(place).to_owned());
        if !known.contains_key(&key) {
            known.insert(key.clone(), suggested(app, lang, case).await);
        }
        card.suggested = known.get(&key).cloned().unwrap_or_default();
    }
}

/// After a dispatch from the board (`?done=dispatch&case=7`): its confirmation and the next
/// case, when that case's latest steps include it.
async fn confirmation(app: &App, lang: Lang, who: &PageCaller, reach: &Reach, params: &Params) -> Option<Done> {
    let id = params.get("case")?.parse::<i64>().ok()?;
    let case = app.store.case(id).await.ok()??;
    if !reach.sees(who, &case) {
        return None;
    }
    let events = app.store.case_events(id).await.ok()?;
    let action = confirmed(params.get("done"), &events)?;
    let departments = app.store.departments().await.unwrap_or_default();
    let mut shown = done(app, lang, who, reach, &case, action, &departments).await;
    shown.message = format!("{} {}", case.number, shown.message);
    Some(shown)
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let prepared = match reach(&app, &who).await {
        Ok(reach) => Choices::load(&app, &who).await.map(|choices| (reach, choices)),
        Err(e) => Err(e),
    };
    let (reach, choices) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let chosen = BoardFilter::read(lang, &params, &choices);
    let pages = column_pages(&params);
    let built = match columns(&app, lang, &who, &reach, &pages, &chosen).await {
        Ok(built) => built,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let can_dispatch = who.actor.can(Permission::CasesDispatch);
    let mut columns = Vec::new();
    for (mut column, cases) in built {
        if can_dispatch && column.key == "board.dispatch" {
            suggest_departments(&app, lang, &mut column, &cases).await;
        }
        columns.push(column);
    }
    let page = BoardPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        columns,
        departments: choices.departments.clone(),
        can_dispatch,
        can_report: who.actor.can(Permission::CasesReport),
        here: board_link(&pages, None, 0, &chosen),
        done: confirmation(&app, lang, &who, &reach, &params).await,
        choices,
        chosen,
    };
    render(&page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_the_other_columns_pages() {
        let filter = BoardFilter { category: "E01".into(), overdue: true, ..Default::default() };
        assert_eq!(
            board_link(&[1, 3, 1, 1, 1], Some(0), 2, &filter),
            "/cases?category=E01&overdue=1&intake=2&dispatch=3"
        );
        assert_eq!(board_link(&[1, 3, 1, 1, 1], None, 0, &filter), "/cases?category=E01&overdue=1&dispatch=3");
        assert_eq!(board_link(&[1; 5], None, 0, &BoardFilter::default()), "/cases");
    }
}
