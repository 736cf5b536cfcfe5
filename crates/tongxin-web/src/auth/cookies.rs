//! The session cookie: HttpOnly, SameSite=Lax, and Secure when the request arrived over
//! TLS (directly, or through a proxy that says so in `X-Forwarded-Proto`).

use axum::http::{HeaderMap, HeaderValue, header};
use tongxin_core::access::password::SESSION_MAX_MS;

pub const SESSION: &str = "tongxin_session";

/// A cookie's value from the request.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

fn secure(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// `Set-Cookie` starting a session.
pub fn session(headers: &HeaderMap, token: &str) -> HeaderValue {
    let secure = if secure(headers) { "; Secure" } else { "" };
    let max_age = SESSION_MAX_MS / 1000;
    HeaderValue::from_str(&format!("{SESSION}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .expect("a base64url token is a valid header value")
}

/// `Set-Cookie` ending it.
pub fn clear_session(headers: &HeaderMap) -> HeaderValue {
    let secure = if secure(headers) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
        .expect("a valid header value")
}

/// The kiosk device's cookie (its key) and a resident's kiosk sign-in: only under
/// `/kiosk`, HttpOnly and SameSite=Strict; `max_age` none for a browser-session cookie,
/// `Some(0)` to clear.
pub fn kiosk(headers: &HeaderMap, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if secure(headers) { "; Secure" } else { "" };
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={value}; Path=/kiosk; HttpOnly; SameSite=Strict{age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("tongxin_kiosk_invalid=; Path=/kiosk; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("tongxin_lang=en; tongxin_session=abc"));
        assert_eq!(read(&headers, SESSION).as_deref(), Some("abc"));
        assert_eq!(read(&headers, "nope"), None);
    }

    #[test]
    fn secure_behind_tls() {
        let mut headers = HeaderMap::new();
        assert!(!session(&headers, "t").to_str().unwrap().contains("Secure"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let cookie = session(&headers, "t").to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.ends_with("; Secure"),
            "{cookie}"
        );
    }
}
