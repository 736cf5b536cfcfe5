//! One door for services (behind `/api/v1/booking/…`, the console and the kiosk): the
//! catalogue, slots by service and day, and bookings — made through one function for every
//! channel, so each records its channel and the acting user. Staff book with `booking.book`
//! for residents in their regions, and residents signed in with their phone for themselves
//! and the elders who linked their phone (anyone else is the same 404 as no one); the
//! booking POST takes an `Idempotency-Key`, and a retry with the same key gets the first
//! booking back.

use serde::Deserialize;
use serde_json::json;
use tongxin_core::access::{ActorKind, ApiScope, Permission, Role};
use tongxin_core::booking::Channel;
use tongxin_core::time::Timestamp;
use tongxin_store::booking::BookingError;
use tongxin_store::booking::book::{Booking, BookingRequest};
use tongxin_store::registry::RegistryScope;
use utoipa::ToSchema;

use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

pub use views::{BookingView, CancelledView, CatalogView, ServiceView, SlotPage, SlotView};

pub mod admin;
pub mod views;

impl From<BookingError> for Error {
    /// The refusal in Chinese (`message`, `details.reason`) and in English
    /// (`details.reason_en`, which English pages show), naming the rule or field.
    fn from(e: BookingError) -> Self {
        let refused = |rule: &str, zh: String, en: String| Error::Unprocessable {
            message: zh.clone(),
            details: json!({ "rule": rule, "reason": zh, "reason_en": en }),
        };
        match e {
            BookingError::NoSlot(id) => Error::not_found(format!("no slot {id}")),
            BookingError::NoResident(id) => Error::not_found(format!("no resident {id}")),
            BookingError::NoBooking(id) => Error::not_found(format!("no booking {id}")),
            BookingError::Past => refused(
                "past",
                "这个时段已经开始或已过去，不能再预约".into(),
                "This slot has started or is over.".into(),
            ),
            BookingError::Blocked => {
                refused("blocked", "这个时段已停止预约".into(), "This slot takes no more bookings.".into())
            }
            BookingError::NotToday(day) => refused(
                "not_today",
                format!("只能在预约当天（{day}）签到"),
                format!("A booking is checked in on its day, {day}."),
            ),
            BookingError::SiteClosed(day) => refused(
                "site_closed",
                format!("服务站点 {day} 闭馆，不能预约"),
                format!("The site is closed on {day}."),
            ),
            BookingError::Inactive => {
                refused("inactive", "这项服务暂停预约".into(), "This service is not taking bookings now.".into())
            }
            BookingError::Ineligible(r) => refused(r.rule(), r.zh(), r.en()),
            BookingError::Full { capacity } => Error::Conflict {
                field: "slot_id".into(),
                message: format!("名额已满：这个时段的 {capacity} 个名额都已约满，可选择其他时段或排队候补"),
            },
            BookingError::AlreadyBooked => Error::Conflict {
                field: "resident_id".into(),
                message: "这位居民已经预约了这个时段".into(),
            },
            BookingError::OtherService { .. } => refused(
                "other_service",
                "改约只能改到同一项服务的其他时间；要换服务，请取消后重新预约".into(),
                "A booking moves to another time of the same service; to change the service, cancel and book again."
                    .into(),
            ),
            BookingError::Status(status) => refused(
                "status",
                format!("这个预约{status}，不能这样操作"),
                "The booking's status does not allow this.".into(),
            ),
            BookingError::AfterCutoff(at) => refused(
                "cutoff",
                format!("已过取消截止时间（{at}），不能再取消"),
                format!("Cancelling closed at {at}."),
            ),
            BookingError::BelowBooked { booked } => Error::Conflict {
                field: "capacity".into(),
                message: format!("这个时段已有 {booked} 人预约，名额不能少于 {booked}"),
            },
            BookingError::Store(e) => e.into(),
        }
    }
}

/// The site with this code, or a 404.
pub async fn site_named(app: &App, code: &str) -> Result<tongxin_store::booking::catalog::Site, Error> {
    app.store
        .sites()
        .await?
        .into_iter()
        .find(|s| s.code == code)
        .ok_or_else(|| Error::not_found(format!("no site {code}")))
}

