//! A record's history (变更记录): its registry audit entries, newest first, each with the
//! fields that changed and their before and after values (personal values masked).

use serde::Serialize;
use tongxin_store::registry::Change;
use utoipa::ToSchema;

use crate::{App, Error};

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
pub async fn history(app: &App, kind: &str, id: i64) -> Result<Vec<HistoryEntry>, Error> {
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
pub fn history_kind(kind: &str) -> Result<&'static str, Error> {
    match kind {
        "residents" => Ok("resident"),
        "households" => Ok("household"),
        "buildings" => Ok("building"),
        "ebikes" => Ok("ebike"),
        "sheds" => Ok("shed"),
        other => Err(Error::not_found(format!("no record kind {other}"))),
    }
}
