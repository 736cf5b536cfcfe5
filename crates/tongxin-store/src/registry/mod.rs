//! The community registry: households, residents, charging sheds, e-bikes and pledges.
//! Personal values arrive sealed, with their blind index, last four digits and masked form
//! (the web layer and the demo hold the cipher); this module never sees them in the clear.
//! Every read is scoped: a caller sees the records of their regions.

mod building;
mod ebike_edit;
pub mod ebikes;
mod edit;
mod keys;
mod ledger_edit;
pub mod pledge_online;
pub mod safety;
mod write;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::{HouseholdRole, Registration};

use crate::{Store, StoreError};

pub use building::BuildingFields;
pub use ebike_edit::EbikeFields;
pub use edit::Change;
pub use keys::{BuildingKey, EbikeKey, HouseholdKey, PledgeKey, ResidentKey, ShedKey};
pub use ledger_edit::{PledgeFields, ShedFields};
pub use write::{NewEbike, NewHousehold, NewPledge, NewResident, NewShed};

/// Inserts one pledge row inside `tx` (the caller audits).
pub(crate) async fn insert_pledge_row(tx: &mut crate::Tx, p: &NewPledge, now: i64) -> Result<i64, sqlx::Error> {
    write::insert_pledge(tx, p, now).await
}

/// Whose records a caller may read.
#[derive(Debug, Clone, Default)]
pub struct RegistryScope {
    /// Every record.
    pub all: bool,
    /// Records in these subtrees.
    pub regions: Vec<RegionCode>,
}

/// A household, with its address and how many live in it now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdRecord {
    pub id: i64,
    pub building_id: i64,
    pub region: RegionCode,
    /// The building's address, unit and room: 华山路 100 弄 3 号 2 单元 302 室.
    pub address: String,
    pub building_address: String,
    pub unit: String,
    pub room: String,
    pub registration: Registration,
    pub notes: String,
    pub members: i64,
}

/// A resident as lists show them: personal values masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidentRecord {
    pub id: i64,
    pub household_id: i64,
    pub region: RegionCode,
    pub name: String,
    pub gender: tongxin_core::registry::Gender,
    pub birth_date: chrono::NaiveDate,
    pub id_masked: String,
    pub phone_masked: String,
    pub role: HouseholdRole,
    pub tags: Vec<tongxin_core::registry::Tag>,
    pub moved_in: Option<chrono::NaiveDate>,
    pub moved_out: Option<chrono::NaiveDate>,
    /// The household's address in full, and its parts.
    pub address: String,
    pub building_address: String,
    pub unit: String,
    pub room: String,
}

/// Which residents to list.
#[derive(Debug, Clone, Default)]
pub struct ResidentFilter {
    /// A name (or part of one), the last four digits of a phone or ID number, or part of an
    /// address.
    pub q: Option<String>,
    pub household: Option<i64>,
    pub building: Option<i64>,
    pub within: Option<RegionCode>,
    /// Include those who moved out.
    pub moved_out: bool,
    /// The blind index of a whole phone number (a caller found by their number).
    pub phone_index: Option<String>,
    /// The last four characters of the ID number (with a name in `q`).
    pub id_last4: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Which households to list.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub building: Option<i64>,
    /// A room ("302") or part of an address.
    pub q: Option<String>,
    pub within: Option<RegionCode>,
    pub limit: i64,
    pub offset: i64,
}

