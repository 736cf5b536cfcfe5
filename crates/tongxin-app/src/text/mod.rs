//! Text as it arrives, held to one set of rules wherever it comes from: query strings,
//! form bodies, multipart text fields and JSON strings.
//!
//! - Text is UTF-8. Invalid UTF-8 is refused, never replaced with `�`.
//! - NUL and the other C0 control characters are refused, except tab, CR and LF. (A NUL
//!   cannot be stored in a PostgreSQL text column, and the others have no business in a
//!   name, an address or a description.)
//! - A parameter is single-valued unless it is listed in [`MULTI_VALUED`] or its name ends
//!   in `[]` (Open311's `attribute[CODE][]`). A single-valued parameter sent twice is
//!   refused: silently taking the first of `service_code=A&service_code=B` files what the
//!   sender may not have meant.
//!
//! The HTTP layer applies the rules to every request before any handler runs, and reads
//! multipart text fields by them; the ledger and batch readers apply them to each cell.

use percent_encoding::percent_decode;

pub mod json;

/// The parameters that may legitimately repeat (check boxes and multi-selects). A new
/// multi-valued field must be added here, or every request carrying it twice is refused.
pub const MULTI_VALUED: &[&str] = &["roles", "scopes", "tags", "tags_any", "sites", "facilities"];

/// The most bytes of one multipart text field.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// What is wrong with a piece of text, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("{field}: the text is not valid UTF-8")]
    NotUtf8 { field: String },
    #[error("{field}: the text holds a control character (U+{code:04X}); only tab, CR and LF are allowed")]
    Control { field: String, code: u32 },
    #[error("{field} was sent more than once; send it once")]
    Repeated { field: String },
    #[error("{field}: a text field has at most {max} KB", max = MAX_FIELD_BYTES / 1024)]
    TooLong { field: String },
}

impl TextProblem {
    /// The parameter the problem is in.
    pub fn field(&self) -> &str {
        match self {
            TextProblem::NotUtf8 { field }
            | TextProblem::Control { field, .. }
            | TextProblem::Repeated { field }
            | TextProblem::TooLong { field } => field,
        }
    }

    /// The message catalog's key for this problem, for pages.
    pub fn message_key(&self) -> &'static str {
        match self {
            TextProblem::NotUtf8 { .. } => "error.text_not_utf8",
            TextProblem::Control { .. } => "error.text_control",
            TextProblem::Repeated { .. } => "error.text_repeated",
            TextProblem::TooLong { .. } => "error.text_too_long",
        }
    }
}

