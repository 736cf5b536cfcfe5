//! What a resident is told about their bookings, whoever made the change and through
//! whichever channel (phone, operator console, kiosk, API): a booking made (or a waitlist
//! place taken), moved (改约), cancelled, promoted from the waitlist, and the day-before
//! reminder. Each notice is queued in the transaction of the change it tells about. It
//! goes by text to the phone in the resident's record ([`Recipient::Person`]) and in the
//! app to every resident account that may book for them — their own phone's and the
//! family members' (代为预约). The texts carry the service, the time and the site, never a
//! name, an ID number or a phone number.

use sqlx::Row;
use tongxin_core::booking::BookingStatus;
use tongxin_core::time::Timestamp;

use super::book::Booking;
use super::catalog::service_in;
use crate::notifications::Recipient;
use crate::{Store, StoreError, Tx};

/// 12月1日 09:00: when a booking is, for a notice.
pub(super) fn when(b: &Booking) -> String {
    at(b.starts_at)
}

fn at(t: Timestamp) -> String {
    t.to_utc().with_timezone(&tongxin_core::time::SHANGHAI).format("%-m月%-d日 %H:%M").to_string()
}

/// Where a booking is, for a notice: its site, or a home visit.
fn site(b: &Booking) -> &str {
    b.site_name.as_deref().unwrap_or("上门服务")
}

impl Store {
    /// Queues a notice about `booking` for the resident (a text to the phone in their
    /// record) and, in the app, for each resident account that may book for them: their
    /// own phone's and each linked family member's. `params` are the variables of `text`
    /// (`service`, `when`, `site` …).
    pub(super) async fn notify_booking(
        &self,
        tx: &mut Tx,
        booking: &Booking,
        kind: &str,
        text: &str,
        params: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        self.notice_in(tx, kind, Recipient::Person(booking.resident_id), text, params).await?;
        let accounts = sqlx::query(
            "SELECT a.id FROM resident_accounts a WHERE a.phone_index IN \
               (SELECT p.phone_index FROM booking_proxies p WHERE p.resident_id = $1) \
             OR a.phone_index IN (SELECT r.phone_index FROM residents r WHERE r.id = $1) ORDER BY a.id",
        )
        .bind(booking.resident_id)
        .fetch_all(&mut **tx)
        .await?;
        for row in accounts {
            self.notice_in(tx, kind, Recipient::Resident(row.try_get("id")?), text, params).await?;
        }
        Ok(())
    }

    /// A booking was made: confirmed (until when it can be cancelled), or a waitlist place.
    pub(super) async fn tell_booked(&self, tx: &mut Tx, booking: &Booking) -> Result<(), StoreError> {
        let (at_, site) = (when(booking), site(booking));
        let params = [("service", booking.service_name.as_str()), ("when", at_.as_str()), ("site", site)];
        if booking.status == BookingStatus::Waitlisted {
            let text = format!(
                "【同心】您已排上「{}」（{at_}，{site}）的候补。有空位时会自动为您预约并通知您。",
                booking.service_name
            );
            return self.notify_booking(tx, booking, "booking.waitlisted", &text, &params).await;
        }
        let cutoff = service_in(tx, &booking.service_code).await?.map_or(0, |s| s.cancel_cutoff_minutes);
        let until = at(Timestamp::from_millis(booking.starts_at.millis() - cutoff * 60_000));
        let text = format!(
            "【同心】您已预约「{}」，时间：{at_}，地点：{site}。如不能前往，请在{until}前取消。",
            booking.service_name
        );
        self.notify_booking(tx, booking, "booking.confirmed", &text, &params).await
    }

    /// A waitlisted booking got a seat.
    pub(super) async fn tell_promoted(&self, tx: &mut Tx, booking: &Booking) -> Result<(), StoreError> {
        let (at_, site) = (when(booking), site(booking));
        let text = format!(
            "【同心】您候补的「{}」（{at_}，{site}）有了空位，已为您预约成功。如不能前往，请提前取消。",
            booking.service_name
        );
        let params = [("service", booking.service_name.as_str()), ("when", at_.as_str()), ("site", site)];
        self.notify_booking(tx, booking, "booking.promoted", &text, &params).await
    }

    /// A booking was moved (改约) from `old`'s time to `new`'s.
    pub(super) async fn tell_moved(&self, tx: &mut Tx, old: &Booking, new: &Booking) -> Result<(), StoreError> {
        let (at_, site, was) = (when(new), site(new), when(old));
        let text =
            format!("【同心】您预约的「{}」已改到{at_}，地点：{site}。原来{was}的预约已取消。", new.service_name);
        let params =
            [("service", new.service_name.as_str()), ("when", at_.as_str()), ("site", site), ("old", was.as_str())];
        self.notify_booking(tx, new, "booking.moved", &text, &params).await
    }

    /// A booking (or a waitlist place) was cancelled.
    pub(super) async fn tell_cancelled(&self, tx: &mut Tx, booking: &Booking) -> Result<(), StoreError> {
        let (at_, site) = (when(booking), site(booking));
        let text = format!("【同心】您预约的「{}」（{at_}，{site}）已取消。", booking.service_name);
        let params = [("service", booking.service_name.as_str()), ("when", at_.as_str()), ("site", site)];
        self.notify_booking(tx, booking, "booking.cancelled", &text, &params).await
    }
}
