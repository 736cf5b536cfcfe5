//! Points. Tongxin stores and computes in WGS-84; callers may speak GCJ-02 (高德, 腾讯)
//! or BD-09 (百度) and say so, and the point is converted on the way in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A WGS-84 point. Construct with [`LatLng::new`] or [`LatLng::from_crs`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLng {
    lat: f64,
    lng: f64,
}

/// Which input field is wrong and why; the HTTP and CLI layers name the field from it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PointError {
    #[error("lat must be a number between -90 and 90, got {0}")]
    Lat(String),
    #[error("lng must be a number between -180 and 180, got {0}")]
    Lng(String),
    #[error("crs must be wgs84, gcj02 or bd09, got '{0}'")]
    Crs(String),
}

impl PointError {
    /// The name of the offending input field.
    pub fn field(&self) -> &'static str {
        match self {
            PointError::Lat(_) => "lat",
            PointError::Lng(_) => "lng",
            PointError::Crs(_) => "crs",
        }
    }
}

impl LatLng {
    pub fn new(lat: f64, lng: f64) -> Result<Self, PointError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(PointError::Lat(lat.to_string()));
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(PointError::Lng(lng.to_string()));
        }
        Ok(Self { lat, lng })
    }

    /// Parses text input (query strings, CLI arguments), naming the bad field.
    pub fn parse(lat: &str, lng: &str, crs: Crs) -> Result<Self, PointError> {
        let lat_v: f64 = lat.trim().parse().map_err(|_| PointError::Lat(lat.into()))?;
        let lng_v: f64 = lng.trim().parse().map_err(|_| PointError::Lng(lng.into()))?;
        Self::from_crs(lat_v, lng_v, crs)
    }

    /// Converts a point stated in `crs` to WGS-84.
    pub fn from_crs(lat: f64, lng: f64, crs: Crs) -> Result<Self, PointError> {
        let stated = Self::new(lat, lng)?;
        let (lng, lat) = match crs {
            Crs::Wgs84 => return Ok(stated),
            Crs::Gcj02 => coordtransform::gcj02_to_wgs84(lng, lat),
            Crs::Bd09 => coordtransform::bd09_to_wgs84(lng, lat),
        };
        Self::new(lat, lng)
    }

    /// This point in another coordinate system, as (lat, lng).
    pub fn to_crs(self, crs: Crs) -> (f64, f64) {
        let (lng, lat) = match crs {
            Crs::Wgs84 => (self.lng, self.lat),
            Crs::Gcj02 => coordtransform::wgs84_to_gcj02(self.lng, self.lat),
            Crs::Bd09 => coordtransform::wgs84_to_bd09(self.lng, self.lat),
        };
        (lat, lng)
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.lng, self.lat)
    }
}

impl fmt::Display for LatLng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6}", self.lat, self.lng)
    }
}

/// A coordinate reference system a caller may state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// GPS; what Tongxin stores.
    #[default]
    Wgs84,
    /// 国测局坐标 ("Mars" coordinates), used by 高德 and 腾讯 maps.
    Gcj02,
    /// 百度 coordinates.
    Bd09,
}

impl Crs {
    pub fn as_str(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }
}

impl FromStr for Crs {
    type Err = PointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "epsg:4326" => Ok(Crs::Wgs84),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" | "bd09ll" => Ok(Crs::Bd09),
            _ => Err(PointError::Crs(s.chars().take(40).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() < tolerance
    }

    #[test]
    fn rejects_out_of_range_and_nan() {
        assert_eq!(LatLng::new(91.0, 0.0).unwrap_err().field(), "lat");
        assert_eq!(LatLng::new(0.0, -180.5).unwrap_err().field(), "lng");
        assert_eq!(LatLng::new(f64::NAN, 0.0).unwrap_err().field(), "lat");
        assert_eq!(LatLng::parse("31.2", "east", Crs::Wgs84).unwrap_err().field(), "lng");
        assert!(LatLng::new(-90.0, 180.0).is_ok());
    }

    #[test]
    fn parses_crs_names() {
        assert_eq!("GCJ02".parse::<Crs>().unwrap(), Crs::Gcj02);
        assert_eq!("bd09".parse::<Crs>().unwrap(), Crs::Bd09);
        assert_eq!("utm".parse::<Crs>().unwrap_err().field(), "crs");
    }

    // 静安寺 (the temple) is at about 31.2234 N, 121.4452 E in WGS-84. In Shanghai,
    // GCJ-02 lies about 0.0020° south and 0.0045° east of it,
    // and BD-09 a further ~0.006° north-east of that.
    #[test]
    fn converts_gcj02_and_bd09_to_wgs84() {
        let wgs = LatLng::new(31.2234, 121.4452).unwrap();
        let (glat, glng) = wgs.to_crs(Crs::Gcj02);
        assert!(close(glat - wgs.lat(), -0.0020, 0.0015), "gcj lat offset {}", glat - wgs.lat());
        assert!(close(glng - wgs.lng(), 0.0045, 0.0015), "gcj lng offset {}", glng - wgs.lng());
        let back = LatLng::from_crs(glat, glng, Crs::Gcj02).unwrap();
        assert!(close(back.lat(), wgs.lat(), 1e-5) && close(back.lng(), wgs.lng(), 1e-5));

        let (blat, blng) = wgs.to_crs(Crs::Bd09);
        assert!(blat > glat && blng > glng);
        let back = LatLng::from_crs(blat, blng, Crs::Bd09).unwrap();
        assert!(close(back.lat(), wgs.lat(), 1e-5) && close(back.lng(), wgs.lng(), 1e-5));
    }
}
