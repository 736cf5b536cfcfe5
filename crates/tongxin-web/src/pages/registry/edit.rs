//! The registry's edit forms (`registry.write`): a resident (change, move out, add to a
//! household) and a household (change; adding one is on its building's page).
//! They call the same functions as the JSON API; a refused form comes back with what was
//! typed and every problem named with its column, in Chinese.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_app::registry::edit::{ResidentPatch, ResidentRequest, add_resident, change_resident};
use tongxin_app::registry::{HouseholdView, household_detail, one_resident};
use tongxin_core::registry::{Gender, HouseholdRole, Tag};

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/registry/residents/{id}/edit", get(resident_form).post(resident_save))
        .route("/registry/households/{id}/residents/new", get(new_resident_form).post(new_resident_save))
        .route(
            "/registry/households/{id}/edit",
            get(super::household_edit::household_form).post(super::household_edit::household_save),
        )
}

/// A choice in a select, a radio or a checkbox: stored value, name, chosen.
pub struct Choice {
    pub value: &'static str,
    /// The term's catalog key (`Gender.female`); templates show `page.t.term(name)`.
    pub name: &'static str,
    pub chosen: bool,
}

pub fn choices<T: Copy + PartialEq>(
    all: &[T],
    chosen: impl Fn(T) -> bool,
    value: impl Fn(T) -> &'static str,
    name: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: value(*v), name: name(*v), chosen: chosen(*v) }).collect()
}

