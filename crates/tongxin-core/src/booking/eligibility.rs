//! Who may book a service (检查预约资格), checked on the server when a booking is made:
//! age thresholds, living in the subdistrict, registry tags, the long-term-care assessment
//! level (长护险评估等级) and per-resident limits per day and per month. A refusal names the
//! rule and says it in plain Chinese.

use chrono::NaiveDate;

use crate::registry::{Tag, age};

/// A service's rules; empty means anyone may book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// 60, 70 or 80.
    pub min_age: Option<u8>,
    /// Only residents living in the subdistrict (registered and not moved out).
    pub registered_only: bool,
    /// At least one of these tags (独居老人, 孤老, 残疾, 低保 …).
    pub tags_any: Vec<Tag>,
    /// The lowest long-term-care assessment level (1–6) that qualifies.
    pub care_level_min: Option<u8>,
    /// Bookings of this service per resident per day.
    pub per_day: Option<u32>,
    /// Bookings of this service per resident per calendar month.
    pub per_month: Option<u32>,
}

/// What the rules look at about the resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub birth_date: NaiveDate,
    /// Registered here and not moved out.
    pub living_here: bool,
    pub tags: Vec<Tag>,
    /// 长护险评估等级, if assessed.
    pub care_level: Option<u8>,
}

/// The resident's bookings of the service that still count (not cancelled).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// On the slot's day.
    pub same_day: u32,
    /// In the slot's calendar month.
    pub same_month: u32,
}

/// The rule that refused a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Age { min: u8, age: i32 },
    NotRegistered,
    Tags { any: Vec<Tag> },
    CareLevel { min: u8, level: Option<u8> },
    PerDay { limit: u32 },
    PerMonth { limit: u32 },
}

impl Refusal {
    /// The rule's name, for the API's error details.
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::Age { .. } => "min_age",
            Refusal::NotRegistered => "registered_only",
            Refusal::Tags { .. } => "tags_any",
            Refusal::CareLevel { .. } => "care_level_min",
            Refusal::PerDay { .. } => "per_day",
            Refusal::PerMonth { .. } => "per_month",
        }
    }

    /// The refusal in plain Chinese.
    pub fn zh(&self) -> String {
        match self {
            Refusal::Age { min, age } => format!("这项服务面向 {min} 周岁以上的老人，预约当天您是 {age} 周岁"),
            Refusal::NotRegistered => "这项服务只面向居住在本街道、已在社区登记的居民".into(),
            Refusal::Tags { any } => {
                let names: Vec<&str> = any.iter().map(|t| t.zh()).collect();
                format!("这项服务面向{}老人；社区登记中您没有这一类别，如有变化请联系居委会", names.join("、"))
            }
            Refusal::CareLevel { min, level: None } => {
                format!("这项服务需要长护险评估等级 {min} 级以上；您还没有评估等级，可先申请长护险评估")
            }
            Refusal::CareLevel { min, level: Some(level) } => {
                format!("这项服务需要长护险评估等级 {min} 级以上，您的评估等级是 {level} 级")
            }
            Refusal::PerDay { limit } => format!("这项服务每人每天最多预约 {limit} 次，您当天已经约满"),
            Refusal::PerMonth { limit } => format!("这项服务每人每月最多预约 {limit} 次，您这个月已经约满"),
        }
    }
}

impl Refusal {
    /// The refusal in English, for English pages.
    pub fn en(&self) -> String {
        match self {
            Refusal::Age { min, age } => {
                format!("This service is for people aged {min} and over; on that day you are {age}.")
            }
            Refusal::NotRegistered => {
                "This service is only for residents registered and living in the subdistrict.".into()
            }
            Refusal::Tags { any } => {
                let names: Vec<&str> = any.iter().map(|t| t.as_str()).collect();
                format!(
                    "This service is for residents registered as {}; ask the neighbourhood committee if that changed.",
                    names.join(" or ")
                )
            }
            Refusal::CareLevel { min, level: None } => {
                format!(
                    "This service needs a long-term-care assessment of level {min} or above; there is no assessment yet."
                )
            }
            Refusal::CareLevel { min, level: Some(level) } => {
                format!(
                    "This service needs a long-term-care assessment of level {min} or above; the assessment is level {level}."
                )
            }
            Refusal::PerDay { limit } => format!("At most {limit} booking(s) of this service a day; that day is full."),
            Refusal::PerMonth { limit } => {
                format!("At most {limit} booking(s) of this service a month; this month is full.")
            }
        }
    }
}

