//! Reading the e-bike ledgers: charging sheds, e-bikes (with their owner's name and
//! address, never an ID number) and safety pledges, scoped like every registry read.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::geo::RegionCode;
use tongxin_core::registry::{Battery, EbikeStatus, Facility, PledgeChannel, ShedStatus};

use super::{Bind, Conditions, RegistryScope, corrupt, date, full_address, like};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShedRecord {
    pub id: i64,
    pub name: String,
    pub region: RegionCode,
    pub lat: f64,
    pub lng: f64,
    pub capacity: i64,
    pub facilities: Vec<Facility>,
    pub status: ShedStatus,
    pub opened_on: Option<chrono::NaiveDate>,
    /// Active e-bikes registered to charge here.
    pub ebikes: i64,
    /// The latest inspection, if any.
    pub last_checked: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EbikeRecord {
    pub id: i64,
    pub plate: String,
    pub brand: String,
    pub battery: Battery,
    pub registered_on: chrono::NaiveDate,
    pub status: EbikeStatus,
    pub region: RegionCode,
    pub owner_id: i64,
    pub owner_name: String,
    pub household_id: i64,
    pub address: String,
    /// The address's parts, as the e-bike ledger's template has them.
    pub building_address: String,
    pub unit: String,
    pub room: String,
    pub shed_id: Option<i64>,
    pub shed_name: Option<String>,
    /// Whether the owner has signed a safety pledge.
    pub pledged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PledgeRecord {
    pub id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    pub household_id: i64,
    pub address: String,
    /// The address's parts, as the pledge ledger's template has them.
    pub building_address: String,
    pub unit: String,
    pub room: String,
    pub region: RegionCode,
    pub signed_on: chrono::NaiveDate,
    pub collected_by: String,
    pub channel: PledgeChannel,
}

/// Which sheds, e-bikes or pledges to list.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    /// Sheds: part of the name. E-bikes: part of the plate or the owner's name. Pledges:
    /// part of the signer's name.
    pub q: Option<String>,
    pub within: Option<RegionCode>,
    /// E-bikes of one shed.
    pub shed: Option<i64>,
    /// E-bikes or sheds in this status (its stored value).
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl LedgerFilter {
    fn conditions(&self, column: &str, scope: &RegistryScope) -> Conditions {
        let mut c = Conditions::default();
        c.scope(column, scope);
        if let Some(within) = &self.within {
            let p = c.param(Bind::Text(format!("{within}%")));
            c.parts.push(format!("{column} LIKE {p}"));
        }
        c
    }

    fn q(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    fn page(&self, c: &mut Conditions) -> String {
        let limit = c.param(Bind::Int(self.limit));
        let offset = c.param(Bind::Int(self.offset));
        format!("LIMIT {limit} OFFSET {offset}")
    }
}

fn region(row: &AnyRow) -> Result<RegionCode, StoreError> {
    let raw: String = row.try_get("region_code")?;
    RegionCode::parse(&raw).map_err(|e| corrupt("region", e))
}

fn day(row: &AnyRow, column: &str) -> Result<chrono::NaiveDate, StoreError> {
    date(row.try_get(column)?)?.ok_or_else(|| corrupt(column, "missing"))
}

const SHED_SQL: &str = "SELECT s.id, s.name, s.region_code, s.lat, s.lng, s.capacity, s.facilities, s.status, s.opened_on, \
    (SELECT COUNT(*) FROM ebikes e WHERE e.shed_id = s.id AND e.status = 'active') AS ebikes, \
    (SELECT MAX(k.checked_on) FROM shed_checks k WHERE k.shed_id = s.id) AS last_checked FROM charging_sheds s";

/// A shed's stored facilities (stored values, comma-separated).
pub(super) fn facilities_of(stored: &str) -> Result<Vec<Facility>, StoreError> {
    stored
        .split(',')
        .filter(|f| !f.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt("facilities", e))
}

fn shed_from_row(row: &AnyRow) -> Result<ShedRecord, StoreError> {
    let facilities: String = row.try_get("facilities")?;
    let status: String = row.try_get("status")?;
    Ok(ShedRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        region: region(row)?,
        lat: row.try_get("lat")?,
        lng: row.try_get("lng")?,
        capacity: row.try_get("capacity")?,
        facilities: facilities_of(&facilities)?,
        status: status.parse().map_err(|e| corrupt("shed status", e))?,
        opened_on: date(row.try_get("opened_on")?)?,
        ebikes: row.try_get("ebikes")?,
        last_checked: date(row.try_get("last_checked")?)?,
    })
}

const EBIKE_SQL: &str = "SELECT e.id, e.plate, e.brand, e.battery, e.registered_on, e.status, e.region_code, e.owner_id, \
    r.name AS owner_name, e.household_id, h.unit, h.room, b.address AS building_address, e.shed_id, s.name AS shed_name, \
    CAST(CASE WHEN EXISTS (SELECT 1 FROM pledges p WHERE p.resident_id = e.owner_id) THEN 1 ELSE 0 END AS BIGINT) AS pledged \
    FROM ebikes e JOIN residents r ON r.id = e.owner_id JOIN households h ON h.id = e.household_id \
    JOIN buildings b ON b.id = h.building_id LEFT JOIN charging_sheds s ON s.id = e.shed_id";

fn ebike_from_row(row: &AnyRow) -> Result<EbikeRecord, StoreError> {
    let battery: String = row.try_get("battery")?;
    let status: String = row.try_get("status")?;
    let building: String = row.try_get("building_address")?;
    Ok(EbikeRecord {
        id: row.try_get("id")?,
        plate: row.try_get("plate")?,
        brand: row.try_get("brand")?,
        battery: battery.parse().map_err(|e| corrupt("battery", e))?,
        registered_on: day(row, "registered_on")?,
        status: status.parse().map_err(|e| corrupt("e-bike status", e))?,
        region: region(row)?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        household_id: row.try_get("household_id")?,
        address: full_address(&building, &row.try_get::<String, _>("unit")?, &row.try_get::<String, _>("room")?),
        unit: row.try_get("unit")?,
        room: row.try_get("room")?,
        building_address: building,
        shed_id: row.try_get("shed_id")?,
        shed_name: row.try_get("shed_name")?,
        pledged: row.try_get::<i64, _>("pledged")? != 0,
    })
}

const PLEDGE_SQL: &str = "SELECT p.id, p.resident_id, r.name AS resident_name, r.household_id, h.unit, h.room, \
    b.address AS building_address, p.region_code, p.signed_on, p.collected_by, p.channel \
    FROM pledges p JOIN residents r ON r.id = p.resident_id JOIN households h ON h.id = r.household_id \
    JOIN buildings b ON b.id = h.building_id";

fn pledge_from_row(row: &AnyRow) -> Result<PledgeRecord, StoreError> {
    let channel: String = row.try_get("channel")?;
    let building: String = row.try_get("building_address")?;
    Ok(PledgeRecord {
        id: row.try_get("id")?,
        resident_id: row.try_get("resident_id")?,
        resident_name: row.try_get("resident_name")?,
        household_id: row.try_get("household_id")?,
        address: full_address(&building, &row.try_get::<String, _>("unit")?, &row.try_get::<String, _>("room")?),
        unit: row.try_get("unit")?,
        room: row.try_get("room")?,
        building_address: building,
        region: region(row)?,
        signed_on: day(row, "signed_on")?,
        collected_by: row.try_get("collected_by")?,
        channel: channel.parse().map_err(|e| corrupt("channel", e))?,
    })
}

impl Store {
    /// Charging sheds in `scope` matching `filter`, by name.
    pub async fn sheds(&self, scope: &RegistryScope, filter: &LedgerFilter) -> Result<Vec<ShedRecord>, StoreError> {
        let mut c = filter.conditions("s.region_code", scope);
        if let Some(q) = filter.q() {
            let p = c.param(Bind::Text(like(q)));
            c.parts.push(format!("s.name LIKE {p} ESCAPE '\\'"));
        }
        if let Some(status) = &filter.status {
            let p = c.param(Bind::Text(status.clone()));
            c.parts.push(format!("s.status = {p}"));
        }
        let page = filter.page(&mut c);
        let sql = format!("{SHED_SQL} {} ORDER BY s.name, s.id {page}", c.sql());
        c.query(&sql).fetch_all(self.pool()).await?.iter().map(shed_from_row).collect()
    }

    /// One charging shed, if in `scope`.
    pub async fn shed(&self, scope: &RegistryScope, id: i64) -> Result<Option<ShedRecord>, StoreError> {
        let mut c = LedgerFilter::default().conditions("s.region_code", scope);
        let p = c.param(Bind::Int(id));
        c.parts.push(format!("s.id = {p}"));
        let sql = format!("{SHED_SQL} {}", c.sql());
        c.query(&sql).fetch_optional(self.pool()).await?.as_ref().map(shed_from_row).transpose()
    }

    /// E-bikes in `scope` matching `filter`, by plate.
    pub async fn ebikes(&self, scope: &RegistryScope, filter: &LedgerFilter) -> Result<Vec<EbikeRecord>, StoreError> {
        let mut c = filter.conditions("e.region_code", scope);
        if let Some(q) = filter.q() {
            let p = c.param(Bind::Text(like(q)));
            c.parts.push(format!("(e.plate LIKE {p} ESCAPE '\\' OR r.name LIKE {p} ESCAPE '\\')"));
        }
        if let Some(status) = &filter.status {
            let p = c.param(Bind::Text(status.clone()));
            c.parts.push(format!("e.status = {p}"));
        }
        if let Some(shed) = filter.shed {
            let p = c.param(Bind::Int(shed));
            c.parts.push(format!("e.shed_id = {p}"));
        }
        let page = filter.page(&mut c);
        let sql = format!("{EBIKE_SQL} {} ORDER BY e.plate {page}", c.sql());
        c.query(&sql).fetch_all(self.pool()).await?.iter().map(ebike_from_row).collect()
    }

    /// One e-bike, if in `scope`.
    pub async fn ebike(&self, scope: &RegistryScope, id: i64) -> Result<Option<EbikeRecord>, StoreError> {
        let mut c = LedgerFilter::default().conditions("e.region_code", scope);
        let p = c.param(Bind::Int(id));
        c.parts.push(format!("e.id = {p}"));
        let sql = format!("{EBIKE_SQL} {}", c.sql());
        c.query(&sql).fetch_optional(self.pool()).await?.as_ref().map(ebike_from_row).transpose()
    }

    /// Pledges in `scope` matching `filter`, the latest first. `status` is not used.
    pub async fn pledges(&self, scope: &RegistryScope, filter: &LedgerFilter) -> Result<Vec<PledgeRecord>, StoreError> {
        let mut c = filter.conditions("p.region_code", scope);
        if let Some(q) = filter.q() {
            let p = c.param(Bind::Text(like(q)));
            c.parts.push(format!("r.name LIKE {p} ESCAPE '\\'"));
        }
        let page = filter.page(&mut c);
        let sql = format!("{PLEDGE_SQL} {} ORDER BY p.signed_on DESC, p.id DESC {page}", c.sql());
        c.query(&sql).fetch_all(self.pool()).await?.iter().map(pledge_from_row).collect()
    }
}
