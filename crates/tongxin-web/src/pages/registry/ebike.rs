//! `/registry/ebikes/{id}`: one e-bike — owner, battery, status, shed, pledge — its history,
//! and for `registry.write` the form to change it (scrapped, moved away, another shed …).

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::registry::ebike_edit::{EbikePatch, EbikeRequest, add_ebike, change_ebike};
use tongxin_app::registry::ebikes::{one_ebike, search_sheds};
use tongxin_app::registry::history::{HistoryEntry, history};
use tongxin_app::registry::one_resident;
use tongxin_core::access::Permission;
use tongxin_core::registry::{Battery, EbikeStatus};

use super::ebikes::Ebike;
use super::edit::{Choice, choices, saved_or_again};
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

/// A shed to choose: id, name, chosen.
pub struct ShedChoice {
    pub id: i64,
    pub name: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "registry/ebike.html")]
struct EbikePage {
    page: PageContext,
    ebike: Ebike,
    can_write: bool,
    saved: bool,
    /// The form: as stored, or as typed when refused.
    plate: String,
    brand: String,
    registered_on: String,
    batteries: Vec<Choice>,
    statuses: Vec<Choice>,
    sheds: Vec<ShedChoice>,
    problems: Vec<String>,
    history: Vec<HistoryEntry>,
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    typed: Option<(&Params, Vec<String>)>,
    saved: bool,
) -> Result<Response, ApiError> {
    let e = one_ebike(app, who, id).await?;
    let history = history(app, "ebike", id).await?;
    let can_write = who.actor.can(Permission::RegistryWrite);
    let sheds = if can_write { search_sheds(app, who, &Params::default().with("limit", 500)).await? } else { vec![] };
    let value = |name: &str, stored: String| typed.as_ref().map_or(stored, |(form, _)| form.raw(name).to_owned());
    let picked = |name: &str, stored: &str| value(name, stored.to_owned());
    let (battery, status, shed) = (
        picked("battery", e.battery.as_str()),
        picked("status", e.status.as_str()),
        picked("shed_id", &e.shed_id.map(|s| s.to_string()).unwrap_or_default()),
    );
    let page = EbikePage {
        page: PageContext::new(lang, uri, Some(who)),
        can_write,
        saved,
        plate: value("plate", e.plate.clone()),
        brand: value("brand", e.brand.clone()),
        registered_on: value("registered_on", e.registered_on.to_string()),
        batteries: choices(Battery::ALL, |b| b.as_str() == battery, Battery::as_str, Battery::term_key),
        statuses: choices(EbikeStatus::ALL, |s| s.as_str() == status, EbikeStatus::as_str, EbikeStatus::term_key),
        sheds: sheds
            .iter()
            .map(|s| ShedChoice { id: s.id, name: s.name.clone(), chosen: s.id.to_string() == shed })
            .collect(),
        problems: typed.map(|(_, p)| p).unwrap_or_default(),
        history,
        ebike: Ebike::new(&e, lang),
    };
    Ok(render(&page).into_response())
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    params: Params,
) -> Response {
    let shown =
        async { show(&app, lang, &uri, &who, id_param(&raw)?, None, params.get("saved").is_some()).await }.await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

pub async fn save(
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
    let patch = EbikePatch {
        plate: Some(form.raw("plate").to_owned()),
        brand: Some(form.raw("brand").to_owned()),
        battery: Some(form.raw("battery").to_owned()),
        registered_on: Some(form.raw("registered_on").to_owned()),
        status: Some(form.raw("status").to_owned()),
        shed_id: Some(form.raw("shed_id").to_owned()),
    };
    let saved = change_ebike(&app, &who, id, patch).await.map(|_| format!("/registry/ebikes/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| show(&app, lang, &uri, &who, id, Some((&form, problems)), false)).await
}

#[derive(Template)]
#[template(path = "registry/ebike_form.html")]
struct NewEbikePage {
    page: PageContext,
    owner_id: i64,
    owner: String,
    plate: String,
    brand: String,
    registered_on: String,
    batteries: Vec<Choice>,
    statuses: Vec<Choice>,
    sheds: Vec<ShedChoice>,
    problems: Vec<String>,
}

/// The form to register an e-bike to resident `id`: empty, or as typed with its problems.
async fn new_form(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    typed: Option<(&Params, Vec<String>)>,
) -> Result<Response, ApiError> {
    let owner = one_resident(app, who, id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    let sheds = search_sheds(app, who, &Params::default().with("limit", 500)).await?;
    let form = typed.as_ref().map(|(f, _)| *f);
    let value = |name: &str, default: String| form.map_or(default, |f| f.raw(name).to_owned());
    let (battery, status, shed) =
        (value("battery", String::new()), value("status", "active".into()), value("shed_id", String::new()));
    let page = NewEbikePage {
        page: PageContext::new(lang, uri, Some(who)),
        owner_id: owner.id,
        owner: format!("{}（{}）", owner.name, owner.address),
        plate: value("plate", String::new()),
        brand: value("brand", String::new()),
        registered_on: value("registered_on", super::today().to_string()),
        batteries: choices(Battery::ALL, |b| b.as_str() == battery, Battery::as_str, Battery::term_key),
        statuses: choices(EbikeStatus::ALL, |s| s.as_str() == status, EbikeStatus::as_str, EbikeStatus::term_key),
        sheds: sheds
            .iter()
            .map(|s| ShedChoice { id: s.id, name: s.name.clone(), chosen: s.id.to_string() == shed })
            .collect(),
        problems: typed.map(|(_, p)| p).unwrap_or_default(),
    };
    Ok(render(&page).into_response())
}

pub async fn new_page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    let shown = async { new_form(&app, lang, &uri, &who, id_param(&raw)?, None).await }.await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

pub async fn new_save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let owner = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let request = EbikeRequest {
        owner_id: owner,
        plate: form.raw("plate").to_owned(),
        brand: form.raw("brand").to_owned(),
        battery: form.raw("battery").to_owned(),
        registered_on: form.raw("registered_on").to_owned(),
        status: form.raw("status").to_owned(),
        shed_id: form.raw("shed_id").to_owned(),
    };
    let saved = add_ebike(&app, &who, request).await.map(|id| format!("/registry/ebikes/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| new_form(&app, lang, &uri, &who, owner, Some((&form, problems)))).await
}