impl Rules {
    /// Whether `who` may book a slot on `day`, having `usage` already; the first rule that
    /// fails.
    pub fn check(&self, who: &Applicant, day: NaiveDate, usage: Usage) -> Result<(), Refusal> {
        let years = age(who.birth_date, day);
        if let Some(min) = self.min_age
            && years < i32::from(min)
        {
            return Err(Refusal::Age { min, age: years });
        }
        if self.registered_only && !who.living_here {
            return Err(Refusal::NotRegistered);
        }
        if !self.tags_any.is_empty() && !self.tags_any.iter().any(|t| who.tags.contains(t)) {
            return Err(Refusal::Tags { any: self.tags_any.clone() });
        }
        if let Some(min) = self.care_level_min
            && who.care_level.is_none_or(|level| level < min)
        {
            return Err(Refusal::CareLevel { min, level: who.care_level });
        }
        if let Some(limit) = self.per_day
            && usage.same_day >= limit
        {
            return Err(Refusal::PerDay { limit });
        }
        if let Some(limit) = self.per_month
            && usage.same_month >= limit
        {
            return Err(Refusal::PerMonth { limit });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn elder() -> Applicant {
        Applicant { birth_date: day(1946, 3, 8), living_here: true, tags: vec![Tag::LivesAlone], care_level: Some(3) }
    }

    #[test]
    fn age_counts_on_the_day_of_the_slot() {
        let rules = Rules { min_age: Some(80), ..Rules::default() };
        assert_eq!(rules.check(&elder(), day(2026, 3, 7), Usage::default()), Err(Refusal::Age { min: 80, age: 79 }));
        assert_eq!(rules.check(&elder(), day(2026, 3, 8), Usage::default()), Ok(()));
    }

    #[test]
    fn each_rule_refuses_by_name() {
        let who = elder();
        let on = day(2026, 12, 1);
        let refuse = |rules: Rules, who: &Applicant, usage: Usage| rules.check(who, on, usage).unwrap_err();
        let moved = Applicant { living_here: false, ..who.clone() };
        assert_eq!(
            refuse(Rules { registered_only: true, ..Rules::default() }, &moved, Usage::default()).rule(),
            "registered_only"
        );
        let dibao = Rules { tags_any: vec![Tag::Dibao, Tag::Disabled], ..Rules::default() };
        let r = refuse(dibao, &who, Usage::default());
        assert_eq!(r.rule(), "tags_any");
        assert!(r.zh().contains("低保、残疾"), "{}", r.zh());
        assert!(r.en().contains("dibao or disabled"), "{}", r.en());
        let care = Rules { care_level_min: Some(4), ..Rules::default() };
        assert!(refuse(care.clone(), &who, Usage::default()).zh().contains("您的评估等级是 3 级"));
        let unassessed = Applicant { care_level: None, ..who.clone() };
        assert!(refuse(care, &unassessed, Usage::default()).zh().contains("还没有评估等级"));
        let meals = Rules { per_day: Some(1), per_month: Some(20), ..Rules::default() };
        assert_eq!(refuse(meals.clone(), &who, Usage { same_day: 1, same_month: 1 }), Refusal::PerDay { limit: 1 });
        assert_eq!(refuse(meals.clone(), &who, Usage { same_day: 0, same_month: 20 }), Refusal::PerMonth { limit: 20 });
        assert_eq!(meals.check(&who, on, Usage { same_day: 0, same_month: 19 }), Ok(()));
        assert_eq!(
            Rules { tags_any: vec![Tag::LivesAlone], ..Rules::default() }.check(&who, on, Usage::default()),
            Ok(())
        );
    }
}
