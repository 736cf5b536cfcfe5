//! The parts of a case's page that say where it is and who called about it:
//! - the place form, for a case that no grid has yet (or one on the wrong grid): the
//!   buildings its address may mean, a search, and a map to click (`POST /cases/{id}/place`);
//! - the caller a phone report was taken from, masked; the shift lead opens it to call back
//!   after the case is closed (`POST /cases/{id}/caller`), and the audit log keeps why.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tongxin_app::cases::place::{PlaceRequest, may_place, place, search};
use tongxin_app::cases::{Reach, visible};
use tongxin_core::access::Permission;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::pii::{PhoneNumber, mask_name};
use tongxin_store::audit::AuditEntry;
use tongxin_store::cases::CaseRecord;

use super::pick_map::{PickMap, pick_map};
use crate::auth::{PageCaller, Who};
use crate::i18n::Lang;
use crate::pages::{FormParams, PageError};
use crate::params::id_param;
use crate::{ApiError, App};

/// The place form on a case's page.
pub struct PlaceSection {
    /// No grid yet: the form is open and says so.
    pub unplaced: bool,
    pub query: String,
    /// (building id, address, name)
    pub candidates: Vec<(i64, String, String)>,
    pub map: Option<PickMap>,
}

/// The place form for `case`, when `who` may place it.
pub async fn section(app: &App, who: &Who, case: &CaseRecord, query: Option<&str>) -> Option<PlaceSection> {
    if !may_place(who, case) {
        return None;
    }
    let unplaced = case.grid.is_none();
    let query = query.map(str::trim).filter(|q| !q.is_empty()).unwrap_or(if unplaced { &case.address } else { "" });
    let candidates = if query.is_empty() { Vec::new() } else { search(app, query).await.unwrap_or_default() };
    let candidates: Vec<(i64, String, String)> = candidates
        .into_iter()
        .filter(|b| who.actor.covers(&b.fields.grid))
        .map(|b| (b.id, b.fields.address, b.fields.name))
        .collect();
    // The map is drawn for a case still to place; one on the grid already has its own map.
    let map = if unplaced {
        let within = tongxin_app::cases::place::home(app).await.ok()?;
        let filter = tongxin_store::geo::BuildingFilter { within, limit: 200_000, offset: 0 };
        let buildings = app.store.buildings(&filter).await.unwrap_or_default();
        pick_map(app, &buildings, case.location).await
    } else {
        None
    };
    Some(PlaceSection { unplaced, query: query.to_owned(), candidates, map })
}

/// Places the case by the building or the point the form gives.
pub async fn submit(
    State(app): State<App>,
    lang: Lang,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let id = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let number = |name: &str| -> Result<Option<f64>, ApiError> {
        form.get(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse::<f64>().map_err(|_| ApiError::invalid(name, format!("{name} must be a number"))))
            .transpose()
    };
    let building = form
        .get("building_id")
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>().map_err(|_| ApiError::invalid("building_id", "choose a building from the list")))
        .transpose();
    let placed = match (building, number("lat"), number("lng")) {
        (Ok(building_id), Ok(lat), Ok(lng)) => {
            // A building chosen wins over a point typed or clicked on the same form.
            let (lat, lng) = if building_id.is_some() { (None, None) } else { (lat, lng) };
            let request = PlaceRequest {
                building_id,
                lat,
                lng,
                crs: None,
                note: form.get("note").unwrap_or_default().to_owned(),
            };
            place(&app, &who, id, request).await.map(|_| ()).map_err(ApiError::from)
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
    };
    let uri: axum::http::Uri = format!("/cases/{id}").parse().unwrap_or_default();
    super::detail::after_form(&app, lang, &uri, &who, id, placed, &format!("/cases/{id}#case-place")).await
}

/// The caller of a phone report, as the page shows them.
pub struct CallerView {
    pub name: String,
    pub phone: String,
    /// Shown in full: the shift lead opened it.
    pub revealed: bool,
    /// The reader may open it now (a shift lead, the case closed).
    pub can_reveal: bool,
}

/// Whether `who` may open the caller's contact of `case`: for the call back after closing.
fn may_reveal(who: &Who, case: &CaseRecord) -> bool {
    who.actor.can(Permission::PiiReveal)
        && who.actor.can(Permission::CasesApprove)
        && who.actor.covers(&case.region)
        && case.state.status == Status::Closed
}

/// The caller of `case`, masked unless `reveal`.
pub fn caller(app: &App, who: &Who, case: &CaseRecord, sealed: Option<&[u8]>, reveal: bool) -> Option<CallerView> {
    let contact: serde_json::Value = serde_json::from_str(&app.pii.open("case_reporter", sealed?).ok()?).ok()?;
    let name = contact.get("name").and_then(|v| v.as_str()).unwrap_or_default();
    let phone = contact.get("phone").and_then(|v| v.as_str()).and_then(|p| PhoneNumber::parse(p).ok());
    let can_reveal = may_reveal(who, case);
    let revealed = reveal && can_reveal;
    Some(CallerView {
        name: if revealed { name.to_owned() } else { mask_name(name) },
        phone: phone.map(|p| if revealed { p.expose().to_owned() } else { p.masked() }).unwrap_or_default(),
        revealed,
        can_reveal,
    })
}

/// Opens the caller's contact for the call back, audited with its purpose.
pub async fn reveal(
    State(app): State<App>,
    lang: Lang,
    uri: axum::extract::OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let id = match id_param(&raw) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let opened = async {
        let reach = Reach::of(&app, &who).await?;
        let case = visible(&app, &who, &reach, id).await?;
        if !may_reveal(&who, &case) {
            who.require(&app, Permission::PiiReveal).await?;
            return Err(ApiError::Conflict {
                field: "case".into(),
                message: "the caller's contact opens for the call back, once the case is closed".into(),
            });
        }
        let purpose = form.get("purpose").map(str::trim).filter(|p| !p.is_empty()).unwrap_or("回访");
        crate::text::check("purpose", purpose).map_err(|e| ApiError::invalid("purpose", e.to_string()))?;
        let entry = AuditEntry::ok("pii.reveal", "case", id)
            .with_detail(json!({ "field": "reporter", "purpose": purpose.chars().take(200).collect::<String>() }));
        app.store.audit(&who.caller(), entry).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match opened {
        Ok(()) => super::detail::show_revealed(&app, lang, &uri.0, &who, id).await,
        Err(e) => {
            let back = format!("/cases/{id}");
            let uri: axum::http::Uri = back.parse().unwrap_or_default();
            super::detail::after_form(&app, lang, &uri, &who, id, Err(e), &back).await
        }
    }
}
