//! How a row of the e-bike ledgers is checked and matched: e-bikes on their plate (owners
//! by name at their address, sheds by name), charging sheds on their name (their grid from
//! their location), and safety pledges on their signer and signing day.

use chrono::NaiveDate;
use tongxin_core::registry::PledgeChannel;
use tongxin_core::registry::ebike_input::EbikeText;
use tongxin_core::registry::input::FieldError;
use tongxin_core::registry::ledger_input::{PledgeText, ShedText};
use tongxin_store::registry::{EbikeFields, NewEbike, NewPledge, NewShed, PledgeFields};

use super::kinds::{Cells, Kind, Known, Plan, RowError, Seen};
use super::sheet::Row;
use crate::registry::shed_edit::shed_fields;

/// Checks an e-bike row; what it would do, or every problem.
pub fn ebike(row: &Row, known: &Known, seen: &mut Seen, today: NaiveDate) -> Result<Plan, Vec<RowError>> {
    let cells = Cells { row, template: Kind::Ebikes.template() };
    let text = EbikeText {
        plate: cells.get("车牌号"),
        brand: cells.get("品牌"),
        battery: cells.get("电池类型"),
        registered_on: cells.get("登记日期"),
        status: cells.get("状态"),
    };
    let mut errors = Vec::new();
    let checked = text.check(today).map_err(|e| errors.extend(cells.field_errors(e))).ok();
    let owner = cells
        .household(known)
        .and_then(|(household_id, region)| {
            let name = cells.get("车主");
            match known.by_household_name.get(&(household_id, name.trim().to_owned())) {
                Some(candidates) if !candidates.is_empty() => Ok((candidates.clone(), household_id, region)),
                _ => Err(cells.error("车主", format!("这一户没有叫「{}」的在住居民", name.trim()))),
            }
        })
        .map_err(|e| errors.push(e))
        .ok();
    let shed_name = cells.get("充电棚");
    let shed = if shed_name.trim().is_empty() {
        Some(None)
    } else {
        match known.sheds.get(shed_name.trim()) {
            Some(id) => Some(Some(*id)),
            None => {
                errors.push(cells.error("充电棚", "找不到这个充电棚：名称须与系统中的一致，且在您管辖的范围内"));
                None
            }
        }
    };
    let (Some(e), Some((candidates, household_id, region)), Some(shed_id)) = (checked, owner, shed) else {
        return Err(errors);
    };
    if let Some(first) = seen.first(e.plate.clone(), row.line) {
        return Err(vec![cells.error("车牌号", format!("与第 {first} 行的车牌号相同"))]);
    }
    match known.plates.get(&e.plate) {
        Some((_, other, in_reach)) if !candidates.contains(other) => Err(vec![cells.error(
            "车牌号",
            if *in_reach {
                "这个车牌已登记在另一位车主名下；如已转让，请在系统中修改"
            } else {
                "这个车牌已在其他网格登记；如已转让，请联系所在网格修改"
            },
        )]),
        None if candidates.len() > 1 => Err(vec![cells.error(
            "车主",
            format!(
                "这一户有 {} 位在住居民叫「{}」，无法区分；请在系统中登记这辆车",
                candidates.len(),
                cells.get("车主").trim()
            ),
        )]),
        Some((id, ..)) => Ok(Plan::UpdateEbike(
            *id,
            EbikeFields {
                plate: e.plate,
                brand: e.brand,
                battery: e.battery,
                registered_on: e.registered_on,
                status: e.status,
                shed_id,
            },
        )),
        None => Ok(Plan::AddEbike(NewEbike {
            owner_id: candidates[0],
            household_id,
            region,
            plate: e.plate,
            brand: e.brand,
            battery: e.battery,
            registered_on: e.registered_on,
            status: e.status,
            shed_id,
        })),
    }
}

