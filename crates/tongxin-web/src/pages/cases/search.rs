//! `/cases/search` (案件查询): every case within the reader's reach, by status, category,
//! source, department, overdue, dates and words, the latest reported first, a page at a
//! time under the number found; and the same selection as a CSV or XLSX file. A date of
//! an earlier year shows its year.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tongxin_app::cases::category_names;
use tongxin_app::cases::read::search_page;
use tongxin_core::access::Permission;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::cases::report::Source;
use tongxin_core::time::Timestamp;

use super::{Card, source_key, status_key};
use crate::App;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, found_or_explained, render};
use crate::params::Params;

/// Cases a page (the API's default `limit`).
const PAGE: i64 = 50;

/// A time as the results show it: `12-07 09:30` this year, `2025-12-07 09:30` before.
fn dated(rfc3339: &str, this_year: &str) -> String {
    let short = super::short_time(rfc3339);
    match rfc3339.get(..4) {
        Some(year) if year != this_year && !short.is_empty() => format!("{year}-{short}"),
        _ => short,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_earlier_year_is_shown() {
        assert_eq!(super::dated("2026-12-07T09:30:00+08:00", "2026"), "12-07 09:30");
        assert_eq!(super::dated("2025-12-07T09:30:00+08:00", "2026"), "2025-12-07 09:30");
        assert_eq!(super::dated("", "2026"), "");
    }
}

/// A result row: the card and when it was reported.
pub struct Row {
    pub card: Card,
    pub created: String,
    /// The same time in full (RFC 3339, Shanghai).
    pub reported_at: String,
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
    /// The query string of this selection without the page.
    query: String,
    /// How many cases match in all, in words.
    total: String,
    /// The numbers of the previous and the next page, where there is one.
    previous: Option<i64>,
    next: Option<i64>,
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
    let (found, error) = match found_or_explained(lang, search_page(&app, &who, &params).await) {
        Ok(found) => found,
        Err(page) => return page.into_response(),
    };
    let (cases, total) = found;
    let names = category_names(&app).await.unwrap_or_default();
    let this_year = Timestamp::now().to_shanghai_rfc3339().get(..4).unwrap_or_default().to_owned();
    let rows: Vec<Row> = cases
        .iter()
        .map(|c| Row {
            card: Card::new(&app, c, names.get(c.category.as_str()).map_or("", String::as_str)),
            created: dated(&c.created_at.to_shanghai_rfc3339(), &this_year),
            reported_at: c.created_at.to_shanghai_rfc3339(),
            source: source_key(c.source),
        })
        .collect();
    let number = params.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
    let shown_to = (number - 1) * PAGE + rows.len() as i64;
    let previous = (number > 1 && error.is_none()).then_some(number - 1);
    let next = (shown_to < total).then_some(number + 1);
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
        total: lang.catalog().fmt("d14_search.total", &[("n", &total)]),
        previous,
        next,
        can_export: who.actor.can(Permission::CasesRead),
        error,
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}
