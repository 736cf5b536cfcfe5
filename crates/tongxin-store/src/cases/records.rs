//! Cases and their timeline: intake, and reading one case or its history.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::cases::calendar::{Calendar, TimeLimit};
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::lifecycle::{Pending, State, Status};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::{LatLng, RegionCode};
use tongxin_core::time::{SHANGHAI, Timestamp};

use super::catalog::limit_from;
use super::photos::NewPhoto;
use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx, row_bool};

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    pub id: i64,
    /// `20261127-00042`: the date reported and the id.
    pub number: String,
    pub source: Source,
    pub category: CategoryCode,
    pub state: State,
    pub rating: Option<i64>,
    pub description: String,
    pub attributes: Value,
    pub location: Option<LatLng>,
    /// The deepest region holding the point (or the subdistrict for a case with only an address).
    pub region: RegionCode,
    pub grid: Option<RegionCode>,
    pub address: String,
    pub building_id: Option<i64>,
    pub reporter_user: Option<i64>,
    pub reporter_resident: Option<i64>,
    pub external_ref: Option<String>,
    pub department: Option<String>,
    pub duplicate_of: Option<i64>,
    /// The case this one was merged into (it is then rejected as a duplicate).
    pub merged_into: Option<i64>,
    pub rework_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the running step started, its limit and when it is due (none when no step runs).
    pub step_started_at: Timestamp,
    pub step_limit: Option<TimeLimit>,
    pub step_due_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// An Open311 client's link to a photo or page about the problem.
    pub media_url: Option<String>,
}

/// One step on a case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: Timestamp,
    pub actor_kind: String,
    pub actor_name: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub data: Value,
}

/// A case to create: already checked (category, attributes, description, place).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub source: Source,
    pub category: CategoryCode,
    pub description: String,
    pub attributes: BTreeMap<String, Value>,
    pub location: Option<LatLng>,
    pub region: RegionCode,
    pub grid: Option<RegionCode>,
    pub address: String,
    pub building_id: Option<i64>,
    pub reporter_user: Option<i64>,
    pub reporter_resident: Option<i64>,
    /// The reporter's name and phone as given, sealed.
    pub reporter_sealed: Option<Vec<u8>>,
    /// An outside system's order number: the same number twice returns the first case.
    pub external_ref: Option<String>,
    /// An open case this one repeats (flagged at intake).
    pub duplicate_of: Option<i64>,
    /// Photos that came with the report, already in the blob store.
    pub photos: Vec<NewPhoto>,
    /// An Open311 client's link to a photo or page about the problem.
    pub media_url: Option<String>,
    /// The token an Open311 client of the batch style is given, to look the case up later.
    pub token: Option<String>,
}

/// Whose cases a caller may see.
#[derive(Debug, Clone, Default)]
pub struct CaseScope {
    /// Every case (the system, an API key bound to every region).
    pub all: bool,
    /// Cases in these subtrees.
    pub regions: Vec<RegionCode>,
    /// Cases dispatched to these departments.
    pub departments: Vec<String>,
    /// Cases this resident reported.
    pub resident: Option<i64>,
    /// Cases this staff member reported.
    pub reporter: Option<i64>,
}

/// Which cases to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub statuses: Vec<Status>,
    pub category: Option<CategoryCode>,
    pub within: Option<RegionCode>,
    pub department: Option<String>,
    pub source: Option<Source>,
    /// Only cases past their step's deadline.
    pub overdue: bool,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Words in the description or address.
    pub text: Option<String>,
    /// Any of these categories (subclasses or classes), besides `category`.
    pub categories: Vec<CategoryCode>,
    /// Only these case numbers.
    pub numbers: Vec<String>,
    /// Cursor: only cases with a smaller id.
    pub before: Option<i64>,
    /// Rows to skip (page-numbered lists; a cursor is better).
    pub offset: i64,
    pub limit: i64,
    pub order: CaseOrder,
}

