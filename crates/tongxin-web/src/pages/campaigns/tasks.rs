//! The grid worker's phone pages: `/tasks` (their visit tasks, building by building) and
//! `/tasks/{id}` (the checklist of one visit). The form works without script, posting
//! here; with `static/visit.js` it keeps an unsent visit on the phone and sends it again
//! when the connection returns, to the JSON API, under the id the form was drawn with, so
//! the visit is stored once however often it is sent.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};
use tongxin_app::campaigns::visit::{TaskView, VisitRequest, my_tasks, record, task_with_campaign};
use tongxin_core::access::token::random_hex;
use tongxin_core::campaigns::checklist::{Checklist, ItemKind};

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::{Params, id_param};
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "campaigns/tasks.html")]
struct TasksPage {
    page: PageContext,
    /// (campaign name, its tasks)
    campaigns: Vec<(String, Vec<TaskRow>)>,
    done: Option<String>,
}

/// A task as its card shows it.
struct TaskRow {
    id: i64,
    label: String,
    /// The catalog key of its status.
    status: &'static str,
    /// How many visits so far, in words; empty before the first.
    visits: String,
}

fn status_key(status: &str) -> &'static str {
    match status {
        "visited" => "campaign.status_visited",
        "nobody_home" => "campaign.status_nobody_home",
        _ => "campaign.status_open",
    }
}

pub async fn list(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let tasks = match my_tasks(&app, &who).await {
        Ok(tasks) => tasks,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let t = lang.catalog();
    let mut campaigns: Vec<(String, Vec<TaskRow>)> = Vec::new();
    let mut done = None;
    for task in tasks {
        if params.get("done") == Some(task.id.to_string().as_str()) {
            done = Some(t.fmt("campaign.visit_saved", &[("target", &task.label)]));
        }
        let row = TaskRow {
            id: task.id,
            label: task.label.clone(),
            status: status_key(&task.status),
            visits: if task.visits > 0 { t.fmt("campaign.visits", &[("n", &task.visits)]) } else { String::new() },
        };
        match campaigns.iter_mut().find(|(name, _)| *name == task.campaign) {
            Some((_, list)) => list.push(row),
            None => campaigns.push((task.campaign.clone(), vec![row])),
        }
    }
    render(&TasksPage { page: PageContext::new(lang, &uri, Some(&who)), campaigns, done }).into_response()
}

/// One checklist item as the form draws it.
pub struct Field {
    pub code: String,
    pub label: String,
    /// yes_no, pledge, number, choice, multi_choice, text
    pub kind: &'static str,
    pub required: bool,
    pub min: String,
    pub max: String,
    pub choices: Vec<(String, String)>,
    /// The earlier item and answers that show this one, when it is conditional.
    pub when_item: String,
    pub when_any: String,
    /// What was typed, for a form shown again; and the problem with it.
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "campaigns/visit.html")]
struct VisitPage {
    page: PageContext,
    task: TaskView,
    fields: Vec<Field>,
    client_id: String,
    error: Option<String>,
}

fn fields(list: &Checklist, form: Option<&Params>, errors: &[(String, String)]) -> Vec<Field> {
    list.items
        .iter()
        // Photos arrive with the phone's camera upload, which this form does not take yet.
        .filter(|item| item.kind != ItemKind::Photo)
        .map(|item| {
            let (kind, min, max, choices) = match &item.kind {
                ItemKind::YesNo => ("yes_no", None, None, Vec::new()),
                ItemKind::Pledge => ("pledge", None, None, Vec::new()),
                ItemKind::Number { min, max } => ("number", *min, *max, Vec::new()),
                ItemKind::Choice { choices } => ("choice", None, None, pairs(choices)),
                ItemKind::MultiChoice { choices } => ("multi_choice", None, None, pairs(choices)),
                ItemKind::Text | ItemKind::Photo => ("text", None, None, Vec::new()),
            };
            Field {
                code: item.code.clone(),
                label: item.label.clone(),
                kind,
                required: item.required,
                min: min.map(|m| m.to_string()).unwrap_or_default(),
                max: max.map(|m| m.to_string()).unwrap_or_default(),
                choices,
                when_item: item.shown_when.as_ref().map(|c| c.item.clone()).unwrap_or_default(),
                when_any: item.shown_when.as_ref().map(|c| c.any_of.join(",")).unwrap_or_default(),
                value: form.map(|f| f.raw(&item.code).to_owned()).unwrap_or_default(),
                error: errors.iter().find(|(code, _)| *code == item.code).map(|(_, reason)| reason.clone()),
            }
        })
        .collect()
}