/// The problems of a refused form, one line each: "身份证号：校验位错误……".
fn problems_of(e: &ApiError) -> Option<Vec<String>> {
    match e {
        ApiError::Unprocessable { details, .. } => Some(
            details["errors"]
                .as_array()
                .map(|errors| {
                    errors
                        .iter()
                        .map(|x| {
                            format!("{}：{}", x["column"].as_str().unwrap_or(""), x["reason"].as_str().unwrap_or(""))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        ApiError::Conflict { message, .. } => Some(vec![conflict_zh(message)]),
        _ => None,
    }
}

/// A store conflict said in Chinese.
fn conflict_zh(message: &str) -> String {
    if message.contains("ID number") {
        "身份证号：该身份证号已登记在册（同一人只能登记一次）".into()
    } else if message.contains("unit and room") {
        "室：该楼栋已有这个单元和室号的户".into()
    } else {
        message.into()
    }
}

/// After a save: on to `to`; a refused form comes back from `again` with its problems
/// (422); anything else is an error page.
pub async fn saved_or_again<F, Fut>(lang: Lang, result: Result<String, impl Into<ApiError>>, again: F) -> Response
where
    F: FnOnce(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    let e = match result.map_err(Into::into) {
        Ok(to) => return Redirect::to(&to).into_response(),
        Err(e) => e,
    };
    match problems_of(&e) {
        Some(problems) => match again(problems).await {
            Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            Err(e) => PageError::from_api(lang, e).into_response(),
        },
        None => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "registry/resident_form.html")]
struct ResidentForm {
    page: PageContext,
    /// Where the form posts.
    action: String,
    /// The household's address (adding) or the resident's name (changing).
    heading: String,
    back: String,
    adding: bool,
    name: String,
    birth_date: String,
    id_masked: String,
    phone_masked: String,
    moved_in: String,
    moved_out: String,
    genders: Vec<Choice>,
    roles: Vec<Choice>,
    tags: Vec<Choice>,
    problems: Vec<String>,
}

impl ResidentForm {
    fn blank(page: PageContext, action: String, heading: String, back: String) -> Self {
        Self {
            page,
            action,
            heading,
            back,
            adding: true,
            name: String::new(),
            birth_date: String::new(),
            id_masked: String::new(),
            phone_masked: String::new(),
            moved_in: String::new(),
            moved_out: String::new(),
            genders: choices(Gender::ALL, |_| false, Gender::as_str, Gender::term_key),
            roles: choices(HouseholdRole::ALL, |_| false, HouseholdRole::as_str, HouseholdRole::term_key),
            tags: choices(Tag::ALL, |_| false, Tag::as_str, Tag::term_key),
            problems: vec![],
        }
    }

    /// The form again with what was typed.
    fn typed(mut self, form: &Params, problems: Vec<String>) -> Self {
        self.name = form.raw("name").to_owned();
        self.birth_date = form.raw("birth_date").to_owned();
        self.moved_in = form.raw("moved_in").to_owned();
        self.moved_out = form.raw("moved_out").to_owned();
        let picked = form.all("tags");
        self.genders = choices(Gender::ALL, |g| form.raw("gender") == g.as_str(), Gender::as_str, Gender::term_key);
        self.roles = choices(
            HouseholdRole::ALL,
            |r| form.raw("role") == r.as_str(),
            HouseholdRole::as_str,
            HouseholdRole::term_key,
        );
        self.tags = choices(Tag::ALL, |t| picked.contains(&t.as_str()), Tag::as_str, Tag::term_key);
        self.problems = problems;
        self
    }
}

fn tags_of(form: &Params) -> String {
    form.all("tags").join(",")
}

/// An empty box leaves a personal value as it is.
pub fn kept(form: &Params, name: &str) -> Option<String> {
    form.get(name).map(str::to_owned)
}

async fn resident_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    let found = async {
        let id = id_param(&raw)?;
        who.require(&app, tongxin_core::access::Permission::RegistryWrite).await?;
        Ok::<_, ApiError>(one_resident(&app, &who, id).await?)
    }
    .await;
    let r = match found {
        Ok(r) => r,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let mut form = ResidentForm::blank(
        PageContext::new(lang, &uri, Some(&who)),
        format!("/registry/residents/{}/edit", r.id),
        r.name.clone(),
        format!("/registry/residents/{}", r.id),
    );
    form.adding = false;
    form.name = r.name.clone();
    form.birth_date = r.birth_date.to_string();
    form.id_masked = r.id_masked.clone();
    form.phone_masked = r.phone_masked.clone();
    form.moved_in = r.moved_in.map(|d| d.to_string()).unwrap_or_default();
    form.moved_out = r.moved_out.map(|d| d.to_string()).unwrap_or_default();
    form.genders = choices(Gender::ALL, |g| g == r.gender, Gender::as_str, Gender::term_key);
    form.roles = choices(HouseholdRole::ALL, |x| x == r.role, HouseholdRole::as_str, HouseholdRole::term_key);
    form.tags = choices(Tag::ALL, |t| r.tags.contains(&t), Tag::as_str, Tag::term_key);
    render(&form).into_response()
}

async fn resident_save(
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
    let patch = ResidentPatch {
        household_id: None,
        name: Some(form.raw("name").to_owned()),
        gender: Some(form.raw("gender").to_owned()),
        birth_date: Some(form.raw("birth_date").to_owned()),
        id_number: kept(&form, "id_number"),
        phone: if form.get("clear_phone").is_some() { Some(String::new()) } else { kept(&form, "phone") },
        role: Some(form.raw("role").to_owned()),
        tags: Some(tags_of(&form)),
        moved_in: Some(form.raw("moved_in").to_owned()),
        moved_out: Some(form.raw("moved_out").to_owned()),
    };
    let saved = change_resident(&app, &who, id, patch).await.map(|_| format!("/registry/residents/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| async {
        let r = one_resident(&app, &who, id).await?;
        let mut page = ResidentForm::blank(
            PageContext::new(lang, &uri, Some(&who)),
            format!("/registry/residents/{id}/edit"),
            r.name.clone(),
            format!("/registry/residents/{id}"),
        );
        page.adding = false;
        page.id_masked = r.id_masked;
        page.phone_masked = r.phone_masked;
        Ok(render(&page.typed(&form, problems)).into_response())
    })
    .await
}

pub(super) async fn household_heading(app: &App, who: &PageCaller, raw: &str) -> Result<HouseholdView, ApiError> {
    let id = id_param(raw)?;
    who.require(app, tongxin_core::access::Permission::RegistryWrite).await?;
    let (h, _) = household_detail(app, who, id).await?;
    Ok(HouseholdView::from(&h))
}

async fn new_resident_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    match household_heading(&app, &who, &raw).await {
        Ok(h) => render(&ResidentForm::blank(
            PageContext::new(lang, &uri, Some(&who)),
            format!("/registry/households/{}/residents/new", h.id),
            h.address,
            format!("/registry/households/{}", h.id),
        ))
        .into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

async fn new_resident_save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let h = match household_heading(&app, &who, &raw).await {
        Ok(h) => h,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let request = ResidentRequest {
        household_id: h.id,
        name: form.raw("name").to_owned(),
        gender: form.raw("gender").to_owned(),
        birth_date: form.raw("birth_date").to_owned(),
        id_number: form.raw("id_number").to_owned(),
        phone: form.raw("phone").to_owned(),
        role: form.raw("role").to_owned(),
        tags: tags_of(&form),
        moved_in: form.raw("moved_in").to_owned(),
    };
    let saved = add_resident(&app, &who, request).await.map(|id| format!("/registry/residents/{id}?saved=1"));
    saved_or_again(lang, saved, |problems| async {
        let page = ResidentForm::blank(
            PageContext::new(lang, &uri, Some(&who)),
            format!("/registry/households/{}/residents/new", h.id),
            h.address.clone(),
            format!("/registry/households/{}", h.id),
        );
        Ok(render(&page.typed(&form, problems)).into_response())
    })
    .await
}
