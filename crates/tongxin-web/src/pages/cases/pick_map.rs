//! The subdistrict drawn for choosing a place: grid outlines and every building as a dot.
//! `static/report.js` turns a click on it into a point (the projection's terms ride on the
//! picture as data attributes) and fills the latitude and longitude fields; without the
//! script the map still shows where the buildings are, and the address search works.

use tongxin_core::geo::{Building, LatLng, RegionLevel};
use tongxin_store::geo::RegionFilter;

use crate::App;
use crate::pages::geo::svg::{Projection, Shape, bounds};

/// More buildings than this are not drawn one by one.
const MAX_DOTS: usize = 4000;

pub struct Dot {
    pub x: String,
    pub y: String,
    pub id: i64,
    pub address: String,
}

pub struct PickMap {
    pub width: String,
    pub height: String,
    pub grids: Vec<Shape>,
    pub dots: Vec<Dot>,
    /// west, north, scale_x, scale_y
    pub terms: [String; 4],
    /// The point already chosen.
    pub marker: Option<(String, String)>,
}

/// The map of every grid in the subdistrict, with `buildings` on it and `marker`.
pub async fn pick_map(app: &App, buildings: &[Building], marker: Option<LatLng>) -> Option<PickMap> {
    let filter = RegionFilter { level: Some(RegionLevel::Grid), ..Default::default() };
    let grids = app.store.regions(&filter).await.ok()?;
    let projection = Projection::fit(bounds(&grids)?, 720.0, 12.0);
    let shapes = grids.iter().enumerate().filter_map(|(i, g)| Shape::new(g, &projection, g.name.clone(), i)).collect();
    let xy = |p: LatLng| {
        let (x, y) = projection.xy(p.lng(), p.lat());
        (format!("{x:.1}"), format!("{y:.1}"))
    };
    let dots = buildings
        .iter()
        .take(MAX_DOTS)
        .map(|b| {
            let (x, y) = xy(b.fields.location);
            Dot { x, y, id: b.id, address: b.fields.address.clone() }
        })
        .collect();
    Some(PickMap {
        width: format!("{:.0}", projection.width),
        height: format!("{:.0}", projection.height),
        grids: shapes,
        dots,
        terms: projection.terms(),
        marker: marker.map(xy),
    })
}

/// A case's grid drawn small: its outline, the buildings on it, the reported point, and
/// the building nearest to that point in words.
pub struct Position {
    pub width: String,
    pub height: String,
    pub outline: String,
    pub x: String,
    pub y: String,
    /// The grid's buildings (x, y), the nearest one last.
    pub buildings: Vec<(String, String)>,
    /// The nearest building's address and how far it is in metres, for a report by point.
    pub near: Option<(String, String)>,
}

/// The case's grid (or region) with its buildings and the reported point.
pub async fn case_map(app: &App, case: &tongxin_store::cases::CaseRecord) -> Option<Position> {
    use geo::{Distance, Haversine};
    let point = case.location?;
    let code = case.grid.as_ref().unwrap_or(&case.region);
    let region = app.store.region(code).await.ok().flatten()?;
    let shape = region.shape()?;
    let projection = Projection::fit(bounds(std::slice::from_ref(&region))?, 320.0, 16.0);
    let (x, y) = projection.xy(point.lng(), point.lat());
    let filter = tongxin_store::geo::BuildingFilter { within: code.clone(), limit: MAX_DOTS as i64, offset: 0 };
    let mut buildings = app.store.buildings(&filter).await.unwrap_or_default();
    let metres = |b: &Building| Haversine.distance(b.fields.location.to_point(), point.to_point());
    buildings.sort_by(|a, b| metres(b).total_cmp(&metres(a)));
    let near = match case.building_id {
        Some(_) => None,
        None => buildings.last().map(|b| (b.fields.address.clone(), format!("{:.0}", metres(b)))),
    };
    Some(Position {
        width: format!("{:.0}", projection.width),
        height: format!("{:.0}", projection.height),
        outline: projection.path(&shape),
        x: format!("{x:.1}"),
        y: format!("{y:.1}"),
        buildings: buildings
            .iter()
            .map(|b| {
                let (bx, by) = projection.xy(b.fields.location.lng(), b.fields.location.lat());
                (format!("{bx:.1}"), format!("{by:.1}"))
            })
            .collect(),
        near,
    })
}