fn pairs(choices: &[tongxin_core::campaigns::checklist::Choice]) -> Vec<(String, String)> {
    choices.iter().map(|c| (c.code.clone(), c.label.clone())).collect()
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    id: i64,
    again: Option<Again<'_>>,
) -> Response {
    let (task, campaign) = match task_with_campaign(app, who, id).await {
        Ok(found) => found,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let (form, errors, error, client_id) = match again {
        Some(a) => (Some(a.form), a.errors, Some(a.message), a.client_id),
        None => (None, Vec::new(), None, format!("web-{}", random_hex(12))),
    };
    let page = VisitPage {
        page: PageContext::new(lang, uri, Some(who)),
        fields: fields(&campaign.checklist, form, &errors),
        task,
        client_id,
        error,
    };
    render(&page).into_response()
}

/// A refused form, drawn again with what was typed.
struct Again<'a> {
    form: &'a Params,
    errors: Vec<(String, String)>,
    message: String,
    client_id: String,
}

pub async fn form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    match id_param(&raw) {
        Ok(id) => show(&app, lang, &uri, &who, id, None).await,
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

/// The answers a form carries, typed by the checklist: yes/no as booleans, numbers as
/// numbers (or the text as typed, which the checklist then names), choices as codes.
pub fn answers(list: &Checklist, form: &Params) -> Map<String, Value> {
    let mut out = Map::new();
    for item in &list.items {
        let value = match &item.kind {
            ItemKind::MultiChoice { .. } => {
                let chosen: Vec<Value> = form.all(&format!("{}[]", item.code)).into_iter().map(Value::from).collect();
                if chosen.is_empty() { None } else { Some(Value::Array(chosen)) }
            }
            kind => form.get(&item.code).map(|raw| match (kind, raw) {
                (ItemKind::YesNo | ItemKind::Pledge, "true") => Value::Bool(true),
                (ItemKind::YesNo | ItemKind::Pledge, "false") => Value::Bool(false),
                (ItemKind::Number { .. }, raw) => raw
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::from(raw), Value::Number),
                (_, raw) => Value::from(raw),
            }),
        };
        if let Some(value) = value {
            out.insert(item.code.clone(), value);
        }
    }
    out
}

pub async fn submit(
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
    let task = match app.store.task(id).await {
        Ok(Some(task)) => task,
        Ok(None) => return PageError::from_api(lang, ApiError::not_found(format!("no task {id}"))).into_response(),
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let checklist = match app.store.campaign(task.campaign_id).await {
        Ok(Some(c)) => c.checklist,
        Ok(None) => return PageError::from_api(lang, ApiError::not_found("no campaign")).into_response(),
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let client_id = form.get("client_id").unwrap_or_default().to_owned();
    let request = VisitRequest {
        client_id: client_id.clone(),
        outcome: form.get("outcome").unwrap_or("visited").to_owned(),
        answers: answers(&checklist, &form),
    };
    match record(&app, &who, id, request).await.map_err(ApiError::from) {
        Ok(_) => Redirect::to(&format!("/tasks?done={id}")).into_response(),
        Err(ApiError::Unprocessable { details, .. }) => {
            let errors: Vec<(String, String)> = details["items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|i| {
                            (
                                i["item"].as_str().unwrap_or_default().to_owned(),
                                i["reason"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let message = lang.catalog().get("campaign.visit_refused").to_owned();
            show(&app, lang, &uri, &who, id, Some(Again { form: &form, errors, message, client_id })).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
