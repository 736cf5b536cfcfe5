//! `/cases/{id}`: a case's page, and `POST /cases/{id}/act`, its action forms.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_app::cases::act::{ActionRequest, take};
use tongxin_app::cases::photos::{PhotoView, add_to, may_add, views};
use tongxin_app::cases::{Reach, visible};
use tongxin_core::access::Permission;
use tongxin_core::cases::lifecycle::{Action, Status};
use tongxin_core::pii::mask_numbers_in;

use super::action_forms::{ActionForm, action_forms};
use super::after::{self, Done, confirmed, with_flash};
use super::timeline::{attributes_shown, step_key, timeline};
use super::{Suggested, short_time, source_key, status_key};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::access::admin_users::field_error;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::params::id_param;
use crate::uploads::FormWithPhotos;
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailPage {
    page: PageContext,
    id: i64,
    number: String,
    category: String,
    category_code: String,
    status: &'static str,
    pending: Option<&'static str>,
    sla: &'static str,
    due: String,
    description: String,
    attributes: Vec<(String, String)>,
    address: String,
    region: String,
    /// The community and grid by name.
    place_words: String,
    /// Filed without a grid: it waits to be placed.
    unplaced: bool,
    department: String,
    source: &'static str,
    duplicate_of: Option<i64>,
    merged_into: Option<i64>,
    /// Duplicates merged into this case.
    merged: Vec<(i64, String)>,
    /// The case a merge form offers to merge this one into, when the reader may.
    merge_into: Option<i64>,
    rating: Option<i64>,
    timeline: Vec<super::timeline::Step>,
    actions: Vec<ActionForm>,
    /// The departments a dispatch form offers after the suggested ones.
    departments: Vec<(String, String)>,
    suggested: Vec<Suggested>,
    external_ref: Option<String>,
    position: Option<super::pick_map::Position>,
    /// Each photo with the catalog key of the step it came with.
    photos: Vec<(PhotoView, &'static str)>,
    can_add_photos: bool,
    /// The place form, for a dispatcher, intake or shift lead.
    placing: Option<super::place::PlaceSection>,
    /// The caller of a phone report, masked unless opened for the call back.
    caller: Option<super::place::CallerView>,
    error: Option<String>,
    /// After a step taken on this page: what was done, and the next case.
    done: Option<Done>,
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    error: Option<String>,
    done: Option<&str>,
) -> Response {
    render_case(app, lang, uri, who, id, error, done, false).await
}

/// The page with the caller's contact opened, after the audited reveal.
pub(super) async fn show_revealed(app: &App, lang: Lang, uri: &axum::http::Uri, who: &PageCaller, id: i64) -> Response {
    render_case(app, lang, uri, who, id, None, None, true).await
}

#[allow(clippy::too_many_arguments)]
async fn render_case(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    error: Option<String>,
    done: Option<&str>,
    reveal: bool,
) -> Response {
    let reach = match Reach::of(app, who).await {
        Ok(reach) => reach,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let case = match visible(app, who, &reach, id).await {
        Ok(case) => case,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let category = app.store.category(&case.category).await.ok().flatten();
    let events = app.store.case_events(id).await.unwrap_or_default();
    let photos = match views(app, id).await {
        Ok(photos) => photos,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let stored = app.store.case_photos(id).await.unwrap_or_default();
    let t = lang.catalog();
    let attributes = attributes_shown(&case.attributes, category.as_ref());
    let calendar = app.calendar.current();
    let sla = match (case.step_limit, case.step_due_at) {
        (Some(limit), Some(due)) => calendar
            .sla(case.step_started_at.to_utc(), limit, due.to_utc(), tongxin_core::time::Timestamp::now().to_utc())
            .as_str(),
        _ => "",
    };
    let position = super::pick_map::case_map(app, &case).await;
    let suggested = if reach.actions(who, &case).contains(&Action::Dispatch) {
        super::suggested(app, lang, &case).await
    } else {
        Vec::new()
    };
    let departments = app.store.departments().await.unwrap_or_default();
    let query = uri
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "q").map(|(_, v)| v.into_owned()));
    let placing = super::place::section(app, who, &case, query.as_deref()).await;
    let sealed = app.store.case_reporter_sealed(id).await.ok().flatten();
    let caller = super::place::caller(app, who, &case, sealed.as_deref(), reveal);
    let place_words = super::place_words(app, &case);
    let done = match confirmed(done, &events) {
        Some(action) => Some(after::done(app, lang, who, &reach, &case, action, &departments).await),
        None => None,
    };
    let page = DetailPage {
        page: PageContext::new(lang, uri, Some(who)),
        id,
        number: case.number.clone(),
        category: category.as_ref().map_or(case.category.to_string(), |c| c.name.clone()),
        category_code: case.category.to_string(),
        status: status_key(case.state.status),
        pending: case.state.pending.map(|p| match p {
            tongxin_core::cases::lifecycle::Pending::Extension => "pending.extension",
            tongxin_core::cases::lifecycle::Pending::Deferral => "pending.deferral",
        }),
        sla,
        due: case.step_due_at.map(|t| short_time(&t.to_shanghai_rfc3339())).unwrap_or_default(),
        description: mask_numbers_in(&case.description),
        attributes,
        address: mask_numbers_in(&case.address),
        region: case.grid.as_ref().unwrap_or(&case.region).to_string(),
        place_words,
        unplaced: case.grid.is_none(),
        department: case
            .department
            .as_ref()
            .map(|code| departments.iter().find(|(c, _)| c == code).map_or(code.clone(), |(_, n)| n.clone()))
            .unwrap_or_default(),
        source: source_key(case.source),
        duplicate_of: case.duplicate_of,
        merged_into: case.merged_into,
        merged: app.store.merged_cases(id).await.unwrap_or_default().into_iter().map(|c| (c.id, c.number)).collect(),
        merge_into: (who.actor.can(Permission::CasesDispatch)
            && matches!(case.state.status, Status::Reported | Status::Verified))
        .then(|| case.duplicate_of.unwrap_or(0)),
        rating: case.rating,
        timeline: timeline(lang, &events, &stored, &photos, &departments),
        actions: action_forms(reach.actions(who, &case)),
        can_add_photos: case.state.status.is_open() && may_add(who, &reach, &case),
        photos: photos
            .into_iter()
            .map(|p| {
                let step = step_key(p.step.as_deref().unwrap_or("report"));
                (p, step)
            })
            .collect(),
        departments: departments.into_iter().filter(|(c, _)| !suggested.iter().any(|s| s.code == *c)).collect(),
        suggested,
        external_ref: case.external_ref.clone(),
        position,
        placing,
        caller,
        error: error.map(|e| format!("{}{e}", t.get("case.refused"))),
        done,
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    params: Params,
) -> Response {
    match id_param(&raw) {
        Ok(id) => show(&app, lang, &uri, &who, id, None, params.get("done")).await,
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

/// Takes the action a form names, then shows the case again.
pub async fn act(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    mut upload: FormWithPhotos,
) -> Response {
    let id = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let photos = upload.checked_photos();
    let form = upload.fields;
    let action = match form.get("action").unwrap_or_default().parse::<Action>() {
        Ok(action) => action,
        Err(e) => return PageError::from_api(lang, ApiError::invalid("action", e)).into_response(),
    };
    let request = ActionRequest {
        note: form.get("note").unwrap_or_default().to_owned(),
        department: form.get("department").map(str::to_owned),
        reason: form.get("reason").map(str::to_owned),
        extension: form
            .get("extension")
            .map(|h| if h.chars().all(|c| c.is_ascii_digit()) { format!("W{h}") } else { h.to_owned() }),
        rating: form.get("rating").and_then(|r| r.parse().ok()),
    };
    let back = form.get("back").filter(|b| b.starts_with('/') && !b.starts_with("//")).map(str::to_owned);
    let detail_uri: axum::http::Uri = format!("/cases/{id}").parse().unwrap_or(uri);
    let taken = match photos {
        Ok(photos) => take(&app, &who, id, action, request, photos).await.map(|_| ()).map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let back = with_flash(&back.unwrap_or_else(|| format!("/cases/{id}")), action, id);
    after_form(&app, lang, &detail_uri, &who, id, taken, &back).await
}

/// After a form on the case page: back where the reader was, or the page again with
/// what went wrong.
pub(super) async fn after_form(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    done: Result<(), ApiError>,
    back: &str,
) -> Response {
    match done {
        Ok(()) => Redirect::to(back).into_response(),
        Err(e @ (ApiError::InvalidParameter { .. } | ApiError::Conflict { .. })) => {
            show(app, lang, uri, who, id, field_error(lang, &e), None).await
        }
        Err(ApiError::NotAllowedNow { .. }) => {
            let message = lang.catalog().get("case.not_now").to_owned();
            show(app, lang, uri, who, id, Some(message), None).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

/// Merges the case into the one the form names.
pub async fn merge(
    State(app): State<App>,
    lang: Lang,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let id = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let merged = match form.get("into").map(str::parse::<i64>) {
        Some(Ok(into)) => tongxin_app::cases::merge::merge(&app, &who, id, into, form.get("note").unwrap_or_default())
            .await
            .map(|()| into)
            .map_err(ApiError::from),
        _ => Err(ApiError::invalid("into", "give the number of the case this one repeats")),
    };
    let uri: axum::http::Uri = format!("/cases/{id}").parse().unwrap_or_default();
    match merged {
        Ok(into) => Redirect::to(&format!("/cases/{into}")).into_response(),
        Err(e) => after_form(&app, lang, &uri, &who, id, Err(e), "").await,
    }
}

/// Adds photos to the case from its page.
pub async fn add_photos(
    State(app): State<App>,
    lang: Lang,
    who: PageCaller,
    Path(raw): Path<String>,
    mut upload: FormWithPhotos,
) -> Response {
    let id = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let added = match upload.checked_photos() {
        Ok(photos) => add_to(&app, &who, id, upload.fields.get("note").unwrap_or_default(), photos)
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let uri: axum::http::Uri = format!("/cases/{id}").parse().unwrap_or_default();
    after_form(&app, lang, &uri, &who, id, added, &format!("/cases/{id}#photos")).await
}
