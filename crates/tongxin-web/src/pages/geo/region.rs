//! `/regions/{code}`: one region with its parent chain, a map of it, its subdivisions and,
//! for grids and building groups, its buildings.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Html;
use tongxin_app::geo::regions::visible_region;
use tongxin_core::geo::{Building, Region, RegionCode, RegionLevel};
use tongxin_store::geo::{BuildingFilter, RegionFilter};

use super::map::level_key;
use super::svg::{Projection, Shape, bounds};
use crate::App;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};

/// The most buildings one region page lists.
const MAX_BUILDINGS: i64 = 500;

pub struct Crumb {
    pub code: String,
    pub name: String,
    pub level: &'static str,
}

pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub children: i64,
    pub buildings: i64,
}

pub struct BuildingRow {
    pub name: String,
    pub address: String,
    pub floors: u16,
    pub has_elevator: bool,
    pub block: String,
}

/// A small map of the region: its outline, its subdivisions and its buildings.
pub struct MiniMap {
    pub width: String,
    pub height: String,
    pub outline: String,
    pub parts: Vec<Shape>,
    pub dots: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "geo/region.html")]
struct RegionPage {
    page: PageContext,
    name: String,
    code: String,
    level: &'static str,
    crumbs: Vec<Crumb>,
    child_level: Option<&'static str>,
    children: Vec<ChildRow>,
    shows_buildings: bool,
    building_count: String,
    buildings: Vec<BuildingRow>,
    map: Option<MiniMap>,
}

pub async fn page(
    State(app): State<App>,
    who: PageCaller,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    Path(raw): Path<String>,
) -> Result<Html<String>, PageError> {
    let failed = |e: tongxin_store::StoreError| PageError::from_api(lang, e);
    let code = RegionCode::parse(&raw).map_err(|_| PageError::new(lang, StatusCode::BAD_REQUEST, "error.bad_code"))?;
    let region = visible_region(&app, &who, &code).await.map_err(crate::ApiError::from).map_err(|e| match e {
        crate::ApiError::NotFound { .. } => PageError::new(lang, StatusCode::NOT_FOUND, "error.region_not_found"),
        other => PageError::from_api(lang, other),
    })?;
    let ancestors = app.store.ancestors(&code).await.map_err(failed)?;
    let children =
        app.store.regions(&RegionFilter { parent: Some(code.clone()), ..Default::default() }).await.map_err(failed)?;
    let grandchildren: HashMap<_, _> = app.store.child_counts(&code).await.map_err(failed)?.into_iter().collect();
    let per_child: HashMap<_, _> =
        app.store.building_counts_by_child(&code).await.map_err(failed)?.into_iter().collect();
    let total = app.store.count_buildings(&code).await.map_err(failed)?;
    let shows_buildings = region.level() >= RegionLevel::Grid;
    let buildings = if shows_buildings {
        let filter = BuildingFilter { within: code.clone(), limit: MAX_BUILDINGS, offset: 0 };
        app.store.buildings(&filter).await.map_err(failed)?
    } else {
        Vec::new()
    };

    let t = lang.catalog();
    let block_names: HashMap<&RegionCode, &str> = children.iter().map(|c| (&c.code, c.name.as_str())).collect();
    render(&RegionPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        name: region.name.clone(),
        code: code.to_string(),
        level: level_key(region.level()),
        crumbs: ancestors
            .iter()
            .map(|r| Crumb { code: r.code.to_string(), name: r.name.clone(), level: level_key(r.level()) })
            .collect(),
        child_level: region.level().child().map(level_key),
        children: children
            .iter()
            .map(|c| ChildRow {
                code: c.code.to_string(),
                name: c.name.clone(),
                children: grandchildren.get(&c.code).copied().unwrap_or(0),
                buildings: per_child.get(&c.code).copied().unwrap_or(0),
            })
            .collect(),
        shows_buildings,
        building_count: t.fmt("region.building_count", &[("n", &total)]),
        map: mini_map(&region, &children, &buildings),
        buildings: buildings
            .iter()
            .map(|b| BuildingRow {
                name: b.fields.name.clone(),
                address: b.fields.address.clone(),
                floors: b.fields.floors,
                has_elevator: b.fields.has_elevator,
                block: b.fields.block.as_ref().and_then(|c| block_names.get(c).copied()).unwrap_or("").to_owned(),
            })
            .collect(),
    })
}

fn mini_map(region: &Region, children: &[Region], buildings: &[Building]) -> Option<MiniMap> {
    let shape = region.shape()?;
    let projection = Projection::fit(bounds(std::slice::from_ref(region))?, 480.0, 16.0);
    let parts =
        children.iter().enumerate().filter_map(|(i, c)| Shape::new(c, &projection, c.name.clone(), i)).collect();
    let dots = buildings
        .iter()
        .map(|b| {
            let (x, y) = projection.xy(b.fields.location.lng(), b.fields.location.lat());
            (format!("{x:.1}"), format!("{y:.1}"), b.fields.name.clone())
        })
        .collect();
    Some(MiniMap {
        width: format!("{:.0}", projection.width),
        height: format!("{:.0}", projection.height),
        outline: projection.path(&shape),
        parts,
        dots,
    })
}