/// The order of a case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// The newest first (the API's cursor pages this way).
    #[default]
    Newest,
    /// Cases past their step's deadline first, the longest overdue at the top, then the
    /// others by deadline, the soonest first, and those with no running deadline last (the
    /// newest first among equals): a board column's order.
    OverdueFirst,
    /// The latest reported first (by `created_at`, then id): the search page's order,
    /// paged by `offset`. Imported and past cases are not filed in the order they were
    /// reported, so the id alone is not the newest.
    Reported,
}

pub(crate) const COLUMNS: &str = "id, number, source, category_code, status, pending, evaluated, rating, description, attributes, \
    lat, lng, region_code, grid_code, address, building_id, reporter_user, reporter_resident, external_ref, department_code, \
    duplicate_of, merged_into, rework_count, created_at, updated_at, step_started_at, step_limit_kind, step_limit_hours, step_due_at, closed_at, media_url";

pub(crate) fn case_from_row(row: &AnyRow) -> Result<CaseRecord, StoreError> {
    let id: i64 = row.try_get("id")?;
    let corrupt = |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("case {id} {what}: {e}"));
    let code = |raw: String| RegionCode::parse(&raw).map_err(|e| corrupt("region", &e));
    let pending = match row.try_get::<Option<String>, _>("pending")?.as_deref() {
        None => None,
        Some("extension") => Some(Pending::Extension),
        Some("deferral") => Some(Pending::Deferral),
        Some(other) => return Err(corrupt("pending", &other)),
    };
    let location = match (row.try_get::<Option<f64>, _>("lat")?, row.try_get::<Option<f64>, _>("lng")?) {
        (Some(lat), Some(lng)) => Some(LatLng::new(lat, lng).map_err(|e| corrupt("location", &e))?),
        _ => None,
    };
    let limit_kind: String = row.try_get("step_limit_kind")?;
    let step_limit = match limit_kind.as_str() {
        "-" => None,
        kind => Some(limit_from(kind, row.try_get("step_limit_hours")?)?),
    };
    let attributes: String = row.try_get("attributes")?;
    let source: String = row.try_get("source")?;
    let status: String = row.try_get("status")?;
    let category: String = row.try_get("category_code")?;
    Ok(CaseRecord {
        id,
        number: row.try_get("number")?,
        source: source.parse().map_err(|e: String| corrupt("source", &e))?,
        category: CategoryCode::parse(&category).map_err(|e| corrupt("category", &e))?,
        state: State {
            status: status.parse().map_err(|e: String| corrupt("status", &e))?,
            pending,
            evaluated: row_bool(row, "evaluated")?,
        },
        rating: row.try_get("rating")?,
        description: row.try_get("description")?,
        attributes: serde_json::from_str(&attributes).map_err(|e| corrupt("attributes", &e))?,
        location,
        region: code(row.try_get("region_code")?)?,
        grid: row.try_get::<Option<String>, _>("grid_code")?.map(code).transpose()?,
        address: row.try_get("address")?,
        building_id: row.try_get("building_id")?,
        reporter_user: row.try_get("reporter_user")?,
        reporter_resident: row.try_get("reporter_resident")?,
        external_ref: row.try_get("external_ref")?,
        department: row.try_get("department_code")?,
        duplicate_of: row.try_get("duplicate_of")?,
        merged_into: row.try_get("merged_into")?,
        rework_count: row.try_get("rework_count")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
        step_started_at: Timestamp::from_millis(row.try_get("step_started_at")?),
        step_limit,
        step_due_at: row.try_get::<Option<i64>, _>("step_due_at")?.map(Timestamp::from_millis),
        closed_at: row.try_get::<Option<i64>, _>("closed_at")?.map(Timestamp::from_millis),
        media_url: row.try_get("media_url")?,
    })
}

pub(crate) fn limit_columns(limit: Option<TimeLimit>) -> (&'static str, i64) {
    match limit {
        Some(TimeLimit::WorkingHours(h)) => ("W", i64::from(h)),
        Some(TimeLimit::NaturalHours(h)) => ("N", i64::from(h)),
        None => ("-", 0),
    }
}

