//! The category catalog (部件/事件): two levels of codes (大类 → 小类), each small class with
//! its handling department, priority, time limits, entry and closing criteria, and the
//! extra attributes a report must or may carry (they become Open311 service definitions).
//!
//! Codes: `C` for components (部件, public assets) or `E` for events (事件), two digits of
//! class, two of subclass: `E05` 街面秩序, `E0503` 电动车飞线充电.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::calendar::TimeLimit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CategoryKind {
    /// 部件
    Component,
    /// 事件
    Event,
}

/// A valid category code. A 3-character code is a class, a 5-character one a subclass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CategoryCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a category code is C or E and two or four digits, like E05 or E0504; got '{0}'")]
pub struct CategoryCodeError(pub String);

impl CategoryCode {
    pub fn parse(raw: &str) -> Result<Self, CategoryCodeError> {
        let raw = raw.trim().to_ascii_uppercase();
        let ok = matches!(raw.as_bytes().first(), Some(b'C' | b'E'))
            && matches!(raw.len(), 3 | 5)
            && raw.bytes().skip(1).all(|b| b.is_ascii_digit());
        if ok { Ok(Self(raw)) } else { Err(CategoryCodeError(raw.chars().take(20).collect())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> CategoryKind {
        if self.0.starts_with('C') { CategoryKind::Component } else { CategoryKind::Event }
    }

    pub fn is_class(&self) -> bool {
        self.0.len() == 3
    }

    /// The class of a subclass.
    pub fn class(&self) -> CategoryCode {
        Self(self.0[..3].to_owned())
    }
}

impl std::str::FromStr for CategoryCode {
    type Err = CategoryCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 1 is the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Priority(pub u8);

/// How long each step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From report to 立案 / 不予立案.
    pub register: TimeLimit,
    /// From 立案 to 派遣.
    pub dispatch: TimeLimit,
    /// From 派遣 to 反馈.
    pub handle: TimeLimit,
}

/// The type of an extra attribute (Open311's datatype).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "values")]
pub enum AttributeType {
    String,
    Number,
    Datetime,
    Text,
    /// One of (key, name).
    SingleChoice(Vec<(String, String)>),
    /// Any of (key, name).
    MultiChoice(Vec<(String, String)>),
}

impl AttributeType {
    /// The Open311 datatype name.
    pub fn open311(&self) -> &'static str {
        match self {
            AttributeType::String => "string",
            AttributeType::Number => "number",
            AttributeType::Datetime => "datetime",
            AttributeType::Text => "text",
            AttributeType::SingleChoice(_) => "singlevaluelist",
            AttributeType::MultiChoice(_) => "multivaluelist",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub datatype: AttributeType,
    pub required: bool,
    #[serde(default)]
    pub description: String,
}

/// A subclass (小类) with everything a case of it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub code: CategoryCode,
    pub name: String,
    /// The department that handles it unless a dispatch rule says otherwise.
    pub department: Option<String>,
    pub priority: Priority,
    pub limits: Limits,
    /// 立案标准
    pub entry_criteria: String,
    /// 结案标准
    pub closing_criteria: String,
    pub attributes: Vec<AttributeDef>,
    pub keywords: Vec<String>,
    pub active: bool,
}

/// A whole catalog: departments, classes and subclasses.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// (code, name)
    pub departments: Vec<(String, String)>,
    /// (code, name) of the 大类
    pub classes: Vec<(CategoryCode, String)>,
    pub categories: Vec<Category>,
}

#[derive(Deserialize)]
struct CatalogFile {
    departments: Vec<(String, String)>,
    classes: Vec<(String, String)>,
    category: Vec<CategoryEntry>,
}

#[derive(Deserialize)]
struct CategoryEntry {
    code: String,
    name: String,
    department: Option<String>,
    priority: u8,
    limits: BTreeMap<String, String>,
    entry: String,
    closing: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    attributes: Vec<AttributeDef>,
}

/// Reads a limit written `W24` (working hours) or `N4` (natural hours).
pub fn parse_limit(text: &str) -> Option<TimeLimit> {
    let (kind, hours) = text.trim().split_at_checked(1)?;
    let hours: u32 = hours.parse().ok().filter(|h| *h > 0)?;
    match kind {
        "W" | "w" => Some(TimeLimit::WorkingHours(hours)),
        "N" | "n" => Some(TimeLimit::NaturalHours(hours)),
        _ => None,
    }
}

/// Writes a limit the way [`parse_limit`] reads it.
pub fn format_limit(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingHours(h) => format!("W{h}"),
        TimeLimit::NaturalHours(h) => format!("N{h}"),
    }
}

impl Catalog {
    /// The catalog that ships with Tongxin (`data/catalog.toml`).
    pub fn default_catalog() -> Catalog {
        Self::from_toml(include_str!("../../data/catalog.toml")).expect("the shipped catalog is valid")
    }

