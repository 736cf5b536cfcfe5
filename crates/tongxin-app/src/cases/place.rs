//! Where a case is: the registered building an address names, and `POST
//! /cases/{id}/place`, which puts a case filed without a grid (or on the wrong one) on the
//! grid by its building or its point.
//!
//! A report's address is matched against the registry ([`tongxin_core::geo::address`]):
//! exactly, then by the building's name, then by street, 弄 and 号. One building gives the
//! case its point, grid and building; several, or none, leave it with the subdistrict, and
//! its page asks a dispatcher to choose.

use serde::Deserialize;
use tongxin_core::access::Permission;
use tongxin_core::geo::address::{Entry, Found, Matcher, normalise};
use tongxin_core::geo::{Building, Crs, LatLng, RegionCode, RegionLevel};
use tongxin_store::cases::CaseRecord;
use tongxin_store::cases::place::Placement;
use tongxin_store::geo::{BuildingFilter, RegionFilter};
use utoipa::ToSchema;

use super::{Reach, visible};
use crate::caller::Who;
use crate::{App, Error};

/// The most buildings an address search returns.
pub const SEARCH_LIMIT: usize = 12;

/// A case's place, as a building or the point that gives it.
pub struct Spot {
    pub location: LatLng,
    pub region: RegionCode,
    pub grid: Option<RegionCode>,
    pub building_id: Option<i64>,
}

impl Spot {
    /// At a registered building: its point, its building group (or grid), its grid.
    pub fn at(building: &Building) -> Spot {
        let f = &building.fields;
        Spot {
            location: f.location,
            region: f.block.clone().unwrap_or_else(|| f.grid.clone()),
            grid: Some(f.grid.clone()),
            building_id: Some(building.id),
        }
    }

    /// At a point inside the subdistrict's regions; `None` outside every one.
    pub fn located(app: &App, point: LatLng) -> Option<Spot> {
        let locator = app.geo.current();
        let path = locator.locate(point)?;
        Some(Spot {
            location: point,
            region: path.deepest()?.code.clone(),
            grid: path.at(RegionLevel::Grid).map(|r| r.code.clone()),
            building_id: None,
        })
    }
}

/// The subdistrict: where a case without a place on the grid belongs.
pub async fn home(app: &App) -> Result<RegionCode, Error> {
    let filter = RegionFilter { level: Some(RegionLevel::Subdistrict), ..Default::default() };
    let subdistricts = app.store.regions(&filter).await?;
    subdistricts
        .into_iter()
        .next()
        .map(|r| r.code)
        .ok_or_else(|| Error::Unavailable("no subdistrict is configured".into()))
}

/// Every registered building of the subdistrict.
pub async fn all_buildings(app: &App) -> Result<Vec<Building>, Error> {
    let within = home(app).await?;
    Ok(app.store.buildings(&BuildingFilter { within, limit: 200_000, offset: 0 }).await?)
}

/// What an address names: one building, candidates, or nothing.
pub async fn match_address(app: &App, address: &str) -> Result<(Found, Vec<Building>), Error> {
    let buildings = all_buildings(app).await?;
    let matcher = Matcher::new(buildings.iter().map(|b| Entry {
        id: b.id,
        name: b.fields.name.clone(),
        address: b.fields.address.clone(),
    }));
    Ok((matcher.find(address), buildings))
}

/// The buildings a typed address may mean, for a person to choose from: what the matcher
/// finds, else those whose address or name contains the text.
pub async fn search(app: &App, text: &str) -> Result<Vec<Building>, Error> {
    let wanted = normalise(text);
    if wanted.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let (found, buildings) = match_address(app, text).await?;
    let pick = |ids: &[i64]| buildings.iter().filter(|b| ids.contains(&b.id)).cloned().collect::<Vec<_>>();
    Ok(match found {
        Found::One(id) => pick(&[id]),
        Found::Candidates(ids) => pick(&ids),
        Found::None => buildings
            .iter()
            .filter(|b| normalise(&b.fields.address).contains(&wanted) || normalise(&b.fields.name).contains(&wanted))
            .take(SEARCH_LIMIT)
            .cloned()
            .collect(),
    })
}

