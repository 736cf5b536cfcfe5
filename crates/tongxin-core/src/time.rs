//! Instants. Tongxin stores UTC (as milliseconds since the Unix epoch, the one integer
//! representation both database backends sort and compare the same way) and shows
//! Asia/Shanghai.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Serialize, Serializer};

/// The zone every page and report shows times in.
pub const SHANGHAI: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("+08:00 is a valid offset"),
};

/// A point in time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// RFC 3339 in Shanghai time, e.g. `2026-11-27T11:17:50+08:00`.
    pub fn to_shanghai_rfc3339(self) -> String {
        self.to_utc().with_timezone(&SHANGHAI).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_shanghai_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_shanghai_time() {
        let t = Timestamp::from_millis(1_795_749_470_000); // 2026-11-27T03:17:50Z
        assert_eq!(t.to_shanghai_rfc3339(), "2026-11-27T11:17:50+08:00");
    }

    #[test]
    fn round_trips_millis() {
        let t = Timestamp::now();
        assert_eq!(Timestamp::from_millis(t.millis()), t);
    }
}
