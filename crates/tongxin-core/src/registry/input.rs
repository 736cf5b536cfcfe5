//! Registry records as people type them — in an edit form, a JSON body or a spreadsheet
//! row — checked field by field. Every problem names its column (as the import template
//! heads it) and says what is wrong in Chinese; nothing is silently fixed. The one thing
//! filled in is what the ID number already says: a missing gender or birth date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Gender, HouseholdRole, LiftStage, Registration, Tag};
use crate::pii::id_number::{IdNumber, IdNumberError};
use crate::pii::phone::PhoneNumber;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name in the API (`id_number`).
    pub field: &'static str,
    /// The column in the template (`身份证号`).
    pub column: &'static str,
    /// What is wrong, in Chinese.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, column: &'static str, reason: impl Into<String>) -> Self {
        Self { field, column, reason: reason.into() }
    }
}

/// Collects the problems of one record.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &'static str, column: &'static str, reason: impl Into<String>) {
        self.0.push(FieldError::new(field, column, reason));
    }

    /// `Some(value)` from `Ok`; records the error otherwise.
    fn take<T>(&mut self, field: &'static str, column: &'static str, r: Result<T, String>) -> Option<T> {
        r.map_err(|reason| self.add(field, column, reason)).ok()
    }
}

/// A required text of at most `max` characters.
fn required(text: &str, max: usize) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("必填".into());
    }
    short(t, max)
}

fn short(text: &str, max: usize) -> Result<String, String> {
    let t = text.trim();
    if t.chars().count() > max { Err(format!("不能超过 {max} 个字")) } else { Ok(t.to_owned()) }
}

/// A value of a vocabulary, by its Chinese name or its stored value.
fn one_of<T: std::str::FromStr + Copy>(text: &str, all: &[T], zh: impl Fn(T) -> &'static str) -> Result<T, String> {
    text.trim().parse().map_err(|_| {
        let names: Vec<&str> = all.iter().map(|v| zh(*v)).collect();
        format!("「{}」不是 {} 之一", text.trim(), names.join("、"))
    })
}

/// A date as spreadsheets and people write it: 2020-01-05, 2020/1/5, 2020.1.5, 20200105,
/// 2020年1月5日.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let normal = t.replace(['/', '.', '年', '月'], "-").replace('日', "");
    let parsed = if normal.len() == 8 && normal.bytes().all(|b| b.is_ascii_digit()) {
        NaiveDate::parse_from_str(&normal, "%Y%m%d")
    } else {
        NaiveDate::parse_from_str(&normal, "%Y-%m-%d")
    };
    parsed.map_err(|_| format!("「{t}」不是日期（应如 2020-01-05）"))
}

fn optional_day(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.trim().is_empty() { Ok(None) } else { parse_day(text).map(Some) }
}

/// The reason an ID number is refused, in Chinese.
pub fn id_number_reason(e: &IdNumberError) -> String {
    match e {
        IdNumberError::Length(n) => format!("身份证号应为 18 位，这里是 {n} 位"),
        IdNumberError::Characters => "身份证号应为 17 位数字加一位数字或 X".into(),
        IdNumberError::BirthDate => "身份证号中的出生日期不存在".into(),
        IdNumberError::CheckDigit { expected } => format!("身份证号校验位错误（按 GB 11643 应为 {expected}），请核对"),
    }
}

const PHONE_REASON: &str = "手机号应为 11 位手机号码（13x–19x），或带区号的固定电话，如 021-62481234";

/// A resident as typed: every field text, empty for "not given".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ResidentText {
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub id_number: String,
    pub phone: String,
    pub role: String,
    pub tags: String,
    pub moved_in: String,
    pub moved_out: String,
}

/// A resident that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentInput {
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_number: Option<IdNumber>,
    pub phone: Option<PhoneNumber>,
    pub role: HouseholdRole,
    pub tags: Vec<Tag>,
    pub moved_in: Option<NaiveDate>,
    pub moved_out: Option<NaiveDate>,
}

