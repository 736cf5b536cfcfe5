//! A charging shed's and a safety pledge's fields as typed — on a form, through the API or
//! in a ledger's row — checked like the other registry records: every problem with its
//! field, its template column and a Chinese reason.

use chrono::NaiveDate;
use serde::Deserialize;

use super::ebike_input::vocabulary;
use super::input::{FieldError, parse_day};
use super::{Facility, PledgeChannel, ShedStatus};
use crate::geo::{Crs, LatLng};

/// A charging shed as typed; empty for "not given".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShedText {
    pub name: String,
    /// WGS-84 latitude and longitude.
    pub lat: String,
    pub lng: String,
    pub capacity: String,
    /// Chinese names or stored values, separated by 、 or commas.
    pub facilities: String,
    pub status: String,
    pub opened_on: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShedInput {
    pub name: String,
    pub location: LatLng,
    pub capacity: i64,
    /// In the vocabulary's order, each once.
    pub facilities: Vec<Facility>,
    pub status: ShedStatus,
    pub opened_on: Option<NaiveDate>,
}

/// The most charging spaces one shed is taken to have: more is a typing slip.
pub const MAX_CAPACITY: i64 = 500;

/// Facilities as typed: the known ones, in the vocabulary's order, or the unknown names.
fn facilities(text: &str) -> Result<Vec<Facility>, String> {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for part in text.split(['、', ',', '，', ';', '；', '/']).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<Facility>() {
            Ok(f) => found.push(f),
            Err(_) => unknown.push(format!("「{part}」")),
        }
    }
    if !unknown.is_empty() {
        let names: Vec<&str> = Facility::ALL.iter().map(|f| f.zh()).collect();
        return Err(format!("{} 不是设施名称（可填：{}，用顿号分隔）", unknown.join(""), names.join("、")));
    }
    found.sort();
    found.dedup();
    Ok(found)
}

impl ShedText {
    pub fn check(&self, today: NaiveDate) -> Result<ShedInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "名称", "必填"));
        } else if name.chars().count() > 60 {
            errors.push(FieldError::new("name", "名称", "不能超过 60 个字"));
        }
        let location = match (self.lat.trim(), self.lng.trim()) {
            ("", _) => {
                errors.push(FieldError::new("lat", "纬度", "必填（WGS-84 坐标，如 31.2201）"));
                None
            }
            (_, "") => {
                errors.push(FieldError::new("lng", "经度", "必填（WGS-84 坐标，如 121.4402）"));
                None
            }
            (lat, lng) => match LatLng::parse(lat, lng, Crs::Wgs84) {
                Ok(p) => Some(p),
                Err(e) if e.field() == "lat" => {
                    errors.push(FieldError::new("lat", "纬度", format!("「{lat}」不是纬度（-90 到 90 之间的数）")));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new("lng", "经度", format!("「{lng}」不是经度（-180 到 180 之间的数）")));
                    None
                }
            },
        };
        let capacity = match self.capacity.trim() {
            "" => {
                errors.push(FieldError::new("capacity", "车位数", "必填"));
                None
            }
            raw => match raw.parse::<i64>() {
                Ok(n) if (1..=MAX_CAPACITY).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        "capacity",
                        "车位数",
                        format!("「{raw}」不是车位数：1 到 {MAX_CAPACITY} 的整数"),
                    ));
                    None
                }
            },
        };
        let facilities =
            facilities(&self.facilities).map_err(|r| errors.push(FieldError::new("facilities", "设施", r))).ok();
        let status = vocabulary(&self.status, ShedStatus::ALL, ShedStatus::zh)
            .map_err(|r| errors.push(FieldError::new("status", "状态", r)))
            .ok();
        let opened_on = match self.opened_on.trim() {
            "" => Some(None),
            raw => match parse_day(raw) {
                // A shed being planned or built may carry the day it is due to open.
                Ok(d) if d > today && matches!(status, Some(ShedStatus::InUse | ShedStatus::Closed)) => {
                    errors.push(FieldError::new(
                        "opened_on",
                        "启用日期",
                        "已启用或已关闭的充电棚，启用日期不能晚于今天",
                    ));
                    None
                }
                Ok(d) => Some(Some(d)),
                Err(r) => {
                    errors.push(FieldError::new("opened_on", "启用日期", r));
                    None
                }
            },
        };
        match (location, capacity, facilities, status, opened_on) {
            (Some(location), Some(capacity), Some(facilities), Some(status), Some(opened_on)) if errors.is_empty() => {
                Ok(ShedInput { name, location, capacity, facilities, status, opened_on })
            }
            _ => Err(errors),
        }
    }
}

