//! The checks a GeoJSON region file must pass before anything in it is stored.
//!
//! [`check_import`] reads a FeatureCollection whose features carry `code` and `name`
//! properties (optionally `level` and `parent`, which must then agree with the code) and
//! either returns the regions to write or every problem it found, each naming the
//! feature by index and code. A file with any problem imports nothing.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use geo::{BooleanOps, BoundingRect, ChamberlainDuquetteArea, Intersects, MultiPolygon, Validation};
use geojson::{Feature, GeoJson, GeometryValue, Position};
use serde_json::Value;

use super::{CodeError, Region, RegionCode, RegionLevel, region::to_multipolygon};

/// Why one feature was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("properties.code is missing")]
    MissingCode,
    #[error("properties.code is invalid: {0}")]
    BadCode(CodeError),
    #[error("properties.name is missing or empty")]
    MissingName,
    #[error("properties.level is '{stated}' but the code is a {actual} code")]
    LevelMismatch { stated: String, actual: RegionLevel },
    #[error("properties.parent is '{stated}' but the code's parent is {expected}")]
    ParentMismatch { stated: String, expected: String },
    #[error("parent region {0} is neither in the file nor in the database")]
    MissingParent(String),
    #[error("duplicate code: feature #{first} has the same code")]
    DuplicateCode { first: usize },
    #[error("a {0} needs a Polygon or MultiPolygon geometry")]
    MissingGeometry(RegionLevel),
    #[error("geometry must be a Polygon or MultiPolygon, got {0}")]
    UnsupportedGeometry(String),
    #[error("{ring} is not closed (its first and last positions differ)")]
    UnclosedRing { ring: String },
    #[error("{ring} has fewer than 4 positions")]
    TooFewPositions { ring: String },
    #[error("{ring}, position {index}: not a longitude/latitude pair in range")]
    BadPosition { ring: String, index: usize },
    #[error("self-intersection: {0}")]
    SelfIntersection(String),
    #[error("invalid geometry: {0}")]
    InvalidGeometry(String),
    #[error("overlaps sibling {other} by {area_m2:.1} m²")]
    OverlapsSibling { other: String, area_m2: f64 },
    #[error("extends {area_m2:.1} m² outside its parent {parent}")]
    OutsideParent { parent: String, area_m2: f64 },
}

impl Problem {
    /// A stable machine-readable name for the kind of problem.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::MissingCode | Problem::BadCode(_) => "bad_code",
            Problem::MissingName => "missing_name",
            Problem::LevelMismatch { .. } => "level_mismatch",
            Problem::ParentMismatch { .. } => "parent_mismatch",
            Problem::MissingParent(_) => "missing_parent",
            Problem::DuplicateCode { .. } => "duplicate_code",
            Problem::MissingGeometry(_) | Problem::UnsupportedGeometry(_) => "bad_geometry_type",
            Problem::UnclosedRing { .. } => "unclosed_ring",
            Problem::TooFewPositions { .. } => "invalid_ring",
            Problem::BadPosition { .. } => "bad_position",
            Problem::SelfIntersection(_) => "self_intersection",
            Problem::InvalidGeometry(_) => "invalid_geometry",
            Problem::OverlapsSibling { .. } => "overlap",
            Problem::OutsideParent { .. } => "outside_parent",
        }
    }
}

/// One refused feature: its 0-based index in the file, its code if it has one, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureProblem {
    pub index: usize,
    pub code: Option<String>,
    pub problem: Problem,
}

impl fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code.as_deref().unwrap_or("no code");
        write!(f, "feature #{} ({code}): {}", self.index, self.problem)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("not a GeoJSON FeatureCollection: {0}")]
    NotACollection(String),
    #[error("{} problem(s) found; nothing was imported", .0.len())]
    Rejected(Vec<FeatureProblem>),
}

/// What an accepted file will do.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    /// Every region in the file, parents before children.
    pub regions: Vec<Region>,
    pub created: usize,
    pub updated: usize,
}

