//! Region codes (区划代码) and levels.
//!
//! A code extends the 12-digit administrative division code (统计用区划代码): 6 digits
//! name the county-level district, 3 more the subdistrict, 3 more the community. Tongxin
//! adds 3 digits for a grid and 3 for a building group, so a code's length says its level
//! and every prefix of a valid length names an ancestor.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The five levels of the region tree, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    /// 区 (county-level district)
    District,
    /// 街道
    Subdistrict,
    /// 居民区 / 居委会
    Community,
    /// 网格
    Grid,
    /// 楼组
    Block,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 5] = [
        RegionLevel::District,
        RegionLevel::Subdistrict,
        RegionLevel::Community,
        RegionLevel::Grid,
        RegionLevel::Block,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::District => "district",
            RegionLevel::Subdistrict => "subdistrict",
            RegionLevel::Community => "community",
            RegionLevel::Grid => "grid",
            RegionLevel::Block => "block",
        }
    }

    /// Number of digits in a code of this level.
    pub fn code_len(self) -> usize {
        match self {
            RegionLevel::District => 6,
            RegionLevel::Subdistrict => 9,
            RegionLevel::Community => 12,
            RegionLevel::Grid => 15,
            RegionLevel::Block => 18,
        }
    }

    fn from_code_len(len: usize) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code_len() == len)
    }

    /// Depth in the tree, 0 for a district.
    pub fn depth(self) -> usize {
        self as usize
    }

    pub fn parent(self) -> Option<RegionLevel> {
        self.depth().checked_sub(1).map(|d| Self::ALL[d])
    }

    pub fn child(self) -> Option<RegionLevel> {
        Self::ALL.get(self.depth() + 1).copied()
    }

    /// From community level down, a region must have a polygon.
    pub fn needs_geometry(self) -> bool {
        self >= RegionLevel::Community
    }
}

impl fmt::Display for RegionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region level '{0}' (expected district, subdistrict, community, grid or block)")]
pub struct UnknownLevel(pub String);

impl FromStr for RegionLevel {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|level| level.as_str() == s).ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a region code is digits only, got '{0}'")]
    NotDigits(String),
    #[error("a region code has 6, 9, 12, 15 or 18 digits, got {0}")]
    BadLength(usize),
}

/// A valid region code. The only way to get one is [`RegionCode::parse`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let raw = raw.trim();
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::NotDigits(raw.chars().take(40).collect()));
        }
        if RegionLevel::from_code_len(raw.len()).is_none() {
            return Err(CodeError::BadLength(raw.len()));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        RegionLevel::from_code_len(self.0.len()).expect("length checked in parse")
    }

    /// The code of the region one level up, or `None` for a district.
    pub fn parent(&self) -> Option<RegionCode> {
        let level = self.level().parent()?;
        Some(Self(self.0[..level.code_len()].to_owned()))
    }

    /// Codes of every ancestor, from the district down (excluding `self`).
    pub fn ancestors(&self) -> Vec<RegionCode> {
        let mut chain = Vec::new();
        let mut next = self.parent();
        while let Some(code) = next {
            next = code.parent();
            chain.push(code);
        }
        chain.reverse();
        chain
    }

    /// True when `self` is `other` or one of its ancestors.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The code of this region's `n`th child (1-based), e.g. grid 003 of a community.
    pub fn child(&self, n: u32) -> Option<RegionCode> {
        self.level().child()?;
        (1..=999).contains(&n).then(|| Self(format!("{}{n:03}", self.0)))
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegionCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_length() {
        let cases = [
            ("310106", RegionLevel::District),
            ("310106013", RegionLevel::Subdistrict),
            ("310106013001", RegionLevel::Community),
            ("310106013001002", RegionLevel::Grid),
            ("310106013001002003", RegionLevel::Block),
        ];
        for (raw, level) in cases {
            assert_eq!(RegionCode::parse(raw).unwrap().level(), level, "{raw}");
        }
    }

    #[test]
    fn rejects_bad_codes() {
        assert_eq!(RegionCode::parse(""), Err(CodeError::NotDigits(String::new())));
        assert!(matches!(RegionCode::parse("31010a"), Err(CodeError::NotDigits(_))));
        assert_eq!(RegionCode::parse("3101060"), Err(CodeError::BadLength(7)));
        assert_eq!(RegionCode::parse("٣١٠١٠٦"), Err(CodeError::NotDigits("٣١٠١٠٦".into())));
    }

    #[test]
    fn parent_and_ancestors() {
        let grid = RegionCode::parse("310106013001002").unwrap();
        assert_eq!(grid.parent().unwrap().as_str(), "310106013001");
        let chain: Vec<_> = grid.ancestors().iter().map(|c| c.to_string()).collect();
        assert_eq!(chain, ["310106", "310106013", "310106013001"]);
        assert!(RegionCode::parse("310106").unwrap().parent().is_none());
        assert!(grid.parent().unwrap().contains(&grid));
        assert!(!grid.contains(&grid.parent().unwrap()));
    }

    #[test]
    fn children_are_numbered() {
        let community = RegionCode::parse("310106013001").unwrap();
        assert_eq!(community.child(7).unwrap().as_str(), "310106013001007");
        assert!(community.child(0).is_none());
        let block = RegionCode::parse("310106013001002003").unwrap();
        assert!(block.child(1).is_none());
    }

    #[test]
    fn levels_parse_and_order() {
        assert_eq!("grid".parse::<RegionLevel>().unwrap(), RegionLevel::Grid);
        assert!("street".parse::<RegionLevel>().is_err());
        assert!(RegionLevel::Community.needs_geometry());
        assert!(!RegionLevel::Subdistrict.needs_geometry());
        assert_eq!(RegionLevel::Grid.parent(), Some(RegionLevel::Community));
        assert_eq!(RegionLevel::Block.child(), None);
    }
}
