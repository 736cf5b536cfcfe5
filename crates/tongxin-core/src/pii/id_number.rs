//! The resident ID number (公民身份号码, GB 11643-1999): 6 digits of the place of
//! registration, 8 of the birth date, 3 of sequence (odd for men, even for women) and a
//! check character computed with ISO 7064 MOD 11-2.

use std::fmt;

use chrono::NaiveDate;

/// A valid 18-character ID number. Construct with [`IdNumber::parse`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters, got {0}")]
    Length(usize),
    #[error("an ID number is 17 digits and a final digit or X")]
    Characters,
    #[error("the birth date in the ID number is not a real date")]
    BirthDate,
    #[error("the ID number's check character should be {expected}; the number has a typo")]
    CheckDigit { expected: char },
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn check_character(first17: &str) -> Option<char> {
    let digits: Vec<u32> = first17.chars().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
    (digits.len() == 17).then(|| CHECK[(digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum::<u32>() % 11) as usize])
}

impl IdNumber {
    pub fn parse(raw: &str) -> Result<Self, IdNumberError> {
        let value: String = raw.trim().to_ascii_uppercase();
        let count = value.chars().count();
        if count != 18 {
            return Err(IdNumberError::Length(count));
        }
        if !value.is_ascii() {
            return Err(IdNumberError::Characters);
        }
        let (first17, last) = value.split_at(17);
        if !first17.bytes().all(|b| b.is_ascii_digit()) || !(last == "X" || last.as_bytes()[0].is_ascii_digit()) {
            return Err(IdNumberError::Characters);
        }
        let birth = NaiveDate::parse_from_str(&value[6..14], "%Y%m%d").map_err(|_| IdNumberError::BirthDate)?;
        if birth < NaiveDate::from_ymd_opt(1890, 1, 1).expect("a valid date") {
            return Err(IdNumberError::BirthDate);
        }
        let expected = check_character(first17).ok_or(IdNumberError::Characters)?;
        if !last.starts_with(expected) {
            return Err(IdNumberError::CheckDigit { expected });
        }
        Ok(Self(value))
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked in parse")
    }

    /// The sequence digit is even for women.
    pub fn is_female(&self) -> bool {
        self.0.as_bytes()[16].is_multiple_of(2)
    }

    /// `3***************1X`: the first character and the last two.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..1], "*".repeat(15), &self.0[16..])
    }

    /// The full value, for encryption and for the few screens entitled to it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_number() {
        let id = IdNumber::parse(" 11010519491231002x ").unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(id.is_female());
        assert_eq!(id.masked(), "1***************2X");
        assert_eq!(format!("{id:?}"), "IdNumber(1***************2X)");
    }

    #[test]
    fn refuses_typos_and_impossible_dates() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::CheckDigit { expected: 'X' }));
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdNumberError::Length(16)));
        assert_eq!(IdNumber::parse("11010519491231002Y"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("11010519490231002X"), Err(IdNumberError::BirthDate));
        assert_eq!(IdNumber::parse("１１０１０５１９４９１２３１００２X"), Err(IdNumberError::Characters));
    }

    #[test]
    fn computes_check_characters() {
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check_character("31010619500101001"), Some(check_character("31010619500101001").unwrap()));
        let with_check = format!("31010619500101001{}", check_character("31010619500101001").unwrap());
        assert!(IdNumber::parse(&with_check).is_ok());
        assert_eq!(check_character("1234"), None);
    }
}
