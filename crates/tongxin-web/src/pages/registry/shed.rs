//! The charging-shed forms (`registry.write`): `/registry/sheds/new` and
//! `/registry/sheds/{id}/edit` — name, location, charging spaces, facilities, status and
//! opening date. They call the same functions as the JSON API; a refused form comes back
//! with what was typed and every problem named in Chinese.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tongxin_app::registry::ebikes::one_shed;
use tongxin_app::registry::shed_edit::{ShedPatch, add_shed, change_shed};
use tongxin_core::access::Permission;
use tongxin_core::registry::ledger_input::ShedText;
use tongxin_core::registry::{Facility, ShedStatus};

use super::edit::{Choice, choices, saved_or_again};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/registry/sheds/new", get(new_form).post(new_save))
        .route("/registry/sheds/{id}/edit", get(edit_form).post(edit_save))
}

#[derive(Template)]
#[template(path = "registry/shed_form.html")]
struct ShedForm {
    page: PageContext,
    action: String,
    heading: String,
    back: String,
    name: String,
    lat: String,
    lng: String,
    capacity: String,
    opened_on: String,
    facilities: Vec<Choice>,
    statuses: Vec<Choice>,
    problems: Vec<String>,
}

/// A shed's fields as the form has them.
fn typed(form: &Params) -> ShedText {
    ShedText {
        name: form.raw("name").to_owned(),
        lat: form.raw("lat").to_owned(),
        lng: form.raw("lng").to_owned(),
        capacity: form.raw("capacity").to_owned(),
        facilities: form.all("facilities").join(","),
        status: form.raw("status").to_owned(),
        opened_on: form.raw("opened_on").to_owned(),
    }
}

/// The form: for shed `id` (or a new one), as stored or as typed with its problems.
async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: Option<i64>,
    typed_in: Option<(&Params, Vec<String>)>,
) -> Result<Response, ApiError> {
    who.require(app, Permission::RegistryWrite).await?;
    let (stored, heading, action, back) = match id {
        Some(id) => {
            let (shed, _) = one_shed(app, who, id).await?;
            let text = ShedText {
                name: shed.name.clone(),
                lat: shed.lat.to_string(),
                lng: shed.lng.to_string(),
                capacity: shed.capacity.to_string(),
                facilities: shed.facilities.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(","),
                status: shed.status.as_str().into(),
                opened_on: shed.opened_on.map(|d| d.to_string()).unwrap_or_default(),
            };
            let edit = lang.catalog().get("ledgers.edit_shed");
            (
                text,
                format!("{edit}：{}", shed.name),
                format!("/registry/sheds/{id}/edit"),
                format!("/registry/sheds/{id}"),
            )
        }
        None => {
            let text = ShedText { status: ShedStatus::Planned.as_str().into(), ..ShedText::default() };
            let heading = lang.catalog().get("ledgers.add_shed").to_owned();
            (text, heading, "/registry/sheds/new".into(), "/registry/sheds".into())
        }
    };
    let (text, problems) = match typed_in {
        Some((form, problems)) => (typed(form), problems),
        None => (stored, Vec::new()),
    };
    let has = |f: Facility| text.facilities.split(',').any(|x| x == f.as_str());
    let page = ShedForm {
        page: PageContext::new(lang, uri, Some(who)),
        action,
        heading,
        back,
        facilities: choices(Facility::ALL, has, Facility::as_str, Facility::term_key),
        statuses: choices(ShedStatus::ALL, |s| s.as_str() == text.status, ShedStatus::as_str, ShedStatus::term_key),
        name: text.name,
        lat: text.lat,
        lng: text.lng,
        capacity: text.capacity,
        opened_on: text.opened_on,
        problems,
    };
    Ok(render(&page).into_response())
}

async fn new_form(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    show(&app, lang, &uri, &who, None, None).await.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

async fn new_save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    let saved = add_shed(&app, &who, typed(&form)).await.map(|id| format!("/registry/sheds/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| show(&app, lang, &uri, &who, None, Some((&form, problems)))).await
}

async fn edit_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    let shown = async { show(&app, lang, &uri, &who, Some(id_param(&raw)?), None).await }.await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

async fn edit_save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let id = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let text = typed(&form);
    let patch = ShedPatch {
        name: Some(text.name),
        lat: Some(text.lat),
        lng: Some(text.lng),
        capacity: Some(text.capacity),
        facilities: Some(text.facilities),
        status: Some(text.status),
        opened_on: Some(text.opened_on),
    };
    let saved = change_shed(&app, &who, id, patch).await.map(|_| format!("/registry/sheds/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| show(&app, lang, &uri, &who, Some(id), Some((&form, problems)))).await
}
