//! Adding and changing charging sheds (`registry.write`, within the caller's regions): name,
//! location, charging spaces, facilities, status and opening date. A shed belongs to the
//! grid its location lies in, so moving it may move it to another grid — one the caller
//! must cover. Checked like the other records (422 with every problem), one transaction and
//! one history entry.

use serde::Deserialize;
use tongxin_core::access::{Actor, Permission};
use tongxin_core::geo::{LatLng, Locator, RegionCode, RegionLevel};
use tongxin_core::registry::input::FieldError;
use tongxin_core::registry::ledger_input::{ShedInput, ShedText};
use tongxin_store::registry::{Change, NewShed, ShedFields};
use utoipa::ToSchema;

use super::ebikes::one_shed;
use super::edit::invalid;
use super::today;
use crate::caller::Who;
use crate::{App, Error};

/// A shed's fields; in a `PATCH` those left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ShedPatch {
    pub name: Option<String>,
    /// WGS-84
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// Charging spaces, 1 to 500.
    pub capacity: Option<String>,
    /// Names or stored values separated by 、 or commas: 灭火器、烟感、监控、定时断电
    /// (extinguisher, smoke_detector, camera, timed_power_off).
    pub facilities: Option<String>,
    /// 规划中, 建设中, 使用中 or 已关闭 (planned, building, in_use, closed)
    pub status: Option<String>,
    /// YYYY-MM-DD, or empty for none.
    pub opened_on: Option<String>,
}

/// The grid holding `point`, if `actor` covers it; otherwise why not, in Chinese.
pub fn grid_of(locator: &Locator, actor: &Actor, point: LatLng) -> Result<RegionCode, String> {
    let grid = locator
        .locate(point)
        .and_then(|path| path.at(RegionLevel::Grid))
        .map(|g| g.code.clone())
        .ok_or("这个位置不在任何网格内，请核对经纬度（WGS-84）")?;
    if !actor.covers(&grid) {
        return Err(format!("这个位置在网格 {grid}，不在您管辖的范围内"));
    }
    Ok(grid)
}

/// A shed's fields from checked input: its grid is kept while its location is, and
/// otherwise is the grid its new location lies in.
pub fn shed_fields(
    locator: &Locator,
    actor: &Actor,
    input: ShedInput,
    kept: Option<&ShedFields>,
) -> Result<ShedFields, Vec<FieldError>> {
    let region = match kept {
        Some(old) if old.location == input.location => old.region.clone(),
        _ => grid_of(locator, actor, input.location).map_err(|r| vec![FieldError::new("lat", "纬度", r)])?,
    };
    Ok(ShedFields {
        name: input.name,
        region,
        location: input.location,
        capacity: input.capacity,
        facilities: input.facilities,
        status: input.status,
        opened_on: input.opened_on,
    })
}

pub async fn change_shed(app: &App, who: &Who, id: i64, patch: ShedPatch) -> Result<Vec<Change>, Error> {
    one_shed(app, who, id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    let old = app.store.shed_fields(id).await?.ok_or_else(|| Error::not_found(format!("no charging shed {id}")))?;
    let text = ShedText {
        name: patch.name.unwrap_or_else(|| old.name.clone()),
        lat: patch.lat.unwrap_or_else(|| old.location.lat().to_string()),
        lng: patch.lng.unwrap_or_else(|| old.location.lng().to_string()),
        capacity: patch.capacity.unwrap_or_else(|| old.capacity.to_string()),
        facilities: patch
            .facilities
            .unwrap_or_else(|| old.facilities.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")),
        status: patch.status.unwrap_or_else(|| old.status.as_str().into()),
        opened_on: patch.opened_on.unwrap_or_else(|| old.opened_on.map(|d| d.to_string()).unwrap_or_default()),
    };
    let checked = text.check(today()).map_err(invalid)?;
    let new = shed_fields(&app.geo.current(), &who.actor, checked, Some(&old)).map_err(invalid)?;
    Ok(app.store.update_shed(&who.caller(), id, &new).await?)
}

pub async fn add_shed(app: &App, who: &Who, text: ShedText) -> Result<i64, Error> {
    who.require(app, Permission::RegistryWrite).await?;
    let checked = text.check(today()).map_err(invalid)?;
    let f = shed_fields(&app.geo.current(), &who.actor, checked, None).map_err(invalid)?;
    let new = NewShed {
        name: f.name,
        region: f.region,
        location: f.location,
        capacity: f.capacity,
        facilities: f.facilities,
        status: f.status,
        opened_on: f.opened_on,
    };
    Ok(app.store.add_shed(&who.caller(), &new).await?)
}
