//! What a new case must say: where it comes from, what it is, where, and in what words.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a case came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A resident's own report.
    Resident,
    /// A grid worker's patrol (巡查).
    Patrol,
    /// Taken by a telephone operator (坐席).
    Phone,
    /// A 12345 hotline order.
    Hotline,
    /// A sensor alarm.
    Sensor,
    /// Found during an inspection campaign (排摸).
    Campaign,
    /// An Open311 client.
    Open311,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Resident,
        Source::Patrol,
        Source::Phone,
        Source::Hotline,
        Source::Sensor,
        Source::Campaign,
        Source::Open311,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Resident => "resident",
            Source::Patrol => "patrol",
            Source::Phone => "phone",
            Source::Hotline => "hotline",
            Source::Sensor => "sensor",
            Source::Campaign => "campaign",
            Source::Open311 => "open311",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| format!("unknown source '{s}'"))
    }
}

pub const MAX_DESCRIPTION_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    #[error("the description is empty")]
    Empty,
    #[error("the description has {0} characters; at most 4000")]
    TooLong(usize),
    #[error("the description contains HTML; send plain text")]
    Html,
}

/// Checks a description: plain text, 1 to 4000 characters. Text is stored as text and
/// escaped on output; markup is refused rather than silently kept.
pub fn check_description(raw: &str) -> Result<String, DescriptionError> {
    let text = raw.trim();
    let n = text.chars().count();
    if n == 0 {
        return Err(DescriptionError::Empty);
    }
    if n > MAX_DESCRIPTION_CHARS {
        return Err(DescriptionError::TooLong(n));
    }
    let looks_like_markup = text.char_indices().any(|(i, c)| {
        c == '<'
            && text[i + 1..].chars().next().is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
    });
    if looks_like_markup {
        return Err(DescriptionError::Html);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_plain_text_within_4000_characters() {
        assert_eq!(check_description("  楼道里堆满纸箱 "), Ok("楼道里堆满纸箱".into()));
        assert_eq!(check_description("x < 3 and y > 2"), Ok("x < 3 and y > 2".into()), "a lone < is text");
        assert_eq!(check_description(""), Err(DescriptionError::Empty));
        assert_eq!(check_description(&"字".repeat(4001)), Err(DescriptionError::TooLong(4001)));
        assert!(check_description(&"字".repeat(4000)).is_ok());
        for html in ["<b>bold</b>", "hi <script>x</script>", "a <!-- c -->", "</p>"] {
            assert_eq!(check_description(html), Err(DescriptionError::Html), "{html}");
        }
        for s in Source::ALL {
            assert_eq!(s.as_str().parse::<Source>().unwrap(), s);
        }
    }
}
