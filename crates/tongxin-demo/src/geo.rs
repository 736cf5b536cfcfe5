//! The demo geography: 13 communities, 60 grids, 120 building groups and about 600
//! buildings on roughly 1.6 km² around 31.223 N, 121.445 E (静安寺).
//!
//! The grids are the cells of a 10 × 6 lattice whose inner vertices are jittered, so the
//! map looks like streets rather than graph paper while neighbouring grids still share
//! their borders exactly (no gaps, no overlaps). Communities are runs of 4–5 adjacent
//! cells; every grid is split into two building groups. `scale` repeats the lattice
//! eastwards, multiplying everything by `scale`.

use std::collections::HashMap;

use geo::{BoundingRect, Contains, Coord, Distance, Euclidean, LineString, Polygon, unary_union};
use rand::Rng;
use tongxin_core::geo::region::polygon_geojson;
use tongxin_core::geo::{LatLng, NewBuilding, Region, RegionCode};

use crate::names::{COMMUNITIES, DISTRICT, ROADS, SUBDISTRICT, chinese_number};

const COLS: usize = 10;
const ROWS: usize = 6;
/// Cell size in degrees: 0.00168° of longitude ≈ 160 m and 0.0015° of latitude ≈ 166 m
/// at 31° N, so 60 cells cover about 1.6 km².
const CELL_W: f64 = 0.00168;
const CELL_H: f64 = 0.0015;
const CENTRE: (f64, f64) = (121.445, 31.223);
/// Each band of two rows is cut into runs of cells, one run per community.
const BANDS: [&[usize]; 3] = [&[5, 5, 5, 5], &[5, 5, 5, 5], &[4, 4, 4, 4, 4]];

/// Everything the geography step stores.
pub struct Geography {
    /// Parents before children.
    pub regions: Vec<Region>,
    pub buildings: Vec<NewBuilding>,
}

impl Geography {
    /// The regions as a GeoJSON FeatureCollection, the format `tongxin grid import` reads.
    pub fn to_geojson(&self) -> String {
        let features: Vec<_> = self
            .regions
            .iter()
            .map(|r| {
                serde_json::json!({
                    "type": "Feature",
                    "properties": {"code": r.code.as_str(), "name": r.name, "level": r.level()},
                    "geometry": r.geometry,
                })
            })
            .collect();
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
    }
}

/// Generates the demo geography. The same `seed` and `scale` give the same result.
pub fn generate(rng: &mut impl Rng, scale: usize) -> Geography {
    let cols = COLS * scale;
    let lattice = lattice(rng, cols);
    let cell = |i: usize, j: usize| -> [Coord<f64>; 4] {
        [lattice[i][j], lattice[i + 1][j], lattice[i + 1][j + 1], lattice[i][j + 1]]
    };
    let code = |raw: &str| RegionCode::parse(raw).expect("demo codes are valid");
    let subdistrict = code(SUBDISTRICT.0);
    let mut regions = vec![
        Region { code: code(DISTRICT.0), name: DISTRICT.1.into(), geometry: None },
        Region { code: subdistrict.clone(), name: SUBDISTRICT.1.into(), geometry: None },
    ];
    let mut grids = Vec::new();
    let mut buildings = Vec::new();
    let mut lanes: HashMap<&str, u32> = HashMap::new();
    let mut community_no: u32 = 0;
    for copy in 0..scale {
        for (band, runs) in BANDS.iter().enumerate() {
            let mut cells = snake(band, copy * COLS);
            for (run_no, &run) in runs.iter().enumerate() {
                let (name, estates) = COMMUNITIES[(band * 4 + run_no) % COMMUNITIES.len()];
                let name = if copy == 0 { format!("{name}居民区") } else { format!("{name}{}居民区", copy + 1) };
                community_no += 1;
                let community = subdistrict.child(community_no).expect("fewer than 1000 communities");
                let mine: Vec<_> = cells.by_ref().take(run).collect();
                let outline = unary_union(mine.iter().map(|&(i, j)| polygon(&cell(i, j))).collect::<Vec<_>>().iter());
                let outline = outline.0.into_iter().next().expect("adjacent cells union to one polygon");
                regions.push(Region {
                    code: community.clone(),
                    name: name.clone(),
                    geometry: Some(polygon_geojson(&outline)),
                });
                for (g, &(i, j)) in mine.iter().enumerate() {
                    let grid = community.child(g as u32 + 1).expect("at most 5 grids");
                    let estate = estates[g % estates.len()];
                    let grid_name = format!("{}第{}网格", name.trim_end_matches("居民区"), chinese_number(g + 1));
                    let corners = cell(i, j);
                    grids.push(Region {
                        code: grid.clone(),
                        name: grid_name,
                        geometry: Some(polygon_geojson(&polygon(&corners))),
                    });
                    let road = ROADS[(community_no as usize * 3 + g) % ROADS.len()];
                    let lane = lanes.entry(road).or_insert(0);
                    *lane += 1;
                    let lane = 10 + *lane * 17;
                    let halves = split(&corners);
                    let count = rng.random_range(8..=12);
                    for (half_no, half) in halves.iter().enumerate() {
                        let block = grid.child(half_no as u32 + 1).expect("two blocks");
                        let block_name = format!("{estate}第{}楼组", chinese_number(g * 2 + half_no + 1));
                        grids.push(Region {
                            code: block.clone(),
                            name: block_name,
                            geometry: Some(polygon_geojson(half)),
                        });
                        for n in (half_no + 1..=count).step_by(2) {
                            let location = point_inside(rng, half);
                            let (floors, has_elevator) = storeys(rng, estate);
                            buildings.push(NewBuilding {
                                grid: grid.clone(),
                                block: Some(block.clone()),
                                name: format!("{estate} {n}号楼"),
                                address: format!("{road}{lane}弄{n}号"),
                                location,
                                floors,
                                has_elevator,
                            });
                        }
                    }
                }
            }
        }
    }
    regions.extend(grids);
    regions.sort_by_key(|r| (r.level(), r.code.clone()));
    Geography { regions, buildings }
}

