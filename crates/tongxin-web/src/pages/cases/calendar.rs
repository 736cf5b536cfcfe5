//! `/admin/calendar` (工作日历): administrators (`catalog.manage`) see a year's holidays and
//! make-up working days, and add a later year from the State Council's notice, one day per
//! line. The same as `tongxin calendar add|show|remove`.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use tongxin_core::access::Permission;
use tongxin_core::cases::calendar::{DayKind, LineProblem, NoticeProblem, parse_notice};
use tongxin_core::time::Timestamp;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

/// A special day of the year shown.
pub struct Day {
    pub date: String,
    pub weekday: &'static str,
    /// calendar.holiday or calendar.workday
    pub kind: &'static str,
    pub name: String,
    /// Added by an administrator (and so removable), not shipped.
    pub added: bool,
}

#[derive(Template)]
#[template(path = "cases/calendar.html")]
struct CalendarPage {
    page: PageContext,
    year: i32,
    years: Vec<i32>,
    days: Vec<Day>,
    /// The text typed, shown again with the problems.
    typed: String,
    problems: Vec<String>,
    /// "Saved N days", after a save.
    saved: Option<String>,
}

const WEEKDAY_KEYS: [&str; 7] =
    ["calendar.mon", "calendar.tue", "calendar.wed", "calendar.thu", "calendar.fri", "calendar.sat", "calendar.sun"];

fn this_year() -> i32 {
    Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI).year()
}

/// A problem in the reader's language.
fn explain(lang: Lang, p: &LineProblem) -> String {
    let t = lang.catalog();
    let (key, value) = match &p.problem {
        NoticeProblem::Incomplete => ("calendar.problem.incomplete", String::new()),
        NoticeProblem::BadDate(raw) => ("calendar.problem.date", raw.clone()),
        NoticeProblem::BadKind(raw) => ("calendar.problem.kind", raw.clone()),
        NoticeProblem::NoName => ("calendar.problem.name", String::new()),
        NoticeProblem::WeekdayWorked(d) => ("calendar.problem.weekday", d.to_string()),
        NoticeProblem::Both(d) => ("calendar.problem.both", d.to_string()),
        NoticeProblem::Empty => return t.get("calendar.problem.empty").to_owned(),
    };
    t.fmt(key, &[("line", &p.line), ("value", &value)])
}

/// What the form leaves to show: the text typed and its problems, or how many days were saved.
#[derive(Default)]
struct FormState {
    typed: String,
    problems: Vec<String>,
    saved: Option<usize>,
}

async fn show(app: &App, lang: Lang, uri: &axum::http::Uri, who: &PageCaller, year: i32, form: FormState) -> Response {
    let FormState { typed, problems, saved } = form;
    if let Err(e) = who.require(app, Permission::CatalogManage).await {
        return PageError::from_api(lang, e).into_response();
    }
    let added = match app.store.calendar_overrides().await {
        Ok(added) => added,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let calendar = app.calendar.current();
    let days = calendar
        .special_days(year)
        .into_iter()
        .filter_map(|(date, kind)| {
            let (kind, name) = match kind {
                DayKind::Holiday(name) => ("calendar.holiday", name),
                DayKind::MakeupWorkday(name) => ("calendar.workday", name),
                DayKind::Workday | DayKind::Weekend => return None,
            };
            Some(Day {
                date: date.to_string(),
                weekday: WEEKDAY_KEYS[date.weekday().num_days_from_monday() as usize],
                kind,
                name,
                added: added.iter().any(|d| d.date == date),
            })
        })
        .collect();
    let mut years = calendar.years();
    let now = this_year();
    years.extend([now, now + 1, year]);
    years.sort_unstable();
    years.dedup();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let saved = saved.map(|n| lang.catalog().fmt("calendar.saved", &[("n", &n)]));
    let page = CalendarPage { page: PageContext::new(lang, uri, Some(who)), year, years, days, typed, problems, saved };
    (status, render(&page)).into_response()
}

fn year_param(params: &Params) -> Result<i32, ApiError> {
    Ok(params.parse::<i32>("year")?.filter(|y| (2000..=2100).contains(y)).unwrap_or_else(this_year))
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let year = match year_param(&params) {
        Ok(year) => year,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let saved = params.parse::<usize>("saved").ok().flatten();
    show(&app, lang, &uri, &who, year, FormState { saved, ..FormState::default() }).await
}

/// Adds the typed days, all or nothing.
pub async fn add(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    if let Err(e) = who.require(&app, Permission::CatalogManage).await {
        return PageError::from_api(lang, e).into_response();
    }
    let typed = form.raw("days").to_owned();
    let days = match parse_notice(&typed) {
        Ok(days) => days,
        Err(problems) => {
            let year = problems_year(&typed).unwrap_or_else(this_year);
            let problems = problems.iter().map(|p| explain(lang, p)).collect();
            return show(&app, lang, &uri, &who, year, FormState { typed, problems, saved: None }).await;
        }
    };
    if let Err(e) = app.store.set_calendar_days(&who.caller(), &days).await {
        return PageError::from_api(lang, e).into_response();
    }
    if let Err(e) = app.calendar.reload(&app.store).await {
        return PageError::from_api(lang, e).into_response();
    }
    let year = days[0].date.year();
    Redirect::to(&format!("/admin/calendar?year={year}&saved={}", days.len())).into_response()
}

/// The year of the first date typed, to show that year again with the problems.
fn problems_year(typed: &str) -> Option<i32> {
    typed.split_whitespace().find_map(|word| NaiveDate::parse_from_str(word, "%Y-%m-%d").ok()).map(|d| d.year())
}

/// Takes back an added day.
pub async fn remove(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    if let Err(e) = who.require(&app, Permission::CatalogManage).await {
        return PageError::from_api(lang, e).into_response();
    }
    let Ok(date) = NaiveDate::parse_from_str(form.raw("date"), "%Y-%m-%d") else {
        return PageError::from_api(lang, ApiError::invalid("date", "a date like 2027-01-01")).into_response();
    };
    let result = app.store.remove_calendar_day(&who.caller(), date).await;
    if let Err(e) = result {
        return PageError::from_api(lang, e).into_response();
    }
    if let Err(e) = app.calendar.reload(&app.store).await {
        return PageError::from_api(lang, e).into_response();
    }
    Redirect::to(&format!("/admin/calendar?year={}", date.year())).into_response()
}
