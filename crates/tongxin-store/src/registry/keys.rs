//! The natural keys of registry records, loaded whole for an import to match its rows
//! against: buildings by address, households by building, unit and room, residents by the
//! blind index of their ID number (or, without one, by household, name and birth date);
//! and the statistics a bulk load leaves stale.

use sqlx::Row;
use tongxin_core::geo::RegionCode;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingKey {
    pub id: i64,
    pub address: String,
    /// The region its households belong to: its block, or its grid.
    pub region: RegionCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdKey {
    pub id: i64,
    pub building_id: i64,
    pub unit: String,
    pub room: String,
    pub region: RegionCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentKey {
    pub id: i64,
    pub household_id: i64,
    pub id_index: Option<String>,
    pub name: String,
    pub birth_date: String,
    /// Not moved out.
    pub living: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbikeKey {
    pub id: i64,
    pub plate: String,
    pub owner_id: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShedKey {
    pub id: i64,
    pub name: String,
    pub region: RegionCode,
    pub location: tongxin_core::geo::LatLng,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeKey {
    pub id: i64,
    pub resident_id: i64,
    pub signed_on: String,
    pub channel: String,
}

fn region(raw: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(raw).map_err(|e| StoreError::Corrupt(format!("region code '{raw}': {e}")))
}

impl Store {
    /// Refreshes PostgreSQL's statistics of the registry's tables after a bulk load (the
    /// demo, a large import), so the searches right after it are not planned for the empty
    /// tables that were there before: without them the first page of residents took 2.2 s
    /// on the freshly loaded demo instead of 0.5 ms. SQLite plans without statistics.
    pub async fn analyze_registry(&self) -> Result<(), StoreError> {
        if self.backend() != crate::Backend::Postgres {
            return Ok(());
        }
        for table in ["buildings", "households", "residents", "charging_sheds", "ebikes", "pledges"] {
            sqlx::query(&format!("ANALYZE {table}")).execute(self.pool()).await?;
        }
        Ok(())
    }

    pub async fn building_keys(&self) -> Result<Vec<BuildingKey>, StoreError> {
        let rows =
            sqlx::query("SELECT id, address, grid_code, block_code FROM buildings").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let block: Option<String> = r.try_get("block_code")?;
                let grid: String = r.try_get("grid_code")?;
                Ok(BuildingKey {
                    id: r.try_get("id")?,
                    address: r.try_get("address")?,
                    region: region(block.as_deref().unwrap_or(&grid))?,
                })
            })
            .collect()
    }

    pub async fn household_keys(&self) -> Result<Vec<HouseholdKey>, StoreError> {
        let rows = sqlx::query("SELECT id, building_id, unit, room, region_code FROM households")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(HouseholdKey {
                    id: r.try_get("id")?,
                    building_id: r.try_get("building_id")?,
                    unit: r.try_get("unit")?,
                    room: r.try_get("room")?,
                    region: region(&r.try_get::<String, _>("region_code")?)?,
                })
            })
            .collect()
    }

    pub async fn resident_keys(&self) -> Result<Vec<ResidentKey>, StoreError> {
        let rows = sqlx::query("SELECT id, household_id, id_index, name, birth_date, moved_out FROM residents")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ResidentKey {
                    id: r.try_get("id")?,
                    household_id: r.try_get("household_id")?,
                    id_index: r.try_get("id_index")?,
                    name: r.try_get("name")?,
                    birth_date: r.try_get("birth_date")?,
                    living: r.try_get::<Option<String>, _>("moved_out")?.is_none_or(|d| d.is_empty()),
                })
            })
            .collect()
    }

    pub async fn ebike_keys(&self) -> Result<Vec<EbikeKey>, StoreError> {
        let rows = sqlx::query("SELECT id, plate, owner_id FROM ebikes").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(EbikeKey { id: r.try_get("id")?, plate: r.try_get("plate")?, owner_id: r.try_get("owner_id")? })
            })
            .collect()
    }

    pub async fn shed_keys(&self) -> Result<Vec<ShedKey>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, region_code, lat, lng FROM charging_sheds").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(ShedKey {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    region: region(&r.try_get::<String, _>("region_code")?)?,
                    location: tongxin_core::geo::LatLng::new(r.try_get("lat")?, r.try_get("lng")?)
                        .map_err(|e| StoreError::Corrupt(format!("shed location: {e}")))?,
                })
            })
            .collect()
    }

    pub async fn pledge_keys(&self) -> Result<Vec<PledgeKey>, StoreError> {
        let rows =
            sqlx::query("SELECT id, resident_id, signed_on, channel FROM pledges").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(PledgeKey {
                    id: r.try_get("id")?,
                    resident_id: r.try_get("resident_id")?,
                    signed_on: r.try_get("signed_on")?,
                    channel: r.try_get("channel")?,
                })
            })
            .collect()
    }
}