/// Lattice vertices, `[column][row]`. Inner vertices move up to a fifth of a cell in each
/// direction; vertices on the outline move along it and a little across it; the four
/// corners stay.
fn lattice(rng: &mut impl Rng, cols: usize) -> Vec<Vec<Coord<f64>>> {
    let x0 = CENTRE.0 - CELL_W * COLS as f64 / 2.0;
    let y0 = CENTRE.1 - CELL_H * ROWS as f64 / 2.0;
    let mut jitter = |span: f64, fraction: f64| rng.random_range(-fraction..fraction) * span;
    (0..=cols)
        .map(|i| {
            (0..=ROWS)
                .map(|j| {
                    let (edge_x, edge_y) = (i == 0 || i == cols, j == 0 || j == ROWS);
                    let (dx, dy) = match (edge_x, edge_y) {
                        (true, true) => (0.0, 0.0),
                        (true, false) => (jitter(CELL_W, 0.08), jitter(CELL_H, 0.2)),
                        (false, true) => (jitter(CELL_W, 0.2), jitter(CELL_H, 0.08)),
                        (false, false) => (jitter(CELL_W, 0.2), jitter(CELL_H, 0.2)),
                    };
                    Coord { x: x0 + i as f64 * CELL_W + dx, y: y0 + j as f64 * CELL_H + dy }
                })
                .collect()
        })
        .collect()
}

/// The cells of a two-row band in an order where each cell touches the one before, so
/// any run of consecutive cells is one connected community.
fn snake(band: usize, first_col: usize) -> impl Iterator<Item = (usize, usize)> {
    (first_col..first_col + COLS).flat_map(move |i| {
        let (low, high) = (band * 2, band * 2 + 1);
        let order = if (i - first_col).is_multiple_of(2) { [low, high] } else { [high, low] };
        order.map(|j| (i, j))
    })
}

fn polygon(corners: &[Coord<f64>]) -> Polygon<f64> {
    Polygon::new(LineString::from(corners.to_vec()), vec![])
}

/// Splits a cell into west and east halves through the midpoints of its south and north
/// edges, which lie on the cell's own border, so the halves tile it exactly.
fn split(corners: &[Coord<f64>; 4]) -> [Polygon<f64>; 2] {
    let [sw, se, ne, nw] = *corners;
    let mid = |a: Coord<f64>, b: Coord<f64>| Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
    let (s, n) = (mid(sw, se), mid(nw, ne));
    [polygon(&[sw, s, n, nw]), polygon(&[s, se, ne, n])]
}

fn point_inside(rng: &mut impl Rng, polygon: &Polygon<f64>) -> LatLng {
    let rect = polygon.bounding_rect().expect("cells are not empty");
    loop {
        let p =
            geo::Point::new(rng.random_range(rect.min().x..rect.max().x), rng.random_range(rect.min().y..rect.max().y));
        // Keep about 5 m clear of the border, so rounding never moves a building next door.
        if polygon.contains(&p) && Euclidean.distance(&p, polygon.exterior()) > 0.00005 {
            let round = |v: f64| (v * 1e6).round() / 1e6;
            return LatLng::new(round(p.y()), round(p.x())).expect("demo points are in range");
        }
    }
}

/// Floors and elevator by the kind of estate: towers (公寓, 大厦, 花园, 苑, 广场) have
/// lifts; 1950s–80s walk-ups (新村) have 5–7 floors, a few with a retrofitted lift (加梯);
/// lanes (里弄: 坊, 里, 村, 邨, 宅, 别墅) are 2–3 floors.
fn storeys(rng: &mut impl Rng, estate: &str) -> (u16, bool) {
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| estate.ends_with(s));
    if ends(&["公寓", "大厦", "花园", "苑", "广场", "嘉园"]) {
        (rng.random_range(12..=32), true)
    } else if ends(&["新村"]) {
        (rng.random_range(5..=7), rng.random_bool(0.15))
    } else {
        (rng.random_range(2..=3), false)
    }
}
