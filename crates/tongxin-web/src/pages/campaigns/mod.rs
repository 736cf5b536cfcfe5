//! Campaign pages: `/campaigns` (the campaigns touching the reader's regions, with their
//! figures, and for a manager the form that starts one from a shipped template),
//! `/campaigns/{id}` (progress per community and grid), and the grid worker's phone pages
//! in [`tasks`]. The rules are [`tongxin_app::campaigns`]'.

pub mod tasks;

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_app::campaigns::{CampaignRequest, CampaignView, ProgressView, create, list, progress, shipped};
use tongxin_core::access::Permission;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::access::admin_users::field_error;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::{Params, id_param};
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/campaigns", get(index).post(start))
        .route("/campaigns/{id}", get(one))
        .route("/campaigns/{id}/report", get(report_page))
        .route("/campaigns/{id}/assign", axum::routing::post(assign))
        .route("/tasks", get(tasks::list))
        .route("/tasks/{id}", get(tasks::form).post(tasks::submit))
}

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    page: PageContext,
    campaigns: Vec<CampaignView>,
    /// The start form, for a manager: the templates (code, name) and what was typed.
    templates: Option<Vec<(String, String)>>,
    typed: Typed,
    error: Option<String>,
}

/// What the start form shows: blank, or what was typed before a refusal.
#[derive(Default)]
struct Typed {
    name: String,
    template: String,
    ebike_only: bool,
    starts_on: String,
    ends_on: String,
    regions: String,
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    typed: Typed,
    error: Option<String>,
) -> Response {
    let campaigns = match list(app, who).await {
        Ok(c) => c,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let templates = who
        .actor
        .can(Permission::CampaignsManage)
        .then(|| shipped().into_iter().map(|(code, name, _)| (code, name)).collect());
    let page = ListPage { page: PageContext::new(lang, uri, Some(who)), campaigns, templates, typed, error };
    let status = if page.error.is_some() { axum::http::StatusCode::BAD_REQUEST } else { axum::http::StatusCode::OK };
    (status, render(&page)).into_response()
}

pub async fn index(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    let today = tongxin_app::registry::today();
    let typed = Typed {
        starts_on: today.to_string(),
        ends_on: (today + chrono::Days::new(30)).to_string(),
        ebike_only: true,
        ..Typed::default()
    };
    show(&app, lang, &uri, &who, typed, None).await
}

pub async fn start(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    let typed = Typed {
        name: form.raw("name").to_owned(),
        template: form.raw("template").to_owned(),
        ebike_only: form.get("ebike_only").is_some(),
        starts_on: form.raw("starts_on").to_owned(),
        ends_on: form.raw("ends_on").to_owned(),
        regions: form.raw("regions").to_owned(),
    };
    let template = typed.template.clone();
    let household_sweep = tongxin_core::campaigns::templates::named(&template)
        .is_some_and(|t| t.target == tongxin_core::campaigns::TargetKind::Household);
    let request = CampaignRequest {
        name: typed.name.clone(),
        template: Some(template),
        target_kind: None,
        target_filter: (typed.ebike_only && household_sweep).then(|| "with_ebike".to_owned()),
        starts_on: typed.starts_on.clone(),
        ends_on: typed.ends_on.clone(),
        regions: form.list("regions"),
        checklist: None,
    };
    match create(&app, &who, request).await.map_err(ApiError::from) {
        Ok((campaign, _)) => Redirect::to(&format!("/campaigns/{}", campaign.id)).into_response(),
        Err(e @ ApiError::InvalidParameter { .. }) => {
            let message = field_error(lang, &e).unwrap_or_else(|| e.to_string());
            show(&app, lang, &uri, &who, typed, Some(message)).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "campaigns/progress.html")]
struct ProgressPage {
    page: PageContext,
    view: ProgressView,
    /// The tables: by community, by grid (catalog key of the title, rows).
    sections: Vec<(&'static str, Vec<(String, tongxin_store::campaigns::progress::Progress)>)>,
    /// Region code → name, for the tables.
    names: std::collections::HashMap<String, String>,
    /// For a manager: each grid's workers, whom its tasks not yet visited can be given to.
    assign: Option<std::collections::HashMap<String, Vec<(i64, String)>>>,
    /// How many tasks the last reassignment moved.
    assigned: Option<String>,
}

pub async fn one(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    params: Params,
) -> Response {
    let view = match id_param(&raw) {
        Ok(id) => progress(&app, &who, id).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let mut view = match view {
        Ok(view) => view,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let locator = app.geo.current();
    let names = view
        .communities
        .iter()
        .chain(&view.grids)
        .filter_map(|(code, _)| {
            let code = tongxin_core::geo::RegionCode::parse(code).ok()?;
            Some((code.to_string(), locator.name(&code)?.to_owned()))
        })
        .collect();
    let mut assign = None;
    if who.actor.can(Permission::CampaignsManage) {
        let mut workers = std::collections::HashMap::new();
        for (code, _) in &view.grids {
            if let Ok(grid) = tongxin_core::geo::RegionCode::parse(code) {
                match tongxin_app::campaigns::grid_workers(&app, &grid).await {
                    Ok(list) => workers.insert(code.clone(), list),
                    Err(e) => return PageError::from_api(lang, e).into_response(),
                };
            }
        }
        assign = Some(workers);
    }
    let assigned = params.get("assigned").map(|n| lang.catalog().fmt("campaign.assigned", &[("n", &n)]));
    let sections = vec![
        ("campaign.by_community", std::mem::take(&mut view.communities)),
        ("campaign.by_grid", std::mem::take(&mut view.grids)),
    ];
    let page = PageContext::new(lang, &uri, Some(&who));
    render(&ProgressPage { page, view, sections, names, assign, assigned }).into_response()
}

/// Gives a grid's tasks not yet visited to one of its grid workers, or to nobody.
pub async fn assign(
    State(app): State<App>,
    lang: Lang,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let result = async {
        let id = id_param(&raw)?;
        let grid = form.require::<tongxin_core::geo::RegionCode>("grid")?;
        let user = form.parse::<i64>("user_id")?;
        let moved = tongxin_app::campaigns::reassign_grid(&app, &who, id, &grid, user).await?;
        Ok::<_, ApiError>((id, moved))
    }
    .await;
    match result {
        Ok((id, moved)) => Redirect::to(&format!("/campaigns/{id}?assigned={moved}")).into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "campaigns/report.html")]
struct ReportPage {
    page: PageContext,
    report: tongxin_app::campaigns::report::Report,
    /// (level key, code, name, figures) per line.
    rows: Vec<(&'static str, String, String, Vec<i64>)>,
}

/// The printable report: the same figures as the workbook.
pub async fn report_page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    let report = match id_param(&raw) {
        Ok(id) => tongxin_app::campaigns::report::report(&app, &who, id).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let report = match report {
        Ok(report) => report,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let rows = report
        .lines
        .iter()
        .map(|l| {
            let level = match l.level {
                "community" => "campaign.level_community",
                "grid" => "campaign.level_grid",
                _ => "campaign.level_total",
            };
            (level, l.code.clone(), l.name.clone(), report.figures(l))
        })
        .collect();
    render(&ReportPage { page: PageContext::new(lang, &uri, Some(&who)), report, rows }).into_response()
}
