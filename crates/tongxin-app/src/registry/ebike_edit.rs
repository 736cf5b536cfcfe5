//! Changing an e-bike (`registry.write`, within the caller's regions): plate, brand,
//! battery, registration date, status and the charging shed it uses. Checked like the
//! other records (422 with every problem), one transaction and one history entry.

use serde::Deserialize;
use tongxin_core::access::Permission;
use tongxin_core::registry::ebike_input::EbikeText;
use tongxin_store::registry::{Change, EbikeFields, NewEbike, RegistryScope};
use utoipa::ToSchema;

use super::ebikes::one_ebike;
use super::edit::invalid;
use super::today;
use crate::caller::Who;
use crate::{App, Error};

/// The fields to change; those left out stay as they are. `shed_id` is a shed's id, or an
/// empty text for none.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EbikePatch {
    pub plate: Option<String>,
    pub brand: Option<String>,
    /// 铅酸 or 锂电 (lead_acid, lithium)
    pub battery: Option<String>,
    pub registered_on: Option<String>,
    /// 在用, 已报废 or 已迁出 (active, scrapped, moved_away)
    pub status: Option<String>,
    pub shed_id: Option<String>,
}

/// The shed `raw` names, if it is in `who`'s regions; none for an empty text.
pub async fn shed(app: &App, who: &Who, raw: &str) -> Result<Option<i64>, Error> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let missing = || Error::invalid("shed_id", format!("no charging shed {raw} in your regions (没有这个充电棚)"));
    let id: i64 = raw.parse().map_err(|_| missing())?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let found = app.store.shed(&everyone, id).await?.ok_or_else(missing)?;
    if !who.actor.covers(&found.region) {
        return Err(missing());
    }
    Ok(Some(id))
}

pub async fn change_ebike(app: &App, who: &Who, id: i64, patch: EbikePatch) -> Result<Vec<Change>, Error> {
    let record = one_ebike(app, who, id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    let old = app.store.ebike_fields(id).await?.ok_or_else(|| Error::not_found(format!("no e-bike {id}")))?;
    let text = EbikeText {
        plate: patch.plate.unwrap_or(old.plate),
        brand: patch.brand.unwrap_or(old.brand),
        battery: patch.battery.unwrap_or_else(|| old.battery.as_str().into()),
        registered_on: patch.registered_on.unwrap_or_else(|| old.registered_on.to_string()),
        status: patch.status.unwrap_or_else(|| old.status.as_str().into()),
    };
    let checked = text.check(today()).map_err(invalid)?;
    let shed_id = match patch.shed_id {
        Some(raw) => shed(app, who, &raw).await?,
        None => record.shed_id,
    };
    let new = EbikeFields {
        plate: checked.plate,
        brand: checked.brand,
        battery: checked.battery,
        registered_on: checked.registered_on,
        status: checked.status,
        shed_id,
    };
    Ok(app.store.update_ebike(&who.caller(), id, &new).await?)
}

/// An e-bike to register to its owner (a resident living in the caller's regions).
#[derive(Debug, Deserialize, ToSchema)]
pub struct EbikeRequest {
    pub owner_id: i64,
    pub plate: String,
    #[serde(default)]
    pub brand: String,
    /// 铅酸 or 锂电
    pub battery: String,
    pub registered_on: String,
    /// 在用 (default), 已报废 or 已迁出
    #[serde(default)]
    pub status: String,
    /// A shed's id, or empty for none.
    #[serde(default)]
    pub shed_id: String,
}

pub async fn add_ebike(app: &App, who: &Who, r: EbikeRequest) -> Result<i64, Error> {
    let owner = super::one_resident(app, who, r.owner_id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    if owner.moved_out.is_some() {
        return Err(Error::invalid("owner_id", format!("resident {} has moved out (已迁出)", r.owner_id)));
    }
    let status = if r.status.trim().is_empty() { "active".to_owned() } else { r.status };
    let text = EbikeText { plate: r.plate, brand: r.brand, battery: r.battery, registered_on: r.registered_on, status };
    let checked = text.check(today()).map_err(invalid)?;
    let new = NewEbike {
        owner_id: owner.id,
        household_id: owner.household_id,
        region: owner.region,
        plate: checked.plate,
        brand: checked.brand,
        battery: checked.battery,
        registered_on: checked.registered_on,
        status: checked.status,
        shed_id: shed(app, who, &r.shed_id).await?,
    };
    Ok(app.store.add_ebike(&who.caller(), &new).await?)
}
