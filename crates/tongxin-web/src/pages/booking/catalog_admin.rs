//! Running the catalogue from pages (`booking.manage`): `/booking/admin` lists the services
//! and the sites; a service is added or changed whole at `/booking/admin/services/{code}`
//! (rules, sites, weekly timetable as lines "weekday start seats"); a site's opening hours
//! and closure days at `/booking/admin/sites/{code}`. The same checks as the API.

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_app::booking::admin::{ServiceBody, WeeklyBody, checked};
use tongxin_core::access::Permission;
use tongxin_core::booking::timetable::Hours;
use tongxin_core::registry::Tag;
use tongxin_store::booking::catalog::{Service, Site};

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/booking/admin", get(list))
        .route("/booking/admin/services/{code}", get(service_form).post(service_save))
        .route("/booking/admin/sites/{code}", get(site_form).post(site_save))
}

#[derive(Template)]
#[template(path = "booking/admin.html")]
struct ListPage {
    page: PageContext,
    services: Vec<(String, String, String, bool)>,
    sites: Vec<(String, String, String)>,
}

async fn list(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    let shown = async {
        who.require(&app, Permission::BookingManage).await?;
        let categories = app.store.service_categories().await?;
        let services = app
            .store
            .services()
            .await?
            .into_iter()
            .map(|s| {
                let category =
                    categories.iter().find(|c| c.code == s.category).map(|c| c.name.clone()).unwrap_or_default();
                (s.code, s.name, category, s.active)
            })
            .collect();
        let sites = app
            .store
            .sites()
            .await?
            .into_iter()
            .map(|s| (s.code, s.name, lang.catalog().term(s.kind.term_key()).to_owned()))
            .collect();
        Ok::<_, ApiError>(
            render(&ListPage { page: PageContext::new(lang, &uri, Some(&who)), services, sites }).into_response(),
        )
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// A choice in a list of boxes or options: value, label, chosen.
pub struct Pick {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "booking/service_form.html")]
struct ServiceForm {
    page: PageContext,
    code: String,
    adding: bool,
    f: Params,
    categories: Vec<Pick>,
    sites: Vec<Pick>,
    tags: Vec<Pick>,
    problems: Vec<String>,
}

/// The form's fields from a stored service.
fn fields_of(s: &Service) -> Params {
    let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut pairs: Vec<(String, String)> = vec![
        ("category".into(), s.category.clone()),
        ("name".into(), s.name.clone()),
        ("name_en".into(), s.name_en.clone()),
        ("description".into(), s.description.clone()),
        ("provider".into(), s.provider.clone()),
        ("minutes".into(), s.minutes.to_string()),
        ("min_age".into(), s.rules.min_age.map(|a| a.to_string()).unwrap_or_default()),
        ("care_level_min".into(), s.rules.care_level_min.map(|a| a.to_string()).unwrap_or_default()),
        ("per_day".into(), opt(s.rules.per_day)),
        ("per_month".into(), opt(s.rules.per_month)),
        ("price".into(), format!("{}.{:02}", s.price_fen / 100, s.price_fen % 100)),
        ("subsidy".into(), format!("{}.{:02}", s.subsidy_fen / 100, s.subsidy_fen % 100)),
        ("cutoff_hours".into(), (s.cancel_cutoff_minutes / 60).to_string()),
        ("documents".into(), s.documents.clone()),
        (
            "timetable".into(),
            s.timetable
                .iter()
                .map(|w| format!("{} {} {}", w.weekday.number_from_monday(), w.start.format("%H:%M"), w.capacity))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ];
    for (flag, on) in [("home_visit", s.home_visit), ("registered_only", s.rules.registered_only), ("active", s.active)]
    {
        if on {
            pairs.push((flag.into(), "1".into()));
        }
    }
    pairs.extend(s.sites.iter().map(|c| ("sites".into(), c.clone())));
    pairs.extend(s.rules.tags_any.iter().map(|t| ("tags_any".into(), t.as_str().to_owned())));
    Params::from_pairs(pairs)
}

async fn show_service(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    code: &str,
    typed: Option<(Params, Vec<String>)>,
) -> Result<Response, ApiError> {
    who.require(app, Permission::BookingManage).await?;
    let stored = if code == "new" { None } else { app.store.service(code).await? };
    let adding = stored.is_none();
    let (f, problems) = match typed {
        Some((f, p)) => (f, p),
        None => (
            stored.as_ref().map(fields_of).unwrap_or_else(|| Params::from_pairs(vec![("active".into(), "1".into())])),
            Vec::new(),
        ),
    };
    let chosen = |name: &str, value: &str| f.all(name).contains(&value);
    let page = ServiceForm {
        page: PageContext::new(lang, uri, Some(who)),
        code: if code == "new" { String::new() } else { code.to_owned() },
        adding,
        categories: app
            .store
            .service_categories()
            .await?
            .into_iter()
            .map(|c| Pick { chosen: f.raw("category") == c.code, value: c.code, label: c.name })
            .collect(),
        sites: app
            .store
            .sites()
            .await?
            .into_iter()
            .map(|s| Pick { chosen: chosen("sites", &s.code), value: s.code, label: s.name })
            .collect(),
        tags: [Tag::LivesAlone, Tag::Childless, Tag::Disabled, Tag::Dibao]
            .iter()
            .map(|t| Pick {
                value: t.as_str().into(),
                label: lang.catalog().term(t.term_key()).into(),
                chosen: chosen("tags_any", t.as_str()),
            })
            .collect(),
        f,
        problems,
    };
    Ok(render(&page).into_response())
}

async fn service_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(code): Path<String>,
) -> Response {
    show_service(&app, lang, &uri, &who, &code, None)
        .await
        .unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// Yuan as typed ("12.5") in fen.
fn fen(text: &str, field: &str, problems: &mut Vec<String>) -> i64 {
    let t = text.trim();
    if t.is_empty() {
        return 0;
    }
    match t.parse::<f64>() {
        Ok(v) if (0.0..=100_000.0).contains(&v) => (v * 100.0).round() as i64,
        _ => {
            problems.push(format!("{field}：「{t}」不是金额（元）"));
            0
        }
    }
}

async fn service_save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let target = if code == "new" { form.raw("code").trim().to_owned() } else { code.clone() };
    let done = async {
        who.require(&app, Permission::BookingManage).await?;
        let mut problems = Vec::new();
        let ok_code =
            !target.is_empty() && target.len() <= 32 && target.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok_code {
            problems.push("代码：1 到 32 个字母、数字或 -".to_owned());
        }
        if code == "new" && app.store.service(&target).await?.is_some() {
            problems.push(format!("代码：已有服务 {target}"));
        }
        let number = |name: &str, problems: &mut Vec<String>| -> Option<u32> {
            let t = form.raw(name).trim();
            if t.is_empty() {
                return None;
            }
            t.parse().map_err(|_| problems.push(format!("{name}：「{t}」不是整数"))).ok()
        };
        let mut timetable = Vec::new();
        for line in form.raw("timetable").lines().map(str::trim).filter(|l| !l.is_empty()) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                [d, t, n] if d.parse::<u8>().is_ok() && n.parse::<u32>().is_ok() => timetable.push(WeeklyBody {
                    weekday: d.parse().unwrap_or(0),
                    start: (*t).to_owned(),
                    capacity: n.parse().unwrap_or(0),
                }),
                _ => problems.push(format!("时间表：「{line}」应为「星期 开始时间 名额」，如 1 09:00 10")),
            }
        }
        let body = ServiceBody {
            category: form.raw("category").to_owned(),
            name: form.raw("name").to_owned(),
            name_en: form.raw("name_en").to_owned(),
            description: form.raw("description").to_owned(),
            provider: form.raw("provider").to_owned(),
            home_visit: form.get("home_visit") == Some("1"),
            sites: form.all("sites").into_iter().map(str::to_owned).collect(),
            minutes: number("minutes", &mut problems).unwrap_or(0),
            min_age: number("min_age", &mut problems).map(|a| a.min(255) as u8),
            registered_only: form.get("registered_only") == Some("1"),
            tags_any: form.all("tags_any").into_iter().map(str::to_owned).collect(),
            care_level_min: number("care_level_min", &mut problems).map(|a| a.min(255) as u8),
            per_day: number("per_day", &mut problems),
            per_month: number("per_month", &mut problems),
            price_fen: fen(form.raw("price"), "价格", &mut problems),
            subsidy_fen: fen(form.raw("subsidy"), "补贴", &mut problems),
            cancel_cutoff_minutes: i64::from(number("cutoff_hours", &mut problems).unwrap_or(0)) * 60,
            documents: form.raw("documents").to_owned(),
            active: form.get("active") == Some("1"),
            timetable,
        };
        let sites: Vec<String> = app.store.sites().await?.into_iter().map(|s| s.code).collect();
        let categories: Vec<String> = app.store.service_categories().await?.into_iter().map(|c| c.code).collect();
        let service = match checked(&sites, &categories, &target, body).map_err(ApiError::from) {
            Ok(s) if problems.is_empty() => s,
            Ok(_) => return Ok(Err(problems)),
            Err(ApiError::Unprocessable { details, .. }) => {
                problems.extend(
                    details["problems"].as_array().into_iter().flatten().filter_map(|p| p.as_str().map(str::to_owned)),
                );
                return Ok(Err(problems));
            }
            Err(e) => return Err(e),
        };
        let mut service = service;
        service.position = app.store.service(&target).await?.map(|s| s.position).unwrap_or(999);
        app.store.save_catalog(&who.caller(), &[], &[], &[service]).await?;
        Ok::<_, ApiError>(Ok(()))
    }
    .await;
    match done {
        Ok(Ok(())) => Redirect::to("/booking/admin?saved=1").into_response(),
        Ok(Err(problems)) => match show_service(&app, lang, &uri, &who, &code, Some((form, problems))).await {
            Ok(page) => (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            Err(e) => PageError::from_api(lang, e).into_response(),
        },
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "booking/site_form.html")]
struct SiteForm {
    page: PageContext,
    site: Site,
    hours: Vec<(String, String)>,
    closures: Vec<String>,
    message: Option<String>,
    error: Option<String>,
}

