//! The household edit form (`registry.write`): its address facts and notes, changed
//! through the same function as the JSON API; a refused form comes back with what was
//! typed and every problem named.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::registry::edit::{HouseholdPatch, change_household};
use tongxin_core::registry::Registration;

use crate::App;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;

use super::edit::{Choice, choices, household_heading, saved_or_again};

#[derive(Template)]
#[template(path = "registry/household_form.html")]
pub struct HouseholdForm {
    page: PageContext,
    action: String,
    heading: String,
    back: String,
    unit: String,
    room: String,
    notes: String,
    registrations: Vec<Choice>,
    problems: Vec<String>,
}

impl HouseholdForm {
    /// An empty form posting to `action`, under `heading`, with a link `back`.
    pub fn new(page: PageContext, action: String, heading: String, back: String) -> Self {
        Self {
            page,
            action,
            heading,
            back,
            unit: String::new(),
            room: String::new(),
            notes: String::new(),
            registrations: choices(Registration::ALL, |_| false, Registration::as_str, Registration::term_key),
            problems: vec![],
        }
    }

    /// The form again with what was typed.
    pub fn typed(mut self, form: &Params, problems: Vec<String>) -> Self {
        self.unit = form.raw("unit").to_owned();
        self.room = form.raw("room").to_owned();
        self.notes = form.raw("notes").to_owned();
        self.registrations = choices(
            Registration::ALL,
            |r| form.raw("registration") == r.as_str(),
            Registration::as_str,
            Registration::term_key,
        );
        self.problems = problems;
        self
    }
}

pub async fn household_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    let h = match household_heading(&app, &who, &raw).await {
        Ok(h) => h,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let mut form = HouseholdForm::new(
        PageContext::new(lang, &uri, Some(&who)),
        format!("/registry/households/{}/edit", h.id),
        h.address,
        format!("/registry/households/{}", h.id),
    );
    form.registrations =
        choices(Registration::ALL, |r| r.as_str() == h.registration, Registration::as_str, Registration::term_key);
    (form.unit, form.room, form.notes) = (h.unit, h.room, h.notes);
    render(&form).into_response()
}

pub async fn household_save(
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
    let patch = HouseholdPatch {
        unit: Some(form.raw("unit").to_owned()),
        room: Some(form.raw("room").to_owned()),
        registration: Some(form.raw("registration").to_owned()),
        notes: Some(form.raw("notes").to_owned()),
    };
    let saved =
        change_household(&app, &who, h.id, patch).await.map(|_| format!("/registry/households/{}?saved=1", h.id));
    saved_or_again(lang, saved, |problems| async {
        let page = HouseholdForm::new(
            PageContext::new(lang, &uri, Some(&who)),
            format!("/registry/households/{}/edit", h.id),
            h.address.clone(),
            format!("/registry/households/{}", h.id),
        );
        Ok(render(&page.typed(&form, problems)).into_response())
    })
    .await
}