/// A safety pledge's own fields as typed (who signed it is found separately).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PledgeText {
    pub signed_on: String,
    pub collected_by: String,
    /// 纸质 (default when empty) or 线上.
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PledgeInput {
    pub signed_on: NaiveDate,
    pub collected_by: String,
    pub channel: PledgeChannel,
}

impl PledgeText {
    pub fn check(&self, today: NaiveDate) -> Result<PledgeInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let signed_on = match parse_day(&self.signed_on) {
            _ if self.signed_on.trim().is_empty() => {
                errors.push(FieldError::new("signed_on", "签署日期", "必填"));
                None
            }
            Ok(d) if d > today => {
                errors.push(FieldError::new("signed_on", "签署日期", "签署日期不能晚于今天"));
                None
            }
            Ok(d) => Some(d),
            Err(r) => {
                errors.push(FieldError::new("signed_on", "签署日期", r));
                None
            }
        };
        let collected_by = self.collected_by.trim().to_owned();
        if collected_by.chars().count() > 40 {
            errors.push(FieldError::new("collected_by", "收取人", "不能超过 40 个字"));
        }
        let channel = if self.channel.trim().is_empty() {
            Some(PledgeChannel::Paper)
        } else {
            vocabulary(&self.channel, PledgeChannel::ALL, PledgeChannel::zh)
                .map_err(|r| errors.push(FieldError::new("channel", "方式", r)))
                .ok()
        };
        match (signed_on, channel) {
            (Some(signed_on), Some(channel)) if errors.is_empty() => {
                Ok(PledgeInput { signed_on, collected_by, channel })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn shed() -> ShedText {
        ShedText {
            name: " 华山路充电棚 ".into(),
            lat: "31.2201".into(),
            lng: "121.4402".into(),
            capacity: "24".into(),
            facilities: "监控、灭火器,灭火器".into(),
            status: "使用中".into(),
            opened_on: "2020/6/1".into(),
        }
    }

    #[test]
    fn a_shed_reads_with_its_facilities_in_order() {
        let s = shed().check(today()).unwrap();
        assert_eq!(s.name, "华山路充电棚");
        assert_eq!(s.facilities, [Facility::Extinguisher, Facility::Camera]);
        assert_eq!((s.capacity, s.status), (24, ShedStatus::InUse));
        assert_eq!(s.opened_on, NaiveDate::from_ymd_opt(2020, 6, 1));
        let none = ShedText { facilities: String::new(), opened_on: String::new(), ..shed() }.check(today()).unwrap();
        assert!(none.facilities.is_empty() && none.opened_on.is_none());
    }

    #[test]
    fn every_problem_of_a_shed_is_named() {
        let bad = ShedText {
            name: String::new(),
            lat: "北纬31".into(),
            capacity: "0".into(),
            facilities: "灭火器、喷淋".into(),
            status: "在用".into(),
            opened_on: "2020-02-30".into(),
            ..shed()
        };
        let errors = bad.check(today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "lat", "capacity", "facilities", "status", "opened_on"]);
        assert!(errors[3].reason.contains("「喷淋」"), "{}", errors[3].reason);
        let missing = ShedText { lng: String::new(), capacity: "五".into(), ..shed() }.check(today()).unwrap_err();
        assert_eq!(missing.iter().map(|e| e.column).collect::<Vec<_>>(), ["经度", "车位数"]);
    }

    #[test]
    fn only_a_planned_or_building_shed_opens_in_the_future() {
        let later = ShedText { opened_on: "2027-03-01".into(), ..shed() };
        assert_eq!(later.check(today()).unwrap_err()[0].field, "opened_on");
        let planned = ShedText { status: "规划中".into(), ..later };
        assert_eq!(planned.check(today()).unwrap().status, ShedStatus::Planned);
    }

    #[test]
    fn a_pledge_reads_paper_by_default_and_refuses_the_future() {
        let p = PledgeText { signed_on: "2020.7.9".into(), collected_by: " 王芳 ".into(), channel: String::new() }
            .check(today())
            .unwrap();
        assert_eq!((p.channel, p.collected_by.as_str()), (PledgeChannel::Paper, "王芳"));
        let bad = PledgeText { signed_on: "2027-01-01".into(), channel: "微信".into(), ..Default::default() };
        let fields: Vec<&str> = bad.check(today()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["signed_on", "channel"]);
        let empty = PledgeText::default().check(today()).unwrap_err();
        assert_eq!(empty[0].reason, "必填");
    }
}
