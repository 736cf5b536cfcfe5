//! The demo subdistrict's service catalogue (一网通办 / 智慧养老): 6 categories and 55
//! services a central-Shanghai subdistrict really offers its elderly residents, with the
//! sites that host them and each service's weekly timetable. Plain data: the demo seeds
//! the booking tables from it.

/// Where a service is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// At every demo site of these kinds (see [`SITES`]): "elder_centre" (综合为老服务中心),
    /// "care_home" (长者照护之家), "day_care" (日间照料中心), "canteen" (社区食堂/助餐点),
    /// "health_centre" (社区卫生服务中心).
    Sites(&'static [&'static str]),
    /// At the resident's home, by the provider's staff.
    HomeVisit,
}

pub struct CategorySeed {
    /// Upper-case ASCII, e.g. "MEAL".
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

pub struct SiteSeed {
    /// Lower-case ASCII with hyphens, unique, e.g. "elder-centre-1".
    pub code: &'static str,
    /// One of the five kinds listed on [`Where::Sites`].
    pub kind: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// A plausible street address in Chinese, e.g. "华山路 1520 号".
    pub address: &'static str,
    /// Opening hours per weekday, Monday (index 0) to Sunday (index 6): "08:00-17:00",
    /// or "" for closed that day.
    pub hours: [&'static str; 7],
}

pub struct ServiceSeed {
    /// "<CATEGORY>-<NN>", e.g. "MEAL-01"; unique.
    pub code: &'static str,
    /// A [`CategorySeed::code`].
    pub category: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// One or two plain Chinese sentences an elderly reader understands.
    pub description: &'static str,
    /// The provider organisation, in Chinese (a social organisation, the health centre, a
    /// partner hospital, a company …).
    pub provider: &'static str,
    pub place: Where,
    /// Minutes one appointment takes.
    pub minutes: u16,
    /// Seats per slot (for a home visit: how many visits the provider's staff make in
    /// that time window).
    pub capacity: u16,
    /// Age threshold: 60, 70 or 80, or None.
    pub min_age: Option<u8>,
    /// Only residents registered (living) in the subdistrict may book.
    pub registered_only: bool,
    /// Registry tags of which the resident must have at least one (empty: no tag needed).
    /// Only these values: "lives_alone" (独居老人), "childless" (孤老), "disabled" (残疾),
    /// "dibao" (低保).
    pub tags_any: &'static [&'static str],
    /// Minimum long-term-care assessment level (长护险评估等级, 1 to 6), or None.
    pub care_level_min: Option<u8>,
    /// At most this many bookings of this service per resident per day, or None.
    pub per_day: Option<u8>,
    /// At most this many bookings of this service per resident per calendar month, or None.
    pub per_month: Option<u8>,
    /// The price in fen (分) and what the subsidy covers, in fen; shown, never charged.
    pub price_fen: u32,
    pub subsidy_fen: u32,
    /// Cancelling is possible until this many hours before the start.
    pub cancel_cutoff_hours: u16,
    /// What to bring, in Chinese ("" for nothing).
    pub documents: &'static str,
    /// The weekly timetable: (weekday 1 = Monday … 7 = Sunday, start "HH:MM").
    pub timetable: &'static [(u8, &'static str)],
}

/// The six service categories, in the order the catalogue shows them.
pub const CATEGORIES: &[CategorySeed] = &[
    CategorySeed { code: "MEAL", zh: "助餐服务", en: "Meals" },
    CategorySeed { code: "CARE", zh: "生活照料", en: "Daily living care" },
    CategorySeed { code: "HEALTH", zh: "医养结合", en: "Health and medical care" },
    CategorySeed { code: "REHAB", zh: "康复护理", en: "Rehabilitation" },
    CategorySeed { code: "CULTURE", zh: "精神文化", en: "Wellbeing and learning" },
    CategorySeed { code: "SAFETY", zh: "安全守护", en: "Safety and emergency help" },
];

