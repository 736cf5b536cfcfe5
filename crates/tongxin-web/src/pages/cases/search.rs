//! `/cases/search` (案件查询): every case within the reader's reach, by status, category,
//! source, department, overdue, dates and words, a page at a time; and the same selection
//! as a CSV or XLSX file.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tongxin_core::access::Permission;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::cases::report::Source;

use super::{Card, source_key, status_key};
use crate::App;
use crate::api::cases::category_names;
use crate::api::cases::read::search;
use crate::api::params::Params;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, found_or_explained, render};

/// A result row: the card and when it was reported.
pub struct Row {
    pub card: Card,
    pub created: String,
    pub source: &'static str,
}

#[derive(Template)]
#[template(path = "cases/search.html")]
struct SearchPage {
    page: PageContext,
    rows: Vec<Row>,
    /// (value, catalog key) for the status select
    statuses: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    /// (code, label) of classes and subclasses
    categories: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    /// The filters as typed, to show them again and to carry into links.
    status: String,
    category: String,
    source: String,
    department: String,
    overdue: bool,
    since: String,
    until: String,
    q: String,
    /// The query string of this selection without the cursor.
    query: String,
    next: Option<String>,
    can_export: bool,
    error: Option<String>,
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (found, error) = match found_or_explained(lang, search(&app, &who, &params).await) {
        Ok(found) => found,
        Err(page) => return page.into_response(),
    };
    let (cases, next) = found;
    let names = category_names(&app).await.unwrap_or_default();
    let rows = cases
        .iter()
        .map(|c| Row {
            card: Card::new(&app, c, names.get(c.category.as_str()).map_or("", String::as_str)),
            created: super::short_time(&c.created_at.to_shanghai_rfc3339()),
            source: source_key(c.source),
        })
        .collect();
    let mut categories: Vec<(String, String)> = app
        .store
        .category_classes()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(code, name)| (code.to_string(), format!("{code} {name}")))
        .collect();
    for c in app.store.categories().await.unwrap_or_default() {
        categories.push((c.code.to_string(), format!("　{} {}", c.code, c.name)));
    }
    categories.sort_by(|a, b| a.0.cmp(&b.0));
    let text = |name: &str| params.get(name).unwrap_or_default().to_owned();
    let kept: Vec<(&str, String)> = ["status", "category", "source", "department", "overdue", "since", "until", "q"]
        .into_iter()
        .filter_map(|k| params.get(k).map(|v| (k, v.to_owned())))
        .collect();
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    let mut statuses = vec![("open", "search.open")];
    statuses.extend(Status::ALL.into_iter().map(|s| (s.as_str(), status_key(s))));
    let page = SearchPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        rows,
        statuses,
        sources: Source::ALL.into_iter().map(|s| (s.as_str(), source_key(s))).collect(),
        categories,
        departments: app.store.departments().await.unwrap_or_default(),
        status: text("status"),
        category: text("category"),
        source: text("source"),
        department: text("department"),
        overdue: params.get("overdue") == Some("true"),
        since: text("since"),
        until: text("until"),
        q: text("q"),
        query,
        next,
        can_export: who.actor.can(Permission::CasesRead),
        error,
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}
