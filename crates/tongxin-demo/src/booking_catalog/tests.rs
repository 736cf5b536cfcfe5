use super::*;
use std::collections::HashSet;

const KINDS: [&str; 5] = ["elder_centre", "care_home", "day_care", "canteen", "health_centre"];
const TAGS: [&str; 4] = ["lives_alone", "childless", "disabled", "dibao"];

/// Minutes since midnight of a strict "HH:MM".
fn minutes(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let (h, m) =
        (u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'), u32::from(b[3] - b'0') * 10 + u32::from(b[4] - b'0'));
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Opening and closing minutes of "08:00-17:00"; None for "" (closed).
fn hours(text: &str) -> Option<(u32, u32)> {
    if text.is_empty() {
        return None;
    }
    let (open, close) = text.split_once('-').unwrap_or_else(|| panic!("hours '{text}' are not like 08:00-17:00"));
    let open = minutes(open).unwrap_or_else(|| panic!("bad opening time in '{text}'"));
    let close = minutes(close).unwrap_or_else(|| panic!("bad closing time in '{text}'"));
    assert!(open < close, "'{text}' closes before it opens");
    Some((open, close))
}

#[test]
fn counts() {
    assert_eq!(CATEGORIES.len(), 6);
    assert_eq!(services().count(), 55);
    assert!((8..=10).contains(&SITES.len()));
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for c in CATEGORIES {
        assert!(!c.code.is_empty() && c.code.bytes().all(|b| b.is_ascii_uppercase()), "category {}", c.code);
        assert!(!c.zh.is_empty() && !c.en.is_empty(), "category {} has no name", c.code);
        assert!(seen.insert(c.code), "category code {} repeats", c.code);
    }
    let mut seen = HashSet::new();
    for s in SITES {
        assert!(
            !s.code.is_empty() && s.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "site code {}",
            s.code
        );
        assert!(seen.insert(s.code), "site code {} repeats", s.code);
    }
    let mut seen = HashSet::new();
    for s in services() {
        let (prefix, number) = s.code.rsplit_once('-').unwrap_or_else(|| panic!("service code {}", s.code));
        assert_eq!(prefix, s.category, "service code {} does not start with its category", s.code);
        assert!(number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit()), "service code {}", s.code);
        assert!(seen.insert(s.code), "service code {} repeats", s.code);
    }
}

#[test]
fn every_category_is_known_and_has_five_services() {
    for s in services() {
        assert!(CATEGORIES.iter().any(|c| c.code == s.category), "{} names unknown category {}", s.code, s.category);
    }
    for c in CATEGORIES {
        let n = services().filter(|s| s.category == c.code).count();
        assert!(n >= 5, "category {} has only {n} services", c.code);
    }
}

#[test]
fn sites_are_well_formed_and_cover_every_kind() {
    for s in SITES {
        assert!(KINDS.contains(&s.kind), "site {} has unknown kind {}", s.code, s.kind);
        assert!(!s.zh.is_empty() && !s.en.is_empty() && !s.address.is_empty(), "site {}", s.code);
        assert!(s.hours.iter().any(|h| hours(h).is_some()), "site {} is never open", s.code);
    }
    for kind in KINDS {
        assert!(SITES.iter().any(|s| s.kind == kind), "no site of kind {kind}");
    }
}

#[test]
fn timetables_fit_the_opening_hours() {
    for s in services() {
        assert!(!s.timetable.is_empty(), "{} has an empty timetable", s.code);
        assert!(s.minutes > 0 && s.capacity > 0, "{} has no length or no seats", s.code);
        for &(weekday, at) in s.timetable {
            assert!((1..=7).contains(&weekday), "{} has weekday {weekday}", s.code);
            let start = minutes(at).unwrap_or_else(|| panic!("{} has malformed start '{at}'", s.code));
            let end = start + u32::from(s.minutes);
            assert!(end < 24 * 60, "{} runs past midnight", s.code);
            let Where::Sites(kinds) = s.place else { continue };
            assert!(!kinds.is_empty(), "{} names no site kind", s.code);
            for kind in kinds {
                assert!(KINDS.contains(kind), "{} names unknown site kind {kind}", s.code);
                for site in SITES.iter().filter(|site| site.kind == *kind) {
                    let open = hours(site.hours[usize::from(weekday) - 1]);
                    assert!(
                        open.is_some_and(|(open, close)| open <= start && end <= close),
                        "{} on weekday {weekday} at {at} does not fit the hours of {}",
                        s.code,
                        site.code
                    );
                }
            }
        }
    }
}

#[test]
fn rules_use_only_allowed_values() {
    for s in services() {
        assert!(matches!(s.min_age, None | Some(60 | 70 | 80)), "{} has min_age {:?}", s.code, s.min_age);
        for tag in s.tags_any {
            assert!(TAGS.contains(tag), "{} has unknown tag {tag}", s.code);
        }
        assert!(
            s.care_level_min.is_none_or(|l| (1..=6).contains(&l)),
            "{} has care level {:?}",
            s.code,
            s.care_level_min
        );
        assert!(s.per_day != Some(0) && s.per_month != Some(0), "{} allows no bookings at all", s.code);
        assert!(s.subsidy_fen <= s.price_fen, "{}: the subsidy exceeds the price", s.code);
        assert!(!s.zh.is_empty() && !s.en.is_empty() && !s.description.is_empty() && !s.provider.is_empty());
    }
}