/// The channel a caller books through.
pub fn channel_of(who: &Who) -> Channel {
    match who.actor.kind {
        ActorKind::Resident => Channel::App,
        ActorKind::ApiKey if who.actor.api_scopes.contains(&ApiScope::Kiosk) => Channel::Kiosk,
        ActorKind::ApiKey => Channel::Api,
        _ if who.actor.roles.contains(&Role::Kiosk) => Channel::Kiosk,
        _ if who.actor.roles.contains(&Role::Operator) => Channel::Operator,
        _ => Channel::Staff,
    }
}

/// A booking request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingBody {
    pub slot_id: i64,
    pub resident_id: i64,
    /// Join the waitlist when the slot is full (default: refuse with 409).
    #[serde(default)]
    pub waitlist: bool,
}

/// Whether `who` may book for resident `id`: staff with `booking.book` for residents in
/// their regions; a resident signed in with their phone for themselves and the elders who
/// linked that phone. Anyone else is the same 404 as no one.
pub async fn may_book_for(app: &App, who: &Who, id: i64) -> Result<(), Error> {
    let missing = || Error::not_found(format!("no resident {id}"));
    if who.actor.kind == ActorKind::Resident {
        let people = app.store.bookable_people(who.actor.id).await?;
        return if people.iter().any(|p| p.resident_id == id) { Ok(()) } else { Err(missing()) };
    }
    who.require(app, Permission::BookingBook).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let found = app.store.resident(&everyone, id).await?.ok_or_else(missing)?;
    who.covers(app, &found.region, missing()).await
}

/// Books for `body.resident_id` as `who`; the booking and whether it was a replay.
pub async fn book(
    app: &App,
    who: &Who,
    body: &BookingBody,
    key: Option<String>,
) -> Result<tongxin_store::booking::book::Booked, Error> {
    may_book_for(app, who, body.resident_id).await?;
    let request = BookingRequest {
        slot_id: body.slot_id,
        resident_id: body.resident_id,
        channel: channel_of(who),
        idempotency_key: key,
        waitlist: body.waitlist,
    };
    Ok(app.store.book(&who.caller(), &request).await?)
}

/// A booking `who` may see and change: of someone they may book for.
pub async fn booking_in_reach(app: &App, who: &Who, id: i64) -> Result<Booking, Error> {
    let missing = || Error::not_found(format!("no booking {id}"));
    if who.actor.kind != ActorKind::Resident {
        who.require(app, Permission::BookingBook).await?;
    }
    let booking = app.store.booking(id).await?.ok_or_else(missing)?;
    may_book_for(app, who, booking.resident_id).await.map_err(|_| missing())?;
    Ok(booking)
}

/// A slot's new capacity or blocked state.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SlotChange {
    pub capacity: Option<i64>,
    pub blocked: Option<bool>,
}

/// The site a kiosk key stands at.
#[derive(Debug, Deserialize, ToSchema)]
pub struct KioskBinding {
    /// A site's code, e.g. `elder-centre-1`.
    pub site: String,
}

/// The period a statistics request names: `from` and `to` (YYYY-MM-DD, inclusive); by
/// default the last 30 days.
pub fn period(params: &Params) -> Result<(chrono::NaiveDate, chrono::NaiveDate), Error> {
    let today = tongxin_store::booking::shanghai_day(Timestamp::now());
    let day = |name: &str, default: chrono::NaiveDate| match params.get(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(raw) => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| Error::invalid(name, format!("'{raw}' is not a date like 2026-12-01"))),
    };
    let (from, to) = (day("from", today - chrono::Days::new(30))?, day("to", today)?);
    if to < from || (to - from).num_days() > 366 {
        return Err(Error::invalid("to", "the period runs forward from `from`, at most a year"));
    }
    Ok((from, to))
}

/// Who may read the booking statistics: staff who book or run the catalogue, readers of
/// the operations, and leaders (`stats.read`). Counts only, within the caller's regions.
pub async fn may_read_stats(app: &App, who: &Who) -> Result<(), Error> {
    let reads = [Permission::StatsRead, Permission::CasesRead, Permission::BookingManage];
    if reads.into_iter().any(|p| who.actor.can(p)) {
        return Ok(());
    }
    who.require(app, Permission::BookingBook).await
}

/// Where to move a booking.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RescheduleBody {
    pub slot_id: i64,
}
