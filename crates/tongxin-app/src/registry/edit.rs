//! Adding and changing registry records (`registry.write`, within the caller's regions):
//! households, residents and a building's registry fields. A change names only the fields
//! it changes; the rest stay as they are. Every field is checked as the import checks it
//! (tongxin_core::registry::input), every problem is answered at once (422, each with its
//! field, column and reason in Chinese), and each change is one transaction with one audit
//! entry holding the fields' before and after values — which is the record's history.

use serde::{Deserialize, Serialize};
use serde_json::json;
use tongxin_core::access::Permission;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::input::{BuildingText, FieldError, HouseholdText, ResidentText};
use tongxin_store::registry::{BuildingFields, Change, NewHousehold, NewResident, RegistryScope};
use utoipa::ToSchema;

use super::history::ChangeView;
use super::today;
use crate::caller::Who;
use crate::{App, Error};

/// Every problem of a record as one 422: `details.field` is the first field, and
/// `details.errors` lists each field, its column and the reason.
pub fn invalid(errors: Vec<FieldError>) -> Error {
    let first = errors.first().map(|e| format!("{}：{}", e.column, e.reason)).unwrap_or_default();
    Error::Unprocessable {
        message: first,
        details: json!({ "field": errors.first().map(|e| e.field), "errors": errors }),
    }
}

pub fn everyone() -> RegistryScope {
    RegistryScope { all: true, ..Default::default() }
}

/// The region a household in `building` belongs to: the building's block, or its grid.
pub async fn building_region(app: &App, who: &Who, building_id: i64) -> Result<RegionCode, Error> {
    let missing = || Error::not_found(format!("no building {building_id}"));
    let b = app.store.building(building_id).await?.ok_or_else(missing)?;
    let region = b.fields.block.clone().unwrap_or_else(|| b.fields.grid.clone());
    who.covers(app, &region, missing()).await?;
    Ok(region)
}

/// A household `who` may change: it exists and lies in their regions.
pub async fn household_in_reach(
    app: &App,
    who: &Who,
    id: i64,
) -> Result<tongxin_store::registry::HouseholdRecord, Error> {
    who.require(app, Permission::RegistryWrite).await?;
    let missing = || Error::not_found(format!("no household {id}"));
    let h = app.store.household(&everyone(), id).await?.ok_or_else(missing)?;
    who.covers(app, &h.region, missing()).await?;
    Ok(h)
}

/// A household to add: the building and the household's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HouseholdRequest {
    pub building_id: i64,
    #[serde(default)]
    pub unit: String,
    pub room: String,
    /// 户籍, 人户分离 or 来沪 (or local, separated, migrant)
    pub registration: String,
    #[serde(default)]
    pub notes: String,
}

/// The fields to change; those left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HouseholdPatch {
    pub unit: Option<String>,
    pub room: Option<String>,
    pub registration: Option<String>,
    pub notes: Option<String>,
}

pub async fn add_household(app: &App, who: &Who, r: HouseholdRequest) -> Result<i64, Error> {
    who.require(app, Permission::RegistryWrite).await?;
    let region = building_region(app, who, r.building_id).await?;
    let text = HouseholdText { unit: r.unit, room: r.room, registration: r.registration, notes: r.notes };
    let h = text.check().map_err(invalid)?;
    let new = NewHousehold {
        building_id: r.building_id,
        region,
        unit: h.unit,
        room: h.room,
        registration: h.registration,
        notes: h.notes,
    };
    let mut tx = app.store.begin_write().await?;
    let id = app.store.add_household_in(&mut tx, &who.caller(), &new).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn change_household(app: &App, who: &Who, id: i64, patch: HouseholdPatch) -> Result<Vec<Change>, Error> {
    let h = household_in_reach(app, who, id).await?;
    let text = HouseholdText {
        unit: patch.unit.unwrap_or(h.unit),
        room: patch.room.unwrap_or(h.room),
        registration: patch.registration.unwrap_or_else(|| h.registration.as_str().into()),
        notes: patch.notes.unwrap_or(h.notes),
    };
    let checked = text.check().map_err(invalid)?;
    let new = NewHousehold {
        building_id: h.building_id,
        region: h.region,
        unit: checked.unit,
        room: checked.room,
        registration: checked.registration,
        notes: checked.notes,
    };
    let mut tx = app.store.begin_write().await?;
    let changes = app.store.update_household_in(&mut tx, &who.caller(), id, &new).await?;
    tx.commit().await?;
    Ok(changes)
}

/// A resident to add to a household. Leave gender and birth date empty to take them from
/// the ID number; a given one that disagrees with it is refused.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResidentRequest {
    pub household_id: i64,
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    pub role: String,
    /// Tags in one text: 独居老人、党员
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub moved_in: String,
}

