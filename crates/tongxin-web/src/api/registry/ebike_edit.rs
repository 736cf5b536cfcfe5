//! Changing an e-bike (`registry.write`, within the caller's regions): plate, brand,
//! battery, registration date, status and the charging shed it uses. Checked like the
//! other records (422 with every problem), one transaction and one history entry.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongxin_core::access::Permission;
use tongxin_core::registry::ebike_input::EbikeText;
use tongxin_store::registry::{Change, EbikeFields, NewEbike, RegistryScope};
use utoipa::ToSchema;

use super::ebikes::{EbikeView, one_ebike};
use super::edit::{Changed, invalid};
use super::history::ChangeView;
use super::today;
use crate::api::access::id_param;
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};

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
async fn shed(app: &App, who: &Who, raw: &str) -> Result<Option<i64>, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let missing = || ApiError::invalid("shed_id", format!("no charging shed {raw} in your regions (没有这个充电棚)"));
    let id: i64 = raw.parse().map_err(|_| missing())?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let found = app.store.shed(&everyone, id).await?.ok_or_else(missing)?;
    if !who.actor.covers(&found.region) {
        return Err(missing());
    }
    Ok(Some(id))
}

pub async fn change_ebike(app: &App, who: &Who, id: i64, patch: EbikePatch) -> Result<Vec<Change>, ApiError> {
    let record = one_ebike(app, who, id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    let old = app.store.ebike_fields(id).await?.ok_or_else(|| ApiError::not_found(format!("no e-bike {id}")))?;
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

pub async fn add_ebike(app: &App, who: &Who, r: EbikeRequest) -> Result<i64, ApiError> {
    let owner = super::one_resident(app, who, r.owner_id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    if owner.moved_out.is_some() {
        return Err(ApiError::invalid("owner_id", format!("resident {} has moved out (已迁出)", r.owner_id)));
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

/// Registers an e-bike to a resident in the caller's regions.
#[utoipa::path(post, path = "/api/v1/ebikes", tag = "registry", request_body = EbikeRequest,
    responses((status = 201, body = EbikeView), (status = 400), (status = 403), (status = 404, description = "no such resident in reach"),
        (status = 409, description = "the plate is registered"), (status = 422, description = "details.errors")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<EbikeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<EbikeView>), ApiError> {
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let id = add_ebike(&app, &who, body).await?;
    Ok((StatusCode::CREATED, Json(EbikeView::from(&one_ebike(&app, &who, id).await?))))
}

/// Changes an e-bike: a status (scrapped, moved away), the shed it charges at, its plate …
#[utoipa::path(patch, path = "/api/v1/ebikes/{id}", tag = "registry", params(("id" = i64, Path)), request_body = EbikePatch,
    responses((status = 200, body = EbikeView), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "another e-bike has the plate"), (status = 422, description = "details.errors")))]
pub async fn patch(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<EbikePatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<EbikeView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let changes = change_ebike(&app, &who, id, body).await?;
    let record = one_ebike(&app, &who, id).await?;
    Ok(Json(Changed { record: EbikeView::from(&record), changes: changes.into_iter().map(ChangeView::from).collect() }))
}
