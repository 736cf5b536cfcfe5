//! The community registry: residents and households, searched and read within the caller's
//! regions (`residents.read`), personal values masked. Anything outside the caller's
//! regions is the same 404 as anything that does not exist.

use serde::Serialize;
use tongxin_core::access::Permission;
use tongxin_core::geo::RegionCode;
use tongxin_core::time::{SHANGHAI, Timestamp};
use tongxin_store::registry::{HouseholdFilter, HouseholdRecord, RegistryScope, ResidentFilter, ResidentRecord};
use utoipa::ToSchema;

use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

pub mod ebike_edit;
pub mod ebikes;
pub mod edit;
pub mod export;
pub mod history;
pub mod import;
pub mod ledger_export;
pub mod pledge_online;
pub mod safety;
pub mod shed_edit;

/// The records `who` may read.
pub fn scope(who: &Who) -> RegistryScope {
    match who.actor.scope.roots() {
        None => RegistryScope { all: true, ..Default::default() },
        Some(roots) => RegistryScope { all: false, regions: roots.to_vec() },
    }
}

pub fn today() -> chrono::NaiveDate {
    Timestamp::now().to_utc().with_timezone(&SHANGHAI).date_naive()
}

/// A resident, personal values masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentView {
    pub id: i64,
    pub household_id: i64,
    pub region: String,
    pub name: String,
    /// male or female
    pub gender: String,
    pub birth_date: String,
    pub age: i32,
    /// `3****************4`
    pub id_number: String,
    /// `139****2222`, or empty
    pub phone: String,
    /// head, spouse, child, parent, grandchild, other, tenant
    pub role: String,
    /// The staff's tags, and 60+/80+ from the birth date.
    pub tags: Vec<String>,
    pub moved_in: Option<String>,
    pub moved_out: Option<String>,
    pub address: String,
}

impl ResidentView {
    pub fn new(r: &ResidentRecord, today: chrono::NaiveDate) -> Self {
        let mut tags: Vec<String> =
            tongxin_core::registry::age_tags(r.birth_date, today).into_iter().map(str::to_owned).collect();
        tags.extend(r.tags.iter().map(|t| t.as_str().to_owned()));
        Self {
            id: r.id,
            household_id: r.household_id,
            region: r.region.to_string(),
            name: r.name.clone(),
            gender: r.gender.as_str().into(),
            birth_date: r.birth_date.to_string(),
            age: tongxin_core::registry::age(r.birth_date, today),
            id_number: r.id_masked.clone(),
            phone: r.phone_masked.clone(),
            role: r.role.as_str().into(),
            tags,
            moved_in: r.moved_in.map(|d| d.to_string()),
            moved_out: r.moved_out.map(|d| d.to_string()),
            address: r.address.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdView {
    pub id: i64,
    pub building_id: i64,
    pub region: String,
    pub address: String,
    /// The building's address alone.
    pub building_address: String,
    pub unit: String,
    pub room: String,
    /// local (户籍), separated (人户分离) or migrant (来沪)
    pub registration: String,
    pub notes: String,
    /// Residents living there now.
    pub members: i64,
}

impl From<&HouseholdRecord> for HouseholdView {
    fn from(h: &HouseholdRecord) -> Self {
        Self {
            id: h.id,
            building_id: h.building_id,
            region: h.region.to_string(),
            address: h.address.clone(),
            building_address: h.building_address.clone(),
            unit: h.unit.clone(),
            room: h.room.clone(),
            registration: h.registration.as_str().into(),
            notes: h.notes.clone(),
            members: h.members,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentPage {
    pub items: Vec<ResidentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdPage {
    pub items: Vec<HouseholdView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdDetail {
    #[serde(flatten)]
    pub household: HouseholdView,
    pub residents: Vec<ResidentView>,
}

/// A region filter inside the caller's reach; one outside it is the same 404 as none.
pub async fn within(app: &App, who: &Who, params: &Params) -> Result<Option<RegionCode>, Error> {
    let region = params.parse::<RegionCode>("region")?;
    if let Some(r) = &region {
        who.covers(app, r, Error::not_found(format!("no region with code {r}"))).await?;
    }
    Ok(region)
}

/// Residents by name, last four digits of a phone or ID number, or address.
pub async fn search_residents(app: &App, who: &Who, params: &Params) -> Result<Vec<ResidentRecord>, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let filter = ResidentFilter {
        q: params.get("q").map(str::to_owned),
        household: params.parse::<i64>("household")?,
        building: params.parse::<i64>("building")?,
        within: within(app, who, params).await?,
        moved_out: params.parse::<bool>("moved_out")?.unwrap_or(false),
        phone_index: None,
        id_last4: None,
        limit: params.bounded("limit", 50, 1, 500)?,
        offset: params.bounded("offset", 0, 0, i64::MAX)?,
    };
    Ok(app.store.residents(&scope(who), &filter).await?)
}

/// Households by building and room, or address.
pub async fn search_households(app: &App, who: &Who, params: &Params) -> Result<Vec<HouseholdRecord>, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let filter = HouseholdFilter {
        building: params.parse::<i64>("building")?,
        q: params.get("q").map(str::to_owned),
        within: within(app, who, params).await?,
        limit: params.bounded("limit", 50, 1, 500)?,
        offset: params.bounded("offset", 0, 0, i64::MAX)?,
    };
    Ok(app.store.households(&scope(who), &filter).await?)
}

/// One resident for `who`: one outside their regions is the same 404 as none, and the
/// refusal is audited.
pub async fn one_resident(app: &App, who: &Who, id: i64) -> Result<ResidentRecord, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let missing = || Error::not_found(format!("no resident {id}"));
    let r = app.store.resident(&everyone, id).await?.ok_or_else(missing)?;
    who.covers(app, &r.region, missing()).await?;
    Ok(r)
}

/// One household and the people living there.
pub async fn household_detail(app: &App, who: &Who, id: i64) -> Result<(HouseholdRecord, Vec<ResidentRecord>), Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let missing = || Error::not_found(format!("no household {id}"));
    let h = app.store.household(&everyone, id).await?.ok_or_else(missing)?;
    who.covers(app, &h.region, missing()).await?;
    let filter = ResidentFilter { household: Some(id), moved_out: true, limit: 100, ..Default::default() };
    Ok((h, app.store.residents(&scope(who), &filter).await?))
}
