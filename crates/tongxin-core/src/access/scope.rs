//! [`RegionScope`]: the subtrees of the region tree an account may see and act in.

use serde::Serialize;

use crate::geo::RegionCode;

/// The regions an account is bound to. It covers each of them and everything below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionScope {
    /// Every region (API keys not bound to a region).
    All,
    /// These subtrees. Empty covers nothing.
    Regions(Vec<RegionCode>),
}

impl RegionScope {
    /// Whether `code` lies in one of the subtrees.
    pub fn covers(&self, code: &RegionCode) -> bool {
        match self {
            RegionScope::All => true,
            RegionScope::Regions(roots) => roots.iter().any(|root| root.contains(code)),
        }
    }

    /// Whether `code` is in the scope or above it (an ancestor of a bound region). Paths
    /// and breadcrumbs may name such regions; their content stays out of reach.
    pub fn touches(&self, code: &RegionCode) -> bool {
        match self {
            RegionScope::All => true,
            RegionScope::Regions(roots) => roots.iter().any(|root| root.contains(code) || code.contains(root)),
        }
    }

    /// The bound codes, or `None` for all.
    pub fn roots(&self) -> Option<&[RegionCode]> {
        match self {
            RegionScope::All => None,
            RegionScope::Regions(roots) => Some(roots),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> RegionCode {
        RegionCode::parse(raw).unwrap()
    }

    #[test]
    fn covers_the_subtree_only() {
        let scope = RegionScope::Regions(vec![code("310106013001002")]);
        assert!(scope.covers(&code("310106013001002")));
        assert!(scope.covers(&code("310106013001002001")));
        assert!(!scope.covers(&code("310106013001003")));
        assert!(!scope.covers(&code("310106013001")), "not the parent");
        assert!(scope.touches(&code("310106013001")), "but the parent is on its path");
        assert!(!scope.touches(&code("310106013002")));
        assert!(!RegionScope::Regions(vec![]).covers(&code("310106")));
        assert!(RegionScope::All.covers(&code("310106")));
    }
}