/// The fields to change; those left out stay as they are. An empty `phone` or `moved_out`
/// clears it; `moved_out` set is the move-out (the record stays, with its history).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResidentPatch {
    /// Move to another household.
    pub household_id: Option<i64>,
    pub name: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub tags: Option<String>,
    pub moved_in: Option<String>,
    pub moved_out: Option<String>,
}

pub fn open(app: &App, field: &str, sealed: &Option<Vec<u8>>) -> Result<String, Error> {
    sealed
        .as_ref()
        .map(|s| app.pii.open(field, s).map_err(|e| Error::Internal(format!("cannot open a sealed {field}: {e}"))))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Checks a resident's text and seals it for `household`.
pub fn sealed(app: &App, household_id: i64, region: RegionCode, text: &ResidentText) -> Result<NewResident, Error> {
    let checked = text.check(today()).map_err(invalid)?;
    Ok(NewResident::seal(&app.pii, household_id, region, &checked))
}

pub async fn add_resident(app: &App, who: &Who, r: ResidentRequest) -> Result<i64, Error> {
    let h = household_in_reach(app, who, r.household_id).await?;
    let text = ResidentText {
        name: r.name,
        gender: r.gender,
        birth_date: r.birth_date,
        id_number: r.id_number,
        phone: r.phone,
        role: r.role,
        tags: r.tags,
        moved_in: r.moved_in,
        moved_out: String::new(),
    };
    let new = sealed(app, h.id, h.region, &text)?;
    let mut tx = app.store.begin_write().await?;
    let id = app.store.add_resident_in(&mut tx, &who.caller(), &new).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn change_resident(app: &App, who: &Who, id: i64, patch: ResidentPatch) -> Result<Vec<Change>, Error> {
    who.require(app, Permission::RegistryWrite).await?;
    let missing = || Error::not_found(format!("no resident {id}"));
    let record = app.store.resident(&everyone(), id).await?.ok_or_else(missing)?;
    who.covers(app, &record.region, missing()).await?;
    let state = app.store.resident_state(id).await?.ok_or_else(missing)?;
    let target = match patch.household_id {
        Some(h) if h != record.household_id => household_in_reach(app, who, h).await?,
        _ => household_in_reach(app, who, record.household_id).await?,
    };
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let text = ResidentText {
        name: patch.name.unwrap_or(state.name.clone()),
        gender: patch.gender.unwrap_or_else(|| state.gender.as_str().into()),
        birth_date: patch.birth_date.unwrap_or_else(|| state.birth_date.to_string()),
        id_number: match patch.id_number {
            Some(n) => n,
            None => open(app, "resident_id", &state.id_sealed)?,
        },
        phone: match patch.phone {
            Some(p) => p,
            None => open(app, "phone", &state.phone_sealed)?,
        },
        role: patch.role.unwrap_or_else(|| state.role.as_str().into()),
        tags: patch.tags.unwrap_or_else(|| state.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")),
        moved_in: patch.moved_in.unwrap_or_else(|| day(state.moved_in)),
        moved_out: patch.moved_out.unwrap_or_else(|| day(state.moved_out)),
    };
    let new = sealed(app, target.id, target.region, &text)?;
    let mut tx = app.store.begin_write().await?;
    let changes = app.store.update_resident_in(&mut tx, &who.caller(), id, &new).await?;
    tx.commit().await?;
    Ok(changes)
}

/// A building's registry fields to change; those left out stay as they are. An empty
/// `contact_phone` or `lift_stage` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BuildingPatch {
    pub units: Option<String>,
    pub floors: Option<String>,
    pub year_built: Option<String>,
    /// 是 / 否
    pub elevator: Option<String>,
    /// 意向征询, 征询通过, 审批通过, 施工中, 已投用 (or proposed … in_service), or empty
    pub lift_stage: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// A building's registry fields, contact phone masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingRegistryView {
    pub id: i64,
    pub address: String,
    pub region: String,
    pub units: i64,
    pub floors: i64,
    pub year_built: Option<i64>,
    pub elevator: bool,
    /// proposed, consulted, approved, building, in_service, or null
    pub lift_stage: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A building `who` may read (and with `write`, change): its registry fields.
pub async fn building_in_reach(
    app: &App,
    who: &Who,
    id: i64,
    write: bool,
) -> Result<(BuildingRegistryView, BuildingFields), Error> {
    who.require(app, if write { Permission::RegistryWrite } else { Permission::ResidentsRead }).await?;
    let region = building_region(app, who, id).await?;
    let missing = || Error::not_found(format!("no building {id}"));
    let b = app.store.building(id).await?.ok_or_else(missing)?;
    let f = app.store.building_fields(id).await?.ok_or_else(missing)?;
    let view = BuildingRegistryView {
        id,
        address: b.fields.address,
        region: region.to_string(),
        units: f.units,
        floors: f.floors,
        year_built: f.year_built,
        elevator: f.elevator,
        lift_stage: f.lift_stage.map(|s| s.as_str().into()),
        contact_name: f.contact_name.clone(),
        contact_phone: f.contact_phone_masked.clone(),
    };
    Ok((view, f))
}

pub async fn change_building(app: &App, who: &Who, id: i64, patch: BuildingPatch) -> Result<Vec<Change>, Error> {
    let (_, old) = building_in_reach(app, who, id, true).await?;
    let old_phone = open(app, "phone", &old.contact_phone_sealed)?;
    let text = BuildingText {
        units: patch.units.unwrap_or_else(|| old.units.to_string()),
        floors: patch.floors.unwrap_or_else(|| old.floors.to_string()),
        year_built: patch.year_built.unwrap_or_else(|| old.year_built.map(|y| y.to_string()).unwrap_or_default()),
        elevator: patch.elevator.unwrap_or_else(|| if old.elevator { "是" } else { "否" }.into()),
        lift_stage: patch.lift_stage.unwrap_or_else(|| old.lift_stage.map(|s| s.as_str().into()).unwrap_or_default()),
        contact_name: patch.contact_name.unwrap_or_else(|| old.contact_name.clone()),
        contact_phone: patch.contact_phone.unwrap_or_else(|| old_phone.clone()),
    };
    let checked = text.check(today()).map_err(invalid)?;
    let mut new = BuildingFields::seal(&app.pii, &checked);
    // the same number keeps its sealed text and does not count as a change
    if checked.contact_phone.as_ref().map(|p| p.expose()) == Some(old_phone.as_str()) {
        new.contact_phone_sealed = old.contact_phone_sealed;
        new.contact_phone_index = None;
    }
    Ok(app.store.update_building_fields(&who.caller(), id, &new).await?)
}

/// What a change did: the fields that changed (none when nothing did).
#[derive(Debug, Serialize)]
pub struct Changed<T> {
    #[serde(flatten)]
    pub record: T,
    pub changes: Vec<ChangeView>,
}

pub fn views(changes: Vec<Change>) -> Vec<ChangeView> {
    changes
        .into_iter()
        .map(|c| ChangeView { field: c.field, column: c.column, before: c.before, after: c.after })
        .collect()
}
