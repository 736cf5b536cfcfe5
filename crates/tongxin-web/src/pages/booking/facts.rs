//! What a resident is shown before they confirm a booking or a cancellation, on the phone
//! and at the kiosk alike: the service, the day, the time, the site and its address, the
//! price and subsidy, what to bring, and until when it can be cancelled.

use tongxin_core::time::Timestamp;
use tongxin_store::booking::book::Booking;
use tongxin_store::booking::slots::Slot;

use super::days::day_label;
use crate::i18n::Lang;
use crate::{ApiError, App};

pub struct Facts {
    pub service: String,
    /// 12月8日 周二
    pub day: String,
    /// 09:00–10:00
    pub time: String,
    pub site: String,
    pub address: String,
    /// 12.00 元（补贴 5.00 元）
    pub price: String,
    /// What to bring, or empty.
    pub bring: String,
    /// 12月8日 08:00 前可以取消
    pub cutoff: String,
}

/// Where, when and what of a slot of `service_code`.
struct Place<'a> {
    service_code: &'a str,
    site_id: Option<i64>,
    starts_at: Timestamp,
    ends_at: Timestamp,
}

async fn facts(app: &App, lang: Lang, place: Place<'_>) -> Result<Facts, ApiError> {
    let t = lang.catalog();
    let service = app
        .store
        .service(place.service_code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no service {}", place.service_code)))?;
    let site = match place.site_id {
        Some(id) => app.store.sites().await?.into_iter().find(|s| s.id == id),
        None => None,
    };
    let local = |at: Timestamp| at.to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
    let starts = local(place.starts_at);
    let until = local(Timestamp::from_millis(place.starts_at.millis() - service.cancel_cutoff_minutes * 60_000));
    let until = format!("{} {}", day_label(lang, until.date_naive()), until.format("%H:%M"));
    let (site, address) = match site {
        Some(s) => {
            let name = if lang == Lang::En && !s.name_en.is_empty() { s.name_en } else { s.name };
            (name, s.address)
        }
        None => (t.get("booking.home_visit").to_owned(), t.get("b14_facts.at_home").to_owned()),
    };
    Ok(Facts {
        service: if lang == Lang::En && !service.name_en.is_empty() { service.name_en } else { service.name },
        day: day_label(lang, starts.date_naive()),
        time: format!("{}–{}", starts.format("%H:%M"), local(place.ends_at).format("%H:%M")),
        site,
        address,
        price: super::price(lang, service.price_fen, service.subsidy_fen),
        bring: service.documents,
        cutoff: t.fmt("b14_facts.cutoff_at", &[("time", &until)]),
    })
}

/// The facts of a slot, and the slot (to tell a free seat from a waitlist place).
pub async fn of_slot(app: &App, lang: Lang, slot_id: i64) -> Result<(Slot, Facts), ApiError> {
    let slot = app.store.slot(slot_id).await?.ok_or_else(|| ApiError::not_found(format!("no slot {slot_id}")))?;
    let place = Place {
        service_code: &slot.service_code,
        site_id: slot.site_id,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
    };
    let facts = facts(app, lang, place).await?;
    Ok((slot, facts))
}

/// The facts of a booking, before it is cancelled.
pub async fn of_booking(app: &App, lang: Lang, b: &Booking) -> Result<Facts, ApiError> {
    let place = Place { service_code: &b.service_code, site_id: b.site_id, starts_at: b.starts_at, ends_at: b.ends_at };
    facts(app, lang, place).await
}
