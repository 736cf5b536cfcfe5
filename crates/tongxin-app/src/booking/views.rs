//! What the booking use cases answer with (the JSON API's bodies).

use serde::Serialize;
use tongxin_store::booking::book::{Booking, Cancelled};
use tongxin_store::booking::catalog::{Category, Service, Site};
use tongxin_store::booking::slots::Slot;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogView {
    pub categories: Vec<CategoryView>,
    pub sites: Vec<SiteView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub services: Vec<ServiceView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub provider: String,
    /// Given at the resident's home.
    pub home_visit: bool,
    /// The codes of the sites that give it.
    pub sites: Vec<String>,
    pub minutes: u32,
    /// Yuan, shown and never charged.
    pub price: String,
    pub subsidy: String,
    pub cancel_cutoff_minutes: i64,
    pub documents: String,
    pub rules: RulesView,
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RulesView {
    pub min_age: Option<u8>,
    pub registered_only: bool,
    /// At least one of these registry tags.
    pub tags_any: Vec<String>,
    pub care_level_min: Option<u8>,
    pub per_day: Option<u32>,
    pub per_month: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    pub id: i64,
    pub code: String,
    /// elder_centre, care_home, day_care, canteen, health_centre
    pub kind: String,
    pub name: String,
    pub name_en: String,
    pub region: String,
    pub address: String,
    /// Monday first: "08:00-17:00", or "" for closed.
    pub hours: Vec<String>,
}

pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

impl From<&Service> for ServiceView {
    fn from(s: &Service) -> Self {
        Self {
            code: s.code.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            description: s.description.clone(),
            provider: s.provider.clone(),
            home_visit: s.home_visit,
            sites: s.sites.clone(),
            minutes: s.minutes,
            price: yuan(s.price_fen),
            subsidy: yuan(s.subsidy_fen),
            cancel_cutoff_minutes: s.cancel_cutoff_minutes,
            documents: s.documents.clone(),
            rules: RulesView {
                min_age: s.rules.min_age,
                registered_only: s.rules.registered_only,
                tags_any: s.rules.tags_any.iter().map(|t| t.as_str().to_owned()).collect(),
                care_level_min: s.rules.care_level_min,
                per_day: s.rules.per_day,
                per_month: s.rules.per_month,
            },
            active: s.active,
        }
    }
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        Self {
            id: s.id,
            code: s.code.clone(),
            kind: s.kind.as_str().into(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            region: s.region.to_string(),
            address: s.address.clone(),
            hours: s.hours.texts().to_vec(),
        }
    }
}

impl CatalogView {
    pub fn new(categories: Vec<Category>, services: Vec<Service>, sites: Vec<Site>) -> Self {
        Self {
            categories: categories
                .into_iter()
                .map(|c| CategoryView {
                    services: services.iter().filter(|s| s.category == c.code).map(ServiceView::from).collect(),
                    code: c.code,
                    name: c.name,
                    name_en: c.name_en,
                })
                .collect(),
            sites: sites.iter().map(SiteView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub id: i64,
    pub service: String,
    pub service_name: String,
    pub site_id: Option<i64>,
    pub site_name: Option<String>,
    /// RFC 3339, Shanghai time.
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    /// Seats held by bookings.
    pub booked: i64,
    /// Seats left (0 when blocked).
    pub free: i64,
    pub blocked: bool,
    pub waitlisted: i64,
}

impl From<&Slot> for SlotView {
    fn from(s: &Slot) -> Self {
        Self {
            id: s.id,
            service: s.service_code.clone(),
            service_name: s.service_name.clone(),
            site_id: s.site_id,
            site_name: s.site_name.clone(),
            starts_at: s.starts_at.to_shanghai_rfc3339(),
            ends_at: s.ends_at.to_shanghai_rfc3339(),
            capacity: s.capacity,
            booked: s.booked,
            free: s.free(),
            blocked: s.blocked,
            waitlisted: s.waitlisted,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotPage {
    pub items: Vec<SlotView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingView {
    pub id: i64,
    pub slot_id: i64,
    pub service: String,
    pub service_name: String,
    pub site_id: Option<i64>,
    pub site_name: Option<String>,
    pub resident_id: i64,
    pub resident_name: String,
    pub starts_at: String,
    pub ends_at: String,
    /// confirmed, waitlisted, cancelled, checked_in, no_show
    pub status: String,
    /// app, operator, kiosk, api, staff
    pub channel: String,
    /// Who made it (a staff member's or key's name, or a resident's masked phone).
    pub booked_by: String,
    pub created_at: String,
}

impl From<&Booking> for BookingView {
    fn from(b: &Booking) -> Self {
        Self {
            id: b.id,
            slot_id: b.slot_id,
            service: b.service_code.clone(),
            service_name: b.service_name.clone(),
            site_id: b.site_id,
            site_name: b.site_name.clone(),
            resident_id: b.resident_id,
            resident_name: b.resident_name.clone(),
            starts_at: b.starts_at.to_shanghai_rfc3339(),
            ends_at: b.ends_at.to_shanghai_rfc3339(),
            status: b.status.as_str().into(),
            channel: b.channel.as_str().into(),
            booked_by: b.actor_name.clone(),
            created_at: b.created_at.to_shanghai_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancelledView {
    pub booking: BookingView,
    /// Waitlisted bookings that took the freed seat.
    pub promoted: Vec<BookingView>,
}

impl From<&Cancelled> for CancelledView {
    fn from(c: &Cancelled) -> Self {
        Self { booking: BookingView::from(&c.booking), promoted: c.promoted.iter().map(BookingView::from).collect() }
    }
}