impl Store {
    /// Files a case: status reported, the registering deadline running. An external order
    /// number already on file returns that case instead, with `false`.
    pub async fn create_case(
        &self,
        caller: &Caller,
        new: &NewCase,
        calendar: &Calendar,
    ) -> Result<(CaseRecord, bool), StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(reference) = &new.external_ref {
            let existing = sqlx::query("SELECT id FROM cases WHERE source = $1 AND external_ref = $2")
                .bind(new.source.as_str())
                .bind(reference)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = existing {
                drop(tx);
                let id: i64 = row.try_get("id")?;
                return Ok((
                    self.case(id).await?.ok_or(StoreError::NotFound { entity: "case", key: id.to_string() })?,
                    false,
                ));
            }
        }
        let id = self.insert_case(&mut tx, caller, new, calendar).await?;
        tx.commit().await?;
        Ok((self.case(id).await?.ok_or(StoreError::NotFound { entity: "case", key: id.to_string() })?, true))
    }

    /// Files `new` inside `tx` (a campaign's visit files its findings with it): the case,
    /// its number, its first step, its photos, its notices and the audit entry. Returns
    /// its id.
    pub(crate) async fn insert_case(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        new: &NewCase,
        calendar: &Calendar,
    ) -> Result<i64, StoreError> {
        let limits = self.category_limits(tx, &new.category).await?.ok_or_else(|| StoreError::Conflict {
            field: "category",
            reason: format!("there is no active category {}", new.category),
        })?;
        let now = Timestamp::now();
        let due = calendar.due(now.to_utc(), limits.register).timestamp_millis();
        let (kind, hours) = limit_columns(Some(limits.register));
        let attributes = serde_json::to_string(&new.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let placeholder = tongxin_core::access::token::random_hex(12);
        let id: i64 = sqlx::query(
            "INSERT INTO cases (number, source, category_code, status, description, attributes, lat, lng, region_code, grid_code, \
               address, building_id, reporter_user, reporter_resident, reporter_sealed, external_ref, duplicate_of, created_at, \
               updated_at, step_started_at, step_limit_kind, step_limit_hours, step_due_at, media_url, token) \
             VALUES ($1, $2, $3, 'reported', $4, $5, CAST($6 AS DOUBLE PRECISION), CAST($7 AS DOUBLE PRECISION), $8, $9, $10, $11, \
               $12, $13, $14, $15, $16, $17, $17, $17, $18, $19, $20, $21, $22) \
             RETURNING id",
        )
        .bind(&placeholder)
        .bind(new.source.as_str())
        .bind(new.category.as_str())
        .bind(&new.description)
        .bind(attributes)
        // Coordinates travel as text: sqlx 0.8's Any driver types a NULL float as float4
        // on PostgreSQL, which breaks the prepared statement for the next real float8.
        .bind(new.location.map(|p| p.lat().to_string()))
        .bind(new.location.map(|p| p.lng().to_string()))
        .bind(new.region.as_str())
        .bind(new.grid.as_ref().map(|g| g.as_str()))
        .bind(&new.address)
        .bind(new.building_id)
        .bind(new.reporter_user)
        .bind(new.reporter_resident)
        .bind(new.reporter_sealed.clone())
        .bind(new.external_ref.as_deref())
        .bind(new.duplicate_of)
        .bind(now.millis())
        .bind(kind)
        .bind(hours)
        .bind(due)
        .bind(new.media_url.as_deref())
        .bind(new.token.as_deref())
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
        let number = format!("{}-{id:05}", now.to_utc().with_timezone(&SHANGHAI).format("%Y%m%d"));
        sqlx::query("UPDATE cases SET number = $1 WHERE id = $2").bind(&number).bind(id).execute(&mut **tx).await?;
        let data = json!({ "source": new.source, "duplicate_of": new.duplicate_of });
        let event = Self::add_event(tx, caller, id, "report", None, Status::Reported, "", data).await?;
        Self::add_photos_in(tx, caller, id, event, &new.photos).await?;
        self.notify_in(tx, caller, id, "report").await?;
        let detail = json!({ "after": { "number": number, "category": new.category, "source": new.source, "region": new.region } });
        self.audit_in(tx, caller, AuditEntry::ok("case.create", "case", id).with_detail(detail)).await?;
        Ok(id)
    }

    /// The limits of an active subclass, read inside a transaction.
    pub(crate) async fn category_limits(
        &self,
        tx: &mut Tx,
        code: &CategoryCode,
    ) -> Result<Option<tongxin_core::cases::catalog::Limits>, StoreError> {
        let row = sqlx::query(
            "SELECT register_kind, register_hours, dispatch_kind, dispatch_hours, handle_kind, handle_hours, active \
             FROM categories WHERE code = $1 AND length(code) = 5",
        )
        .bind(code.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row.filter(|r| row_bool(r, "active").unwrap_or(false)) else { return Ok(None) };
        let limit = |step: &str| -> Result<TimeLimit, StoreError> {
            limit_from(
                &row.try_get::<String, _>(format!("{step}_kind").as_str())?,
                row.try_get(format!("{step}_hours").as_str())?,
            )
        };
        Ok(Some(tongxin_core::cases::catalog::Limits {
            register: limit("register")?,
            dispatch: limit("dispatch")?,
            handle: limit("handle")?,
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add_event(
        tx: &mut Tx,
        caller: &Caller,
        case_id: i64,
        action: &str,
        from: Option<Status>,
        to: Status,
        note: &str,
        data: Value,
    ) -> Result<i64, StoreError> {
        let actor = &caller.actor;
        let row = sqlx::query(
            "INSERT INTO case_events (case_id, at, actor_kind, actor_id, actor_name, action, from_status, to_status, note, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(case_id)
        .bind(Timestamp::now().millis())
        .bind(actor.kind.as_str())
        .bind(actor.id)
        .bind(&caller.display_name)
        .bind(action)
        .bind(from.map(Status::as_str))
        .bind(to.as_str())
        .bind(note)
        .bind(data.to_string())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The case filed under an outside system's order number, if any.
    pub async fn case_by_external_ref(
        &self,
        source: Source,
        reference: &str,
    ) -> Result<Option<CaseRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM cases WHERE source = $1 AND external_ref = $2"))
            .bind(source.as_str())
            .bind(reference)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    /// The case an Open311 token was given for.
    pub async fn case_by_token(&self, token: &str) -> Result<Option<CaseRecord>, StoreError> {
        self.case_by_unique("token", token).await
    }

    /// The case with this number (`20261127-00042`).
    pub async fn case_by_number(&self, number: &str) -> Result<Option<CaseRecord>, StoreError> {
        self.case_by_unique("number", number).await
    }

    /// The case whose unique text `column` holds `value`.
    async fn case_by_unique(&self, column: &'static str, value: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM cases WHERE {column} = $1"))
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    pub async fn case(&self, id: i64) -> Result<Option<CaseRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM cases WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    /// The sealed contact details given with a report.
    pub async fn case_reporter_sealed(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let row =
            sqlx::query("SELECT reporter_sealed FROM cases WHERE id = $1").bind(id).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get("reporter_sealed")).transpose()?.flatten())
    }

    /// The timeline, oldest first.
    pub async fn case_events(&self, case_id: i64) -> Result<Vec<Event>, StoreError> {
        Ok(self.case_events_of(&[case_id]).await?.remove(&case_id).unwrap_or_default())
    }

    /// The timelines of several cases at once (a page of a list), each oldest first.
    pub async fn case_events_of(&self, case_ids: &[i64]) -> Result<HashMap<i64, Vec<Event>>, StoreError> {
        let mut timelines: HashMap<i64, Vec<Event>> = HashMap::new();
        for chunk in case_ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, case_id, at, actor_kind, actor_name, action, from_status, to_status, note, data FROM case_events \
                 WHERE case_id IN ({}) ORDER BY id",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for r in query.fetch_all(self.pool()).await? {
                let data: String = r.try_get("data")?;
                let event = Event {
                    id: r.try_get("id")?,
                    at: Timestamp::from_millis(r.try_get("at")?),
                    actor_kind: r.try_get("actor_kind")?,
                    actor_name: r.try_get("actor_name")?,
                    action: r.try_get("action")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    note: r.try_get("note")?,
                    data: serde_json::from_str(&data).unwrap_or(Value::Null),
                };
                timelines.entry(r.try_get("case_id")?).or_default().push(event);
            }
        }
        Ok(timelines)
    }
}