/// The place of a report: the building it names, else its point when that is on the grid,
/// else the building its address names; `None` when none of these gives one.
pub async fn spot_of(
    app: &App,
    building_id: Option<i64>,
    point: Option<LatLng>,
    address: &str,
) -> Result<Option<Spot>, Error> {
    if let Some(id) = building_id {
        let building = app
            .store
            .building(id)
            .await?
            .ok_or_else(|| Error::invalid("building_id", format!("there is no building {id}")))?;
        let mut spot = Spot::at(&building);
        if let Some(point) = point {
            spot.location = point;
        }
        return Ok(Some(spot));
    }
    if let Some(spot) = point.and_then(|p| Spot::located(app, p)) {
        return Ok(Some(spot));
    }
    if address.is_empty() {
        return Ok(None);
    }
    let (found, buildings) = match_address(app, address).await?;
    Ok(match found {
        Found::One(id) => buildings.iter().find(|b| b.id == id).map(Spot::at),
        Found::Candidates(_) | Found::None => None,
    })
}

/// Whether `who` may place `case`: a dispatcher, intake or shift lead over its region.
pub fn may_place(who: &Who, case: &CaseRecord) -> bool {
    let actor = &who.actor;
    let placer = [Permission::CasesDispatch, Permission::CasesRegister, Permission::CasesApprove]
        .into_iter()
        .any(|p| actor.can(p));
    actor.is_staff() && placer && actor.covers(&case.region) && case.state.status.is_open()
}

/// Where to put a case.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PlaceRequest {
    /// A registered building: the case takes its point and grid.
    pub building_id: Option<i64>,
    /// Or a point.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// wgs84 (default), gcj02 or bd09
    pub crs: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Places case `id` for `who`: the building or the point must lie on a grid the caller covers.
pub async fn place(app: &App, who: &Who, id: i64, request: PlaceRequest) -> Result<CaseRecord, Error> {
    crate::text::check("note", &request.note).map_err(|e| Error::invalid("note", e.to_string()))?;
    if request.note.chars().count() > 500 {
        return Err(Error::invalid("note", "a note has at most 500 characters"));
    }
    let reach = Reach::of(app, who).await?;
    let case = visible(app, who, &reach, id).await?;
    if !may_place(who, &case) {
        who.require(app, Permission::CasesDispatch).await?;
        if !case.state.status.is_open() {
            return Err(Error::Conflict { field: "case".into(), message: "only an open case can be placed".into() });
        }
        return Err(who
            .out_of_scope(app, "case", &id.to_string(), Error::Forbidden { permission: Permission::CasesDispatch })
            .await);
    }
    let point = match (request.lat, request.lng) {
        (Some(lat), Some(lng)) => {
            let crs = request.crs.as_deref().filter(|c| !c.is_empty()).map(str::parse::<Crs>).transpose();
            let crs = crs.map_err(|e| Error::invalid("crs", e.to_string()))?;
            Some(
                LatLng::from_crs(lat, lng, crs.unwrap_or_default())
                    .map_err(|e| Error::invalid(e.field(), e.to_string()))?,
            )
        }
        (None, None) => None,
        (Some(_), None) => return Err(Error::invalid("lng", "lng is required with lat")),
        (None, Some(_)) => return Err(Error::invalid("lat", "lat is required with lng")),
    };
    if request.building_id.is_none() && point.is_none() {
        return Err(Error::invalid("building_id", "choose a building or give a point (lat and lng)"));
    }
    let spot = spot_of(app, request.building_id, point, "")
        .await?
        .ok_or_else(|| Error::invalid("lat", "the point is outside every grid of the subdistrict"))?;
    let covered = match who.actor.scope.roots() {
        None => true,
        Some(_) => who.actor.covers(&spot.region),
    };
    if !covered {
        return Err(Error::invalid("building_id", "that place is outside your regions"));
    }
    let placement = Placement {
        location: spot.location,
        region: spot.region,
        grid: spot.grid,
        building_id: spot.building_id,
        note: request.note,
    };
    Ok(app.store.place_case(&who.caller(), id, &placement).await?)
}