/// Checks a charging-shed row; what it would do, or every problem.
pub fn shed(row: &Row, known: &Known, seen: &mut Seen, today: NaiveDate) -> Result<Plan, Vec<RowError>> {
    let cells = Cells { row, template: Kind::Sheds.template() };
    let text = ShedText {
        name: cells.get("名称"),
        lat: cells.get("纬度"),
        lng: cells.get("经度"),
        capacity: cells.get("车位数"),
        facilities: cells.get("设施"),
        status: cells.get("状态"),
        opened_on: cells.get("启用日期"),
    };
    let checked = text.check(today).map_err(|e| cells.field_errors(e))?;
    if let Some(first) = seen.first(checked.name.clone(), row.line) {
        return Err(vec![cells.error("名称", format!("与第 {first} 行的充电棚名称相同"))]);
    }
    let stored = known.shed_fields.get(&checked.name);
    if stored.is_none() && known.shed_names.contains(&checked.name) {
        return Err(vec![cells.error("名称", "已有同名的充电棚，且不在您管辖的范围内；名称全街道唯一")]);
    }
    let Some((locator, actor)) = known.grids.as_ref() else {
        return Err(vec![cells.error("纬度", "无法定位网格")]);
    };
    let fields = shed_fields(locator, actor, checked, stored.map(|(_, f)| f))
        .map_err(|e: Vec<FieldError>| cells.field_errors(e))?;
    Ok(match stored {
        Some((id, _)) => Plan::UpdateShed(*id, fields),
        None => Plan::AddShed(NewShed {
            name: fields.name,
            region: fields.region,
            location: fields.location,
            capacity: fields.capacity,
            facilities: fields.facilities,
            status: fields.status,
            opened_on: fields.opened_on,
        }),
    })
}

/// Checks a pledge row; what it would do, or every problem.
pub fn pledge(row: &Row, known: &Known, seen: &mut Seen, today: NaiveDate) -> Result<Plan, Vec<RowError>> {
    let cells = Cells { row, template: Kind::Pledges.template() };
    let text =
        PledgeText {
            signed_on: cells.get("签署日期"), collected_by: cells.get("收取人"), channel: cells.get("方式")
        };
    let mut errors = Vec::new();
    let checked = text.check(today).map_err(|e| errors.extend(cells.field_errors(e))).ok();
    let signer = cells
        .household(known)
        .and_then(|(household_id, region)| {
            let name = cells.get("签署人").trim().to_owned();
            let all = known.signers.get(&(household_id, name.clone())).cloned().unwrap_or_default();
            // Of two people of the same name, the one still living there.
            let living: Vec<i64> = all.iter().filter(|(_, living)| *living).map(|(id, _)| *id).collect();
            match (all.as_slice(), living.as_slice()) {
                ([], _) => Err(cells.error("签署人", format!("这一户没有登记叫「{name}」的居民"))),
                ([(id, _)], _) | (_, [id]) => Ok((*id, region)),
                _ => Err(cells.error("签署人", format!("这一户有多位居民叫「{name}」，无法区分"))),
            }
        })
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(p), Some((resident_id, region))) = (checked, signer) else {
        return Err(errors);
    };
    if let Some(first) = seen.first(format!("{resident_id}|{}", p.signed_on), row.line) {
        return Err(vec![cells.error("签署日期", format!("与第 {first} 行是同一人同一天的承诺书"))]);
    }
    let existing = known.pledges.get(&(resident_id, p.signed_on)).copied();
    if p.channel == PledgeChannel::Online {
        let other_online = known.online.get(&resident_id).is_some_and(|id| Some(*id) != existing);
        if other_online || seen.first(format!("online|{resident_id}"), row.line).is_some() {
            return Err(vec![cells.error("方式", "此人已在线签署过承诺书：每位居民只能在线签署一次")]);
        }
    }
    let fields = PledgeFields { signed_on: p.signed_on, collected_by: p.collected_by, channel: p.channel };
    Ok(match existing {
        Some(id) => Plan::UpdatePledge(id, fields),
        None => Plan::AddPledge(NewPledge {
            resident_id,
            region,
            signed_on: fields.signed_on,
            collected_by: fields.collected_by,
            channel: fields.channel,
        }),
    })
}
