//! The registry's pages: find a resident (name, last four digits, address) or a household
//! (building and room), and read one — within the reader's regions, masked.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tongxin_app::registry::history::{HistoryEntry, history};
use tongxin_app::registry::{
    HouseholdView, ResidentView, household_detail, one_resident, scope, search_households, search_residents,
};
use tongxin_core::access::Permission;

use crate::App;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, found_or_explained, render};
use crate::params::Params;
use crate::params::id_param;

mod building;
mod ebike;
pub mod ebikes;
mod edit;
mod household_edit;
mod import;
pub mod pledge_online;
pub mod safety;
mod shed;

pub fn routes() -> Router<App> {
    Router::new()
        .merge(edit::routes())
        .merge(building::routes())
        .merge(import::routes())
        .merge(shed::routes())
        .route("/registry/residents", get(residents))
        .route("/registry/residents/{id}", get(resident))
        .route("/registry/households", get(households))
        .route("/registry/households/{id}", get(household))
        .route("/registry/ebike-safety", get(safety::page))
        .route("/registry/sheds", get(ebikes::sheds))
        .route("/registry/sheds/{id}", get(ebikes::shed))
        .route("/registry/sheds/{id}/checks", axum::routing::post(ebikes::add_check))
        .route("/registry/ebikes", get(ebikes::ebikes))
        .route("/registry/ebikes/{id}", get(ebike::page).post(ebike::save))
        .route("/registry/residents/{id}/ebikes/new", get(ebike::new_page).post(ebike::new_save))
        .route("/registry/pledges", get(ebikes::pledges))
        .route("/me/pledge", get(pledge_online::page).post(pledge_online::submit))
}

/// The most rows a search page shows; narrow the search for more.
const PAGE: i64 = 100;

fn today() -> chrono::NaiveDate {
    tongxin_core::time::Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI).date_naive()
}

/// A resident as the pages show one: the view, with names for its codes.
pub struct Person {
    pub view: ResidentView,
    pub gender: &'static str,
    pub role: &'static str,
    pub tags: Vec<String>,
}

impl Person {
    fn new(r: &tongxin_store::registry::ResidentRecord, today: chrono::NaiveDate, lang: Lang) -> Self {
        let t = lang.catalog();
        let mut tags: Vec<String> =
            tongxin_core::registry::age_tags(r.birth_date, today).into_iter().map(str::to_owned).collect();
        tags.extend(r.tags.iter().map(|tag| t.term(tag.term_key()).to_owned()));
        let (gender, role) = (t.term(r.gender.term_key()), t.term(r.role.term_key()));
        Self { view: ResidentView::new(r, today), gender, role, tags }
    }
}

#[derive(Template)]
#[template(path = "registry/residents.html")]
struct ResidentsPage {
    page: PageContext,
    q: String,
    people: Vec<Person>,
    households: i64,
    residents: i64,
    full: bool,
    /// Whether the reader may export the numbers in full (`pii.export`).
    can_export_full: bool,
    can_write: bool,
    error: Option<String>,
}

async fn residents(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (found, error) = match found_or_explained(lang, search_residents(&app, &who, &params.with("limit", PAGE)).await)
    {
        Ok(found) => found,
        Err(page) => return page.into_response(),
    };
    let (households, residents) = app.store.registry_counts(&scope(&who)).await.unwrap_or_default();
    let today = today();
    let page = ResidentsPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        q: params.get("q").unwrap_or_default().to_owned(),
        full: found.len() as i64 == PAGE,
        people: found.iter().map(|r| Person::new(r, today, lang)).collect(),
        households,
        residents,
        can_export_full: who.actor.can(Permission::PiiExport),
        can_write: who.actor.can(Permission::RegistryWrite),
        error,
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "registry/resident.html")]
struct ResidentPage {
    page: PageContext,
    person: Person,
    can_write: bool,
    saved: bool,
    history: Vec<HistoryEntry>,
}

async fn resident(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    params: Params,
) -> Response {
    let found = async {
        let r = one_resident(&app, &who, id_param(&raw)?).await?;
        let history = history(&app, "resident", r.id).await?;
        Ok::<_, crate::ApiError>((r, history))
    }
    .await;
    match found {
        Ok((r, history)) => render(&ResidentPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            person: Person::new(&r, today(), lang),
            can_write: who.actor.can(Permission::RegistryWrite),
            saved: params.get("saved").is_some(),
            history,
        })
        .into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "registry/households.html")]
struct HouseholdsPage {
    page: PageContext,
    q: String,
    building: String,
    households: Vec<(HouseholdView, &'static str)>,
    full: bool,
    error: Option<String>,
}

async fn households(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (found, error) =
        match found_or_explained(lang, search_households(&app, &who, &params.with("limit", PAGE)).await) {
            Ok(found) => found,
            Err(page) => return page.into_response(),
        };
    let page = HouseholdsPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        q: params.get("q").unwrap_or_default().to_owned(),
        building: params.get("building").unwrap_or_default().to_owned(),
        full: found.len() as i64 == PAGE,
        households: found
            .iter()
            .map(|h| (HouseholdView::from(h), lang.catalog().term(h.registration.term_key())))
            .collect(),
        error,
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "registry/household.html")]
struct HouseholdPage {
    page: PageContext,
    household: HouseholdView,
    registration: &'static str,
    people: Vec<Person>,
    can_write: bool,
    saved: bool,
    history: Vec<HistoryEntry>,
}

async fn household(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    params: Params,
) -> Response {
    let found = async {
        let (h, members) = household_detail(&app, &who, id_param(&raw)?).await?;
        let history = history(&app, "household", h.id).await?;
        Ok::<_, crate::ApiError>((h, members, history))
    }
    .await;
    match found {
        Ok((h, members, history)) => {
            let today = today();
            render(&HouseholdPage {
                page: PageContext::new(lang, &uri, Some(&who)),
                registration: lang.catalog().term(h.registration.term_key()),
                household: HouseholdView::from(&h),
                people: members.iter().map(|r| Person::new(r, today, lang)).collect(),
                can_write: who.actor.can(Permission::RegistryWrite),
                saved: params.get("saved").is_some(),
                history,
            })
            .into_response()
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
