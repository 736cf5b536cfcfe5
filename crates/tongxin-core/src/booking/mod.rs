//! One door for services (一网通办 / 智慧养老): a catalogue of services given at sites or at
//! home, slots generated from weekly timetables, and bookings made for residents through
//! every channel — the resident's phone, a telephone operator, a kiosk at a site, or the
//! API. The vocabularies here, who may book what ([`eligibility`]), when slots fall
//! ([`timetable`]) and the kiosk PIN with its lockout rules ([`pin`]) are pure; the store
//! keeps the seats.

pub mod eligibility;
pub mod pin;
pub mod timetable;

vocabulary! {
    /// The kinds of service site.
    SiteKind {
        ElderCentre = ("elder_centre", "综合为老服务中心"),
        CareHome = ("care_home", "长者照护之家"),
        DayCare = ("day_care", "日间照料中心"),
        Canteen = ("canteen", "社区食堂/助餐点"),
        HealthCentre = ("health_centre", "社区卫生服务中心"),
    }
}

vocabulary! {
    /// Through which door a booking came in.
    Channel {
        /// The resident's (or a linked family member's) phone pages.
        App = ("app", "手机"),
        /// A telephone operator (坐席) on the caller's behalf.
        Operator = ("operator", "电话坐席"),
        /// The self-service terminal at a site.
        Kiosk = ("kiosk", "自助终端"),
        /// Another system, through the JSON API.
        Api = ("api", "接口"),
        /// Staff at a site or in the operations centre.
        Staff = ("staff", "工作人员"),
    }
}

vocabulary! {
    BookingStatus {
        /// Holds a seat.
        Confirmed = ("confirmed", "已预约"),
        /// Waiting for a seat to free; promoted in order.
        Waitlisted = ("waitlisted", "候补"),
        Cancelled = ("cancelled", "已取消"),
        /// Came, and was checked in at the site.
        CheckedIn = ("checked_in", "已签到"),
        /// Did not come: marked after the slot ended.
        NoShow = ("no_show", "未到"),
    }
}

impl BookingStatus {
    /// Whether the booking holds a seat.
    pub fn holds_seat(self) -> bool {
        matches!(self, BookingStatus::Confirmed | BookingStatus::CheckedIn)
    }

    /// Whether the booking still counts against the resident's limits.
    pub fn counts(self) -> bool {
        !matches!(self, BookingStatus::Cancelled)
    }
}

/// An `Idempotency-Key`: 8 to 64 characters of letters, digits, `-` and `_` (a UUID fits).
pub fn idempotency_key(raw: &str) -> Result<&str, String> {
    let ok = (8..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw)
    } else {
        Err(format!(
            "the Idempotency-Key '{}' is not 8 to 64 letters, digits, '-' or '_' (a UUID will do)",
            raw.chars().take(80).collect::<String>()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_checked() {
        assert!(idempotency_key("4f1c2a9e-0d7b-4c1e-9a55-3b2f6d8e7a10").is_ok());
        assert!(idempotency_key("short").is_err());
        assert!(idempotency_key("has space in it").is_err());
        assert!(idempotency_key(&"x".repeat(65)).is_err());
    }

    #[test]
    fn seats_and_limits_follow_the_status() {
        assert!(BookingStatus::Confirmed.holds_seat() && BookingStatus::CheckedIn.holds_seat());
        assert!(!BookingStatus::Waitlisted.holds_seat() && BookingStatus::Waitlisted.counts());
        assert!(!BookingStatus::Cancelled.counts());
        assert_eq!("电话坐席".parse::<Channel>(), Ok(Channel::Operator));
    }
}