impl ResidentText {
    /// Checks every field against the others and against `today`; every problem at once.
    pub fn check(&self, today: NaiveDate) -> Result<ResidentInput, Vec<FieldError>> {
        let mut p = Problems::default();
        let name = p.take("name", "姓名", required(&self.name, 40));
        let id_number = if self.id_number.trim().is_empty() {
            Some(None)
        } else {
            p.take(
                "id_number",
                "身份证号",
                IdNumber::parse(&self.id_number).map(Some).map_err(|e| id_number_reason(&e)),
            )
        };
        let from_id = id_number.clone().flatten();
        let gender = if self.gender.trim().is_empty() {
            match &from_id {
                Some(id) => Some(if id.is_female() { Gender::Female } else { Gender::Male }),
                None => p.take("gender", "性别", Err("必填（或填写身份证号）".into())),
            }
        } else {
            p.take("gender", "性别", one_of(&self.gender, Gender::ALL, Gender::zh))
        };
        if let (Some(g), Some(id)) = (gender, &from_id) {
            let says = if id.is_female() { Gender::Female } else { Gender::Male };
            if g != says {
                p.add("gender", "性别", format!("性别与身份证号不符（身份证号为{}性）", says.zh()));
            }
        }
        let birth_date = if self.birth_date.trim().is_empty() {
            match &from_id {
                Some(id) => Some(id.birth_date()),
                None => p.take("birth_date", "出生日期", Err("必填（或填写身份证号）".into())),
            }
        } else {
            p.take("birth_date", "出生日期", parse_day(&self.birth_date))
        };
        if let Some(b) = birth_date {
            if b > today {
                p.add("birth_date", "出生日期", format!("出生日期 {b} 晚于今天"));
            } else if b.year() < 1890 {
                p.add("birth_date", "出生日期", format!("出生日期 {b} 不可能"));
            } else if let Some(id) = &from_id
                && id.birth_date() != b
            {
                p.add("birth_date", "出生日期", format!("出生日期 {b} 与身份证号中的 {} 不符", id.birth_date()));
            }
        }
        let phone = if self.phone.trim().is_empty() {
            Some(None)
        } else {
            p.take("phone", "手机号", PhoneNumber::parse(&self.phone).map(Some).map_err(|_| PHONE_REASON.to_owned()))
        };
        let role = if self.role.trim().is_empty() {
            p.take("role", "与户主关系", Err("必填".into()))
        } else {
            p.take("role", "与户主关系", one_of(&self.role, HouseholdRole::ALL, HouseholdRole::zh))
        };
        let tags = p.take(
            "tags",
            "标签",
            super::parse_tags(&self.tags).map_err(|_| {
                let names: Vec<&str> = Tag::ALL.iter().map(|t| t.zh()).collect();
                format!(
                    "「{}」中有不认识的标签；可用：{}（60+、80+ 由出生日期得出，不必填）",
                    self.tags.trim(),
                    names.join("、")
                )
            }),
        );
        let moved_in = p.take("moved_in", "迁入日期", optional_day(&self.moved_in));
        let moved_out = p.take("moved_out", "迁出日期", optional_day(&self.moved_out));
        for (field, column, day) in
            [("moved_in", "迁入日期", moved_in.flatten()), ("moved_out", "迁出日期", moved_out.flatten())]
        {
            if day.is_some_and(|d| d > today) {
                p.add(field, column, format!("{column}不能晚于今天"));
            }
        }
        if let (Some(Some(i)), Some(Some(o))) = (moved_in, moved_out)
            && o < i
        {
            p.add("moved_out", "迁出日期", format!("迁出日期 {o} 早于迁入日期 {i}"));
        }
        match (name, gender, birth_date, id_number, phone, role, tags, moved_in, moved_out) {
            (
                Some(name),
                Some(gender),
                Some(birth_date),
                Some(id_number),
                Some(phone),
                Some(role),
                Some(tags),
                Some(moved_in),
                Some(moved_out),
            ) if p.0.is_empty() => {
                Ok(ResidentInput { name, gender, birth_date, id_number, phone, role, tags, moved_in, moved_out })
            }
            _ => Err(p.0),
        }
    }
}

/// A household as typed (its building is found by the caller).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct HouseholdText {
    pub unit: String,
    pub room: String,
    pub registration: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdInput {
    pub unit: String,
    pub room: String,
    pub registration: Registration,
    pub notes: String,
}