/// A parameter's name as an error names it: at most 64 characters, so that a name of
/// megabytes is not echoed back whole.
pub fn label(name: &str) -> String {
    const MAX: usize = 64;
    match name.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

/// Whether `name` may be sent more than once.
pub fn is_multi_valued(name: &str) -> bool {
    name.ends_with("[]") || MULTI_VALUED.contains(&name)
}

/// Refuses the control characters that text may not hold.
pub fn check(field: &str, text: &str) -> Result<(), TextProblem> {
    match text.chars().find(|c| is_forbidden(*c)) {
        Some(c) => Err(TextProblem::Control { field: label(field), code: u32::from(c) }),
        None => Ok(()),
    }
}

/// C0 controls other than tab, LF and CR.
pub fn is_forbidden(c: char) -> bool {
    c < ' ' && !matches!(c, '\t' | '\n' | '\r')
}

/// Bytes that must be UTF-8 text, checked.
pub fn utf8(field: &str, bytes: Vec<u8>) -> Result<String, TextProblem> {
    let text = String::from_utf8(bytes).map_err(|_| TextProblem::NotUtf8 { field: label(field) })?;
    check(field, &text)?;
    Ok(text)
}

/// Decodes `application/x-www-form-urlencoded` data (a query string or a form body)
/// strictly: every name and value is UTF-8 without forbidden controls, and no
/// single-valued name repeats.
pub fn decode_form(input: &[u8]) -> Result<Vec<(String, String)>, TextProblem> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = match piece.iter().position(|b| *b == b'=') {
            Some(at) => (&piece[..at], &piece[at + 1..]),
            None => (piece, &[][..]),
        };
        // The name is needed to name the problem, so read it first, lossily only for that.
        let name_bytes = unplus(raw_name);
        let shown = String::from_utf8_lossy(&name_bytes).into_owned();
        let name = utf8(&shown, name_bytes)?;
        let value = utf8(&name, unplus(raw_value))?;
        if !is_multi_valued(&name) && pairs.iter().any(|(n, _)| *n == name) {
            return Err(TextProblem::Repeated { field: label(&name) });
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Checks fields read some other way (multipart): no single-valued name repeats.
pub fn check_repeats(pairs: &[(String, String)]) -> Result<(), TextProblem> {
    for (i, (name, _)) in pairs.iter().enumerate() {
        if !is_multi_valued(name) && pairs[..i].iter().any(|(n, _)| n == name) {
            return Err(TextProblem::Repeated { field: label(name) });
        }
    }
    Ok(())
}

/// `+` is a space, then percent-decoding, to bytes.
fn unplus(raw: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = raw.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
    percent_decode(&spaced).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ordinary_forms() {
        let pairs =
            decode_form(b"description=%E8%B7%AF%E7%81%AF+%E4%B8%8D%E4%BA%AE&lat=31.2&tags=a&tags=b&empty").unwrap();
        assert_eq!(pairs[0], ("description".into(), "路灯 不亮".into()));
        assert_eq!(pairs.len(), 5);
        assert_eq!(pairs[4], ("empty".into(), String::new()));
        let tabs = decode_form(b"note=a%09b%0D%0Ac").unwrap();
        assert_eq!(tabs[0].1, "a\tb\r\nc");
        assert!(decode_form(b"attribute[K][]=1&attribute[K][]=2").is_ok());
        assert!(decode_form(b"").unwrap().is_empty());
    }

    #[test]
    fn refuses_nul_and_controls_naming_the_field() {
        assert_eq!(
            decode_form(b"description=a%00b"),
            Err(TextProblem::Control { field: "description".into(), code: 0 })
        );
        assert_eq!(decode_form(b"x=%1B[31m"), Err(TextProblem::Control { field: "x".into(), code: 0x1b }));
        assert!(matches!(decode_form(b"a%00=1"), Err(TextProblem::Control { .. })));
        assert!(check("name", "ok\u{7f}").is_ok(), "DEL is not a C0 control");
        let long = format!("{}=%00", "n".repeat(10_000));
        let Err(TextProblem::Control { field, .. }) = decode_form(long.as_bytes()) else { panic!() };
        assert_eq!(field.chars().count(), 65, "the name is cut when echoed");
    }

    #[test]
    fn refuses_invalid_utf8_never_replacing_it() {
        assert_eq!(decode_form(b"description=%C3%28"), Err(TextProblem::NotUtf8 { field: "description".into() }));
        assert_eq!(decode_form(b"q=%FF"), Err(TextProblem::NotUtf8 { field: "q".into() }));
        // Raw bytes that are not UTF-8, not percent-encoded.
        assert!(matches!(decode_form(b"q=\xC3\x28"), Err(TextProblem::NotUtf8 { .. })));
        // An overlong encoding of '/'.
        assert!(matches!(decode_form(b"q=%C0%AF"), Err(TextProblem::NotUtf8 { .. })));
    }

    #[test]
    fn refuses_a_single_valued_parameter_sent_twice() {
        assert_eq!(
            decode_form(b"service_code=A&service_code=B"),
            Err(TextProblem::Repeated { field: "service_code".into() })
        );
        assert!(matches!(decode_form(b"lat=1&lat=1"), Err(TextProblem::Repeated { .. })));
        assert!(decode_form(b"roles=a&roles=b").is_ok());
        let pairs = vec![("a".to_owned(), "1".to_owned()), ("a".to_owned(), "2".to_owned())];
        assert!(check_repeats(&pairs).is_err());
    }
}
