//! The buildings of a region and one building (behind `GET /regions/{code}/buildings` and
//! `GET /buildings/{id}`).

use serde::Serialize;
use tongxin_core::geo::Building;
use utoipa::ToSchema;

use super::Point;

/// A building (楼栋).
#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingView {
    pub id: i64,
    #[schema(example = "华怡园 3号楼")]
    pub name: String,
    #[schema(example = "华山路27弄3号")]
    pub address: String,
    pub grid_code: String,
    pub block_code: Option<String>,
    pub location: Point,
    pub floors: u16,
    pub has_elevator: bool,
}

impl From<Building> for BuildingView {
    fn from(b: Building) -> Self {
        let f = b.fields;
        Self {
            id: b.id,
            name: f.name,
            address: f.address,
            grid_code: f.grid.to_string(),
            block_code: f.block.map(|c| c.to_string()),
            location: f.location.into(),
            floors: f.floors,
            has_elevator: f.has_elevator,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingList {
    pub items: Vec<BuildingView>,
    /// All buildings in the region, not only this page.
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingMatches {
    /// At most 12, within the caller's regions.
    pub items: Vec<BuildingView>,
}
