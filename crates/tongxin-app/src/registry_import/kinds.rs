//! What each kind of ledger looks like (its template) and how one of its rows is checked
//! and matched: the same field checks as the edit forms, then the building or household it
//! belongs to, then its natural key — within the file and against the database.

use std::collections::HashMap;

use chrono::NaiveDate;
use tongxin_core::access::Actor;
use tongxin_core::geo::Locator;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::input::FieldError;
use tongxin_store::registry::{
    EbikeFields, NewEbike, NewHousehold, NewPledge, NewResident, NewShed, PledgeFields, ShedFields,
};

use super::sheet::{Row, Template};

/// A kind of ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Households,
    Residents,
    Ebikes,
    Sheds,
    Pledges,
}

const HOUSEHOLDS: Template = Template {
    sheet: "户",
    columns: &[
        ("地址", "address", true),
        ("单元", "unit", false),
        ("室", "room", true),
        ("户籍类型", "registration", true),
        ("备注", "notes", false),
    ],
};

const RESIDENTS: Template = Template {
    sheet: "居民",
    columns: &[
        ("姓名", "name", true),
        ("性别", "gender", false),
        ("出生日期", "birth_date", false),
        ("身份证号", "id_number", false),
        ("手机号", "phone", false),
        ("地址", "address", true),
        ("单元", "unit", false),
        ("室", "room", true),
        ("与户主关系", "role", true),
        ("标签", "tags", false),
        ("迁入日期", "moved_in", false),
        ("迁出日期", "moved_out", false),
    ],
};

const EBIKES: Template = Template {
    sheet: "电动车",
    columns: &[
        ("车牌号", "plate", true),
        ("品牌", "brand", false),
        ("电池类型", "battery", true),
        ("状态", "status", true),
        ("登记日期", "registered_on", true),
        ("车主", "owner", true),
        ("地址", "address", true),
        ("单元", "unit", false),
        ("室", "room", true),
        ("充电棚", "shed", false),
    ],
};

const SHEDS: Template = Template {
    sheet: "充电棚",
    columns: &[
        ("名称", "name", true),
        ("纬度", "lat", true),
        ("经度", "lng", true),
        ("车位数", "capacity", true),
        ("设施", "facilities", false),
        ("状态", "status", true),
        ("启用日期", "opened_on", false),
    ],
};

const PLEDGES: Template = Template {
    sheet: "安全承诺书",
    columns: &[
        ("签署人", "signer", true),
        ("地址", "address", true),
        ("单元", "unit", false),
        ("室", "room", true),
        ("签署日期", "signed_on", true),
        ("方式", "channel", false),
        ("收取人", "collected_by", false),
    ],
};

impl Kind {
    pub const ALL: &'static [Kind] = &[Kind::Households, Kind::Residents, Kind::Ebikes, Kind::Sheds, Kind::Pledges];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Households => "households",
            Kind::Residents => "residents",
            Kind::Ebikes => "ebikes",
            Kind::Sheds => "sheds",
            Kind::Pledges => "pledges",
        }
    }

    /// The ledger's name.
    pub fn zh(self) -> &'static str {
        match self {
            Kind::Households => "户籍台账",
            Kind::Residents => "居民信息",
            Kind::Ebikes => "电动车台账",
            Kind::Sheds => "充电棚台账",
            Kind::Pledges => "安全承诺书台账",
        }
    }

    pub fn template(self) -> &'static Template {
        match self {
            Kind::Households => &HOUSEHOLDS,
            Kind::Residents => &RESIDENTS,
            Kind::Ebikes => &EBIKES,
            Kind::Sheds => &SHEDS,
            Kind::Pledges => &PLEDGES,
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "households" | "户" | "户籍台账" => Ok(Kind::Households),
            "residents" | "居民" | "居民信息" => Ok(Kind::Residents),
            "ebikes" | "电动车" | "电动车台账" => Ok(Kind::Ebikes),
            "sheds" | "充电棚" | "充电棚台账" => Ok(Kind::Sheds),
            "pledges" | "安全承诺书" | "承诺书" | "安全承诺书台账" => Ok(Kind::Pledges),
            other => Err(format!("'{other}' is not a ledger kind: households, residents, ebikes, sheds or pledges")),
        }
    }
}

