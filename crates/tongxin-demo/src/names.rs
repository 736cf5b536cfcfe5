//! Names for the demo: communities, estates and roads of the 静安寺 area. The layout is
//! invented; the names are the kind a resident of the area would recognise.

/// The district and subdistrict at the root of the demo tree.
pub const DISTRICT: (&str, &str) = ("310106", "静安区");
pub const SUBDISTRICT: (&str, &str) = ("310106013", "静安寺街道");

/// Thirteen communities (居民区), each with the estates (小区) its grids cover.
pub const COMMUNITIES: [(&str, &[&str]); 13] = [
    ("景华", &["景华新村", "景华苑", "愚园路公寓"]),
    ("美丽园", &["美丽园", "美丽园大厦", "延安西路新村"]),
    ("华怡", &["华怡园", "华山公寓", "华怡花园"]),
    ("华山", &["华山路新村", "华山坊", "枕流公寓"]),
    ("愚园", &["愚园新村", "岐山村", "愚谷邨"]),
    ("常德", &["常德公寓", "常德坊", "长乐村"]),
    ("静安别墅", &["静安别墅", "中实新村", "模范村"]),
    ("新福康里", &["新福康里", "福康里", "嘉园"]),
    ("三义坊", &["三义坊", "联安坊", "宏业花园"]),
    ("延中", &["延中新村", "延中广场", "铜仁公寓"]),
    ("裕华", &["裕华新村", "裕华苑", "万航公寓"]),
    ("长新", &["长新新村", "长新苑", "镇宁公寓"]),
    ("王家宅", &["王家宅", "乌鲁木齐新村", "武定坊"]),
];

/// Roads; a grid's buildings are numbered along one of them.
pub const ROADS: [&str; 14] = [
    "华山路",
    "愚园路",
    "延安西路",
    "常德路",
    "南京西路",
    "北京西路",
    "乌鲁木齐北路",
    "镇宁路",
    "武定西路",
    "万航渡路",
    "江苏路",
    "铜仁路",
    "长乐路",
    "巨鹿路",
];

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// `n` (1-based) in Chinese numerals, up to 99.
pub fn chinese_number(n: usize) -> String {
    match n {
        1..=10 => NUMERALS[n - 1].to_owned(),
        11..=19 => format!("十{}", NUMERALS[n - 11]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", NUMERALS[n / 10 - 1]),
        20..=99 => format!("{}十{}", NUMERALS[n / 10 - 1], NUMERALS[n % 10 - 1]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_in_chinese() {
        let said: Vec<_> = [1, 5, 10, 11, 20, 23].into_iter().map(super::chinese_number).collect();
        assert_eq!(said, ["一", "五", "十", "十一", "二十", "二十三"]);
    }
}
