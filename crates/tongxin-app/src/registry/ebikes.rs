//! Charging sheds, e-bikes and safety pledges: lists with search and one record, within the
//! caller's regions (`residents.read`). Owners appear by name and address, as in the
//! residents list; never with an ID number or phone.

use serde::Serialize;
use tongxin_core::access::Permission;
use tongxin_core::registry::{EbikeStatus, ShedStatus};
use tongxin_store::registry::RegistryScope;
use tongxin_store::registry::ebikes::{EbikeRecord, LedgerFilter, PledgeRecord, ShedRecord};
use tongxin_store::registry::safety::ShedCheckRecord;
use utoipa::ToSchema;

use super::safety::ShedCheckView;
use super::{scope, within};
use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct ShedView {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub lat: f64,
    pub lng: f64,
    /// Charging spaces.
    pub capacity: i64,
    /// extinguisher, smoke_detector, camera, timed_power_off
    pub facilities: Vec<String>,
    /// planned, building, in_use, closed
    pub status: String,
    pub opened_on: Option<String>,
    /// Active e-bikes registered to charge here.
    pub ebikes: i64,
    pub last_checked: Option<String>,
}

impl From<&ShedRecord> for ShedView {
    fn from(s: &ShedRecord) -> Self {
        Self {
            id: s.id,
            name: s.name.clone(),
            region: s.region.to_string(),
            lat: s.lat,
            lng: s.lng,
            capacity: s.capacity,
            facilities: s.facilities.iter().map(|f| f.as_str().to_owned()).collect(),
            status: s.status.as_str().into(),
            opened_on: s.opened_on.map(|d| d.to_string()),
            ebikes: s.ebikes,
            last_checked: s.last_checked.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EbikeView {
    pub id: i64,
    pub plate: String,
    pub brand: String,
    /// lead_acid or lithium
    pub battery: String,
    pub registered_on: String,
    /// active, scrapped, moved_away
    pub status: String,
    pub region: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub household_id: i64,
    pub address: String,
    pub shed_id: Option<i64>,
    pub shed_name: Option<String>,
    /// Whether the owner has signed a safety pledge.
    pub pledged: bool,
}

impl From<&EbikeRecord> for EbikeView {
    fn from(e: &EbikeRecord) -> Self {
        Self {
            id: e.id,
            plate: e.plate.clone(),
            brand: e.brand.clone(),
            battery: e.battery.as_str().into(),
            registered_on: e.registered_on.to_string(),
            status: e.status.as_str().into(),
            region: e.region.to_string(),
            owner_id: e.owner_id,
            owner_name: e.owner_name.clone(),
            household_id: e.household_id,
            address: e.address.clone(),
            shed_id: e.shed_id,
            shed_name: e.shed_name.clone(),
            pledged: e.pledged,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeView {
    pub id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    pub household_id: i64,
    pub address: String,
    pub region: String,
    pub signed_on: String,
    pub collected_by: String,
    /// paper or online
    pub channel: String,
}

impl From<&PledgeRecord> for PledgeView {
    fn from(p: &PledgeRecord) -> Self {
        Self {
            id: p.id,
            resident_id: p.resident_id,
            resident_name: p.resident_name.clone(),
            household_id: p.household_id,
            address: p.address.clone(),
            region: p.region.to_string(),
            signed_on: p.signed_on.to_string(),
            collected_by: p.collected_by.clone(),
            channel: p.channel.as_str().into(),
        }
    }
}

impl From<&ShedCheckRecord> for ShedCheckView {
    fn from(k: &ShedCheckRecord) -> Self {
        Self {
            id: k.id,
            shed_id: k.shed_id,
            checked_on: k.checked_on.to_string(),
            checked_by: k.checked_by.clone(),
            ok: k.ok,
            findings: k.findings.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShedPage {
    pub items: Vec<ShedView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShedDetail {
    #[serde(flatten)]
    pub shed: ShedView,
    /// Its inspections, the latest first.
    pub checks: Vec<ShedCheckView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EbikePage {
    pub items: Vec<EbikeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PledgePage {
    pub items: Vec<PledgeView>,
}

/// Reads a `status` value as one of a vocabulary's stored values.
pub type StatusParser = fn(&str) -> Result<&'static str, String>;

/// The list filter from the query: `q`, `region`, `shed`, `limit`, `offset`, and `status`
/// when the list has one.
pub async fn ledger_filter(
    app: &App,
    who: &Who,
    params: &Params,
    status: Option<StatusParser>,
) -> Result<LedgerFilter, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let status = match (status, params.get("status")) {
        (Some(parse), Some(raw)) => {
            Some(parse(raw).map_err(|e| Error::invalid("status", format!("status: {e}")))?.to_owned())
        }
        _ => None,
    };
    Ok(LedgerFilter {
        q: params.get("q").map(str::to_owned),
        within: within(app, who, params).await?,
        shed: params.parse::<i64>("shed")?,
        status,
        limit: params.bounded("limit", 50, 1, 500)?,
        offset: params.bounded("offset", 0, 0, i64::MAX)?,
    })
}

pub async fn search_sheds(app: &App, who: &Who, params: &Params) -> Result<Vec<ShedRecord>, Error> {
    let filter = ledger_filter(app, who, params, Some(|s| s.parse::<ShedStatus>().map(ShedStatus::as_str))).await?;
    Ok(app.store.sheds(&scope(who), &filter).await?)
}

pub async fn search_ebikes(app: &App, who: &Who, params: &Params) -> Result<Vec<EbikeRecord>, Error> {
    let filter = ledger_filter(app, who, params, Some(|s| s.parse::<EbikeStatus>().map(EbikeStatus::as_str))).await?;
    Ok(app.store.ebikes(&scope(who), &filter).await?)
}

pub async fn search_pledges(app: &App, who: &Who, params: &Params) -> Result<Vec<PledgeRecord>, Error> {
    let filter = ledger_filter(app, who, params, None).await?;
    Ok(app.store.pledges(&scope(who), &filter).await?)
}

/// One shed for `who`; one outside their regions is the same 404 as none (audited).
pub async fn one_shed(app: &App, who: &Who, id: i64) -> Result<(ShedRecord, Vec<ShedCheckRecord>), Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let missing = || Error::not_found(format!("no charging shed {id}"));
    let shed = app.store.shed(&everyone, id).await?.ok_or_else(missing)?;
    who.covers(app, &shed.region, missing()).await?;
    Ok((shed, app.store.shed_checks(id).await?))
}

/// One e-bike for `who`, like [`one_shed`].
pub async fn one_ebike(app: &App, who: &Who, id: i64) -> Result<EbikeRecord, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let missing = || Error::not_found(format!("no e-bike {id}"));
    let ebike = app.store.ebike(&everyone, id).await?.ok_or_else(missing)?;
    who.covers(app, &ebike.region, missing()).await?;
    Ok(ebike)
}
