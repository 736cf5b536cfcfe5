//! Running the catalogue (`booking.manage`): a service saved whole (its rules, sites and
//! weekly timetable), a site's opening hours, and the days a site is closed. Slots already
//! laid out stay as they are; the routine lays out new ones from the new timetable, and a
//! closure refuses bookings for its day at once.

use serde::Deserialize;
use tongxin_core::booking::eligibility::Rules;
use tongxin_core::booking::timetable::Weekly;
use tongxin_core::registry::Tag;
use tongxin_store::booking::catalog::Service;
use utoipa::ToSchema;

use crate::Error;

/// A service as administrators write it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ServiceBody {
    pub category: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub home_visit: bool,
    /// Site codes (empty for a home visit).
    #[serde(default)]
    pub sites: Vec<String>,
    pub minutes: u32,
    #[serde(default)]
    pub min_age: Option<u8>,
    #[serde(default)]
    pub registered_only: bool,
    /// Registry tags (lives_alone, childless, disabled, dibao …); one of them is needed.
    #[serde(default)]
    pub tags_any: Vec<String>,
    #[serde(default)]
    pub care_level_min: Option<u8>,
    #[serde(default)]
    pub per_day: Option<u32>,
    #[serde(default)]
    pub per_month: Option<u32>,
    #[serde(default)]
    pub price_fen: i64,
    #[serde(default)]
    pub subsidy_fen: i64,
    #[serde(default)]
    pub cancel_cutoff_minutes: i64,
    #[serde(default)]
    pub documents: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// `[{"weekday": 1, "start": "09:00", "capacity": 10}]`, Monday = 1.
    pub timetable: Vec<WeeklyBody>,
}

pub fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WeeklyBody {
    pub weekday: u8,
    pub start: String,
    pub capacity: u32,
}

/// Every problem of a service body, in one 422.
pub fn checked(app_sites: &[String], categories: &[String], code: &str, b: ServiceBody) -> Result<Service, Error> {
    let mut problems: Vec<String> = Vec::new();
    if !categories.contains(&b.category) {
        problems.push(format!("类别：没有「{}」这个类别", b.category));
    }
    if b.name.trim().is_empty() || b.name.chars().count() > 60 {
        problems.push("名称：1 到 60 个字".into());
    }
    if !(5..=600).contains(&b.minutes) {
        problems.push("时长：5 到 600 分钟".into());
    }
    if b.min_age.is_some_and(|a| ![60, 70, 80].contains(&a)) {
        problems.push("年龄：60、70 或 80".into());
    }
    if b.care_level_min.is_some_and(|l| !(1..=6).contains(&l)) {
        problems.push("长护险评估等级：1 到 6".into());
    }
    if b.price_fen < 0 || b.subsidy_fen < 0 || b.subsidy_fen > b.price_fen {
        problems.push("补贴：不能为负，也不能高于价格".into());
    }
    if b.cancel_cutoff_minutes < 0 {
        problems.push("取消截止：不能为负".into());
    }
    if b.home_visit != b.sites.is_empty() {
        problems.push("服务站点：上门服务不选站点，其他服务至少选一个".into());
    }
    for s in b.sites.iter().filter(|s| !app_sites.contains(s)) {
        problems.push(format!("服务站点：没有「{s}」这个站点"));
    }
    let tags: Vec<Tag> = b
        .tags_any
        .iter()
        .filter_map(|t| match t.parse::<Tag>() {
            Ok(tag) => Some(tag),
            Err(e) => {
                problems.push(format!("对象标签：{e}"));
                None
            }
        })
        .collect();
    let mut timetable = Vec::new();
    for w in &b.timetable {
        let weekday = (1..=7).contains(&w.weekday).then(|| chrono::Weekday::try_from(w.weekday - 1).ok()).flatten();
        let start = chrono::NaiveTime::parse_from_str(&w.start, "%H:%M").ok();
        match (weekday, start) {
            (Some(weekday), Some(start)) if w.capacity > 0 => {
                timetable.push(Weekly { weekday, start, minutes: b.minutes, capacity: w.capacity })
            }
            _ => problems.push(format!(
                "时间表：「{} {} {}」应为星期 1–7、开始时间如 09:00、名额大于 0",
                w.weekday, w.start, w.capacity
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Unprocessable {
            message: problems.join("; "),
            details: serde_json::json!({ "problems": problems }),
        });
    }
    Ok(Service {
        code: code.to_owned(),
        category: b.category,
        name: b.name.trim().to_owned(),
        name_en: b.name_en,
        description: b.description,
        provider: b.provider,
        home_visit: b.home_visit,
        minutes: b.minutes,
        rules: Rules {
            min_age: b.min_age,
            registered_only: b.registered_only,
            tags_any: tags,
            care_level_min: b.care_level_min,
            per_day: b.per_day,
            per_month: b.per_month,
        },
        price_fen: b.price_fen,
        subsidy_fen: b.subsidy_fen,
        cancel_cutoff_minutes: b.cancel_cutoff_minutes,
        documents: b.documents,
        active: b.active,
        position: 0,
        sites: b.sites,
        timetable,
    })
}

/// A site's opening hours, Monday first: "08:00-17:00" or "" for closed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HoursBody {
    pub hours: Vec<String>,
}

/// A day a site is closed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClosureBody {
    /// YYYY-MM-DD
    pub day: String,
    #[serde(default)]
    pub reason: String,
}
