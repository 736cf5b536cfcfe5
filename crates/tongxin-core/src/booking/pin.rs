//! The kiosk PIN (终端口令): the second factor of a kiosk sign-in. An ID number alone
//! gives away the birth date (digits 7–14) and is printed on many papers, so a kiosk asks
//! for something it does not reveal: 4 to 6 digits that the resident chose, set by a
//! telephone operator on the caller's word or on the resident's own phone, and stored only
//! as an argon2id hash.
//!
//! Guessing is bounded by [`Throttle`]s kept in the database: per ID number ([`PER_ID`])
//! and per kiosk ([`PER_KIOSK`]).

use std::fmt;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};

use crate::pii::id_number::IdNumber;

pub const MIN_DIGITS: usize = 4;
pub const MAX_DIGITS: usize = 6;

/// A PIN that meets the rules. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct KioskPin(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a kiosk PIN is 4 to 6 digits")]
    Digits,
    /// All one digit (0000) or a straight run (1234, 9876): the first guesses anyone tries.
    #[error("the PIN is too easy to guess")]
    TooEasy,
    /// Part of the resident's own ID number (the birth date, the last digits …).
    #[error("the PIN is part of the ID number")]
    FromIdNumber,
    /// The two copies typed differ.
    #[error("the two PINs differ")]
    Mismatch,
}

/// The digits of `raw` as typed: spaces dropped, full-width digits (from a Chinese input
/// method) read as ASCII. Anything else is kept, so that it fails the digit check.
pub fn normalise(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            other => other,
        })
        .collect()
}

impl KioskPin {
    /// A PIN for the resident with ID number `id` (when they have one on record).
    pub fn parse(raw: &str, id: Option<&IdNumber>) -> Result<Self, PinError> {
        let digits = normalise(raw);
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinError::Digits);
        }
        let steps: Vec<i16> = digits.as_bytes().windows(2).map(|w| i16::from(w[1]) - i16::from(w[0])).collect();
        if steps.iter().all(|s| *s == 0) || steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
            return Err(PinError::TooEasy);
        }
        if id.is_some_and(|id| id.expose().contains(&digits)) {
            return Err(PinError::FromIdNumber);
        }
        Ok(Self(digits))
    }

    /// [`KioskPin::parse`], and `again` must be the same digits.
    pub fn parse_twice(raw: &str, again: &str, id: Option<&IdNumber>) -> Result<Self, PinError> {
        let pin = Self::parse(raw, id)?;
        if normalise(again) != pin.0 {
            return Err(PinError::Mismatch);
        }
        Ok(pin)
    }

    /// An argon2id hash in PHC string form, with a fresh salt; checked with
    /// [`crate::access::password::verify_password`].
    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .expect("argon2 with default parameters")
            .to_string()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for KioskPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KioskPin(****)")
    }
}

/// How many failed sign-ins a subject may have within a window before it is locked, and
/// for how long. A lock starts the count again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i64,
    pub window_ms: i64,
    pub lock_ms: i64,
}

const MINUTE: i64 = 60_000;

/// One ID number: 5 failures (within a day, since the last success) lock it for 15 minutes,
/// at every kiosk. At most 480 guesses a day of one person's PIN.
pub const PER_ID: Throttle = Throttle { failures: 5, window_ms: 24 * 60 * MINUTE, lock_ms: 15 * MINUTE };

/// One kiosk: 20 failures within 10 minutes, whatever the ID numbers, lock its ID-number
/// sign-in for 15 minutes (the phone's QR code still works).
pub const PER_KIOSK: Throttle = Throttle { failures: 20, window_ms: 10 * MINUTE, lock_ms: 15 * MINUTE };

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::password::verify_password;

    #[test]
    fn four_to_six_digits() {
        assert_eq!(KioskPin::parse("2580", None).unwrap().expose(), "2580");
        assert_eq!(KioskPin::parse(" 25 80 ", None).unwrap().expose(), "2580", "spaces dropped");
        assert_eq!(KioskPin::parse("２５８０", None).unwrap().expose(), "2580", "full-width digits");
        assert_eq!(KioskPin::parse("258031", None).unwrap().expose(), "258031");
        for bad in ["", "258", "2580319", "25a0", "二五八零", "25-80"] {
            assert_eq!(KioskPin::parse(bad, None), Err(PinError::Digits), "{bad}");
        }
    }

    #[test]
    fn refuses_the_first_guesses() {
        for easy in ["0000", "1111", "1234", "4321", "123456", "987654", "6789"] {
            assert_eq!(KioskPin::parse(easy, None), Err(PinError::TooEasy), "{easy}");
        }
        assert!(KioskPin::parse("1235", None).is_ok());
    }

    #[test]
    fn refuses_what_the_id_number_gives_away() {
        let id = IdNumber::parse("310106194203150020").unwrap();
        for given in ["1942", "0315", "194203", "0020", "3101"] {
            assert_eq!(KioskPin::parse(given, Some(&id)), Err(PinError::FromIdNumber), "{given}");
        }
        assert!(KioskPin::parse("2580", Some(&id)).is_ok());
    }

    #[test]
    fn typed_twice() {
        assert!(KioskPin::parse_twice("2580", "２５８０", None).is_ok());
        assert_eq!(KioskPin::parse_twice("2580", "2581", None), Err(PinError::Mismatch));
    }

    #[test]
    fn hashed_and_never_printed() {
        let pin = KioskPin::parse("2580", None).unwrap();
        let hash = pin.hash();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("2580", &hash) && !verify_password("2581", &hash));
        assert_eq!(format!("{pin:?}"), "KioskPin(****)");
    }
}