async fn site_form(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(code): Path<String>,
    params: Params,
) -> Response {
    let shown = async {
        who.require(&app, Permission::BookingManage).await?;
        let site = tongxin_app::booking::site_named(&app, &code).await?;
        let t = lang.catalog();
        let hours = site
            .hours
            .texts()
            .into_iter()
            .enumerate()
            .map(|(i, h)| (t.get(["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"][i]).to_owned(), h))
            .collect();
        let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now());
        let closures = app
            .store
            .closures(today)
            .await?
            .into_iter()
            .filter(|(id, _)| *id == site.id)
            .map(|(_, d)| d.to_string())
            .collect();
        let page = SiteForm {
            page: PageContext::new(lang, &uri, Some(&who)),
            site,
            hours,
            closures,
            message: params.get("message").filter(|m| !m.is_empty()).map(str::to_owned),
            error: params.get("error").filter(|m| !m.is_empty()).map(str::to_owned),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

async fn site_save(
    State(app): State<App>,
    lang: Lang,
    who: PageCaller,
    Path(code): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let done = async {
        who.require(&app, Permission::BookingManage).await?;
        let site = tongxin_app::booking::site_named(&app, &code).await?;
        if let Some(day) = form.get("close_day").filter(|d| !d.is_empty()) {
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid("close_day", format!("「{day}」不是日期")))?;
            app.store.close_site(&who.caller(), site.id, day, form.raw("reason").trim()).await?;
            return Ok::<_, ApiError>(lang.catalog().get("booking.closed_saved").to_owned());
        }
        let days: Vec<String> = (1..=7).map(|i| form.raw(&format!("h{i}")).trim().to_owned()).collect();
        let days: [&str; 7] = days.iter().map(String::as_str).collect::<Vec<_>>().try_into().expect("seven");
        let hours = Hours::parse(&days).map_err(|e| ApiError::invalid("hours", format!("开放时间：{e}")))?;
        let new = site.with_hours(hours);
        app.store.save_catalog(&who.caller(), &[], &[new], &[]).await?;
        Ok(lang.catalog().get("booking.hours_saved").to_owned())
    }
    .await;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match done {
        Ok(m) => Redirect::to(&format!("/booking/admin/sites/{}?message={}", enc(&code), enc(&m))).into_response(),
        Err(e @ (ApiError::InvalidParameter { .. } | ApiError::Conflict { .. })) => Redirect::to(&format!(
            "/booking/admin/sites/{}?error={}",
            enc(&code),
            enc(&crate::pages::booking::shown(lang, &e))
        ))
        .into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
