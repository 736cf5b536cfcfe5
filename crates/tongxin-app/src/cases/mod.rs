//! Cases: file one (every source goes through [`intake::file`]), list and read them within
//! the caller's reach, move them along the lifecycle, and the catalog a reporting form
//! needs.
//!
//! Who sees a case: staff with `cases.read` in its region, a department's staff when it is
//! dispatched to them, the resident who reported it, an API key within its regions. Who
//! may act: the action's permission in the case's region; a department's own steps only on
//! cases dispatched to it; the evaluation to the reporter (or staff recording it for them).

use serde::Serialize;
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::lifecycle::{self, Action};
use tongxin_core::pii::mask_numbers_in;
use tongxin_store::cases::{CaseRecord, CaseScope, Event};
use utoipa::ToSchema;

use crate::caller::Who;
use crate::{App, Error};

pub mod act;
pub mod batch;
pub mod catalog;
pub mod export;
pub mod intake;
pub mod merge;
pub mod photos;
pub mod place;
pub mod read;

/// What a caller can reach among cases: their regions, their departments, their own reports.
pub struct Reach {
    pub departments: Vec<String>,
}

impl Reach {
    pub async fn of(app: &App, who: &Who) -> Result<Reach, Error> {
        let departments = if who.actor.is_staff() && who.actor.can(Permission::CasesHandle) {
            app.store.user_departments(who.actor.id).await?
        } else {
            Vec::new()
        };
        Ok(Reach { departments })
    }

    /// The store's view of the same reach, for lists.
    pub fn scope(&self, who: &Who) -> CaseScope {
        let actor = &who.actor;
        if actor.kind == ActorKind::Resident {
            return CaseScope { resident: Some(actor.id), ..Default::default() };
        }
        let reporter = actor.is_staff().then_some(actor.id);
        match (actor.can(Permission::CasesRead), actor.scope.roots()) {
            (true, None) => CaseScope { all: true, ..Default::default() },
            (true, Some(roots)) => CaseScope {
                regions: roots.to_vec(),
                departments: self.departments.clone(),
                reporter,
                ..Default::default()
            },
            (false, _) => CaseScope { departments: self.departments.clone(), reporter, ..Default::default() },
        }
    }

    pub fn sees(&self, who: &Who, case: &CaseRecord) -> bool {
        let actor = &who.actor;
        match actor.kind {
            ActorKind::Resident => case.reporter_resident == Some(actor.id),
            _ => {
                (actor.is_staff() && case.reporter_user == Some(actor.id))
                    || case.department.as_ref().is_some_and(|d| self.departments.contains(d))
                    || actor.can(Permission::CasesRead) && actor.covers(&case.region)
            }
        }
    }

    /// Whether the caller reads cases at all (a department's staff read theirs).
    pub fn reads_cases(who: &Who) -> bool {
        let actor = &who.actor;
        actor.kind == ActorKind::Resident || actor.can(Permission::CasesRead) || actor.can(Permission::CasesHandle)
    }

    /// Whether the caller may take `action` on `case` (the lifecycle aside).
    pub fn may(&self, who: &Who, case: &CaseRecord, action: Action) -> bool {
        let actor = &who.actor;
        match action {
            Action::Evaluate if actor.kind == ActorKind::Resident => case.reporter_resident == Some(actor.id),
            a if a.by_department() => {
                actor.can(Permission::CasesHandle)
                    && case.department.as_ref().is_some_and(|d| self.departments.contains(d))
            }
            a => actor.is_staff() && actor.can(a.permission()) && actor.covers(&case.region),
        }
    }

    /// The actions the lifecycle allows now and the caller may take.
    pub fn actions(&self, who: &Who, case: &CaseRecord) -> Vec<Action> {
        lifecycle::allowed(case.state).into_iter().filter(|a| self.may(who, case, *a)).collect()
    }
}

