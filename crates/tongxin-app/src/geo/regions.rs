//! The regions a caller may read, behind `GET /regions`, `/regions/{code}`,
//! `/regions/{code}/children`, `/regions/{code}/geojson` and `/regions.geojson`.

use serde::Serialize;
use serde_json::{Value, json};
use tongxin_core::access::Permission;
use tongxin_core::geo::{Region, RegionCode, RegionLevel};
use tongxin_store::geo::RegionFilter;
use utoipa::ToSchema;

use super::RegionBrief;
use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

/// A region without its geometry, with its parent.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionSummary {
    #[serde(flatten)]
    pub region: RegionBrief,
    #[schema(example = "310106013001")]
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<RegionSummary>,
    pub total: usize,
}

/// One region with its place in the tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub summary: RegionSummary,
    /// The ancestors, from the top of the tree down.
    pub path: Vec<RegionBrief>,
    /// Number of direct children.
    pub children: i64,
    /// Number of buildings in this region and below.
    pub buildings: i64,
    /// [min lng, min lat, max lng, max lat] of the polygon, when it has one.
    pub bbox: Option<[f64; 4]>,
}

pub fn summary(region: &Region) -> RegionSummary {
    RegionSummary {
        region: RegionBrief {
            code: region.code.to_string(),
            name: region.name.clone(),
            level: region.level().to_string(),
        },
        parent_code: region.parent().map(|p| p.to_string()),
    }
}

pub fn not_found(code: &RegionCode) -> Error {
    Error::not_found(format!("no region with code {code}"))
}

/// The regions `params` asks for that the caller may see. A `parent` or `within` outside
/// the caller's regions (and not above them) is a 404, like a region that does not exist.
pub async fn visible_regions(app: &App, who: &Who, params: &Params) -> Result<Vec<Region>, Error> {
    who.require(app, Permission::GeoRead).await?;
    let filter = RegionFilter {
        level: params.parse::<RegionLevel>("level")?,
        parent: params.parse::<RegionCode>("parent")?,
        within: params.parse::<RegionCode>("within")?,
    };
    for code in [&filter.parent, &filter.within].into_iter().flatten() {
        if !who.actor.scope.touches(code) {
            return Err(who.out_of_scope(app, "region", code.as_str(), not_found(code)).await);
        }
    }
    let regions = app.store.regions(&filter).await?;
    Ok(regions.into_iter().filter(|r| who.actor.covers(&r.code)).collect())
}

/// A region the caller may see.
pub async fn visible_region(app: &App, who: &Who, code: &RegionCode) -> Result<Region, Error> {
    who.require(app, Permission::GeoRead).await?;
    let region = app.store.region(code).await?.ok_or_else(|| not_found(code))?;
    who.covers(app, code, not_found(code)).await?;
    Ok(region)
}

pub fn feature_json(region: &Region) -> Value {
    json!({
        "type": "Feature",
        "id": region.code.as_str(),
        "properties": {
            "code": region.code.as_str(),
            "name": region.name,
            "level": region.level(),
            "parent_code": region.parent().map(|p| p.to_string()),
        },
        "geometry": region.geometry,
    })
}
