//! The board's filter bar: category, community, department and overdue, read from the
//! query (`/cases?category=E01&community=310106013001&department=cgzd&overdue=1`).
//!
//! Each value is checked against what exists and what the reader reaches. A value that
//! is not one of the choices is left out, and the board says so above the columns in the
//! reader's language ("没有类别「X」，已忽略这项筛选"): the board stays useful, and the
//! reader sees that their filter did not apply. The kept values ride along in every link
//! of the board (each column's pages, the dispatch form's way back).

use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::geo::{RegionCode, RegionLevel};
use tongxin_store::cases::CaseFilter;
use tongxin_store::geo::RegionFilter;

use crate::auth::Who;
use crate::i18n::Lang;
use crate::params::Params;
use crate::{ApiError, App};

/// What the filter bar offers: (value, label) pairs.
#[derive(Default)]
pub struct Choices {
    /// Classes and their subclasses, the subclasses indented.
    pub categories: Vec<(String, String)>,
    /// The communities the reader's regions touch.
    pub communities: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
}

impl Choices {
    pub async fn load(app: &App, who: &Who) -> Result<Choices, ApiError> {
        let mut categories: Vec<(String, String)> = app
            .store
            .category_classes()
            .await?
            .into_iter()
            .map(|(code, name)| (code.to_string(), format!("{code} {name}")))
            .collect();
        for c in app.store.categories().await? {
            categories.push((c.code.to_string(), format!("　{} {}", c.code, c.name)));
        }
        categories.sort_by(|a, b| a.0.cmp(&b.0));
        let communities = app
            .store
            .regions(&RegionFilter { level: Some(RegionLevel::Community), ..Default::default() })
            .await?
            .into_iter()
            .filter(|r| who.actor.scope.touches(&r.code))
            .map(|r| (r.code.to_string(), r.name))
            .collect();
        Ok(Choices { categories, communities, departments: app.store.departments().await? })
    }
}

/// The filters in force; each field holds a checked value or nothing.
#[derive(Debug, Default, PartialEq)]
pub struct BoardFilter {
    pub category: String,
    pub community: String,
    pub department: String,
    pub overdue: bool,
    /// What was left out and why, in the reader's language.
    pub ignored: Vec<String>,
}

/// The query parameters the filter owns, in the order links carry them.
pub const NAMES: [&str; 4] = ["category", "community", "department", "overdue"];

impl BoardFilter {
    /// Reads the filters from the query, keeping only values among `choices`.
    pub fn read(lang: Lang, params: &Params, choices: &Choices) -> BoardFilter {
        let t = lang.catalog();
        let mut filter = BoardFilter::default();
        let mut pick = |name: &str, label: &str, offered: &[(String, String)]| -> String {
            let Some(value) = params.get(name).map(str::trim) else { return String::new() };
            if offered.iter().any(|(v, _)| v == value) {
                return value.to_owned();
            }
            let shown: String = value.chars().take(40).collect();
            filter.ignored.push(t.fmt("c14_board.ignored", &[("field", &t.get(label)), ("value", &shown)]));
            String::new()
        };
        let category = pick("category", "c14_board.category", &choices.categories);
        let community = pick("community", "c14_board.community", &choices.communities);
        let department = pick("department", "c14_board.department", &choices.departments);
        filter.category = category;
        filter.community = community;
        filter.department = department;
        match params.get("overdue").map(str::trim) {
            None | Some("0" | "false") => {}
            Some("1" | "true" | "on") => filter.overdue = true,
            Some(other) => {
                let shown: String = other.chars().take(40).collect();
                let label = t.get("c14_board.overdue");
                filter.ignored.push(t.fmt("c14_board.ignored", &[("field", &label), ("value", &shown)]));
            }
        }
        filter
    }

    /// Narrows a column's query to these filters.
    pub fn apply(&self, filter: &mut CaseFilter) {
        filter.category = CategoryCode::parse(&self.category).ok();
        filter.within = RegionCode::parse(&self.community).ok();
        filter.department = (!self.department.is_empty()).then(|| self.department.clone());
        filter.overdue = self.overdue;
    }

    /// Whether any filter is in force.
    pub fn active(&self) -> bool {
        !self.category.is_empty() || !self.community.is_empty() || !self.department.is_empty() || self.overdue
    }

    /// The filters as query pairs, for links that keep them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let values = [
            self.category.clone(),
            self.community.clone(),
            self.department.clone(),
            if self.overdue { "1".to_owned() } else { String::new() },
        ];
        NAMES.into_iter().zip(values).filter(|(_, v)| !v.is_empty()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Choices {
        let pair = |v: &str, l: &str| (v.to_owned(), l.to_owned());
        Choices {
            categories: vec![pair("E01", "E01 市容"), pair("E0103", "　E0103 堆物")],
            communities: vec![pair("310106013001", "景华")],
            departments: vec![pair("cgzd", "城管中队")],
        }
    }

    fn read(query: &str) -> BoardFilter {
        BoardFilter::read(Lang::ZhCn, &Params::from_form(query.as_bytes()), &choices())
    }

    #[test]
    fn offered_values_are_kept_and_carried() {
        let f = read("category=E0103&community=310106013001&department=cgzd&overdue=1&intake=2");
        assert!(f.ignored.is_empty(), "{:?}", f.ignored);
        assert!(f.active());
        let pairs: Vec<String> = f.pairs().into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(pairs, ["category=E0103", "community=310106013001", "department=cgzd", "overdue=1"]);
        let mut filter = CaseFilter::default();
        f.apply(&mut filter);
        assert_eq!(filter.category.map(|c| c.to_string()).as_deref(), Some("E0103"));
        assert_eq!(filter.within.map(|c| c.to_string()).as_deref(), Some("310106013001"));
        assert_eq!((filter.department.as_deref(), filter.overdue), (Some("cgzd"), true));
    }

    #[test]
    fn unknown_values_are_named_and_left_out() {
        let f = read("category=Z99&community=310106013009&department=nobody&overdue=maybe");
        assert!(!f.active());
        assert_eq!(f.ignored.len(), 4, "{:?}", f.ignored);
        assert!(f.ignored[0].contains("类别") && f.ignored[0].contains("Z99"), "{}", f.ignored[0]);
        assert!(f.ignored[1].contains("居民区") && f.ignored[1].contains("310106013009"), "{}", f.ignored[1]);
        assert!(f.ignored[2].contains("部门") && f.ignored[2].contains("nobody"), "{}", f.ignored[2]);
        assert!(f.ignored[3].contains("超期") && f.ignored[3].contains("maybe"), "{}", f.ignored[3]);
        assert_eq!(read("").pairs(), Vec::<(&str, String)>::new());
    }
}
