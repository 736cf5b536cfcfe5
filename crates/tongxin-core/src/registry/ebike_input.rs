//! An e-bike's changeable fields as typed, checked like the other registry records: every
//! problem with its column and a Chinese reason.

use chrono::NaiveDate;
use serde::Deserialize;

use super::input::{FieldError, parse_day};
use super::{Battery, EbikeStatus};

/// An e-bike as typed; empty for "not given".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct EbikeText {
    pub plate: String,
    pub brand: String,
    pub battery: String,
    pub registered_on: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EbikeInput {
    /// Upper case, without spaces: 沪A12345.
    pub plate: String,
    pub brand: String,
    pub battery: Battery,
    pub registered_on: NaiveDate,
    pub status: EbikeStatus,
}

/// One value of a closed vocabulary, by its Chinese name or stored value; required.
pub(super) fn vocabulary<T: std::str::FromStr + Copy>(
    text: &str,
    all: &[T],
    zh: impl Fn(T) -> &'static str,
) -> Result<T, String> {
    let names: Vec<&str> = all.iter().map(|v| zh(*v)).collect();
    if text.trim().is_empty() {
        return Err(format!("必填（{}）", names.join("、")));
    }
    text.trim().parse().map_err(|_| format!("「{}」不是 {} 之一", text.trim(), names.join("、")))
}

impl EbikeText {
    pub fn check(&self, today: NaiveDate) -> Result<EbikeInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let plate: String = self.plate.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let n = plate.chars().count();
        if n == 0 {
            errors.push(FieldError::new("plate", "车牌号", "必填"));
        } else if !(5..=12).contains(&n) || !plate.chars().all(|c| c.is_alphanumeric()) {
            errors.push(FieldError::new(
                "plate",
                "车牌号",
                format!("「{plate}」不是车牌号：5 到 12 个字母、数字或汉字，如 沪A12345"),
            ));
        }
        let brand = self.brand.trim().to_owned();
        if brand.chars().count() > 40 {
            errors.push(FieldError::new("brand", "品牌", "不能超过 40 个字"));
        }
        let battery = vocabulary(&self.battery, Battery::ALL, Battery::zh)
            .map_err(|r| errors.push(FieldError::new("battery", "电池类型", r)))
            .ok();
        let registered_on = match parse_day(&self.registered_on) {
            Ok(d) if d > today => {
                errors.push(FieldError::new("registered_on", "登记日期", "登记日期不能晚于今天"));
                None
            }
            Ok(d) => Some(d),
            Err(r) => {
                errors.push(FieldError::new("registered_on", "登记日期", r));
                None
            }
        };
        let status = vocabulary(&self.status, EbikeStatus::ALL, EbikeStatus::zh)
            .map_err(|r| errors.push(FieldError::new("status", "状态", r)))
            .ok();
        match (battery, registered_on, status) {
            (Some(battery), Some(registered_on), Some(status)) if errors.is_empty() => {
                Ok(EbikeInput { plate, brand, battery, registered_on, status })
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

    #[test]
    fn an_ebike_reads_and_every_problem_is_named() {
        let good = EbikeText {
            plate: "沪a 12345".into(),
            brand: "雅迪".into(),
            battery: "锂电".into(),
            registered_on: "2020/6/1".into(),
            status: "已报废".into(),
        };
        let e = good.check(today()).unwrap();
        assert_eq!((e.plate.as_str(), e.battery, e.status), ("沪A12345", Battery::Lithium, EbikeStatus::Scrapped));
        let bad = EbikeText {
            plate: "沪-1".into(),
            battery: "氢能".into(),
            registered_on: "2030-01-01".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = bad.check(today()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["plate", "battery", "registered_on", "status"]);
    }
}