/// Checks `text` against itself and against the `existing` regions. Overlaps between
/// siblings, and parts of a child outside its parent, are refused when larger than
/// `tolerance_m2` square metres (digitised borders rarely meet exactly).
pub fn check_import(text: &str, existing: &[Region], tolerance_m2: f64) -> Result<ImportPlan, ImportError> {
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(fc)) => fc,
        Ok(_) => {
            return Err(ImportError::NotACollection("the top level is not a FeatureCollection".into()));
        }
        Err(e) => return Err(ImportError::NotACollection(e.to_string())),
    };
    let mut problems = Vec::new();
    let mut accepted: BTreeMap<RegionCode, (usize, Region)> = BTreeMap::new();
    for (index, feature) in collection.features.iter().enumerate() {
        match check_feature(feature) {
            Ok(region) => {
                if let Some((first, _)) = accepted.get(&region.code) {
                    let problem = Problem::DuplicateCode { first: *first };
                    problems.push(FeatureProblem { index, code: Some(region.code.to_string()), problem });
                } else {
                    accepted.insert(region.code.clone(), (index, region));
                }
            }
            Err(problem) => {
                problems.push(FeatureProblem { index, code: raw_code(feature), problem });
            }
        }
    }

    let stored: HashMap<&RegionCode, &Region> = existing.iter().map(|r| (&r.code, r)).collect();
    // The tree as it will be after the import: the file's regions replace stored ones.
    let mut after: HashMap<RegionCode, (Option<usize>, &Region)> =
        existing.iter().map(|r| (r.code.clone(), (None, r))).collect();
    for (index, region) in accepted.values() {
        after.insert(region.code.clone(), (Some(*index), region));
    }
    for (index, region) in accepted.values() {
        if let Some(parent) = region.parent()
            && !after.contains_key(&parent)
        {
            let problem = Problem::MissingParent(parent.to_string());
            problems.push(FeatureProblem { index: *index, code: Some(region.code.to_string()), problem });
        }
    }
    problems.extend(check_overlaps(&after, tolerance_m2));

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.index);
        problems.dedup();
        return Err(ImportError::Rejected(problems));
    }
    let created = accepted.keys().filter(|code| !stored.contains_key(code)).count();
    let regions: Vec<Region> = accepted.into_values().map(|(_, region)| region).collect();
    let mut regions = regions;
    regions.sort_by_key(|r| (r.level(), r.code.clone()));
    Ok(ImportPlan { updated: regions.len() - created, created, regions })
}

