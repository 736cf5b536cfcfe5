//! Filing a case (behind `POST /cases`, `/report`, Open311 and the 12345 batch): one intake
//! for every source. The category must exist and its required attributes be present; the
//! text is plain and at most 4,000 characters; the point is located on the grid (a point
//! outside every region is refused unless an address is given); a report near an open case
//! of the same category, recently, is flagged as its duplicate; an outside order number
//! already on file returns the first case to whoever may see it, and a 409 to anyone else
//! ([`replayed`]).

use std::collections::BTreeMap;

use geo::{Distance, Haversine};
use serde::Deserialize;
use serde_json::Value;
use tongxin_core::access::{ActorKind, ApiScope, Permission, Role};
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::report::{Source, check_description};
use tongxin_core::geo::{Crs, LatLng};
use tongxin_core::pii::PhoneNumber;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::{AuditEntry, Outcome};
use tongxin_store::cases::{CaseRecord, NewCase};
use utoipa::ToSchema;

use super::Reach;
use super::place::{home, spot_of};
use crate::caller::Who;
use crate::uploads::{discard, keep};
use crate::{App, Error};

/// A report, as any channel sends it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReportRequest {
    #[schema(example = "E0503")]
    pub category: String,
    #[schema(example = "3号楼一楼有人从窗口拉线给电动车充电")]
    pub description: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// wgs84 (default), gcj02 or bd09
    pub crs: Option<String>,
    /// Where, in words; required when there is no point or the point is outside every region.
    pub address: Option<String>,
    /// Extra attributes of the category: a string, or a list for multiple choice.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, Value>,
    pub building_id: Option<i64>,
    /// The caller's name and phone, when someone reports for them (phone, 12345): kept sealed.
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    /// An outside system's order number; the same number twice returns the first case.
    pub external_ref: Option<String>,
    /// For staff: patrol, phone or campaign (and hotline for intake staff, who register
    /// 12345 orders). Others' sources follow from who they are.
    pub source: Option<String>,
}

pub fn source_for(who: &Who, requested: Option<&str>) -> Result<Source, Error> {
    let actor = &who.actor;
    Ok(match actor.kind {
        ActorKind::Resident => Source::Resident,
        ActorKind::ApiKey => {
            // A key's scopes name its channel; one with several takes the first of these.
            let channels = [
                (ApiScope::Hotline, Source::Hotline),
                (ApiScope::Sensor, Source::Sensor),
                (ApiScope::Open311, Source::Open311),
            ];
            channels.into_iter().find(|(scope, _)| actor.api_scopes.contains(scope)).map_or(Source::Open311, |(_, s)| s)
        }
        // A console job (the 12345 batch import) says which channel its orders came by.
        ActorKind::System => match requested {
            Some(raw) => raw.parse::<Source>().map_err(|e| Error::invalid("source", e))?,
            None => Source::Hotline,
        },
        _ => match requested {
            Some("patrol") => Source::Patrol,
            Some("phone") => Source::Phone,
            Some("campaign") => Source::Campaign,
            // Intake staff register the 12345 orders that reach them as files.
            Some("hotline") if actor.can(Permission::CasesRegister) => Source::Hotline,
            Some(other) => {
                return Err(Error::invalid(
                    "source",
                    format!("source must be patrol, phone or campaign, not '{other}'"),
                ));
            }
            None if actor.roles.contains(&Role::GridWorker) => Source::Patrol,
            None => Source::Phone,
        },
    })
}

/// Files a report for `who`, with its photos; the case and whether it is new (an order
/// number already on file returns the first case, and the photos sent again are not kept).
pub async fn file(
    app: &App,
    who: &Who,
    request: ReportRequest,
    photos: Vec<Vec<u8>>,
) -> Result<(CaseRecord, bool), Error> {
    let mut new = prepare(app, who, request).await?;
    new.photos = keep(app, photos).await?;
    match app.store.create_case(&who.caller(), &new, &app.calendar.current()).await {
        Ok((case, true)) => Ok((case, true)),
        Ok((first, false)) => {
            discard(app, &new.photos).await;
            Ok((replayed(app, who, first).await?, false))
        }
        Err(e) => {
            discard(app, &new.photos).await;
            Err(e.into())
        }
    }
}

