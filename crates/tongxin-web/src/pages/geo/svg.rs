//! Maps drawn as SVG on the server: a projection from WGS-84 to the picture, polygon
//! outlines as path data, and label positions inside each polygon.
//!
//! Over a few kilometres an equirectangular projection (longitude shrunk by the cosine of
//! the latitude) is indistinguishable from anything fancier.

use std::fmt::Write;

use geo::{BoundingRect, InteriorPoint, MultiPolygon};
use tongxin_core::geo::Region;

/// Maps WGS-84 to picture coordinates, north up.
pub struct Projection {
    west: f64,
    north: f64,
    scale_x: f64,
    scale_y: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Fits `(west, south, east, north)` into a picture `width` wide with `pad` around it.
    pub fn fit(bounds: (f64, f64, f64, f64), width: f64, pad: f64) -> Self {
        let (west, south, east, north) = bounds;
        let shrink = ((south + north) / 2.0).to_radians().cos();
        let span_x = ((east - west) * shrink).max(1e-9);
        let span_y = (north - south).max(1e-9);
        let scale = (width - 2.0 * pad) / span_x;
        Self {
            west: west - pad / (scale * shrink),
            north: north + pad / scale,
            scale_x: scale * shrink,
            scale_y: scale,
            width,
            height: span_y * scale + 2.0 * pad,
        }
    }

    pub fn xy(&self, lng: f64, lat: f64) -> (f64, f64) {
        ((lng - self.west) * self.scale_x, (self.north - lat) * self.scale_y)
    }

    /// The inverse of [`Projection::xy`]: (lng, lat) at picture point (x, y). A page's
    /// script does the same sum with [`Projection::terms`] to turn a click into a point.
    pub fn lng_lat(&self, x: f64, y: f64) -> (f64, f64) {
        (self.west + x / self.scale_x, self.north - y / self.scale_y)
    }

    /// (west, north, scale_x, scale_y), as a script needs them for [`Projection::lng_lat`].
    pub fn terms(&self) -> [String; 4] {
        [self.west, self.north, self.scale_x, self.scale_y].map(|v| format!("{v}"))
    }

    /// SVG path data for every ring of `shape`; draw with `fill-rule: evenodd`.
    pub fn path(&self, shape: &MultiPolygon<f64>) -> String {
        let mut d = String::new();
        for polygon in shape {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for (i, c) in ring.coords().enumerate() {
                    let (x, y) = self.xy(c.x, c.y);
                    let _ = write!(d, "{}{x:.1} {y:.1} ", if i == 0 { 'M' } else { 'L' });
                }
                d.push_str("Z ");
            }
        }
        d.trim_end().to_owned()
    }
}

/// A region ready to draw.
pub struct Shape {
    pub code: String,
    pub name: String,
    /// Short text drawn inside the shape.
    pub label: String,
    pub d: String,
    pub label_x: String,
    pub label_y: String,
    /// Index into the palette in the stylesheet (`c0` … `c7`).
    pub colour: usize,
}

impl Shape {
    /// `None` for a region without a polygon.
    pub fn new(region: &Region, projection: &Projection, label: String, colour: usize) -> Option<Self> {
        let shape = region.shape()?;
        let inside = shape.interior_point()?;
        let (x, y) = projection.xy(inside.x(), inside.y());
        Some(Self {
            code: region.code.to_string(),
            name: region.name.clone(),
            label,
            d: projection.path(&shape),
            label_x: format!("{x:.1}"),
            label_y: format!("{y:.1}"),
            colour: colour % 8,
        })
    }
}

/// The bounds of all `regions` with a polygon, as (west, south, east, north).
pub fn bounds(regions: &[Region]) -> Option<(f64, f64, f64, f64)> {
    regions
        .iter()
        .filter_map(|r| r.shape()?.bounding_rect())
        .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_is_up_and_the_picture_fits() {
        let p = Projection::fit((121.0, 31.0, 121.02, 31.01), 1000.0, 10.0);
        let (x0, y0) = p.xy(121.0, 31.0);
        let (x1, y1) = p.xy(121.02, 31.01);
        assert!((x0 - 10.0).abs() < 1e-6 && (x1 - 990.0).abs() < 1e-6);
        assert!(y1 < y0, "north is up");
        assert!((y1 - 10.0).abs() < 1e-6 && (y0 - (p.height - 10.0)).abs() < 1e-6);
        let (lng, lat) = p.lng_lat(x1, y1);
        assert!((lng - 121.02).abs() < 1e-9 && (lat - 31.01).abs() < 1e-9, "the inverse comes back");
        // 0.02° of longitude at 31° N is about 1.71 times 0.01° of latitude
        assert!(((x1 - x0) / (y0 - y1) - 1.714).abs() < 0.01);
    }

    #[test]
    fn draws_closed_rings() {
        let p = Projection::fit((0.0, 0.0, 1.0, 1.0), 100.0, 0.0);
        let square = geo::MultiPolygon(vec![geo::Polygon::new(
            vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)].into(),
            vec![],
        )]);
        assert_eq!(p.path(&square), "M0.0 100.0 L100.0 100.0 L100.0 0.0 L0.0 100.0 Z");
    }
}
