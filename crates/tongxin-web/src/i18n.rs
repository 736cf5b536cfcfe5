//! The reader's language, from its cookie. Every string a page shows comes from a message
//! catalog ([`tongxin_app::i18n`]): `locales/zh-CN.toml` (the default) or
//! `locales/en.toml` of the tongxin-app crate, embedded in the binary. Keys are the TOML tables
//! joined with dots (`[map] title` is `map.title`). A test keeps both catalogs holding
//! the same keys and every key used in a template present.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;

pub use tongxin_app::i18n::Catalog;

/// The cookie remembering the reader's language.
pub const LANG_COOKIE: &str = "tongxin_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Self::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code))
    }

    pub fn catalog(self) -> &'static Catalog {
        tongxin_app::i18n::catalog(self.code())
    }
}

/// Reads the language from the cookie; zh-CN when there is none.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let from_cookie = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::from_code(value));
        Ok(from_cookie.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let zh: BTreeSet<_> = Lang::ZhCn.catalog().keys().collect();
        let en: BTreeSet<_> = Lang::En.catalog().keys().collect();
        assert_eq!(zh.difference(&en).collect::<Vec<_>>(), Vec::<&&str>::new(), "missing in en");
        assert_eq!(en.difference(&zh).collect::<Vec<_>>(), Vec::<&&str>::new(), "missing in zh-CN");
    }

    /// Every key a template or page module names exists: `t.get("…")` and `t.fmt("…"`
    /// calls, and string literals shaped like a key of a catalog section (the keys pages
    /// pick at run time, such as `"level.grid"`).
    #[test]
    fn every_used_key_exists() {
        let catalog = Lang::ZhCn.catalog();
        let sections: BTreeSet<&str> = catalog.keys().filter_map(|k| k.split('.').next()).collect();
        let looks_like_key = |s: &str| {
            let mut parts = s.split('.');
            let first = parts.next().unwrap_or("");
            sections.contains(first)
                && !s.ends_with(".html")
                && s.contains('.')
                && s.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        };
        let mut used = BTreeSet::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("templates"), root.join("src/pages")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Every other piece between double quotes is inside a string literal.
                for literal in text.split('"').skip(1).step_by(2) {
                    if looks_like_key(literal) {
                        used.insert(literal.to_owned());
                    }
                }
            }
        }
        assert!(used.len() > 30, "found only {used:?}");
        for required in ["level.grid", "locate.error.crs", "error.bad_code", "map.title"] {
            assert!(used.contains(required), "the scan missed {required}");
        }
        let missing: Vec<_> = used.iter().filter(|k| !catalog.has(k.as_str())).collect();
        assert!(missing.is_empty(), "keys used but not in the catalog: {missing:?}");
    }

    /// Every term of every vocabulary pages show has its name in both catalogs.
    #[test]
    fn every_term_has_a_name() {
        use tongxin_core::booking::{BookingStatus, Channel, SiteKind};
        use tongxin_core::registry::{
            Battery, EbikeStatus, Facility, Gender, HouseholdRole, LiftStage, PledgeChannel, Registration, ShedStatus,
            Tag,
        };
        let mut keys: Vec<&'static str> = Vec::new();
        keys.extend(SiteKind::ALL.iter().map(|t| t.term_key()));
        keys.extend(Channel::ALL.iter().map(|t| t.term_key()));
        keys.extend(BookingStatus::ALL.iter().map(|t| t.term_key()));
        keys.extend(Registration::ALL.iter().map(|t| t.term_key()));
        keys.extend(Gender::ALL.iter().map(|t| t.term_key()));
        keys.extend(HouseholdRole::ALL.iter().map(|t| t.term_key()));
        keys.extend(Tag::ALL.iter().map(|t| t.term_key()));
        keys.extend(LiftStage::ALL.iter().map(|t| t.term_key()));
        keys.extend(Battery::ALL.iter().map(|t| t.term_key()));
        keys.extend(EbikeStatus::ALL.iter().map(|t| t.term_key()));
        keys.extend(ShedStatus::ALL.iter().map(|t| t.term_key()));
        keys.extend(Facility::ALL.iter().map(|t| t.term_key()));
        keys.extend(PledgeChannel::ALL.iter().map(|t| t.term_key()));
        keys.extend(tongxin_core::access::Role::ALL.iter().map(|r| r.term_key()));
        for lang in Lang::ALL {
            let missing: Vec<_> = keys.iter().filter(|k| lang.catalog().term(k) == **k).collect();
            assert!(missing.is_empty(), "{}: no name for {missing:?}", lang.code());
        }
        assert_eq!(Lang::En.catalog().term(BookingStatus::CheckedIn.term_key()), "Checked in");
        assert_eq!(Lang::ZhCn.catalog().term(Channel::Operator.term_key()), "电话坐席");
    }

    #[test]
    fn formats_arguments() {
        let text = Lang::En.catalog().fmt("region.building_count", &[("n", &12)]);
        assert_eq!(text, "12 buildings");
    }
}