/// What a column of `kind` takes, for the template's explanation sheet.
pub fn column_help(kind: Kind, column: &str) -> String {
    use tongxin_core::registry::{Facility, PledgeChannel, ShedStatus};
    let names = |all: Vec<&str>| all.join("、");
    match (kind, column) {
        (Kind::Sheds, "状态") => format!("{} 之一。", names(ShedStatus::ALL.iter().map(|s| s.zh()).collect())),
        (Kind::Sheds, "设施") => {
            format!("可多个，用顿号分隔：{}；没有可留空。", names(Facility::ALL.iter().map(|f| f.zh()).collect()))
        }
        (Kind::Pledges, "方式") => {
            format!(
                "{}；留空即纸质。每位居民只能在线签署一次。",
                names(PledgeChannel::ALL.iter().map(|c| c.zh()).collect())
            )
        }
        _ => column_help_any(column),
    }
}

fn column_help_any(column: &str) -> String {
    use tongxin_core::registry::{Gender, HouseholdRole, Registration, Tag};
    let names = |all: Vec<&str>| all.join("、");
    match column {
        "地址" => "楼栋地址，须与系统中的楼栋地址完全一致，如「华山路 100 弄 3 号」。".into(),
        "单元" => "单元号，如 2；没有单元的楼栋留空。".into(),
        "室" => "室号，如 302。".into(),
        "户籍类型" => format!("{} 之一。", names(Registration::ALL.iter().map(|r| r.zh()).collect())),
        "备注" => "可留空，最多 500 字。".into(),
        "姓名" => "最多 40 字。".into(),
        "性别" => format!("{}；填写身份证号时可留空。", names(Gender::ALL.iter().map(|g| g.zh()).collect())),
        "出生日期" => "如 1946-03-08；填写身份证号时可留空，填了须与身份证号一致。".into(),
        "身份证号" => "18 位，按 GB 11643 校验；请保持本列为文本格式。同一人只能登记一次；有身份证号的按身份证号匹配，没有的按同户、姓名和出生日期匹配。".into(),
        "手机号" => "11 位手机号，或带区号的固定电话如 021-62481234；可留空。".into(),
        "与户主关系" => format!("{} 之一。", names(HouseholdRole::ALL.iter().map(|r| r.zh()).collect())),
        "标签" => format!(
            "可多个，用顿号分隔：{}。60+、80+ 由出生日期得出，不必填。",
            names(Tag::ALL.iter().map(|t| t.zh()).collect())
        ),
        "迁入日期" | "迁出日期" => "如 2020-01-05；可留空。填写迁出日期即为已迁出，档案保留。".into(),
        "车牌号" => "如 沪A12345；按车牌号匹配已登记的电动车。".into(),
        "电池类型" => "铅酸 或 锂电。".into(),
        "状态" => "在用、已报废 或 已迁出。".into(),
        "登记日期" => "如 2020-06-01。".into(),
        "车主" => "车主姓名：须是「地址、单元、室」这一户在住的居民。".into(),
        "充电棚" => "充电棚名称，须与系统中的一致；可留空。".into(),
        "名称" => "充电棚名称，全街道唯一，最多 60 字；按名称匹配已登记的充电棚。".into(),
        "纬度" | "经度" => "WGS-84 坐标（GPS），如 31.2201、121.4402；充电棚归入位置所在的网格，须在您管辖的范围内。".into(),
        "车位数" => "充电车位数，1 到 500 的整数。".into(),
        "启用日期" => "如 2020-06-01；规划中、建设中的可填预计启用日期，或留空。".into(),
        "签署人" => "签署人姓名：须是「地址、单元、室」这一户登记的居民。同一人同一天的承诺书只登记一次。".into(),
        "签署日期" => "如 2020-07-09，不能晚于今天。".into(),
        "收取人" => "收取承诺书的工作人员或志愿者姓名；可留空。".into(),
        _ => String::new(),
    }
}

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The row as the spreadsheet numbers it.
    pub line: usize,
    pub column: String,
    /// The cell as typed (ID numbers and phones masked).
    pub value: String,
    pub reason: String,
}

/// What a valid row does.
pub enum Plan {
    AddHousehold(NewHousehold),
    UpdateHousehold(i64, NewHousehold),
    AddResident(NewResident),
    UpdateResident(i64, NewResident),
    AddEbike(NewEbike),
    UpdateEbike(i64, EbikeFields),
    AddShed(NewShed),
    UpdateShed(i64, ShedFields),
    AddPledge(NewPledge),
    UpdatePledge(i64, PledgeFields),
}

