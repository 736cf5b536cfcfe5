//! Adding and changing charging sheds (`registry.write`, within the caller's regions): name,
//! location, charging spaces, facilities, status and opening date. A shed belongs to the
//! grid its location lies in, so moving it may move it to another grid — one the caller
//! must cover. Checked like the other records (422 with every problem), one transaction and
//! one history entry.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongxin_core::access::{Actor, Permission};
use tongxin_core::geo::{LatLng, Locator, RegionCode, RegionLevel};
use tongxin_core::registry::input::FieldError;
use tongxin_core::registry::ledger_input::{ShedInput, ShedText};
use tongxin_store::registry::{Change, NewShed, ShedFields};
use utoipa::ToSchema;

use super::ebikes::{ShedDetail, ShedView, one_shed};
use super::edit::{Changed, invalid};
use super::history::ChangeView;
use super::today;
use crate::api::access::id_param;
use crate::auth::{ApiCaller, Who};
use crate::{ApiError, App};

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

pub async fn change_shed(app: &App, who: &Who, id: i64, patch: ShedPatch) -> Result<Vec<Change>, ApiError> {
    one_shed(app, who, id).await?;
    who.require(app, Permission::RegistryWrite).await?;
    let old = app.store.shed_fields(id).await?.ok_or_else(|| ApiError::not_found(format!("no charging shed {id}")))?;
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

pub async fn add_shed(app: &App, who: &Who, text: ShedText) -> Result<i64, ApiError> {
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

/// Adds a charging shed in the grid its location lies in (one of the caller's).
#[utoipa::path(post, path = "/api/v1/sheds", tag = "registry", request_body = ShedPatch,
    responses((status = 201, body = ShedDetail), (status = 400), (status = 403),
        (status = 409, description = "another shed has the name"), (status = 422, description = "details.errors")))]
pub async fn create(
    State(app): State<App>,
    who: ApiCaller,
    raw: Result<Json<ShedPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ShedDetail>), ApiError> {
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let text = ShedText {
        name: body.name.unwrap_or_default(),
        lat: body.lat.unwrap_or_default(),
        lng: body.lng.unwrap_or_default(),
        capacity: body.capacity.unwrap_or_default(),
        facilities: body.facilities.unwrap_or_default(),
        status: body.status.unwrap_or_default(),
        opened_on: body.opened_on.unwrap_or_default(),
    };
    let id = add_shed(&app, &who, text).await?;
    let (shed, _) = one_shed(&app, &who, id).await?;
    Ok((StatusCode::CREATED, Json(ShedDetail { shed: ShedView::from(&shed), checks: Vec::new() })))
}

/// Changes a charging shed: its spaces, facilities, status (opened, closed) …
#[utoipa::path(patch, path = "/api/v1/sheds/{id}", tag = "registry", params(("id" = i64, Path)), request_body = ShedPatch,
    responses((status = 200, body = ShedView), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "another shed has the name"), (status = 422, description = "details.errors")))]
pub async fn patch(
    State(app): State<App>,
    who: ApiCaller,
    Path(raw_id): Path<String>,
    raw: Result<Json<ShedPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Changed<ShedView>>, ApiError> {
    let id = id_param(&raw_id)?;
    let body = raw.map(|Json(v)| v).map_err(|e| ApiError::invalid("body", e.body_text()))?;
    let changes = change_shed(&app, &who, id, body).await?;
    let (shed, _) = one_shed(&app, &who, id).await?;
    Ok(Json(Changed { record: ShedView::from(&shed), changes: changes.into_iter().map(ChangeView::from).collect() }))
}
