//! `/registry/ebike-safety` (电动车消防安全): the year's figures on top, then a table per
//! community; a community's name opens its figures and, for a reader of the registry,
//! its buildings. A leader (`stats.read`) sees the counts without links into the registry. Same data and rules as
//! `GET /api/v1/registry/ebike-safety`.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tongxin_app::registry::safety::{SafetyRowView, SafetyView, reads_buildings, safety_report};

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

/// A row as the tables show it: counts, the coverage as a whole percentage, the shortfall.
pub struct Line {
    pub row: SafetyRowView,
    pub coverage: String,
    pub shortfall: String,
    /// Whether lithium e-bikes outnumber the spaces.
    pub short: bool,
}

impl Line {
    fn new(row: SafetyRowView) -> Self {
        let coverage = row.pledge_coverage.map_or_else(|| "—".to_owned(), |c| format!("{:.0}%", c * 100.0));
        let shortfall = row.shed_shortfall.map_or_else(|| "—".to_owned(), |s| s.to_string());
        let short = row.shed_shortfall.is_some_and(|s| s > 0);
        Self { row, coverage, shortfall, short }
    }
}

#[derive(Template)]
#[template(path = "registry/ebike_safety.html")]
struct SafetyPage {
    page: PageContext,
    year: i32,
    /// The figures as (id, catalog key, value).
    figures: Vec<(&'static str, &'static str, i64)>,
    communities: Vec<(String, String, Line)>,
    total: Option<Line>,
    /// The community opened, its name and its buildings.
    community: Option<(String, String)>,
    buildings: Vec<(i64, String, String, Line)>,
    /// Whether the reader keeps the registry: the links to its ledgers and the rows per
    /// building. A leader reads the figures alone.
    registry: bool,
    error: Option<String>,
}

fn figures(view: &SafetyView) -> Vec<(&'static str, &'static str, i64)> {
    let f = &view.figures;
    vec![
        ("sheds-checked", "safety.sheds_checked", f.sheds_checked),
        ("sheds-built", "safety.sheds_built", f.sheds_built),
        ("pledges-signed", "safety.pledges_signed", f.pledges_signed),
        ("hazards-found", "safety.hazards_found", f.hazards_found),
        ("hazards-fixed", "safety.hazards_fixed", f.hazards_fixed),
        ("bikes-cleared", "safety.bikes_cleared", f.bikes_cleared),
    ]
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (view, error) = match safety_report(&app, &who, &params).await.map_err(ApiError::from) {
        Ok((_, view)) => (Some(view), None),
        Err(ApiError::InvalidParameter { field, .. }) if field == "year" => {
            (None, Some(lang.catalog().get("safety.bad_year").to_owned()))
        }
        Err(ApiError::InvalidParameter { field, .. }) if field == "region" => {
            (None, Some(lang.catalog().get("safety.bad_region").to_owned()))
        }
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let page = PageContext::new(lang, &uri, Some(&who));
    let Some(view) = view else {
        let year = tongxin_core::registry::safety::SafetyYear::of(super::today()).get();
        let empty = SafetyPage {
            page,
            year,
            figures: Vec::new(),
            communities: Vec::new(),
            total: None,
            community: None,
            buildings: Vec::new(),
            registry: reads_buildings(&who),
            error,
        };
        return (StatusCode::BAD_REQUEST, render(&empty)).into_response();
    };
    let figures = figures(&view);
    let community = view.region.as_ref().map(|code| {
        let name = view.communities.iter().find(|c| code.starts_with(&c.code)).map(|c| c.name.clone());
        (code.clone(), name.unwrap_or_else(|| code.clone()))
    });
    let page = SafetyPage {
        page,
        year: view.year,
        figures,
        communities: view.communities.into_iter().map(|c| (c.code, c.name, Line::new(c.row))).collect(),
        total: Some(Line::new(view.total)),
        community,
        buildings: view.buildings.into_iter().map(|b| (b.id, b.name, b.address, Line::new(b.row))).collect(),
        registry: reads_buildings(&who),
        error,
    };
    render(&page).into_response()
}
