//! `/report`: file a case from a phone in half a minute. The category comes first (its extra
//! questions follow it); the position is typed or filled in by the phone's GPS.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::catalog::{AttributeType, Category, CategoryCode};

use crate::api::cases::catalog::{CategoryView, active_categories};
use crate::api::cases::intake::{ReportRequest, file};
use crate::api::params::Params;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::access::admin_users::field_error;
use crate::pages::{PageContext, PageError, render};
use crate::uploads::FormWithPhotos;
use crate::{ApiError, App};

/// One extra question of the chosen category.
pub struct Question {
    pub code: String,
    pub name: String,
    /// text, number, datetime, textarea, single or multi
    pub input: &'static str,
    pub required: bool,
    pub choices: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "cases/report.html")]
struct ReportPage {
    page: PageContext,
    /// (class name, [(code, name)])
    groups: Vec<(String, Vec<(String, String)>)>,
    chosen: Option<CategoryView>,
    questions: Vec<Question>,
    description: String,
    lat: String,
    lng: String,
    address: String,
    error: Option<String>,
}

fn questions(category: &Category) -> Vec<Question> {
    category
        .attributes
        .iter()
        .map(|a| {
            let (input, choices) = match &a.datatype {
                AttributeType::String => ("text", vec![]),
                AttributeType::Number => ("number", vec![]),
                AttributeType::Datetime => ("datetime", vec![]),
                AttributeType::Text => ("textarea", vec![]),
                AttributeType::SingleChoice(v) => ("single", v.clone()),
                AttributeType::MultiChoice(v) => ("multi", v.clone()),
            };
            Question { code: a.code.clone(), name: a.name.clone(), input, required: a.required, choices }
        })
        .collect()
}

async fn may_report(app: &App, who: &PageCaller) -> Result<(), ApiError> {
    if who.actor.kind == ActorKind::Resident { Ok(()) } else { who.require(app, Permission::CasesReport).await }
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    form: &Params,
    error: Option<String>,
) -> Response {
    let categories = match active_categories(app).await {
        Ok(c) => c,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for c in &categories {
        match groups.last_mut() {
            Some((class, items)) if *class == c.class_name => items.push((c.code.clone(), c.name.clone())),
            _ => groups.push((c.class_name.clone(), vec![(c.code.clone(), c.name.clone())])),
        }
    }
    let chosen_code = form.get("category").and_then(|c| CategoryCode::parse(c).ok());
    let chosen = chosen_code.as_ref().and_then(|code| categories.into_iter().find(|c| c.code == code.as_str()));
    let questions = match &chosen_code {
        Some(code) => app.store.category(code).await.ok().flatten().map(|c| questions(&c)).unwrap_or_default(),
        None => Vec::new(),
    };
    let page = ReportPage {
        page: PageContext::new(lang, uri, Some(who)),
        groups,
        chosen,
        questions,
        description: form.get("description").unwrap_or_default().to_owned(),
        lat: form.get("lat").unwrap_or_default().to_owned(),
        lng: form.get("lng").unwrap_or_default().to_owned(),
        address: form.get("address").unwrap_or_default().to_owned(),
        error: error.clone(),
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub async fn form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    if let Err(e) = may_report(&app, &who).await {
        return PageError::from_api(lang, e).into_response();
    }
    show(&app, lang, &uri, &who, &params, None).await
}

pub async fn submit(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    mut upload: FormWithPhotos,
) -> Response {
    let photos = upload.checked_photos();
    let form = upload.fields;
    let mut attributes = BTreeMap::new();
    if let Some(category) = form.get("category").and_then(|c| CategoryCode::parse(c).ok())
        && let Ok(Some(category)) = app.store.category(&category).await
    {
        for a in &category.attributes {
            let field = format!("attr_{}", a.code);
            let value = match a.datatype {
                AttributeType::MultiChoice(_) => {
                    Value::from(form.all(&field).into_iter().map(str::to_owned).collect::<Vec<_>>())
                }
                _ => form.get(&field).map_or(Value::Null, |v| Value::from(v.to_owned())),
            };
            if !value.is_null() {
                attributes.insert(a.code.clone(), value);
            }
        }
    }
    let number = |name: &str| -> Result<Option<f64>, ApiError> {
        form.get(name)
            .map(|v| v.parse::<f64>().map_err(|_| ApiError::invalid(name, format!("{name} must be a number"))))
            .transpose()
    };
    let request = match (number("lat"), number("lng")) {
        (Ok(lat), Ok(lng)) => Ok(ReportRequest {
            category: form.get("category").unwrap_or_default().to_owned(),
            description: form.get("description").unwrap_or_default().to_owned(),
            lat,
            lng,
            address: form.get("address").map(str::to_owned),
            attributes,
            source: form.get("source").map(str::to_owned),
            ..Default::default()
        }),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let filed = match (request, photos) {
        (Ok(request), Ok(photos)) => file(&app, &who, request, photos).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match filed {
        Ok((case, _)) => Redirect::to(&format!("/cases/{}", case.id)).into_response(),
        Err(e @ ApiError::InvalidParameter { .. }) => {
            let message = field_error(lang, &e);
            show(&app, lang, &uri, &who, &form, message).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