/// The case already filed under the order number a caller sent again, if they may have it:
/// when they see it (their regions, their department, their own report) or filed it
/// themselves (a hotline key without `cases.read` gets its own order back). Anyone else
/// gets a 409 that names only the conflict, and the attempt is audited: order numbers are
/// guessable, so a replay must never open a case beyond the caller's reach.
pub async fn replayed(app: &App, who: &Who, case: CaseRecord) -> Result<CaseRecord, Error> {
    let reach = Reach::of(app, who).await?;
    if reach.sees(who, &case) || app.store.case_filed_by(case.id, &who.actor).await? {
        return Ok(case);
    }
    let reference = case.external_ref.clone().unwrap_or_default();
    let entry = AuditEntry::ok("access.out_of_scope", "case", case.id).with_outcome(Outcome::Denied).with_detail(
        serde_json::json!({
            "replayed_external_ref": reference,
            "request": crate::observe::current_request_id(),
        }),
    );
    app.store.audit(&who.caller(), entry).await?;
    Err(Error::Conflict {
        field: "external_ref".into(),
        message: format!("order number {reference} is already on file, outside your regions; it was not filed again"),
    })
}

/// Checks a report and turns it into the case to create, writing nothing: the category and
/// its attributes, the text, the place, the reporter's contact (sealed), the duplicate flag.
/// The text rules (`crate::text`) for every field of a report, whichever door it came
/// through: the HTTP layer checks what arrives as a form or JSON, but a 12345 order file
/// (CSV) reaches this point without passing it.
pub fn check_text(request: &ReportRequest) -> Result<(), Error> {
    let fields = [
        ("category", Some(&request.category)),
        ("description", Some(&request.description)),
        ("address", request.address.as_ref()),
        ("reporter_name", request.reporter_name.as_ref()),
        ("reporter_phone", request.reporter_phone.as_ref()),
        ("external_ref", request.external_ref.as_ref()),
        ("source", request.source.as_ref()),
        ("crs", request.crs.as_ref()),
    ];
    for (field, value) in fields {
        if let Some(value) = value {
            crate::text::check(field, value).map_err(|e| Error::invalid(field, e.to_string()))?;
        }
    }
    for (code, value) in &request.attributes {
        let field = format!("attribute[{code}]");
        crate::text::check(&field, code).map_err(|e| Error::invalid(&field, e.to_string()))?;
        let texts: Vec<&str> = match value {
            Value::String(text) => vec![text.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for text in texts {
            crate::text::check(&field, text).map_err(|e| Error::invalid(&field, e.to_string()))?;
        }
    }
    Ok(())
}

pub async fn prepare(app: &App, who: &Who, request: ReportRequest) -> Result<NewCase, Error> {
    if who.actor.kind != ActorKind::Resident {
        who.require(app, Permission::CasesReport).await?;
    }
    check_text(&request)?;
    let source = source_for(who, request.source.as_deref())?;
    let code = CategoryCode::parse(&request.category).map_err(|e| Error::invalid("category", e.to_string()))?;
    let category = app
        .store
        .category(&code)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| Error::invalid("category", format!("there is no category {code}")))?;
    let attributes = category
        .check_attributes(&request.attributes)
        .map_err(|e| Error::invalid(format!("attribute[{}]", e.code), e.to_string()))?;
    let description =
        check_description(&request.description).map_err(|e| Error::invalid("description", e.to_string()))?;
    let address = request.address.as_deref().map(str::trim).unwrap_or("").to_owned();
    if address.chars().count() > 200 {
        return Err(Error::invalid("address", "an address has at most 200 characters"));
    }

    let Placed { location, region, grid, building_id } = place(app, &request, &address).await?;

    let reporter_sealed = match (
        request.reporter_name.as_deref().map(str::trim).filter(|n| !n.is_empty()),
        request.reporter_phone.as_deref().map(str::trim).filter(|p| !p.is_empty()),
    ) {
        (None, None) => None,
        (name, phone) => {
            let phone = phone
                .map(PhoneNumber::parse)
                .transpose()
                .map_err(|e| Error::invalid("reporter_phone", e.to_string()))?;
            if name.is_some_and(|n| n.chars().count() > 50) {
                return Err(Error::invalid("reporter_name", "a name has at most 50 characters"));
            }
            let contact = serde_json::json!({ "name": name, "phone": phone.as_ref().map(PhoneNumber::expose) });
            Some(app.pii.seal("case_reporter", &contact.to_string()))
        }
    };
    let external_ref = request.external_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if external_ref.as_ref().is_some_and(|r| r.chars().count() > 100) {
        return Err(Error::invalid("external_ref", "an order number has at most 100 characters"));
    }
    let duplicate_of = match location {
        Some(point) => duplicate(app, &code, point).await?,
        None => None,
    };
    let new = NewCase {
        source,
        category: code,
        description,
        attributes,
        location,
        region,
        grid,
        address,
        building_id,
        reporter_user: who.actor.is_staff().then_some(who.actor.id),
        reporter_resident: (who.actor.kind == ActorKind::Resident).then_some(who.actor.id),
        reporter_sealed,
        external_ref,
        duplicate_of,
        photos: Vec::new(),
        media_url: None,
        token: None,
    };
    Ok(new)
}

/// Where a report is: its building (named, or matched from its address), else the deepest
/// region holding its point; a report with only an address that names no single building
/// goes to the subdistrict, and waits there for a dispatcher to place it.
pub async fn place(app: &App, request: &ReportRequest, address: &str) -> Result<Placed, Error> {
    let crs = request
        .crs
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(str::parse::<Crs>)
        .transpose()
        .map_err(|e| Error::invalid("crs", e.to_string()))?;
    let point = match (request.lat, request.lng) {
        (Some(lat), Some(lng)) => Some(
            LatLng::from_crs(lat, lng, crs.unwrap_or_default())
                .map_err(|e| Error::invalid(e.field(), e.to_string()))?,
        ),
        (None, None) if address.is_empty() && request.building_id.is_none() => {
            return Err(Error::invalid("lat", "give a point (lat and lng) or an address"));
        }
        (None, None) => None,
        (Some(_), None) => return Err(Error::invalid("lng", "lng is required with lat")),
        (None, Some(_)) => return Err(Error::invalid("lat", "lat is required with lng")),
    };
    match spot_of(app, request.building_id, point, address).await? {
        Some(spot) => Ok(Placed {
            location: Some(spot.location),
            region: spot.region,
            grid: spot.grid,
            building_id: spot.building_id,
        }),
        None if point.is_some() && address.is_empty() => {
            Err(Error::invalid("lat", "the point is outside the subdistrict; give an address to file the case anyway"))
        }
        None => Ok(Placed { location: point, region: home(app).await?, grid: None, building_id: None }),
    }
}

/// A report's place on the grid.
pub struct Placed {
    location: Option<LatLng>,
    region: tongxin_core::geo::RegionCode,
    grid: Option<tongxin_core::geo::RegionCode>,
    building_id: Option<i64>,
}

/// An open case of the same category near `point`, reported within the window.
pub async fn duplicate(app: &App, category: &CategoryCode, point: LatLng) -> Result<Option<i64>, Error> {
    let radius = app.config.duplicate_radius_m;
    let since = Timestamp::from_millis(Timestamp::now().millis() - app.config.duplicate_window_hours * 3_600_000);
    let degrees = radius / 100_000.0; // generous: a degree of latitude is about 111 km
    let candidates = app.store.open_cases_near(category, since, point, degrees).await?;
    Ok(candidates
        .iter()
        .find(|c| c.location.is_some_and(|p| Haversine.distance(p.to_point(), point.to_point()) <= radius))
        .map(|c| c.id))
}
