//! JSON bodies under the text rules. serde_json already refuses invalid UTF-8 and raw
//! control characters inside strings, but it accepts them escaped (`"\u0000"`). This scan
//! finds such escapes in one pass over the bytes, without building the value (a body of
//! small numbers would take many times its size as a tree), and names the member they are
//! in.

use super::{TextProblem, is_forbidden};

/// Checks a JSON body: UTF-8, and no escaped forbidden control character in any string.
/// Malformed JSON is left for the handler's parser to explain.
pub fn check(body: &[u8]) -> Result<(), TextProblem> {
    if std::str::from_utf8(body).is_err() {
        return Err(TextProblem::NotUtf8 { field: "body".into() });
    }
    let mut key = String::from("body");
    let mut last_string: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' => {
                let start = i + 1;
                let end = scan_string(body, start, &key)?;
                last_string = Some((start, end));
                i = end + 1;
            }
            b':' => {
                if let Some((start, end)) = last_string.take() {
                    key = super::label(&String::from_utf8_lossy(&body[start..end]));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Walks a string from `start` (after its opening quote) to its closing quote, returning
/// where that quote is (or the end of the body, for an unterminated string).
fn scan_string(body: &[u8], start: usize, key: &str) -> Result<usize, TextProblem> {
    let mut i = start;
    while i < body.len() {
        match body[i] {
            b'"' => return Ok(i),
            b'\\' if body.get(i + 1) == Some(&b'u') => {
                let code = body
                    .get(i + 2..i + 6)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                if let Some(c) = code.and_then(char::from_u32).filter(|c| is_forbidden(*c)) {
                    return Err(TextProblem::Control { field: key.to_owned(), code: u32::from(c) });
                }
                i += 6;
            }
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    Ok(body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_member_holding_an_escaped_control() {
        let body = br#"{"category":"A01","description":"a\u0000b"}"#;
        assert_eq!(check(body), Err(TextProblem::Control { field: "description".into(), code: 0 }));
        let nested = br#"{"resident":{"name":"x\u001b"}}"#;
        assert_eq!(check(nested), Err(TextProblem::Control { field: "name".into(), code: 0x1b }));
        assert!(matches!(check(br#"["\u0001"]"#), Err(TextProblem::Control { .. })));
    }

    #[test]
    fn passes_ordinary_json_and_allowed_escapes() {
        assert!(check(br#"{"note":"line\nnext\ttab \u4e2d \u0009 \\u0000 \"q\""}"#).is_ok());
        assert!(check(b"[1, 2.5, true, null, {}]").is_ok());
        assert!(check(b"").is_ok());
        assert!(check(br#"{"unterminated": "abc"#).is_ok(), "left for the parser");
    }

    #[test]
    fn refuses_invalid_utf8() {
        assert!(matches!(check(b"{\"a\":\"\xC3\x28\"}"), Err(TextProblem::NotUtf8 { .. })));
    }
}
