//! A record's history (变更记录): its registry audit entries, newest first, each with the
//! fields that changed and their before and after values (personal values masked).

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use tongxin_store::registry::Change;
use utoipa::ToSchema;

use super::edit::building_in_reach;
use crate::api::access::id_param;
use crate::auth::ApiCaller;
use crate::{ApiError, App};

/// One entry of a record's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// `2026-11-29 14:03` (Shanghai time)
    pub at: String,
    pub actor: String,
    /// registry.resident.add, registry.resident.update, registry.resident.move_out, …
    pub action: String,
    pub changes: Vec<ChangeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    pub field: String,
    pub column: String,
    /// Personal values masked.
    pub before: String,
    pub after: String,
}

impl From<Change> for ChangeView {
    fn from(c: Change) -> Self {
        Self { field: c.field, column: c.column, before: c.before, after: c.after }
    }
}

impl ChangeView {
    /// The field's name in the page's message catalog.
    pub fn key(&self) -> &'static str {
        match self.field.as_str() {
            "name" => "registry.name",
            "gender" => "registry.gender",
            "birth_date" => "registry.birth_date",
            "id_number" => "registry.id_number",
            "phone" => "registry.phone",
            "role" => "registry.role",
            "tags" => "registry.tags",
            "moved_in" => "registry.moved_in",
            "moved_out" => "registry.moved_out",
            "registration" => "registry.registration",
            "notes" => "registry.notes",
            "unit" => "registry.unit",
            "room" => "registry.room",
            "units" => "registry.units",
            "floors" => "registry.floors",
            "year_built" => "registry.year_built",
            "elevator" => "registry.elevator",
            "lift_stage" => "registry.lift_stage",
            "contact_name" => "registry.contact",
            "contact_phone" => "registry.contact_phone",
            "plate" => "ledgers.plate",
            "brand" => "ledgers.brand",
            "battery" => "ledgers.battery",
            "registered_on" => "ledgers.registered_on",
            "status" => "ledgers.status",
            "shed_id" => "ledgers.shed",
            "shed_name" => "ledgers.shed_name",
            "region" => "ledgers.region",
            "location" => "ledgers.location",
            "capacity" => "ledgers.capacity",
            "facilities" => "ledgers.facilities",
            "opened_on" => "ledgers.opened_on",
            "signed_on" => "ledgers.signed_on",
            "collected_by" => "ledgers.collected_by",
            "channel" => "ledgers.channel",
            _ => "registry.address",
        }
    }
}

/// A record's history, newest first; the caller must be able to read the record.
pub async fn history(app: &App, kind: &str, id: i64) -> Result<Vec<HistoryEntry>, ApiError> {
    let entries = app.store.record_history(kind, id, 200).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            let changes: Vec<Change> = serde_json::from_value(detail["changes"].clone()).unwrap_or_default();
            HistoryEntry {
                at: e.at.to_utc().with_timezone(&tongxin_core::time::SHANGHAI).format("%Y-%m-%d %H:%M").to_string(),
                actor: e.actor_name,
                action: e.action,
                changes: changes.into_iter().map(ChangeView::from).collect(),
            }
        })
        .collect())
}

/// The kinds of record with a history, as the path names them.
fn history_kind(kind: &str) -> Result<&'static str, ApiError> {
    match kind {
        "residents" => Ok("resident"),
        "households" => Ok("household"),
        "buildings" => Ok("building"),
        "ebikes" => Ok("ebike"),
        "sheds" => Ok("shed"),
        other => Err(ApiError::not_found(format!("no record kind {other}"))),
    }
}

/// A record's history: who changed which fields when, before and after (personal values
/// masked), newest first.
#[utoipa::path(get, path = "/api/v1/registry/{kind}/{id}/history", tag = "registry",
    params(("kind" = String, Path, description = "residents, households, buildings, ebikes or sheds"), ("id" = i64, Path)),
    responses((status = 200, body = [HistoryEntry]), (status = 403), (status = 404)))]
pub async fn record_history(
    State(app): State<App>,
    who: ApiCaller,
    Path((kind, raw_id)): Path<(String, String)>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let kind = history_kind(&kind)?;
    let id = id_param(&raw_id)?;
    match kind {
        "resident" => {
            super::one_resident(&app, &who, id).await?;
        }
        "household" => {
            super::household_detail(&app, &who, id).await?;
        }
        "ebike" => {
            super::ebikes::one_ebike(&app, &who, id).await?;
        }
        "shed" => {
            super::ebikes::one_shed(&app, &who, id).await?;
        }
        _ => {
            building_in_reach(&app, &who, id, false).await?;
        }
    }
    Ok(Json(history(&app, kind, id).await?))
}
