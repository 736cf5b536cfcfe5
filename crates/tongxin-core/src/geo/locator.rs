//! [`Locator`]: which subdistrict, community, grid and building group a point is in.
//!
//! Built once from the regions and rebuilt when they change. The bounding boxes of the
//! polygons go into one R-tree per level (`rstar`, the version `geo` uses); a lookup walks
//! the levels from the deepest, asks the tree for the boxes holding the point, and runs an
//! exact point-in-polygon test on those few candidates only. Every answer is a
//! precomputed [`RegionPath`], so a lookup allocates nothing.

use std::collections::HashMap;

use geo::{BoundingRect, Contains, Intersects, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, Envelope, RTree};
use serde::Serialize;

use super::{LatLng, Region, RegionCode, RegionLevel};

/// One region on a path, without its geometry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionRef {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
}

/// The chain of regions holding a point, from the top of the tree down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RegionPath(Vec<RegionRef>);

impl RegionPath {
    pub fn at(&self, level: RegionLevel) -> Option<&RegionRef> {
        self.0.iter().find(|r| r.level == level)
    }

    pub fn deepest(&self) -> Option<&RegionRef> {
        self.0.last()
    }

    pub fn regions(&self) -> &[RegionRef] {
        &self.0
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

struct Shape {
    polygon: MultiPolygon<f64>,
    path: RegionPath,
}

/// The polygons of one level: an R-tree of their boxes, and the plain list the linear
/// baseline scans.
struct Level {
    tree: RTree<Entry>,
    members: Vec<usize>,
}

/// The point-in-region index. Cheap to query from many threads at once.
pub struct Locator {
    /// Levels that have polygons, deepest first.
    levels: Vec<Level>,
    shapes: Vec<Shape>,
    /// Every region's name, with a polygon or without.
    names: HashMap<RegionCode, String>,
}

impl Locator {
    /// Indexes every region that has a polygon. Regions without one still appear in the
    /// paths of their descendants.
    pub fn build(regions: &[Region]) -> Self {
        let by_code: HashMap<&RegionCode, &Region> = regions.iter().map(|r| (&r.code, r)).collect();
        let mut shapes = Vec::new();
        let mut entries: Vec<Vec<Entry>> = vec![Vec::new(); RegionLevel::ALL.len()];
        for region in regions {
            let Some(polygon) = region.shape() else { continue };
            let Some(rect) = polygon.bounding_rect() else { continue };
            let path = region
                .code
                .ancestors()
                .iter()
                .filter_map(|code| by_code.get(code).copied())
                .chain(std::iter::once(region))
                .map(|r| RegionRef { code: r.code.clone(), name: r.name.clone(), level: r.level() })
                .collect();
            let envelope = Rectangle::from_corners(rect.min().into(), rect.max().into());
            entries[region.level().depth()].push(GeomWithData::new(envelope, shapes.len()));
            shapes.push(Shape { polygon, path: RegionPath(path) });
        }
        let levels = entries
            .into_iter()
            .rev()
            .filter(|level| !level.is_empty())
            .map(|level| Level { members: level.iter().map(|e| e.data).collect(), tree: RTree::bulk_load(level) })
            .collect();
        let names = regions.iter().map(|r| (r.code.clone(), r.name.clone())).collect();
        Self { levels, shapes, names }
    }

    /// A region's name, by its code.
    pub fn name(&self, code: &RegionCode) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// Number of indexed polygons.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// The deepest region holding `point`, with its ancestors. A point exactly on a
    /// border shared by two regions goes to the one with the lower code.
    pub fn locate(&self, point: LatLng) -> Option<&RegionPath> {
        let p = point.to_point();
        let at = [p.x(), p.y()];
        self.levels.iter().find_map(|level| self.pick(|| level.tree.locate_all_at_point(&at).map(|e| e.data), p))
    }

    /// The same answer as [`Locator::locate`], testing every polygon of each level in turn
    /// instead of asking the tree. It is the baseline the benchmark compares against.
    pub fn locate_linear(&self, point: LatLng) -> Option<&RegionPath> {
        let p = point.to_point();
        self.levels.iter().find_map(|level| self.pick(|| level.members.iter().copied(), p))
    }

    /// Among the candidate shapes of one level: the one containing `p`, else the one
    /// with the lowest code whose border `p` lies on.
    fn pick<I: Iterator<Item = usize>>(&self, candidates: impl Fn() -> I, p: geo::Point<f64>) -> Option<&RegionPath> {
        let shapes = || candidates().map(|i| &self.shapes[i]);
        let code = |s: &Shape| s.path.deepest().map(|r| r.code.clone());
        let shape = shapes()
            .find(|s| s.polygon.contains(&p))
            .or_else(|| shapes().filter(|s| s.polygon.intersects(&p)).min_by_key(|s| code(s)))?;
        Some(&shape.path)
    }

    /// The bounding box of everything indexed, as (min lng, min lat, max lng, max lat).
    pub fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        let envelope: AABB<[f64; 2]> =
            self.levels.iter().map(|level| level.tree.root().envelope()).reduce(|a, b| a.merged(&b))?;
        let (lo, hi) = (envelope.lower(), envelope.upper());
        Some((lo[0], lo[1], hi[0], hi[1]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::region::polygon_geojson;
    use geo::polygon;

    fn square(code: &str, name: &str, x0: f64, y0: f64, size: f64) -> Region {
        let (x1, y1) = (x0 + size, y0 + size);
        let poly = polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)];
        Region { code: RegionCode::parse(code).unwrap(), name: name.into(), geometry: Some(polygon_geojson(&poly)) }
    }

    fn tree() -> Vec<Region> {
        vec![
            Region { code: RegionCode::parse("310106013").unwrap(), name: "静安寺街道".into(), geometry: None },
            square("310106013001", "景华", 121.0, 31.0, 0.02),
            square("310106013001001", "景华1", 121.0, 31.0, 0.01),
            square("310106013001002", "景华2", 121.01, 31.0, 0.01),
        ]
    }

    fn names(path: Option<&RegionPath>) -> Vec<&str> {
        path.map(|p| p.regions().iter().map(|r| r.name.as_str()).collect()).unwrap_or_default()
    }

    #[test]
    fn finds_the_deepest_region_with_its_ancestors() {
        let locator = Locator::build(&tree());
        let p = LatLng::new(31.005, 121.015).unwrap();
        assert_eq!(names(locator.locate(p)), ["静安寺街道", "景华", "景华2"]);
        let path = locator.locate(p).unwrap();
        assert_eq!(path.at(RegionLevel::Community).unwrap().code.as_str(), "310106013001");
        assert!(path.at(RegionLevel::Block).is_none());
    }

    #[test]
    fn falls_back_to_the_community_outside_every_grid() {
        let locator = Locator::build(&tree());
        assert_eq!(names(locator.locate(LatLng::new(31.015, 121.005).unwrap())), ["静安寺街道", "景华"]);
        assert!(locator.locate(LatLng::new(30.0, 121.0).unwrap()).is_none());
    }

    #[test]
    fn a_shared_border_goes_to_the_lower_code() {
        let locator = Locator::build(&tree());
        let on_border = LatLng::new(31.005, 121.01).unwrap();
        assert_eq!(names(locator.locate(on_border)), ["静安寺街道", "景华", "景华1"]);
        assert_eq!(locator.locate_linear(on_border), locator.locate(on_border));
    }

    #[test]
    fn tree_and_linear_scan_agree() {
        let locator = Locator::build(&tree());
        for i in 0..40 {
            for j in 0..40 {
                let p = LatLng::new(30.999 + j as f64 * 0.0006, 120.999 + i as f64 * 0.0006).unwrap();
                assert_eq!(locator.locate(p), locator.locate_linear(p), "at {p}");
            }
        }
        assert_eq!(locator.len(), 3);
        let (x0, y0, x1, y1) = locator.bounds().unwrap();
        assert!((x0 - 121.0).abs() < 1e-9 && (y1 - 31.02).abs() < 1e-9 && x1 > x0 && y1 > y0);
    }
}
