//! `/cases` (the board), `/checks` (a grid worker's work) and `/my/reports` (a resident's).

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::lifecycle::Status;
use tongxin_store::cases::{CaseFilter, CaseRecord};

use std::collections::HashMap;

use super::{Card, Suggested, suggested};
use crate::api::cases::{Reach, category_names};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::{ApiError, App};

/// The most cases one board shows; the JSON API pages through more.
const BOARD_LIMIT: i64 = 500;

/// One column of the board.
pub struct Column {
    pub key: &'static str,
    pub cards: Vec<Card>,
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

async fn open_cases(app: &App, who: &PageCaller, statuses: Vec<Status>) -> Result<(Vec<CaseRecord>, Reach), ApiError> {
    if !Reach::reads_cases(who) {
        who.require(app, Permission::CasesRead).await?;
    }
    let reach = Reach::of(app, who).await?;
    let filter = CaseFilter { statuses, limit: BOARD_LIMIT, ..Default::default() };
    Ok((app.store.cases(&reach.scope(who), &filter).await?, reach))
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    let open = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
    let (cases, _) = match open_cases(&app, &who, open).await {
        Ok(found) => found,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let names = match category_names(&app).await {
        Ok(names) => names,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let stages: [(&'static str, &[Status]); 5] = [
        ("board.intake", &[Status::Reported, Status::Verified]),
        ("board.dispatch", &[Status::Registered]),
        ("board.handling", &[Status::Dispatched, Status::Handling, Status::Deferred]),
        ("board.check", &[Status::Handled]),
        ("board.close", &[Status::Checked]),
    ];
    let can_dispatch = who.actor.can(Permission::CasesDispatch);
    let mut columns: Vec<Column> = stages
        .into_iter()
        .map(|(key, statuses)| Column {
            key,
            cards: cases
                .iter()
                .filter(|c| statuses.contains(&c.state.status))
                .map(|c| Card::new(&app, c, names.get(c.category.as_str()).map_or("", String::as_str)))
                .collect(),
        })
        .collect();
    // The dispatch queue offers the likely departments first; cases of one category in one
    // community share them.
    if can_dispatch {
        let mut known: HashMap<(String, String), Vec<Suggested>> = HashMap::new();
        for (card, case) in columns
            .iter_mut()
            .filter(|c| c.key == "board.dispatch")
            .flat_map(|c| c.cards.iter_mut())
            .filter_map(|card| cases.iter().find(|c| c.id == card.id).map(|case| (card, case)))
        {
            let place = case.grid.as_ref().unwrap_or(&case.region).as_str();
            let key = (case.category.to_string(), place.get(..12).unwrap_or(place).to_owned());
            if !known.contains_key(&key) {
                known.insert(key.clone(), suggested(&app, lang, case).await);
            }
            card.suggested = known.get(&key).cloned().unwrap_or_default();
        }
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