    /// Reads a catalog file, naming the first thing wrong in it.
    pub fn from_toml(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let classes = file
            .classes
            .into_iter()
            .map(|(code, name)| Ok((CategoryCode::parse(&code).map_err(|e| e.to_string())?, name)))
            .collect::<Result<Vec<_>, String>>()?;
        let mut categories = Vec::new();
        for entry in file.category {
            let code = CategoryCode::parse(&entry.code).map_err(|e| e.to_string())?;
            if code.is_class() || !classes.iter().any(|(c, _)| *c == code.class()) {
                return Err(format!("category {code}: its class {} is not listed", code.class()));
            }
            let limit = |step: &str| {
                entry
                    .limits
                    .get(step)
                    .and_then(|t| parse_limit(t))
                    .ok_or_else(|| format!("category {code}: limits.{step} must be like W24 or N4"))
            };
            if let Some(d) = &entry.department
                && !file.departments.iter().any(|(c, _)| c == d)
            {
                return Err(format!("category {code}: department {d} is not listed"));
            }
            categories.push(Category {
                limits: Limits { register: limit("register")?, dispatch: limit("dispatch")?, handle: limit("handle")? },
                name: entry.name,
                department: entry.department,
                priority: Priority(entry.priority.clamp(1, 3)),
                entry_criteria: entry.entry,
                closing_criteria: entry.closing,
                attributes: entry.attributes,
                keywords: entry.keywords,
                active: true,
                code,
            });
        }
        Ok(Catalog { departments: file.departments, classes, categories })
    }
}

/// A refused attribute: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("attribute {code}: {reason}")]
pub struct AttributeError {
    pub code: String,
    pub reason: String,
}

impl Category {
    /// Checks a report's attribute values (each a string, or a list for multiple choice)
    /// against the definitions and returns them normalised. Unknown attributes are refused.
    pub fn check_attributes(&self, given: &BTreeMap<String, Value>) -> Result<BTreeMap<String, Value>, AttributeError> {
        let err = |code: &str, reason: &str| AttributeError { code: code.to_owned(), reason: reason.to_owned() };
        if let Some(unknown) = given.keys().find(|k| !self.attributes.iter().any(|a| &a.code == *k)) {
            return Err(err(unknown, "is not an attribute of this category"));
        }
        let mut out = BTreeMap::new();
        for def in &self.attributes {
            let value = given
                .get(&def.code)
                .filter(|v| !v.is_null() && v.as_str() != Some("") && v.as_array().is_none_or(|a| !a.is_empty()));
            let Some(value) = value else {
                if def.required {
                    return Err(err(&def.code, "is required"));
                }
                continue;
            };
            let text =
                |v: &Value| v.as_str().map(str::trim).map(str::to_owned).or_else(|| v.as_f64().map(|n| n.to_string()));
            let checked = match &def.datatype {
                AttributeType::String | AttributeType::Text => {
                    let t = text(value).ok_or_else(|| err(&def.code, "must be text"))?;
                    let max = if def.datatype == AttributeType::String { 200 } else { 4000 };
                    if t.chars().count() > max {
                        return Err(err(&def.code, &format!("must be at most {max} characters")));
                    }
                    Value::String(t)
                }
                AttributeType::Number => {
                    let n = value.as_f64().or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
                    let n = n.filter(|n| n.is_finite()).ok_or_else(|| err(&def.code, "must be a number"))?;
                    // Whole numbers stay whole (楼层 2, not 2.0).
                    if n.fract() == 0.0 && n.abs() < 1e15 { serde_json::json!(n as i64) } else { serde_json::json!(n) }
                }
                AttributeType::Datetime => {
                    let t = text(value).ok_or_else(|| err(&def.code, "must be a date and time"))?;
                    chrono::DateTime::parse_from_rfc3339(&t).map_err(|_| {
                        err(&def.code, "must be an RFC 3339 date and time, like 2026-11-27T09:30:00+08:00")
                    })?;
                    Value::String(t)
                }
                AttributeType::SingleChoice(values) => {
                    let t = text(value).ok_or_else(|| err(&def.code, "must be one of the listed values"))?;
                    if !values.iter().any(|(k, _)| *k == t) {
                        return Err(err(&def.code, "must be one of the listed values"));
                    }
                    Value::String(t)
                }
                AttributeType::MultiChoice(values) => {
                    let items: Vec<String> = match value {
                        Value::Array(items) => items.iter().filter_map(text).collect(),
                        other => text(other).into_iter().collect(),
                    };
                    if items.is_empty() || items.iter().any(|i| !values.iter().any(|(k, _)| k == i)) {
                        return Err(err(&def.code, "must be values from the list"));
                    }
                    serde_json::json!(items)
                }
            };
            out.insert(def.code.clone(), checked);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn category() -> Category {
        Category {
            code: CategoryCode::parse("E0503").unwrap(),
            name: "噪声扰民".into(),
            department: Some("cgzd".into()),
            priority: Priority(2),
            limits: Limits {
                register: TimeLimit::WorkingHours(2),
                dispatch: TimeLimit::WorkingHours(2),
                handle: TimeLimit::WorkingHours(16),
            },
            entry_criteria: String::new(),
            closing_criteria: String::new(),
            attributes: vec![
                AttributeDef {
                    code: "source".into(),
                    name: "噪声来源".into(),
                    datatype: AttributeType::SingleChoice(vec![
                        ("site".into(), "施工".into()),
                        ("shop".into(), "商铺".into()),
                    ]),
                    required: true,
                    description: String::new(),
                },
                AttributeDef {
                    code: "floor".into(),
                    name: "楼层".into(),
                    datatype: AttributeType::Number,
                    required: false,
                    description: String::new(),
                },
                AttributeDef {
                    code: "times".into(),
                    name: "时段".into(),
                    datatype: AttributeType::MultiChoice(vec![
                        ("day".into(), "白天".into()),
                        ("night".into(), "夜间".into()),
                    ]),
                    required: false,
                    description: String::new(),
                },
            ],
            keywords: vec![],
            active: true,
        }
    }

    fn given(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_shipped_catalog_reads() {
        let c = Catalog::default_catalog();
        assert_eq!(c.classes.len(), 12);
        for wanted in [
            "电动车飞线充电",
            "电动车进楼道/进电梯",
            "楼道堆物",
            "消防通道占用",
            "垃圾分类不规范",
            "噪声扰民",
            "占道经营",
            "违法搭建",
            "井盖缺失",
            "路灯损坏",
            "消防设施损坏",
        ] {
            assert!(c.categories.iter().any(|x| x.name == wanted), "{wanted}");
        }
        let manhole = c.categories.iter().find(|x| x.code.as_str() == "C0101").unwrap();
        assert_eq!(manhole.limits.handle, TimeLimit::NaturalHours(4));
        assert_eq!(manhole.attributes[0].datatype.open311(), "singlevaluelist");
        let noise = c.categories.iter().find(|x| x.code.as_str() == "E0502").unwrap();
        assert_eq!(noise.attributes[1].datatype.open311(), "multivaluelist");
        assert_eq!(parse_limit("W24"), Some(TimeLimit::WorkingHours(24)));
        assert_eq!(format_limit(TimeLimit::NaturalHours(4)), "N4");
        assert_eq!(parse_limit("X3"), None);
        assert_eq!(parse_limit("W0"), None);
        assert!(Catalog::from_toml("departments = []\nclasses = []\n[[category]]\ncode = \"E0101\"\nname = \"x\"\npriority = 1\nlimits = {}\nentry = \"\"\nclosing = \"\"\n").unwrap_err().contains("class E01"));
    }

    #[test]
    fn codes_parse() {
        let c = CategoryCode::parse("e0504").unwrap();
        assert_eq!((c.as_str(), c.kind(), c.is_class()), ("E0504", CategoryKind::Event, false));
        assert_eq!(c.class().as_str(), "E05");
        assert!(CategoryCode::parse("C01").unwrap().is_class());
        for bad in ["X0101", "E5", "E05041", "E05a1", ""] {
            assert!(CategoryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn attributes_are_checked_and_normalised() {
        let c = category();
        let ok =
            c.check_attributes(&given(json!({"source": "site", "floor": "3", "times": ["day", "night"]}))).unwrap();
        assert_eq!(ok["floor"], json!(3));
        let half = c.check_attributes(&given(json!({"source": "site", "floor": 2.5}))).unwrap();
        assert_eq!(half["floor"], json!(2.5));
        assert_eq!(ok["times"], json!(["day", "night"]));
        let one = c.check_attributes(&given(json!({"source": "shop", "times": "night"}))).unwrap();
        assert_eq!(one["times"], json!(["night"]));
        let refuse = |v: Value| c.check_attributes(&given(v)).unwrap_err().code;
        assert_eq!(refuse(json!({})), "source");
        assert_eq!(refuse(json!({"source": ""})), "source");
        assert_eq!(refuse(json!({"source": "park"})), "source");
        assert_eq!(refuse(json!({"source": "site", "floor": "three"})), "floor");
        assert_eq!(refuse(json!({"source": "site", "times": ["dawn"]})), "times");
        assert_eq!(refuse(json!({"source": "site", "colour": "red"})), "colour");
    }
}
