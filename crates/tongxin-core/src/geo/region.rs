//! Region and building records.

use geo::{MultiPolygon, Polygon};
use serde::Serialize;

use super::{LatLng, RegionCode, RegionLevel};

/// A node of the region tree. From community level down it has a polygon or multipolygon.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    /// The geometry as GeoJSON (a Polygon or MultiPolygon), kept as given.
    pub geometry: Option<geojson::Geometry>,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }

    pub fn parent(&self) -> Option<RegionCode> {
        self.code.parent()
    }

    /// The geometry as a multipolygon, for computation. `None` when the region has no
    /// polygon or its GeoJSON is not a polygon type (the import checks rule that out).
    pub fn shape(&self) -> Option<MultiPolygon<f64>> {
        self.geometry.as_ref().and_then(to_multipolygon)
    }
}

/// Converts a GeoJSON Polygon or MultiPolygon to a geo multipolygon.
pub fn to_multipolygon(geometry: &geojson::Geometry) -> Option<MultiPolygon<f64>> {
    match geo::Geometry::<f64>::try_from(geometry.clone()).ok()? {
        geo::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Some(mp),
        _ => None,
    }
}

/// GeoJSON for a single polygon, rounded to 7 decimals (about 1 cm).
pub fn polygon_geojson(polygon: &Polygon<f64>) -> geojson::Geometry {
    let round = |c: &geo::Coord<f64>| [(c.x * 1e7).round() / 1e7, (c.y * 1e7).round() / 1e7];
    let ring = |ls: &geo::LineString<f64>| ls.coords().map(round).collect::<Vec<_>>();
    let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors()).map(ring);
    geojson::Geometry::new_polygon(rings)
}

/// A building (楼栋). It belongs to a grid, and to a building group when one is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Building {
    pub id: i64,
    #[serde(flatten)]
    pub fields: NewBuilding,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewBuilding {
    pub grid: RegionCode,
    pub block: Option<RegionCode>,
    /// Display name, e.g. "华怡园 3号楼".
    pub name: String,
    /// Postal address, e.g. "华山路 250弄 3号".
    pub address: String,
    pub location: LatLng,
    pub floors: u16,
    pub has_elevator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildingError {
    #[error("grid must be a grid-level code, got {0}")]
    NotAGrid(String),
    #[error("block {block} is not a building group inside grid {grid}")]
    BlockOutsideGrid { block: String, grid: String },
    #[error("floors must be between 1 and 200")]
    Floors,
    #[error("address must not be empty")]
    Address,
}

impl BuildingError {
    pub fn field(&self) -> &'static str {
        match self {
            BuildingError::NotAGrid(_) => "grid",
            BuildingError::BlockOutsideGrid { .. } => "block",
            BuildingError::Floors => "floors",
            BuildingError::Address => "address",
        }
    }
}

impl NewBuilding {
    /// Checks the rules a building must keep; the store refuses anything else.
    pub fn check(&self) -> Result<(), BuildingError> {
        if self.grid.level() != RegionLevel::Grid {
            return Err(BuildingError::NotAGrid(self.grid.to_string()));
        }
        if let Some(block) = &self.block
            && (block.level() != RegionLevel::Block || !self.grid.contains(block))
        {
            return Err(BuildingError::BlockOutsideGrid { block: block.to_string(), grid: self.grid.to_string() });
        }
        if !(1..=200).contains(&self.floors) {
            return Err(BuildingError::Floors);
        }
        if self.address.trim().is_empty() {
            return Err(BuildingError::Address);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn building() -> NewBuilding {
        NewBuilding {
            grid: RegionCode::parse("310106013001002").unwrap(),
            block: Some(RegionCode::parse("310106013001002001").unwrap()),
            name: "华怡园 1号楼".into(),
            address: "华山路 250弄 1号".into(),
            location: LatLng::new(31.2235, 121.4455).unwrap(),
            floors: 6,
            has_elevator: false,
        }
    }

    #[test]
    fn checks_building_rules() {
        assert_eq!(building().check(), Ok(()));
        let mut b = building();
        b.block = Some(RegionCode::parse("310106013001003001").unwrap());
        assert_eq!(b.check().unwrap_err().field(), "block");
        let mut b = building();
        b.grid = RegionCode::parse("310106013001").unwrap();
        assert_eq!(b.check().unwrap_err().field(), "grid");
        let mut b = building();
        b.floors = 0;
        assert_eq!(b.check().unwrap_err().field(), "floors");
        let mut b = building();
        b.address = "  ".into();
        assert_eq!(b.check().unwrap_err().field(), "address");
    }

    #[test]
    fn polygon_round_trips_through_geojson() {
        let square = polygon![
            (x: 121.44, y: 31.22), (x: 121.45, y: 31.22), (x: 121.45, y: 31.23), (x: 121.44, y: 31.23)
        ];
        let region = Region {
            code: RegionCode::parse("310106013001").unwrap(),
            name: "景华".into(),
            geometry: Some(polygon_geojson(&square)),
        };
        assert_eq!(region.shape().unwrap().0[0], square);
    }
}
