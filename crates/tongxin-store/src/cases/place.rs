//! Placing a case on the grid after it was filed. A report with only an address that names
//! no registered building is filed to the whole subdistrict; a dispatcher, the intake
//! staff or the shift lead then picks its building or its point, and the case moves to the
//! grid (and the grid worker who checks it) that place gives. The move is a step on the
//! timeline and in the audit log; a case already handled tells its grid workers at once.

use serde_json::json;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::geo::{LatLng, RegionCode};
use tongxin_core::time::Timestamp;

use super::records::CaseRecord;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError};

/// Where a case is, once a person has said.
#[derive(Debug, Clone)]
pub struct Placement {
    pub location: LatLng,
    /// The deepest region holding the point.
    pub region: RegionCode,
    pub grid: Option<RegionCode>,
    /// The building chosen, when it was chosen by building.
    pub building_id: Option<i64>,
    pub note: String,
}

impl Store {
    /// Moves open case `id` to `placement`, in one transaction with its timeline step and
    /// audit entry. A closed or rejected case keeps the place it was closed with.
    pub async fn place_case(&self, caller: &Caller, id: i64, placement: &Placement) -> Result<CaseRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let case =
            self.case_in(&mut tx, id).await?.ok_or(StoreError::NotFound { entity: "case", key: id.to_string() })?;
        if !case.state.status.is_open() {
            return Err(StoreError::Conflict {
                field: "case",
                reason: format!("case {} is {}; only an open case can be placed", case.number, case.state.status),
            });
        }
        let building = placement.building_id.or(case.building_id);
        sqlx::query(
            "UPDATE cases SET lat = CAST($1 AS DOUBLE PRECISION), lng = CAST($2 AS DOUBLE PRECISION), region_code = $3, \
               grid_code = $4, building_id = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(placement.location.lat().to_string())
        .bind(placement.location.lng().to_string())
        .bind(placement.region.as_str())
        .bind(placement.grid.as_ref().map(|g| g.as_str()))
        .bind(building)
        .bind(Timestamp::now().millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let data = json!({
            "region": placement.region,
            "grid": placement.grid,
            "building_id": placement.building_id,
            "before": { "region": case.region, "grid": case.grid },
        });
        let status = case.state.status;
        Self::add_event(&mut tx, caller, id, "place", Some(status), status, placement.note.trim(), data.clone())
            .await?;
        if status == Status::Handled {
            self.notify_in(&mut tx, caller, id, "awaiting_check").await?;
        }
        let entry = AuditEntry::ok("case.place", "case", id).with_detail(json!({
            "before": { "region": case.region, "grid": case.grid, "building_id": case.building_id },
            "after": { "region": placement.region, "grid": placement.grid, "building_id": building },
        }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        self.case(id).await?.ok_or(StoreError::NotFound { entity: "case", key: id.to_string() })
    }
}