/// A case visible to the caller, or the 404 a missing one gets.
pub async fn visible(app: &App, who: &Who, reach: &Reach, id: i64) -> Result<CaseRecord, Error> {
    let not_found = || Error::not_found(format!("no case with id {id}"));
    if !Reach::reads_cases(who) {
        who.require(app, Permission::CasesRead).await?;
    }
    let case = app.store.case(id).await?.ok_or_else(not_found)?;
    if !reach.sees(who, &case) {
        return Err(who.out_of_scope(app, "case", &id.to_string(), not_found()).await);
    }
    Ok(case)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

/// A case as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    #[schema(example = "20261127-00042")]
    pub number: String,
    /// resident, patrol, phone, hotline, sensor, campaign or open311
    pub source: String,
    pub category: String,
    pub category_name: String,
    /// reported, verified, registered, rejected, dispatched, handling, handled, checked, closed or deferred
    pub status: String,
    /// extension or deferral, while one waits for the shift lead
    pub pending: Option<String>,
    pub description: String,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub location: Option<Point>,
    pub region: String,
    pub grid: Option<String>,
    /// The registered building the case is at: named by the reporter, or matched from the
    /// address.
    pub building_id: Option<i64>,
    pub address: String,
    pub department: Option<String>,
    pub duplicate_of: Option<i64>,
    /// The case this one was merged into.
    pub merged_into: Option<i64>,
    pub rework_count: i64,
    pub rating: Option<i64>,
    /// green, yellow or red against the running step's deadline; null when none runs
    pub sla: Option<String>,
    pub step_due_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    /// The outside system's order number (a 12345 工单编号), when it came from one.
    pub external_ref: Option<String>,
}

impl CaseView {
    pub fn new(app: &App, case: &CaseRecord, category_name: String) -> Self {
        let calendar = app.calendar.current();
        let now = tongxin_core::time::Timestamp::now().to_utc();
        let sla = match (case.step_limit, case.step_due_at) {
            (Some(limit), Some(due)) => {
                Some(calendar.sla(case.step_started_at.to_utc(), limit, due.to_utc(), now).as_str().to_owned())
            }
            _ => None,
        };
        Self {
            id: case.id,
            number: case.number.clone(),
            source: case.source.as_str().into(),
            category: case.category.to_string(),
            category_name,
            status: case.state.status.as_str().into(),
            pending: case.state.pending.map(|p| p.as_str().into()),
            description: mask_numbers_in(&case.description),
            attributes: case.attributes.clone(),
            location: case.location.map(|p| Point { lat: p.lat(), lng: p.lng() }),
            region: case.region.to_string(),
            grid: case.grid.as_ref().map(|g| g.to_string()),
            building_id: case.building_id,
            address: mask_numbers_in(&case.address),
            department: case.department.clone(),
            duplicate_of: case.duplicate_of,
            merged_into: case.merged_into,
            rework_count: case.rework_count,
            rating: case.rating,
            sla,
            step_due_at: case.step_due_at.map(|t| t.to_shanghai_rfc3339()),
            created_at: case.created_at.to_shanghai_rfc3339(),
            updated_at: case.updated_at.to_shanghai_rfc3339(),
            closed_at: case.closed_at.map(|t| t.to_shanghai_rfc3339()),
            external_ref: case.external_ref.clone(),
        }
    }
}

/// One step of the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        Self {
            at: e.at.to_shanghai_rfc3339(),
            actor: e.actor_name.clone(),
            action: e.action.clone(),
            from_status: e.from_status.clone(),
            to_status: e.to_status.clone(),
            note: mask_numbers_in(&e.note),
            data: masked_data(&e.data),
        }
    }
}

/// A step's data with the numbers in its free text (a reason) masked.
pub fn masked_data(data: &serde_json::Value) -> serde_json::Value {
    match data {
        serde_json::Value::String(text) => serde_json::Value::String(mask_numbers_in(text)),
        serde_json::Value::Array(items) => items.iter().map(masked_data).collect(),
        serde_json::Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), masked_data(v))).collect(),
        other => other.clone(),
    }
}

/// Category names by code, for views.
pub async fn category_names(app: &App) -> Result<std::collections::HashMap<String, String>, Error> {
    Ok(app.store.categories().await?.into_iter().map(|c| (c.code.to_string(), c.name)).collect())
}
