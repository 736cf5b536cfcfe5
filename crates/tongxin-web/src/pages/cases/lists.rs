//! `/checks` (a grid worker's work) and `/my/reports` (a resident's): plain lists of cards.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::cases::category_names;
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::lifecycle::Status;
use tongxin_store::cases::{CaseFilter, CaseOrder};

use super::Card;
use super::board::reach;
use crate::App;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};

/// The most cases a list shows.
const LIST_LIMIT: i64 = 500;

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    page: PageContext,
    title: &'static str,
    intro: &'static str,
    cards: Vec<Card>,
    report_link: bool,
}

/// Which cases a list shows, and how it is titled.
struct Listing {
    statuses: Vec<Status>,
    order: CaseOrder,
    title: &'static str,
    intro: &'static str,
    /// Only what the reader reported.
    mine: bool,
}

async fn list(app: &App, lang: Lang, uri: &axum::http::Uri, who: &PageCaller, listing: Listing) -> Response {
    let found = match reach(app, who).await {
        Ok(reach) => {
            let filter = CaseFilter {
                statuses: listing.statuses,
                order: listing.order,
                limit: LIST_LIMIT,
                ..Default::default()
            };
            app.store.cases(&reach.scope(who), &filter).await.map_err(Into::into)
        }
        Err(e) => Err(e),
    };
    let cases = match found {
        Ok(cases) => cases,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let names = category_names(app).await.unwrap_or_default();
    let mine = listing.mine;
    let cards = cases
        .iter()
        .filter(|c| !mine || c.reporter_user == Some(who.actor.id) || c.reporter_resident == Some(who.actor.id))
        .map(|c| Card::new(app, c, names.get(c.category.as_str()).map_or("", String::as_str)))
        .collect();
    let page = ListPage {
        page: PageContext::new(lang, uri, Some(who)),
        title: listing.title,
        intro: listing.intro,
        cards,
        report_link: true,
    };
    render(&page).into_response()
}

/// A grid worker's work: reports to verify and fixes waiting for their check, the overdue
/// first, then by deadline.
pub async fn checks(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    if let Err(e) = who.require(&app, Permission::CasesCheck).await {
        return PageError::from_api(lang, e).into_response();
    }
    let listing = Listing {
        statuses: vec![Status::Handled, Status::Reported],
        order: CaseOrder::OverdueFirst,
        title: "checks.title",
        intro: "checks.intro",
        mine: false,
    };
    list(&app, lang, &uri, &who, listing).await
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
    let listing = Listing {
        statuses: Vec::new(),
        order: CaseOrder::Newest,
        title: "mine.title",
        intro: "mine.intro",
        mine: true,
    };
    list(&app, lang, &uri, &who, listing).await
}
