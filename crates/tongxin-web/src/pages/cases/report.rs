//! `/report`: file a case from a phone in half a minute. The category comes first (its extra
//! questions follow it); the position is typed or filled in by the phone's GPS.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;
use tongxin_app::cases::catalog::{CategoryView, active_categories};
use tongxin_app::cases::intake::{ReportRequest, file};
use tongxin_app::cases::place::{home, match_address};
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::catalog::{AttributeType, Category, CategoryCode};
use tongxin_core::geo::Building;
use tongxin_core::geo::address::Found;
use tongxin_store::geo::BuildingFilter;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::access::admin_users::field_error;
use crate::pages::cases::pick_map::{PickMap, pick_map};
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
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
    building_id: String,
    /// What each question was answered, kept across a refused submission.
    answers: BTreeMap<String, Vec<String>>,
    /// Staff take a caller's name and phone (sealed); residents report for themselves.
    staff: bool,
    reporter_name: String,
    reporter_phone: String,
    /// The buildings an ambiguous address may mean: (id, address, name).
    candidates: Vec<(i64, String, String)>,
    map: Option<PickMap>,
    error: Option<String>,
}

impl ReportPage {
    fn answered(&self, code: &str, value: &str) -> bool {
        self.answers.get(code).is_some_and(|v| v.iter().any(|a| a == value))
    }

    fn answer(&self, code: &str) -> &str {
        self.answers.get(code).and_then(|v| v.first()).map_or("", String::as_str)
    }
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
    if who.actor.kind == ActorKind::Resident {
        Ok(())
    } else {
        who.require(app, Permission::CasesReport).await.map_err(ApiError::from)
    }
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    form: &Params,
    error: Option<String>,
    candidates: Vec<Building>,
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
    let answers = questions
        .iter()
        .map(|q| {
            let field = format!("attr_{}", q.code);
            let values = if q.input == "multi" { form.all(&field) } else { form.get(&field).into_iter().collect() };
            (q.code.clone(), values.into_iter().map(str::to_owned).collect())
        })
        .collect();
    let field = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let marker = match (field("lat").parse::<f64>(), field("lng").parse::<f64>()) {
        (Ok(lat), Ok(lng)) => tongxin_core::geo::LatLng::new(lat, lng).ok(),
        _ => None,
    };
    let map = match (&chosen, home(app).await) {
        (Some(_), Ok(within)) => {
            let filter = BuildingFilter { within, limit: 200_000, offset: 0 };
            pick_map(app, &app.store.buildings(&filter).await.unwrap_or_default(), marker).await
        }
        _ => None,
    };
    let page = ReportPage {
        page: PageContext::new(lang, uri, Some(who)),
        groups,
        chosen,
        questions,
        building_id: field("building_id"),
        answers,
        staff: who.actor.kind != ActorKind::Resident,
        reporter_name: field("reporter_name"),
        reporter_phone: field("reporter_phone"),
        candidates: candidates.into_iter().map(|b| (b.id, b.fields.address, b.fields.name)).collect(),
        map,
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
    show(&app, lang, &uri, &who, &params, None, Vec::new()).await
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
    // "none": none of the buildings offered is right; file by the address alone.
    let unlisted = form.get("building_id") == Some("none");
    let building_id = form
        .get("building_id")
        .filter(|v| !v.is_empty() && !unlisted)
        .map(|v| v.parse::<i64>().map_err(|_| ApiError::invalid("building_id", "choose a building from the list")));
    let request = match (number("lat"), number("lng"), building_id.transpose()) {
        (Ok(lat), Ok(lng), Ok(building_id)) => Ok(ReportRequest {
            category: form.get("category").unwrap_or_default().to_owned(),
            description: form.get("description").unwrap_or_default().to_owned(),
            lat,
            lng,
            address: form.get("address").map(str::to_owned),
            attributes,
            building_id,
            reporter_name: form.get("reporter_name").map(str::to_owned),
            reporter_phone: form.get("reporter_phone").map(str::to_owned),
            source: form.get("source").map(str::to_owned),
            ..Default::default()
        }),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
    };
    // An address alone that may mean several buildings: the reporter chooses first, unless
    // they said none of them is right (the case then waits for a dispatcher to place it).
    if let Ok(r) = &request
        && r.lat.is_none()
        && r.building_id.is_none()
        && !unlisted
        && let Some(address) = r.address.as_deref().filter(|a| !a.trim().is_empty())
        && let Ok((Found::Candidates(ids), buildings)) = match_address(&app, address).await
    {
        let candidates = buildings.into_iter().filter(|b| ids.contains(&b.id)).collect();
        let message = Some(lang.catalog().get("place.choose").to_owned());
        return show(&app, lang, &uri, &who, &form, message, candidates).await;
    }
    let filed = match (request, photos) {
        (Ok(request), Ok(photos)) => file(&app, &who, request, photos).await.map_err(ApiError::from),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match filed {
        Ok((case, _)) => Redirect::to(&format!("/cases/{}", case.id)).into_response(),
        Err(e @ ApiError::InvalidParameter { .. }) => {
            let message = field_error(lang, &e);
            show(&app, lang, &uri, &who, &form, message, Vec::new()).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