/// The records rows are matched against, within the importer's regions.
#[derive(Default)]
pub struct Known {
    /// Buildings by address.
    pub buildings: HashMap<String, (i64, RegionCode)>,
    /// Households by building, unit and room.
    pub households: HashMap<(i64, String, String), (i64, RegionCode)>,
    /// Every resident by the blind index of the ID number (in reach or not: a person is
    /// registered once), with their household.
    pub by_id: HashMap<String, (i64, i64)>,
    /// Residents without an ID number by household, name and birth date.
    pub by_name: HashMap<(i64, String, NaiveDate), i64>,
    /// The addresses of the households in reach, for messages (no other is ever named).
    pub addresses: HashMap<i64, String>,
    /// Residents living in a household, by household and name.
    pub by_household_name: HashMap<(i64, String), Vec<i64>>,
    /// Every e-bike by plate (plates are unique across the subdistrict), with its owner
    /// and whether the owner's household is in reach.
    pub plates: HashMap<String, (i64, i64, bool)>,
    /// Charging sheds in reach by name.
    pub sheds: HashMap<String, i64>,
    /// Charging sheds in reach by name, as stored (for a sheds ledger).
    pub shed_fields: HashMap<String, (i64, ShedFields)>,
    /// Every charging shed's name (names are unique across the subdistrict).
    pub shed_names: std::collections::HashSet<String>,
    /// Where a shed's location lies, and whose regions it must be in.
    pub grids: Option<(std::sync::Arc<Locator>, Actor)>,
    /// Every resident in reach, moved out or not, by household and name, with whether
    /// they still live there (pledge signers).
    pub signers: HashMap<(i64, String), Vec<(i64, bool)>>,
    /// Pledges by signer and signing day.
    pub pledges: HashMap<(i64, NaiveDate), i64>,
    /// The online pledge of each resident who signed one.
    pub online: HashMap<i64, i64>,
}

/// The natural keys seen so far in the file, with the row that had each first.
#[derive(Default)]
pub struct Seen(HashMap<String, usize>);

impl Seen {
    /// The first row with `key`, if another had it; otherwise remembers this one.
    pub(super) fn first(&mut self, key: String, line: usize) -> Option<usize> {
        match self.0.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(key, line);
                None
            }
        }
    }
}

pub(super) struct Cells<'a> {
    pub row: &'a Row,
    pub template: &'static Template,
}

impl Cells<'_> {
    pub(super) fn get(&self, header: &str) -> String {
        let at = self.template.columns.iter().position(|c| c.0 == header).expect("a template column");
        self.row.cells.get(at).cloned().unwrap_or_default()
    }

    pub(super) fn error(&self, column: &str, reason: impl Into<String>) -> RowError {
        let value = self.get(column);
        let value = if column == "身份证号" || column == "手机号" {
            tongxin_core::pii::mask::mask_numbers_in(&value)
        } else {
            value
        };
        RowError { line: self.row.line, column: column.to_owned(), value, reason: reason.into() }
    }

    pub(super) fn field_errors(&self, errors: Vec<FieldError>) -> Vec<RowError> {
        errors.into_iter().map(|e| self.error(e.column, e.reason)).collect()
    }

    /// The building and household the row's address names.
    pub(super) fn building(&self, known: &Known) -> Result<(i64, RegionCode), RowError> {
        let address = self.get("地址");
        known.buildings.get(address.trim()).cloned().ok_or_else(|| {
            self.error("地址", "找不到这个楼栋：地址须与系统中的楼栋地址完全一致（可先导出核对），且在您管辖的范围内")
        })
    }
}

impl Cells<'_> {
    /// The household the row's address, unit and room name.
    pub(super) fn household(&self, known: &Known) -> Result<(i64, RegionCode), RowError> {
        let (building_id, _) = self.building(known)?;
        let (unit, room) = room_key(&self.get("单元"), &self.get("室"));
        known
            .households
            .get(&(building_id, unit, room))
            .cloned()
            .ok_or_else(|| self.error("室", "系统中没有这一户（这个楼栋的这个单元和室）"))
    }
}

pub(super) fn room_key(unit: &str, room: &str) -> (String, String) {
    (unit.trim().trim_end_matches("单元").to_owned(), room.trim().trim_end_matches('室').to_owned())
}