impl HouseholdText {
    pub fn check(&self) -> Result<HouseholdInput, Vec<FieldError>> {
        let mut p = Problems::default();
        let unit = p.take("unit", "单元", short(self.unit.trim_end_matches("单元"), 10));
        let room = p.take("room", "室", required(self.room.trim().trim_end_matches('室'), 20));
        let registration = if self.registration.trim().is_empty() {
            p.take("registration", "户籍类型", Err("必填".into()))
        } else {
            p.take("registration", "户籍类型", one_of(&self.registration, Registration::ALL, Registration::zh))
        };
        let notes = p.take("notes", "备注", short(&self.notes, 500));
        match (unit, room, registration, notes) {
            (Some(unit), Some(room), Some(registration), Some(notes)) if p.0.is_empty() => {
                Ok(HouseholdInput { unit, room, registration, notes })
            }
            _ => Err(p.0),
        }
    }
}

/// A building's registry fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct BuildingText {
    pub units: String,
    pub floors: String,
    pub year_built: String,
    /// 是 / 否 (or true / false).
    pub elevator: String,
    /// Empty when no 加梯 project.
    pub lift_stage: String,
    pub contact_name: String,
    pub contact_phone: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuildingInput {
    pub units: i64,
    pub floors: i64,
    pub year_built: Option<i64>,
    pub elevator: bool,
    pub lift_stage: Option<LiftStage>,
    pub contact_name: String,
    pub contact_phone: Option<PhoneNumber>,
}

fn number(text: &str, low: i64, high: i64) -> Result<i64, String> {
    let t = text.trim();
    match t.parse::<i64>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(format!("「{t}」应为 {low} 到 {high} 之间的整数")),
    }
}

