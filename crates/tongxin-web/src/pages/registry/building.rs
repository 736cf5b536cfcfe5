//! `/registry/buildings/{id}`: a building's registry fields (units, floors, year built,
//! elevator, 加梯 stage, contact), its households and its history; with `registry.write`,
//! the form to change the fields and the way to add a household.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tongxin_app::registry::edit::{
    BuildingPatch, BuildingRegistryView, HouseholdRequest, add_household, building_in_reach, change_building,
};
use tongxin_app::registry::history::{HistoryEntry, history};
use tongxin_app::registry::{HouseholdView, search_households};
use tongxin_core::access::Permission;
use tongxin_core::registry::LiftStage;

use super::edit::{Choice, choices, kept, saved_or_again};
use super::household_edit::HouseholdForm;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/registry/buildings/{id}", get(page).post(save))
        .route("/registry/buildings/{id}/households/new", get(new_household_form).post(new_household_save))
}

#[derive(Template)]
#[template(path = "registry/building.html")]
struct BuildingPage {
    page: PageContext,
    building: BuildingRegistryView,
    lift_stage: &'static str,
    households: Vec<(HouseholdView, &'static str)>,
    can_write: bool,
    /// The form's values: as stored, or as typed when refused.
    units: String,
    floors: String,
    year_built: String,
    elevator: bool,
    contact_name: String,
    stages: Vec<Choice>,
    problems: Vec<String>,
    saved: bool,
    history: Vec<HistoryEntry>,
}

/// The page; with `typed`, the form as typed and its problems.
async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    typed: Option<(&Params, Vec<String>)>,
    saved: bool,
) -> Result<Response, ApiError> {
    let (b, _) = building_in_reach(app, who, id, false).await?;
    let households = search_households(app, who, &Params::default().with("building", id).with("limit", 500)).await?;
    let history = history(app, "building", id).await?;
    let stage: Option<LiftStage> = b.lift_stage.as_deref().and_then(|s| s.parse().ok());
    let mut page = BuildingPage {
        page: PageContext::new(lang, uri, Some(who)),
        lift_stage: stage.map(|s| lang.catalog().term(s.term_key())).unwrap_or(""),
        households: households
            .iter()
            .map(|h| (HouseholdView::from(h), lang.catalog().term(h.registration.term_key())))
            .collect(),
        can_write: who.actor.can(Permission::RegistryWrite),
        units: b.units.to_string(),
        floors: b.floors.to_string(),
        year_built: b.year_built.map(|y| y.to_string()).unwrap_or_default(),
        elevator: b.elevator,
        contact_name: b.contact_name.clone(),
        stages: choices(LiftStage::ALL, |s| Some(s) == stage, LiftStage::as_str, LiftStage::term_key),
        problems: vec![],
        saved,
        history,
        building: b,
    };
    if let Some((form, problems)) = typed {
        page.units = form.raw("units").to_owned();
        page.floors = form.raw("floors").to_owned();
        page.year_built = form.raw("year_built").to_owned();
        page.elevator = form.get("elevator").is_some();
        page.contact_name = form.raw("contact_name").to_owned();
        page.stages =
            choices(LiftStage::ALL, |s| form.raw("lift_stage") == s.as_str(), LiftStage::as_str, LiftStage::term_key);
        page.problems = problems;
    }
    Ok(render(&page).into_response())
}

async fn page(
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

async fn save(
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
    let patch = BuildingPatch {
        units: Some(form.raw("units").to_owned()),
        floors: Some(form.raw("floors").to_owned()),
        year_built: Some(form.raw("year_built").to_owned()),
        elevator: Some(if form.get("elevator").is_some() { "是" } else { "否" }.into()),
        lift_stage: Some(form.raw("lift_stage").to_owned()),
        contact_name: Some(form.raw("contact_name").to_owned()),
        contact_phone: if form.get("clear_phone").is_some() {
            Some(String::new())
        } else {
            kept(&form, "contact_phone")
        },
    };
    let saved = change_building(&app, &who, id, patch).await.map(|_| format!("/registry/buildings/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| show(&app, lang, &uri, &who, id, Some((&form, problems)), false)).await
}

/// The empty household form for building `raw`, if `who` may add one there.
async fn household_form(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    raw: &str,
) -> Result<(BuildingRegistryView, HouseholdForm), ApiError> {
    let (b, _) = building_in_reach(app, who, id_param(raw)?, true).await?;
    let form = HouseholdForm::new(
        PageContext::new(lang, uri, Some(who)),
        format!("/registry/buildings/{}/households/new", b.id),
        b.address.clone(),
        format!("/registry/buildings/{}", b.id),
    );
    Ok((b, form))
}

async fn new_household_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    match household_form(&app, lang, &uri, &who, &raw).await {
        Ok((_, form)) => render(&form).into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

async fn new_household_save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let (b, page) = match household_form(&app, lang, &uri, &who, &raw).await {
        Ok(found) => found,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let request = HouseholdRequest {
        building_id: b.id,
        unit: form.raw("unit").to_owned(),
        room: form.raw("room").to_owned(),
        registration: form.raw("registration").to_owned(),
        notes: form.raw("notes").to_owned(),
    };
    let saved = add_household(&app, &who, request).await.map(|id| format!("/registry/households/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| async { Ok(render(&page.typed(&form, problems)).into_response()) }).await
}
