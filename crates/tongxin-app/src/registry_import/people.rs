//! How a row of the household and resident ledgers is checked and matched: households on
//! their building, unit and room; residents on their ID number (sealed, matched by its
//! index) and their household.

use chrono::NaiveDate;
use tongxin_core::pii::PiiCipher;
use tongxin_core::registry::input::{HouseholdText, ResidentText};
use tongxin_store::registry::{NewHousehold, NewResident};

use super::kinds::{Cells, Kind, Known, Plan, RowError, Seen, room_key};
use super::sheet::Row;

/// Checks a household row; what it would do, or every problem.
pub fn household(row: &Row, known: &Known, seen: &mut Seen) -> Result<Plan, Vec<RowError>> {
    let cells = Cells { row, template: Kind::Households.template() };
    let text = HouseholdText {
        unit: cells.get("单元"),
        room: cells.get("室"),
        registration: cells.get("户籍类型"),
        notes: cells.get("备注"),
    };
    let checked = text.check().map_err(|e| cells.field_errors(e));
    let building = cells.building(known);
    let (checked, (building_id, region)) = match (checked, building) {
        (Ok(c), Ok(b)) => (c, b),
        (c, b) => {
            let mut errors = c.err().unwrap_or_default();
            errors.extend(b.err());
            return Err(errors);
        }
    };
    let key = (building_id, checked.unit.clone(), checked.room.clone());
    if let Some(first) = seen.first(format!("{}|{}|{}", key.0, key.1, key.2), row.line) {
        return Err(vec![cells.error("室", format!("与第 {first} 行是同一户（同一楼栋、单元和室）"))]);
    }
    let new = NewHousehold {
        building_id,
        region,
        unit: checked.unit,
        room: checked.room,
        registration: checked.registration,
        notes: checked.notes,
    };
    Ok(match known.households.get(&key) {
        Some((id, _)) => Plan::UpdateHousehold(*id, new),
        None => Plan::AddHousehold(new),
    })
}

/// Checks a resident row; what it would do, or every problem.
pub fn resident(
    row: &Row,
    known: &Known,
    seen: &mut Seen,
    pii: &PiiCipher,
    today: NaiveDate,
) -> Result<Plan, Vec<RowError>> {
    let cells = Cells { row, template: Kind::Residents.template() };
    let text = ResidentText {
        name: cells.get("姓名"),
        gender: cells.get("性别"),
        birth_date: cells.get("出生日期"),
        id_number: cells.get("身份证号"),
        phone: cells.get("手机号"),
        role: cells.get("与户主关系"),
        tags: cells.get("标签"),
        moved_in: cells.get("迁入日期"),
        moved_out: cells.get("迁出日期"),
    };
    let id_column = Kind::Residents.template().columns.iter().position(|c| c.0 == "身份证号");
    if id_column.is_some_and(|at| row.long_numbers.contains(&at)) {
        return Err(vec![cells.error(
            "身份证号",
            "身份证号在 Excel 里存成了数字，超过 15 位的部分已被 Excel 改成 0；请把该列设为「文本」格式后重新填写",
        )]);
    }
    let checked = text.check(today).map_err(|e| cells.field_errors(e));
    let household =
        cells.building(known).and_then(|(building_id, _)| {
            let (unit, room) = room_key(&cells.get("单元"), &cells.get("室"));
            known.households.get(&(building_id, unit, room)).cloned().ok_or_else(|| {
                cells.error("室", "系统中没有这一户（这个楼栋的这个单元和室）；请先导入户籍台账或新增该户")
            })
        });
    let (checked, (household_id, region)) = match (checked, household) {
        (Ok(c), Ok(h)) => (c, h),
        (c, h) => {
            let mut errors = c.err().unwrap_or_default();
            errors.extend(h.err());
            return Err(errors);
        }
    };
    let new = NewResident::seal(pii, household_id, region, &checked);
    match &new.id_index {
        Some(index) => {
            if let Some(first) = seen.first(index.clone(), row.line) {
                return Err(vec![
                    cells.error("身份证号", format!("与第 {first} 行的身份证号相同：同一人只能登记一次")),
                ]);
            }
            match known.by_id.get(index) {
                Some((id, at)) if *at == household_id => Ok(Plan::UpdateResident(*id, new)),
                Some((_, at)) => Err(vec![cells.error("身份证号", registered_elsewhere(known.addresses.get(at)))]),
                None => Ok(Plan::AddResident(new)),
            }
        }
        None => {
            let key = format!("{household_id}|{}|{}", new.name, new.birth_date);
            if let Some(first) = seen.first(key, row.line) {
                return Err(vec![
                    cells.error("姓名", format!("与第 {first} 行是同一人（同一户、同名、同一出生日期）")),
                ]);
            }
            Ok(match known.by_name.get(&(household_id, new.name.clone(), new.birth_date)) {
                Some(id) => Plan::UpdateResident(*id, new),
                None => Plan::AddResident(new),
            })
        }
    }
}

/// Why a person already registered in another household cannot be added again: where, if
/// the importer covers that household; otherwise only that it lies in another grid, so an
/// ID number never finds out where someone lives.
fn registered_elsewhere(address: Option<&String>) -> String {
    match address {
        Some(address) => format!("此人已登记在 {address}；如已搬家，请在系统中为其办理迁入新户，而不是重复登记"),
        None => "此人已在其他网格登记；如已搬家，请联系所在网格为其办理迁入新户，而不是重复登记".into(),
    }
}
