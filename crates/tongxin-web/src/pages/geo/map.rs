//! `/map`: every community and grid of the subdistrict as one SVG, with a form that
//! locates a point and marks it.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::Html;
use tongxin_app::geo::locate::point_param;
use tongxin_core::access::Permission;
use tongxin_core::geo::{Crs, Region, RegionLevel};
use tongxin_store::geo::RegionFilter;

use super::svg::{Projection, Shape, bounds};
use crate::auth::{PageCaller, Who};
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

/// One region on the path of a located point.
pub struct Crumb {
    pub code: String,
    pub name: String,
    pub level: &'static str,
}

/// What the locate form shows after a submission.
pub enum Located {
    Found(Vec<Crumb>),
    Outside,
    Invalid(&'static str),
}

/// The locate form's values, echoed back.
pub struct LocateForm {
    pub lat: String,
    pub lng: String,
    pub crs: &'static str,
}

#[derive(Template)]
#[template(path = "geo/map.html")]
struct MapPage {
    page: PageContext,
    width: String,
    height: String,
    communities: Vec<Shape>,
    grids: Vec<Shape>,
    summary: String,
    form: LocateForm,
    located: Option<Located>,
    marker: Option<(String, String)>,
    /// (value, catalog key) of each coordinate system the form offers.
    crs_options: [(&'static str, &'static str); 3],
}

pub async fn page(
    State(app): State<App>,
    who: PageCaller,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> Result<Html<String>, PageError> {
    let failed = |e: tongxin_app::Error| PageError::from_api(lang, e);
    who.require(&app, Permission::GeoRead).await.map_err(failed)?;
    // Only what the caller's regions cover is drawn and counted.
    let list = |level| RegionFilter { level: Some(level), ..Default::default() };
    let visible = |regions: Vec<Region>| regions.into_iter().filter(|r| who.actor.covers(&r.code)).collect::<Vec<_>>();
    let communities = visible(app.store.regions(&list(RegionLevel::Community)).await.map_err(|e| failed(e.into()))?);
    let grids = visible(app.store.regions(&list(RegionLevel::Grid)).await.map_err(|e| failed(e.into()))?);
    let buildings = match who.actor.scope.roots() {
        None => app.store.count_all_buildings().await.map_err(|e| failed(e.into()))?,
        Some(roots) => {
            let mut n = 0;
            for root in roots {
                n += app.store.count_buildings(root).await.map_err(|e| failed(e.into()))?;
            }
            n
        }
    };
    let t = lang.catalog();
    let summary = t
        .fmt("map.summary", &[("communities", &communities.len()), ("grids", &grids.len()), ("buildings", &buildings)]);

    let drawn = if communities.is_empty() { &grids } else { &communities };
    let projection = Projection::fit(bounds(drawn).unwrap_or((121.43, 31.21, 121.46, 31.23)), 1000.0, 12.0);
    let colour_of =
        |grid: &Region| communities.iter().position(|c| Some(&c.code) == grid.parent().as_ref()).unwrap_or(0);
    let community_shapes: Vec<Shape> = communities
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Shape::new(c, &projection, short_name(c).to_owned(), i))
        .collect();
    let grid_shapes: Vec<Shape> = grids
        .iter()
        .filter_map(|g| {
            let community = communities.iter().find(|c| Some(&c.code) == g.parent().as_ref());
            let label = community.and_then(|c| g.name.strip_prefix(short_name(c))).unwrap_or(&g.name).to_owned();
            Shape::new(g, &projection, label, colour_of(g))
        })
        .collect();

    let (located, marker, form) = locate(&app, &who, &params, &projection);
    render(&MapPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        width: format!("{:.0}", projection.width),
        height: format!("{:.0}", projection.height),
        communities: community_shapes,
        grids: grid_shapes,
        summary,
        form,
        located,
        marker,
        crs_options: [("wgs84", "crs.wgs84"), ("gcj02", "crs.gcj02"), ("bd09", "crs.bd09")],
    })
}

/// "景华居民区" is labelled "景华" on the map: a name from the data, marked `translate="no"`
/// in the page like every name shortened from the data.
fn short_name(region: &Region) -> &str {
    region.name.strip_suffix("居民区").unwrap_or(&region.name)
}

/// Runs the locate form when it was submitted.
fn locate(
    app: &App,
    who: &Who,
    params: &Params,
    projection: &Projection,
) -> (Option<Located>, Option<(String, String)>, LocateForm) {
    let crs = params.parse::<Crs>("crs").ok().flatten().unwrap_or_default();
    let form = LocateForm {
        lat: params.get("lat").unwrap_or_default().to_owned(),
        lng: params.get("lng").unwrap_or_default().to_owned(),
        crs: crs.as_str(),
    };
    if form.lat.is_empty() && form.lng.is_empty() {
        return (None, None, form);
    }
    let point = match point_param(params).map_err(ApiError::from) {
        Ok((point, _)) => point,
        Err(ApiError::InvalidParameter { field, .. }) => {
            let key = match field.as_str() {
                "lng" => "locate.error.lng",
                "crs" => "locate.error.crs",
                _ => "locate.error.lat",
            };
            return (Some(Located::Invalid(key)), None, form);
        }
        Err(_) => return (Some(Located::Invalid("locate.error.lat")), None, form),
    };
    let (x, y) = projection.xy(point.lng(), point.lat());
    let marker = Some((format!("{x:.1}"), format!("{y:.1}")));
    let locator = app.geo.current();
    let located = match locator.locate(point).filter(|p| p.deepest().is_some_and(|r| who.actor.covers(&r.code))) {
        Some(path) => Located::Found(
            path.regions()
                .iter()
                .map(|r| Crumb { code: r.code.to_string(), name: r.name.clone(), level: level_key(r.level) })
                .collect(),
        ),
        None => Located::Outside,
    };
    (Some(located), marker, form)
}

/// The catalog key naming a level.
pub fn level_key(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::District => "level.district",
        RegionLevel::Subdistrict => "level.subdistrict",
        RegionLevel::Community => "level.community",
        RegionLevel::Grid => "level.grid",
        RegionLevel::Block => "level.block",
    }
}
