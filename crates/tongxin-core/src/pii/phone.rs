//! Phone numbers: mainland mobile numbers (11 digits from 13x to 19x) and landlines with
//! their area code (`021-62481234`), normalised so that the same number always has the
//! same text, and so the same blind index.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a phone number is an 11-digit mobile number (13x–19x) or a landline with its area code, like 021-62481234")]
pub struct PhoneError;

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+')).collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError);
        }
        let digits = digits
            .strip_prefix("0086")
            .or_else(|| (digits.len() == 13).then(|| digits.strip_prefix("86")).flatten())
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Self(digits.to_owned()));
        }
        // Landlines: 0 + a 2- or 3-digit area code + a 7- or 8-digit number. Beijing,
        // Shanghai, Tianjin, Chongqing and the 02x cities have two-digit codes.
        if b.first() == Some(&b'0') {
            let area_len = if b.get(1) == Some(&b'1') || b.get(1) == Some(&b'2') { 3 } else { 4 };
            let local = b.len().saturating_sub(area_len);
            if (7..=8).contains(&local) && b.len() > area_len {
                return Ok(Self(format!("{}-{}", &digits[..area_len], &digits[area_len..])));
            }
        }
        Err(PhoneError)
    }

    /// `138****5678`, or `021-****1234` for a landline.
    pub fn masked(&self) -> String {
        match self.0.split_once('-') {
            Some((area, local)) => format!("{area}-****{}", &local[local.len() - 4..]),
            None => format!("{}****{}", &self.0[..3], &self.0[7..]),
        }
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.contains('-')
    }

    /// The full value, for encryption, SMS and the few screens entitled to it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_mobiles() {
        for raw in ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678", "8613812345678"] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().expose(), "13812345678", "{raw}");
        }
        let phone = PhoneNumber::parse("13812345678").unwrap();
        assert_eq!(phone.masked(), "138****5678");
        assert_eq!(format!("{phone:?}"), "PhoneNumber(138****5678)");
        assert!(phone.is_mobile());
    }

    #[test]
    fn normalises_landlines() {
        let shanghai = PhoneNumber::parse("(021) 6248 1234").unwrap();
        assert_eq!(shanghai.expose(), "021-62481234");
        assert_eq!(shanghai.masked(), "021-****1234");
        assert_eq!(PhoneNumber::parse("0571-8765432").unwrap().expose(), "0571-8765432");
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for raw in ["", "12812345678", "1381234567", "138123456789", "abc", "110", "021-123"] {
            assert_eq!(PhoneNumber::parse(raw), Err(PhoneError), "{raw}");
        }
    }
}
