//! Finding the registered building an address in words names: "常德路27弄5号", typed by
//! intake staff from a caller, or sent by the 12345 hotline as "上海市静安区常德路 二十七弄
//! 5号 302室".
//!
//! [`Matcher::find`] tries, in order:
//! 1. the address exactly as registered (after [`normalise`]: full-width forms folded,
//!    spaces dropped);
//! 2. the building's name ("华怡园3号楼") contained in the text;
//! 3. the street, 弄 and 号 read from the text ([`Parts`]), compared with each building's.
//!    Chinese numerals count (二十七弄), and what follows the 号 (a unit or a room) is
//!    ignored. A text that names a street and a 弄 but no 号, or that fits several
//!    buildings, gets the candidates, at most [`MAX_CANDIDATES`], for a person to choose.

use unicode_normalization::UnicodeNormalization;

/// The most candidates offered for an ambiguous address; a vaguer one matches nothing.
pub const MAX_CANDIDATES: usize = 12;

/// Full-width forms folded (NFKC), whitespace dropped, and the city and district prefixes
/// a caller may add removed.
pub fn normalise(raw: &str) -> String {
    let folded: String = raw.nfkc().filter(|c| !c.is_whitespace()).collect();
    let mut text = folded.as_str();
    for prefix in ["上海市", "上海"] {
        text = text.strip_prefix(prefix).unwrap_or(text);
    }
    // "静安区…": a district name is at most five characters before 区.
    if let Some(at) = text.char_indices().take(6).find(|(_, c)| *c == '区').map(|(i, _)| i) {
        text = &text[at + '区'.len_utf8()..];
    }
    text.to_owned()
}

/// The street, 弄 and 号 of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub street: String,
    pub lane: Option<u32>,
    pub number: Option<u32>,
}

const STREET_ENDS: [char; 4] = ['路', '街', '道', '巷'];

impl Parts {
    /// Reads a registered address: the street is everything before the first number.
    pub fn of_registered(address: &str) -> Option<Parts> {
        let text = normalise(address);
        let first_number = text.char_indices().find(|(_, c)| c.is_ascii_digit() || numeral(*c).is_some())?.0;
        let street = text[..first_number].to_owned();
        if !street.ends_with(STREET_ENDS) {
            return None;
        }
        let (lane, number) = lane_and_number(&text[first_number..]);
        Some(Parts { street, lane, number })
    }

    /// Reads the 弄 and 号 that follow `street` in `text`, if `text` names the street.
    fn after_street(text: &str, street: &str) -> Option<Parts> {
        let at = text.find(street)?;
        let (lane, number) = lane_and_number(&text[at + street.len()..]);
        Some(Parts { street: street.to_owned(), lane, number })
    }
}

/// The 弄 and 号 at the start of `rest` ("27弄5号302室", "五号", "27弄").
fn lane_and_number(rest: &str) -> (Option<u32>, Option<u32>) {
    let (first, after_first) = read_number(rest);
    let Some(first) = first else { return (None, None) };
    match after_first.chars().next() {
        Some('弄') => {
            let (second, after_second) = read_number(&after_first['弄'.len_utf8()..]);
            let numbered = after_second.starts_with('号') || after_second.starts_with('幢');
            (Some(first), second.filter(|_| numbered))
        }
        Some('号' | '幢') => (None, Some(first)),
        _ => (None, None),
    }
}

/// A leading number in Arabic or Chinese numerals (up to 9999), and the rest.
fn read_number(text: &str) -> (Option<u32>, &str) {
    let digits: usize = text.chars().take_while(char::is_ascii_digit).map(char::len_utf8).sum();
    if digits > 0 {
        return (text[..digits].parse().ok().filter(|n| *n < 100_000), &text[digits..]);
    }
    let len: usize = text.chars().take_while(|c| numeral(*c).is_some()).map(char::len_utf8).sum();
    if len == 0 {
        return (None, text);
    }
    (chinese_number(&text[..len]), &text[len..])
}

fn numeral(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// 二十七 → 27, 十五 → 15, 一百零三 → 103, 三五 → 35 (digit by digit).
fn chinese_number(text: &str) -> Option<u32> {
    let values: Vec<u32> = text.chars().map(numeral).collect::<Option<_>>()?;
    if values.iter().all(|v| *v < 10) {
        return values.iter().try_fold(0u32, |acc, d| acc.checked_mul(10)?.checked_add(*d));
    }
    let (mut total, mut digit) = (0u32, None::<u32>);
    for v in values {
        if v >= 10 {
            total += digit.unwrap_or(1) * v;
            digit = None;
        } else {
            digit = Some(v);
        }
    }
    Some(total + digit.unwrap_or(0))
}

/// A building as the matcher knows it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub name: String,
    pub address: String,
}

/// What an address matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Exactly one building.
    One(i64),
    /// Several that fit; a person chooses.
    Candidates(Vec<i64>),
    None,
}

/// The registered buildings, read for matching.
pub struct Matcher {
    entries: Vec<(Entry, String, Option<Parts>)>,
}

impl Matcher {
    pub fn new(buildings: impl IntoIterator<Item = Entry>) -> Self {
        let entries = buildings
            .into_iter()
            .map(|e| {
                let exact = normalise(&e.address);
                let parts = Parts::of_registered(&e.address);
                (e, exact, parts)
            })
            .collect();
        Matcher { entries }
    }

    pub fn find(&self, address: &str) -> Found {
        let text = normalise(address);
        if text.is_empty() {
            return Found::None;
        }
        if let Some((e, _, _)) = self.entries.iter().find(|(_, exact, _)| *exact == text) {
            return Found::One(e.id);
        }
        let named: Vec<i64> = self
            .entries
            .iter()
            .filter(|(e, _, _)| {
                let name = normalise(&e.name);
                name.chars().count() >= 3 && text.contains(&name)
            })
            .map(|(e, _, _)| e.id)
            .collect();
        if let [one] = named.as_slice() {
            return Found::One(*one);
        }
        let fitting: Vec<i64> = self
            .entries
            .iter()
            .filter(|(_, _, parts)| parts.as_ref().is_some_and(|p| fits(&text, p)))
            .map(|(e, _, _)| e.id)
            .collect();
        match fitting.as_slice() {
            [one] => Found::One(*one),
            [] if named.len() > 1 => Found::Candidates(named.into_iter().take(MAX_CANDIDATES).collect()),
            [] => Found::None,
            many if many.len() <= MAX_CANDIDATES => Found::Candidates(many.to_vec()),
            _ => Found::None,
        }
    }
}

/// Whether `text` names this building's street and its 弄 and 号, as far as it gives them:
/// a text with a 弄 but no 号 fits every building in the lane; one with neither fits none.
fn fits(text: &str, building: &Parts) -> bool {
    let Some(said) = Parts::after_street(text, &building.street) else { return false };
    match (said.lane, said.number) {
        (None, None) => false,
        (lane, None) => lane == building.lane,
        (lane, number) => lane == building.lane && number == building.number,
    }
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
