//! E-bike fire safety (电动车消防安全): which case categories count as fire-safety hazards,
//! which of them are e-bikes to clear, and the year a report covers.
//!
//! The definitions live here, once, so the store's queries, the pages and the documentation
//! (docs/registry.md, "E-bike safety view") say the same thing:
//!
//! - a **fire-safety hazard** is a case of one of [`FIRE_SAFETY_CATEGORIES`]; it is *found*
//!   in the year it was filed and *fixed* in the year it was closed (结案);
//! - a **bike cleared** is a closed case of one of [`EBIKE_CATEGORIES`] (飞线充电, 进楼道/
//!   进电梯): closing one means the bike was taken off the flying lead or out of the
//!   corridor, so each is one illegally charged or parked bike cleared.

use chrono::{NaiveDate, TimeZone};

use crate::time::SHANGHAI;

/// The case categories that are fire-safety hazards, with their names in the shipped
/// catalog (`data/catalog.toml`).
pub const FIRE_SAFETY_CATEGORIES: [(&str, &str); 5] = [
    ("E0503", "电动车飞线充电"),
    ("E0504", "电动车进楼道/进电梯"),
    ("E0103", "楼道堆物"),
    ("E0401", "消防通道占用"),
    ("C0103", "消防设施损坏"),
];

/// The fire-safety categories that are about one e-bike: a closed case is a bike cleared.
pub const EBIKE_CATEGORIES: [&str; 2] = ["E0503", "E0504"];

/// The safety pledge (电动自行车消防安全承诺书) an e-bike owner signs, on paper or online.
pub const PLEDGE_TEXT: &str = "电动自行车消防安全承诺书\n\n\
本人作为电动自行车车主，承诺：\n\
一、不在楼道、门厅、疏散通道、安全出口等公共区域停放电动自行车，不将电动自行车推入电梯或带入家中；\n\
二、不私拉电线、不“飞线”充电，到充电棚或指定充电点充电，充电时人不远离、不超时充电；\n\
三、使用合格的电池和充电器，不私自改装电动自行车、不拆改电池；\n\
四、发现电动自行车消防隐患，及时劝阻并向居委会或网格员报告。\n\n\
本人自愿遵守以上承诺。";

/// The calendar year a safety report covers, in Asia/Shanghai.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SafetyYear(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("year must be a year from {FIRST} to {LAST}, like 2020; got '{0}'")]
pub struct SafetyYearError(pub String);

const FIRST: i32 = 2000;
const LAST: i32 = 2100;

impl SafetyYear {
    pub fn parse(raw: &str) -> Result<Self, SafetyYearError> {
        let raw = raw.trim();
        raw.parse::<i32>()
            .ok()
            .filter(|y| raw.len() == 4 && (FIRST..=LAST).contains(y))
            .map(Self)
            .ok_or_else(|| SafetyYearError(raw.chars().take(20).collect()))
    }

    /// The year `today` falls in.
    pub fn of(today: NaiveDate) -> Self {
        use chrono::Datelike;
        Self(today.year().clamp(FIRST, LAST))
    }

    pub fn get(self) -> i32 {
        self.0
    }

    /// 1 January of the year and of the next, for comparing stored `YYYY-MM-DD` dates
    /// (`first <= day < next`).
    pub fn days(self) -> (String, String) {
        (format!("{:04}-01-01", self.0), format!("{:04}-01-01", self.0 + 1))
    }

    /// Midnight of 1 January in Shanghai, of the year and of the next, as milliseconds
    /// since the epoch (`start <= at < end`).
    pub fn millis(self) -> (i64, i64) {
        let midnight =
            |year: i32| SHANGHAI.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single().map_or(0, |t| t.timestamp_millis());
        (midnight(self.0), midnight(self.0 + 1))
    }
}

impl std::str::FromStr for SafetyYear {
    type Err = SafetyYearError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl std::fmt::Display for SafetyYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_parse_within_bounds() {
        assert_eq!(SafetyYear::parse(" 2020 ").unwrap().get(), 2020);
        for bad in ["", "20", "1999", "2101", "二〇二〇", "2020.5", "+2020", "02020"] {
            assert!(SafetyYear::parse(bad).is_err(), "{bad}");
        }
        assert!(SafetyYear::parse("abc").unwrap_err().to_string().contains("year must be"));
    }

    #[test]
    fn a_year_starts_at_midnight_in_shanghai() {
        let y = SafetyYear::parse("2020").unwrap();
        // 2020-01-01T00:00+08:00 is 2019-12-31T16:00Z
        assert_eq!(y.millis(), (1_577_808_000_000, 1_609_430_400_000));
        assert_eq!(y.days(), ("2020-01-01".to_owned(), "2021-01-01".to_owned()));
        assert_eq!(SafetyYear::of(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()).get(), 2026);
    }

    #[test]
    fn ebike_categories_are_fire_safety_categories() {
        for code in EBIKE_CATEGORIES {
            assert!(FIRE_SAFETY_CATEGORIES.iter().any(|(c, _)| *c == code));
        }
    }

    #[test]
    fn the_categories_are_in_the_shipped_catalog() {
        let catalog = crate::cases::catalog::Catalog::default_catalog();
        for (code, name) in FIRE_SAFETY_CATEGORIES {
            let found = catalog.categories.iter().find(|c| c.code.as_str() == code);
            assert_eq!(found.map(|c| c.name.as_str()), Some(name), "{code}");
        }
    }
}