impl BuildingText {
    pub fn check(&self, today: NaiveDate) -> Result<BuildingInput, Vec<FieldError>> {
        let mut p = Problems::default();
        let units = p.take("units", "单元数", number(&self.units, 1, 50));
        let floors = p.take("floors", "层数", number(&self.floors, 1, 200));
        let year_built = if self.year_built.trim().is_empty() {
            Some(None)
        } else {
            p.take("year_built", "建成年份", number(&self.year_built, 1840, i64::from(today.year())).map(Some))
        };
        let elevator = p.take(
            "elevator",
            "电梯",
            match self.elevator.trim() {
                "是" | "有" | "true" | "on" | "1" => Ok(true),
                "否" | "无" | "false" | "" | "0" => Ok(false),
                other => Err(format!("「{other}」应为 是 或 否")),
            },
        );
        let lift_stage = if self.lift_stage.trim().is_empty() {
            Some(None)
        } else {
            p.take("lift_stage", "加梯阶段", one_of(&self.lift_stage, LiftStage::ALL, LiftStage::zh).map(Some))
        };
        let contact_name = p.take("contact_name", "联系人", short(&self.contact_name, 40));
        let contact_phone = if self.contact_phone.trim().is_empty() {
            Some(None)
        } else {
            p.take(
                "contact_phone",
                "联系电话",
                PhoneNumber::parse(&self.contact_phone).map(Some).map_err(|_| PHONE_REASON.into()),
            )
        };
        if elevator == Some(true) && lift_stage.flatten().is_some_and(|s| s != LiftStage::InService) {
            p.add("lift_stage", "加梯阶段", "已有电梯的楼栋，加梯阶段只能是「已投用」或空");
        }
        match (units, floors, year_built, elevator, lift_stage, contact_name, contact_phone) {
            (
                Some(units),
                Some(floors),
                Some(year_built),
                Some(elevator),
                Some(lift_stage),
                Some(contact_name),
                Some(contact_phone),
            ) if p.0.is_empty() => {
                Ok(BuildingInput { units, floors, year_built, elevator, lift_stage, contact_name, contact_phone })
            }
            _ => Err(p.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    /// A valid number for a woman born 1946-03-08 (sequence 902, check character computed).
    fn id() -> String {
        let first = "31010619460308902";
        format!("{first}{}", crate::pii::id_number::check_character(first).unwrap())
    }

    fn resident() -> ResidentText {
        ResidentText {
            name: "王秀英".into(),
            gender: "女".into(),
            birth_date: "1946/3/8".into(),
            id_number: id(),
            phone: "139 1234 5678".into(),
            role: "户主".into(),
            tags: "独居老人、党员".into(),
            moved_in: "1990年5月1日".into(),
            moved_out: String::new(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_resident_reads() {
        let r = resident().check(today()).unwrap();
        assert_eq!(r.birth_date, NaiveDate::from_ymd_opt(1946, 3, 8).unwrap());
        assert_eq!(r.gender, Gender::Female);
        assert_eq!(r.phone.unwrap().expose(), "13912345678");
        assert_eq!(r.tags, [Tag::LivesAlone, Tag::PartyMember]);
        assert_eq!(r.moved_in, NaiveDate::from_ymd_opt(1990, 5, 1));
    }

    #[test]
    fn the_id_number_fills_a_missing_gender_and_birth_date_but_never_overrides_them() {
        let mut t = resident();
        t.gender.clear();
        t.birth_date.clear();
        let r = t.check(today()).unwrap();
        assert_eq!((r.gender, r.birth_date.to_string().as_str()), (Gender::Female, "1946-03-08"));

        let mut t = resident();
        t.gender = "男".into();
        t.birth_date = "1946-03-09".into();
        let e = t.check(today()).unwrap_err();
        assert_eq!(fields(&e), ["gender", "birth_date"]);
        assert!(e[0].reason.contains("身份证号为女性"), "{}", e[0].reason);
        assert!(e[1].reason.contains("1946-03-08"), "{}", e[1].reason);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let mut wrong_check = id();
        let last = if wrong_check.ends_with('1') { '2' } else { '1' };
        wrong_check.replace_range(17.., &last.to_string());
        let t = ResidentText {
            name: " ".into(),
            gender: "未知".into(),
            birth_date: "1946-02-30".into(),
            id_number: wrong_check,
            phone: "12345".into(),
            role: "朋友".into(),
            tags: "富豪".into(),
            moved_in: "2030-01-01".into(),
            moved_out: "昨天".into(),
        };
        let e = t.check(today()).unwrap_err();
        assert_eq!(
            fields(&e),
            ["name", "id_number", "gender", "birth_date", "phone", "role", "tags", "moved_out", "moved_in"]
        );
        assert!(e[1].reason.contains("校验位"), "{}", e[1].reason);
        assert!(e[2].reason.contains("男、女"), "{}", e[2].reason);
        assert!(e.iter().all(|x| !x.reason.is_empty() && !x.column.is_empty()));
    }

    #[test]
    fn birth_dates_must_be_possible_and_moves_in_order() {
        let mut t = resident();
        t.id_number.clear();
        t.birth_date = "2027-01-01".into();
        assert_eq!(fields(&t.check(today()).unwrap_err()), ["birth_date"]);
        let mut t = resident();
        t.moved_out = "1980-01-01".into();
        let e = t.check(today()).unwrap_err();
        assert!(e[0].reason.contains("早于迁入日期"), "{}", e[0].reason);
    }

    #[test]
    fn dates_read_in_the_usual_spellings() {
        for t in ["2020-01-05", "2020/1/5", "2020.1.5", "20200105", "2020年1月5日"] {
            assert_eq!(parse_day(t).unwrap(), NaiveDate::from_ymd_opt(2020, 1, 5).unwrap(), "{t}");
        }
        assert!(parse_day("2020-13-01").unwrap_err().contains("不是日期"));
    }

    #[test]
    fn households_and_buildings_check_their_fields() {
        let h =
            HouseholdText {
                unit: "2单元".into(), room: "302室".into(), registration: "来沪".into(), notes: "".into()
            }
            .check()
            .unwrap();
        assert_eq!((h.unit.as_str(), h.room.as_str(), h.registration), ("2", "302", Registration::Migrant));
        let e =
            HouseholdText { room: "".into(), registration: "外地".into(), ..Default::default() }.check().unwrap_err();
        assert_eq!(fields(&e), ["room", "registration"]);

        let b = BuildingText {
            units: "3".into(),
            floors: "6".into(),
            year_built: "1985".into(),
            elevator: "否".into(),
            lift_stage: "征询通过".into(),
            contact_name: "李建国".into(),
            contact_phone: "13800001111".into(),
        }
        .check(today())
        .unwrap();
        assert_eq!((b.units, b.year_built, b.lift_stage), (3, Some(1985), Some(LiftStage::Consulted)));
        let e = BuildingText {
            units: "0".into(),
            floors: "x".into(),
            year_built: "2030".into(),
            elevator: "是".into(),
            lift_stage: "施工中".into(),
            ..Default::default()
        }
        .check(today())
        .unwrap_err();
        assert_eq!(fields(&e), ["units", "floors", "year_built", "lift_stage"]);
    }
}