/// Builds `WHERE` conditions with numbered parameters.
#[derive(Default)]
struct Conditions {
    parts: Vec<String>,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Conditions {
    fn param(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    fn scope(&mut self, column: &str, scope: &RegistryScope) {
        if scope.all {
            return;
        }
        let any: Vec<String> = scope
            .regions
            .iter()
            .map(|r| {
                let p = self.param(Bind::Text(format!("{r}%")));
                format!("{column} LIKE {p}")
            })
            .collect();
        self.parts.push(if any.is_empty() { "1 = 0".into() } else { format!("({})", any.join(" OR ")) });
    }

    fn sql(&self) -> String {
        if self.parts.is_empty() { String::new() } else { format!("WHERE {}", self.parts.join(" AND ")) }
    }

    fn query<'q>(&'q self, sql: &'q str) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut query = sqlx::query(sql);
        for b in &self.binds {
            query = match b {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// `%text%` for LIKE, with the wildcards in `text` escaped.
fn like(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn date(raw: Option<String>) -> Result<Option<chrono::NaiveDate>, StoreError> {
    raw.filter(|d| !d.is_empty())
        .map(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| corrupt("date", e)))
        .transpose()
}

pub fn full_address(building: &str, unit: &str, room: &str) -> String {
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit} 单元") };
    format!("{building}{unit} {room} 室")
}

const HOUSEHOLD_COLUMNS: &str = "h.id, h.building_id, h.region_code, h.unit, h.room, h.registration, h.notes, \
    b.address AS building_address, \
    (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id AND r.moved_out IS NULL) AS members";

fn household_from_row(row: &AnyRow) -> Result<HouseholdRecord, StoreError> {
    let building_address: String = row.try_get("building_address")?;
    let (unit, room): (String, String) = (row.try_get("unit")?, row.try_get("room")?);
    let region: String = row.try_get("region_code")?;
    let registration: String = row.try_get("registration")?;
    Ok(HouseholdRecord {
        id: row.try_get("id")?,
        building_id: row.try_get("building_id")?,
        region: RegionCode::parse(&region).map_err(|e| corrupt("household region", e))?,
        address: full_address(&building_address, &unit, &room),
        building_address,
        unit,
        room,
        registration: registration.parse().map_err(|e| corrupt("registration", e))?,
        notes: row.try_get("notes")?,
        members: row.try_get("members")?,
    })
}

const RESIDENT_COLUMNS: &str = "r.id, r.household_id, r.region_code, r.name, r.gender, r.birth_date, r.id_masked, \
    r.phone_masked, r.role, r.tags, r.moved_in, r.moved_out, h.unit, h.room, b.address AS building_address";

fn resident_from_row(row: &AnyRow) -> Result<ResidentRecord, StoreError> {
    let region: String = row.try_get("region_code")?;
    let gender: String = row.try_get("gender")?;
    let role: String = row.try_get("role")?;
    let tags: String = row.try_get("tags")?;
    let birth: String = row.try_get("birth_date")?;
    let building_address: String = row.try_get("building_address")?;
    let (unit, room): (String, String) = (row.try_get("unit")?, row.try_get("room")?);
    Ok(ResidentRecord {
        id: row.try_get("id")?,
        household_id: row.try_get("household_id")?,
        region: RegionCode::parse(&region).map_err(|e| corrupt("resident region", e))?,
        name: row.try_get("name")?,
        gender: gender.parse().map_err(|e| corrupt("gender", e))?,
        birth_date: chrono::NaiveDate::parse_from_str(&birth, "%Y-%m-%d").map_err(|e| corrupt("birth date", e))?,
        id_masked: row.try_get("id_masked")?,
        phone_masked: row.try_get("phone_masked")?,
        role: role.parse().map_err(|e| corrupt("role", e))?,
        tags: tongxin_core::registry::parse_tags(&tags).map_err(|e| corrupt("tags", e))?,
        moved_in: date(row.try_get("moved_in")?)?,
        moved_out: date(row.try_get("moved_out")?)?,
        address: full_address(&building_address, &unit, &room),
        building_address,
        unit,
        room,
    })
}

impl Store {
    /// Residents in `scope` matching `filter`, by address then household role.
    pub async fn residents(
        &self,
        scope: &RegistryScope,
        filter: &ResidentFilter,
    ) -> Result<Vec<ResidentRecord>, StoreError> {
        let mut c = Conditions::default();
        c.scope("r.region_code", scope);
        if let Some(within) = &filter.within {
            let p = c.param(Bind::Text(format!("{within}%")));
            c.parts.push(format!("r.region_code LIKE {p}"));
        }
        if !filter.moved_out {
            c.parts.push("r.moved_out IS NULL".into());
        }
        if let Some(h) = filter.household {
            let p = c.param(Bind::Int(h));
            c.parts.push(format!("r.household_id = {p}"));
        }
        if let Some(b) = filter.building {
            let p = c.param(Bind::Int(b));
            c.parts.push(format!("h.building_id = {p}"));
        }
        if let Some(index) = &filter.phone_index {
            let p = c.param(Bind::Text(index.clone()));
            c.parts.push(format!("r.phone_index = {p}"));
        }
        if let Some(last4) = &filter.id_last4 {
            let p = c.param(Bind::Text(last4.trim().to_ascii_uppercase()));
            c.parts.push(format!("r.id_last4 = {p}"));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if q.len() == 4 && q.chars().all(|ch| ch.is_ascii_digit() || ch == 'X' || ch == 'x') {
                let p = c.param(Bind::Text(q.to_ascii_uppercase()));
                c.parts.push(format!("(r.phone_last4 = {p} OR r.id_last4 = {p})"));
            } else {
                let p = c.param(Bind::Text(like(q)));
                c.parts.push(format!(
                    "(r.name LIKE {p} ESCAPE '\\' OR b.address LIKE {p} ESCAPE '\\' OR b.name LIKE {p} ESCAPE '\\')"
                ));
            }
        }
        let limit = c.param(Bind::Int(filter.limit));
        let offset = c.param(Bind::Int(filter.offset));
        let sql = format!(
            "SELECT {RESIDENT_COLUMNS} FROM residents r JOIN households h ON h.id = r.household_id \
             JOIN buildings b ON b.id = h.building_id {} \
             ORDER BY b.address, h.unit, h.room, r.id LIMIT {limit} OFFSET {offset}",
            c.sql()
        );
        let rows = c.query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(resident_from_row).collect()
    }

    /// One resident, if in `scope`.
    pub async fn resident(&self, scope: &RegistryScope, id: i64) -> Result<Option<ResidentRecord>, StoreError> {
        let mut c = Conditions::default();
        c.scope("r.region_code", scope);
        let p = c.param(Bind::Int(id));
        c.parts.push(format!("r.id = {p}"));
        let sql = format!(
            "SELECT {RESIDENT_COLUMNS} FROM residents r JOIN households h ON h.id = r.household_id \
             JOIN buildings b ON b.id = h.building_id {}",
            c.sql()
        );
        c.query(&sql).fetch_optional(self.pool()).await?.as_ref().map(resident_from_row).transpose()
    }

    /// The sealed ID number and phone of a resident (for a reveal or a full export).
    pub async fn resident_sealed(&self, id: i64) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), StoreError> {
        let row = sqlx::query("SELECT id_sealed, phone_sealed FROM residents WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound { entity: "resident", key: id.to_string() })?;
        Ok((row.try_get("id_sealed")?, row.try_get("phone_sealed")?))
    }

    /// Households in `scope` matching `filter`, by address.
    pub async fn households(
        &self,
        scope: &RegistryScope,
        filter: &HouseholdFilter,
    ) -> Result<Vec<HouseholdRecord>, StoreError> {
        let mut c = Conditions::default();
        c.scope("h.region_code", scope);
        if let Some(within) = &filter.within {
            let p = c.param(Bind::Text(format!("{within}%")));
            c.parts.push(format!("h.region_code LIKE {p}"));
        }
        if let Some(b) = filter.building {
            let p = c.param(Bind::Int(b));
            c.parts.push(format!("h.building_id = {p}"));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let exact = c.param(Bind::Text(q.trim_end_matches('室').to_owned()));
            let p = c.param(Bind::Text(like(q)));
            c.parts
                .push(format!("(h.room = {exact} OR b.address LIKE {p} ESCAPE '\\' OR b.name LIKE {p} ESCAPE '\\')"));
        }
        let limit = c.param(Bind::Int(filter.limit));
        let offset = c.param(Bind::Int(filter.offset));
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households h JOIN buildings b ON b.id = h.building_id {} \
             ORDER BY b.address, h.unit, h.room LIMIT {limit} OFFSET {offset}",
            c.sql()
        );
        let rows = c.query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(household_from_row).collect()
    }

    /// One household, if in `scope`.
    pub async fn household(&self, scope: &RegistryScope, id: i64) -> Result<Option<HouseholdRecord>, StoreError> {
        let mut c = Conditions::default();
        c.scope("h.region_code", scope);
        let p = c.param(Bind::Int(id));
        c.parts.push(format!("h.id = {p}"));
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households h JOIN buildings b ON b.id = h.building_id {}",
            c.sql()
        );
        c.query(&sql).fetch_optional(self.pool()).await?.as_ref().map(household_from_row).transpose()
    }

    /// How many households and current residents `scope` holds.
    pub async fn registry_counts(&self, scope: &RegistryScope) -> Result<(i64, i64), StoreError> {
        let mut c = Conditions::default();
        c.scope("region_code", scope);
        let households =
            c.query(&format!("SELECT COUNT(*) AS n FROM households {}", c.sql())).fetch_one(self.pool()).await?;
        let mut r = Conditions::default();
        r.scope("region_code", scope);
        r.parts.push("moved_out IS NULL".into());
        let residents =
            r.query(&format!("SELECT COUNT(*) AS n FROM residents {}", r.sql())).fetch_one(self.pool()).await?;
        Ok((households.try_get("n")?, residents.try_get("n")?))
    }
}
