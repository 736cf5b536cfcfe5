//! When slots fall: a service's weekly timetable at a site, laid out over a range of days
//! in Shanghai time, skipping the days the site is closed and the times it is shut.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Weekday};

use crate::time::{SHANGHAI, Timestamp};

/// One weekly appointment time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekly {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub minutes: u32,
    pub capacity: u32,
}

/// A site's opening hours per weekday (Monday first): open and close, or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hours(pub [Option<(NaiveTime, NaiveTime)>; 7]);

impl Hours {
    /// Every day, all day: a home visit's "site".
    pub fn always() -> Self {
        let day = NaiveTime::from_hms_opt(0, 0, 0).zip(NaiveTime::from_hms_opt(23, 59, 59));
        Hours([day; 7])
    }

    /// Reads "08:00-17:00" per weekday, Monday first; "" is closed.
    pub fn parse(days: &[&str; 7]) -> Result<Self, String> {
        let mut hours = [None; 7];
        for (i, text) in days.iter().enumerate() {
            if text.trim().is_empty() {
                continue;
            }
            let (open, close) = text.split_once('-').ok_or_else(|| format!("'{text}' is not like 08:00-17:00"))?;
            let time = |t: &str| {
                NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| format!("'{t}' is not a time like 08:00"))
            };
            let (open, close) = (time(open)?, time(close)?);
            if close <= open {
                return Err(format!("'{text}' closes before it opens"));
            }
            hours[i] = Some((open, close));
        }
        Ok(Hours(hours))
    }

    /// Whether the site is open for the whole of `start` to `start + minutes` on a `weekday`.
    pub fn holds(&self, weekday: Weekday, start: NaiveTime, minutes: u32) -> bool {
        let Some((open, close)) = self.0[weekday.num_days_from_monday() as usize] else { return false };
        let end = start + chrono::Duration::minutes(i64::from(minutes));
        start >= open && end <= close && end > start
    }

    /// "08:00-17:00" per weekday, Monday first; "" for closed.
    pub fn texts(&self) -> [String; 7] {
        self.0.map(|d| d.map(|(o, c)| format!("{}-{}", o.format("%H:%M"), c.format("%H:%M"))).unwrap_or_default())
    }
}

/// One slot to be: its start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotTime {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: u32,
}

/// The start of `day` at `time`, Shanghai time.
pub fn at(day: NaiveDate, time: NaiveTime) -> Timestamp {
    let local = SHANGHAI.from_local_datetime(&day.and_time(time)).single().expect("a fixed offset has no gaps");
    Timestamp::from_millis(local.timestamp_millis())
}

/// The slots of `timetable` from `from` to `until` (inclusive) at a site open `hours`,
/// except on the days `closed` says; in time order.
pub fn lay_out(
    timetable: &[Weekly],
    hours: &Hours,
    from: NaiveDate,
    until: NaiveDate,
    closed: impl Fn(NaiveDate) -> bool,
) -> Vec<SlotTime> {
    let mut slots = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= until) {
        if closed(day) {
            continue;
        }
        for w in timetable.iter().filter(|w| w.weekday == day.weekday()) {
            if hours.holds(w.weekday, w.start, w.minutes) {
                let starts_at = at(day, w.start);
                let ends_at = Timestamp::from_millis(starts_at.millis() + i64::from(w.minutes) * 60_000);
                slots.push(SlotTime { starts_at, ends_at, capacity: w.capacity });
            }
        }
    }
    slots.sort_by_key(|s| s.starts_at.millis());
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn slots_fall_on_open_days_in_shanghai_time() {
        let hours = Hours::parse(&["08:00-17:00", "08:00-17:00", "", "08:00-12:00", "", "", ""]).unwrap();
        let timetable = [
            Weekly { weekday: Weekday::Mon, start: t(9, 0), minutes: 30, capacity: 10 },
            Weekly { weekday: Weekday::Thu, start: t(11, 45), minutes: 30, capacity: 5 }, // past closing
            Weekly { weekday: Weekday::Wed, start: t(9, 0), minutes: 30, capacity: 5 },   // closed day
        ];
        let from = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(); // a Monday
        let until = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
        let holiday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let slots = lay_out(&timetable, &hours, from, until, |d| d == holiday);
        assert_eq!(slots.len(), 2, "30 Nov and 14 Dec; 7 Dec is closed: {slots:?}");
        assert_eq!(slots[0].starts_at.to_shanghai_rfc3339(), "2026-11-30T09:00:00+08:00");
        assert_eq!(slots[0].ends_at.millis() - slots[0].starts_at.millis(), 30 * 60_000);
        assert_eq!(slots[1].capacity, 10);
    }

    #[test]
    fn hours_are_read_and_refused() {
        assert!(Hours::parse(&["9-17", "", "", "", "", "", ""]).is_err());
        assert!(Hours::parse(&["17:00-08:00", "", "", "", "", "", ""]).is_err());
        let h = Hours::parse(&["", "", "", "", "", "", "10:00-14:00"]).unwrap();
        assert_eq!(h.texts()[6], "10:00-14:00");
        assert!(h.holds(Weekday::Sun, t(13, 30), 30) && !h.holds(Weekday::Sun, t(13, 31), 30));
        assert!(Hours::always().holds(Weekday::Tue, t(14, 0), 120));
    }
}