fn raw_code(feature: &Feature) -> Option<String> {
    match feature.property("code")? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn check_feature(feature: &Feature) -> Result<Region, Problem> {
    let code = match feature.property("code") {
        None | Some(Value::Null) => return Err(Problem::MissingCode),
        Some(Value::String(s)) => RegionCode::parse(s),
        // JSON numbers keep all 18 digits when they are integers.
        Some(Value::Number(n)) if n.as_u64().is_some() => RegionCode::parse(&n.to_string()),
        Some(other) => RegionCode::parse(&other.to_string()),
    }
    .map_err(Problem::BadCode)?;
    let name = match feature.property("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => return Err(Problem::MissingName),
    };
    if let Some(stated) = feature.property("level").and_then(Value::as_str)
        && stated.parse::<RegionLevel>() != Ok(code.level())
    {
        return Err(Problem::LevelMismatch { stated: stated.into(), actual: code.level() });
    }
    if let Some(stated) = feature.property("parent").filter(|v| !v.is_null()) {
        let stated = stated.as_str().map(str::to_owned).unwrap_or_else(|| stated.to_string());
        let expected = code.parent().map(|p| p.to_string()).unwrap_or_default();
        if stated != expected {
            return Err(Problem::ParentMismatch { stated, expected });
        }
    }
    let geometry = feature.geometry.clone();
    match &geometry {
        None if code.level().needs_geometry() => {
            return Err(Problem::MissingGeometry(code.level()));
        }
        None => {}
        Some(g) => check_geometry(&g.value)?,
    }
    Ok(Region { code, name, geometry })
}

fn check_geometry(value: &GeometryValue) -> Result<(), Problem> {
    let polygons: Vec<&Vec<Vec<Position>>> = match value {
        GeometryValue::Polygon { coordinates } => vec![coordinates],
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        other => return Err(Problem::UnsupportedGeometry(other.type_name().into())),
    };
    let multi = polygons.len() > 1;
    for (p, rings) in polygons.iter().enumerate() {
        if rings.is_empty() {
            return Err(Problem::TooFewPositions { ring: ring_name(multi, p, 0) });
        }
        for (r, ring) in rings.iter().enumerate() {
            let name = || ring_name(multi, p, r);
            if let Some(index) = ring.iter().position(|pos| !in_range(pos)) {
                return Err(Problem::BadPosition { ring: name(), index });
            }
            if ring.len() < 4 {
                return Err(Problem::TooFewPositions { ring: name() });
            }
            if ring.first() != ring.last() {
                return Err(Problem::UnclosedRing { ring: name() });
            }
        }
    }
    let shape = to_multipolygon(&geojson::Geometry::new(value.clone()))
        .ok_or_else(|| Problem::InvalidGeometry("cannot be read as polygons".into()))?;
    for polygon in &shape.0 {
        if let Err(e) = polygon.check_validation() {
            let text = e.to_string();
            return Err(match e {
                geo::algorithm::validation::InvalidPolygon::SelfIntersection(_) => Problem::SelfIntersection(text),
                _ => Problem::InvalidGeometry(text),
            });
        }
    }
    shape.check_validation().map_err(|e| Problem::InvalidGeometry(e.to_string()))
}

fn ring_name(multi: bool, polygon: usize, ring: usize) -> String {
    match (multi, ring) {
        (false, 0) => "exterior ring".into(),
        (false, r) => format!("interior ring {r}"),
        (true, 0) => format!("polygon {polygon}, exterior ring"),
        (true, r) => format!("polygon {polygon}, interior ring {r}"),
    }
}

fn in_range(pos: &Position) -> bool {
    let s = pos.as_slice();
    s.len() >= 2
        && s.iter().all(|v| v.is_finite())
        && (-180.0..=180.0).contains(&s[0])
        && (-90.0..=90.0).contains(&s[1])
}

/// Sibling overlaps and children outside their parents, for every region the file
/// touches (stored siblings count too). Only problems of file features are reported.
fn check_overlaps(after: &HashMap<RegionCode, (Option<usize>, &Region)>, tolerance_m2: f64) -> Vec<FeatureProblem> {
    let mut shapes: HashMap<&RegionCode, MultiPolygon<f64>> = HashMap::new();
    let mut families: BTreeMap<Option<RegionCode>, Vec<&RegionCode>> = BTreeMap::new();
    for (code, (_, region)) in after {
        if let Some(shape) = region.shape() {
            shapes.insert(code, shape);
            families.entry(code.parent()).or_default().push(code);
        }
    }
    let mut problems = Vec::new();
    let mut report = |code: &RegionCode, problem: Problem| {
        if let Some((Some(index), _)) = after.get(code) {
            problems.push(FeatureProblem { index: *index, code: Some(code.to_string()), problem });
        }
    };
    for (parent, mut children) in families {
        children.sort();
        for (i, a) in children.iter().enumerate() {
            for b in &children[i + 1..] {
                let area = overlap_m2(&shapes[a], &shapes[b]);
                if area > tolerance_m2 {
                    report(a, Problem::OverlapsSibling { other: b.to_string(), area_m2: area });
                    report(b, Problem::OverlapsSibling { other: a.to_string(), area_m2: area });
                }
            }
            if let Some(parent_shape) = parent.as_ref().and_then(|p| shapes.get(p)) {
                let outside = shapes[a].difference(parent_shape).chamberlain_duquette_unsigned_area();
                if outside > tolerance_m2 {
                    let parent = parent.as_ref().map(|p| p.to_string()).unwrap_or_default();
                    report(a, Problem::OutsideParent { parent, area_m2: outside });
                }
            }
        }
    }
    problems
}

fn overlap_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(ra), Some(rb)) if ra.intersects(&rb) => a.intersection(b).chamberlain_duquette_unsigned_area(),
        _ => 0.0,
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