/// The subdistrict's service sites: at least one of every kind.
pub const SITES: &[SiteSeed] = &[
    SiteSeed {
        code: "elder-centre-1",
        kind: "elder_centre",
        zh: "静安寺街道综合为老服务中心",
        en: "Jing'an Temple Elderly Services Centre",
        address: "镇宁路 265 号",
        hours: [
            "08:30-17:00",
            "08:30-17:00",
            "08:30-17:00",
            "08:30-17:00",
            "08:30-17:00",
            "08:30-17:00",
            "09:00-16:00",
        ],
    },
    SiteSeed {
        code: "care-home-1",
        kind: "care_home",
        zh: "静安寺街道愚园长者照护之家",
        en: "Yuyuan Senior Care Home",
        address: "愚园路 395 弄 12 号",
        hours: [
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
        ],
    },
    SiteSeed {
        code: "care-home-2",
        kind: "care_home",
        zh: "静安寺街道延中长者照护之家",
        en: "Yanzhong Senior Care Home",
        address: "延安西路 376 弄 5 号",
        hours: [
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
            "08:00-20:00",
        ],
    },
    SiteSeed {
        code: "day-care-1",
        kind: "day_care",
        zh: "静安寺街道华山日间照料中心",
        en: "Huashan Day Care Centre",
        address: "华山路 228 号",
        hours: ["08:00-17:00", "08:00-17:00", "08:00-17:00", "08:00-17:00", "08:00-17:00", "", ""],
    },
    SiteSeed {
        code: "day-care-2",
        kind: "day_care",
        zh: "静安寺街道常德日间照料中心",
        en: "Changde Day Care Centre",
        address: "常德路 633 弄 8 号",
        hours: ["08:00-17:00", "08:00-17:00", "08:00-17:00", "08:00-17:00", "08:00-17:00", "08:30-16:30", ""],
    },
    SiteSeed {
        code: "canteen-1",
        kind: "canteen",
        zh: "静安寺街道社区长者食堂",
        en: "Jing'an Temple Community Canteen",
        address: "万航渡路 118 号",
        hours: [
            "10:30-18:30",
            "10:30-18:30",
            "10:30-18:30",
            "10:30-18:30",
            "10:30-18:30",
            "10:30-18:30",
            "10:30-18:30",
        ],
    },
    SiteSeed {
        code: "canteen-2",
        kind: "canteen",
        zh: "三义坊社区助餐点",
        en: "Sanyifang Meal Point",
        address: "乌鲁木齐北路 210 号",
        hours: [
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
        ],
    },
    SiteSeed {
        code: "canteen-3",
        kind: "canteen",
        zh: "王家宅社区助餐点",
        en: "Wangjiazhai Meal Point",
        address: "武定西路 1201 号",
        hours: [
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
            "10:30-13:30",
        ],
    },
    SiteSeed {
        code: "health-centre-1",
        kind: "health_centre",
        zh: "静安寺街道社区卫生服务中心",
        en: "Jing'an Temple Community Health Centre",
        address: "延安西路 160 号",
        hours: ["08:00-16:30", "08:00-16:30", "08:00-16:30", "08:00-16:30", "08:00-16:30", "08:00-11:30", ""],
    },
];

const EVERY_DAY_1100: &[(u8, &str)] =
    &[(1, "11:00"), (2, "11:00"), (3, "11:00"), (4, "11:00"), (5, "11:00"), (6, "11:00"), (7, "11:00")];
const EVERY_DAY_1130: &[(u8, &str)] =
    &[(1, "11:30"), (2, "11:30"), (3, "11:30"), (4, "11:30"), (5, "11:30"), (6, "11:30"), (7, "11:30")];

const CANTEENS: Where = Where::Sites(&["canteen"]);
const HEALTH_CENTRE: Where = Where::Sites(&["health_centre"]);
const ELDER_CENTRE: Where = Where::Sites(&["elder_centre"]);
const DAY_CARE: Where = Where::Sites(&["day_care"]);

/// The partner hospital whose specialists hold the 医养直通车 clinics.
const HOSPITAL: &str = "复旦大学附属华山医院";
const HEALTH_CENTRE_ORG: &str = "静安寺街道社区卫生服务中心";
const CLINIC_DOCUMENTS: &str = "社保卡、近期病历和检查报告";
const HOME_CARE_ORG: &str = "上海静安乐龄居家养老服务社";
const SCHOOL: &str = "静安寺街道社区学校（老年学校）";

mod care;
mod culture;
mod health;
mod meal;
mod rehab;
mod safety;

/// Every service, category by category, in the catalogue's order.
pub fn services() -> impl Iterator<Item = &'static ServiceSeed> {
    [meal::SERVICES, care::SERVICES, health::SERVICES, rehab::SERVICES, culture::SERVICES, safety::SERVICES]
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests;
