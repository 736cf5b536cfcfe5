//! The generic HTTP gateway: each message is one POST to a configured URL, for an
//! operator's own SMS platform or a relay in front of any provider (腾讯云, 移动云MAS, an
//! SMPP bridge).
//!
//! The body is JSON, `{"to": "13812345678", "text": "…", "kind": "login_code",
//! "params": {"code": "097516"}}`, or the same fields as a form (`params` then holds the
//! JSON object as text). A gateway that sends free text uses `text`; one that fills
//! approved templates uses `kind` and `params`. With a token, the request carries
//! `Authorization: Bearer TOKEN`, or `HEADER: TOKEN` when a header name is configured.
//! Any 2xx answer is success. Otherwise the status decides: 429 is "try later", 401/403
//! a configuration to fix, 400/404/422 a refusal, 5xx and network failures unavailable.
//! The answer's body is never read into an error: it may echo the message.

use reqwest::StatusCode;
use serde_json::json;
use tongxin_core::pii::PhoneNumber;

use super::{Secret, SmsError, SmsFuture, SmsMessage, SmsSender, transport};

/// How the message is posted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BodyFormat {
    /// `application/json`
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`
    Form,
}

impl std::str::FromStr for BodyFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "json" => Ok(BodyFormat::Json),
            "form" => Ok(BodyFormat::Form),
            other => Err(format!("'{other}' is not a body format: use json or form")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Where each message is posted (`http://` or `https://`).
    pub url: String,
    pub format: BodyFormat,
    /// Sent as `Authorization: Bearer TOKEN`, or in `token_header`.
    pub token: Option<Secret>,
    /// The header that carries the token as it is (`X-Api-Key`), instead of
    /// `Authorization: Bearer`.
    pub token_header: Option<String>,
}

pub struct HttpGateway {
    config: HttpConfig,
    client: reqwest::Client,
}

impl HttpGateway {
    pub fn new(config: HttpConfig) -> Result<Self, String> {
        if let Some(name) = &config.token_header {
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("'{name}' is not an HTTP header name"))?;
        }
        let client = crate::outbound::client()?;
        Ok(Self { config, client })
    }

    fn request(&self, to: &PhoneNumber, message: &SmsMessage) -> reqwest::RequestBuilder {
        let (content_type, body) = match self.config.format {
            BodyFormat::Json => (
                "application/json",
                json!({ "to": to.expose(), "text": message.text, "kind": message.kind, "params": message.params })
                    .to_string(),
            ),
            BodyFormat::Form => {
                let params = serde_json::to_string(&message.params).unwrap_or_default();
                let body = form_urlencoded::Serializer::new(String::new())
                    .append_pair("to", to.expose())
                    .append_pair("text", &message.text)
                    .append_pair("kind", &message.kind)
                    .append_pair("params", &params)
                    .finish();
                ("application/x-www-form-urlencoded", body)
            }
        };
        let mut request = self.client.post(&self.config.url).header("content-type", content_type).body(body);
        if let Some(token) = &self.config.token {
            request = match &self.config.token_header {
                Some(header) => request.header(header.as_str(), token.expose()),
                None => request.bearer_auth(token.expose()),
            };
        }
        request
    }
}

/// What a non-2xx status means.
fn refusal(status: StatusCode) -> SmsError {
    let words = format!("HTTP {}", status.as_u16());
    match status.as_u16() {
        429 => SmsError::Throttled(words),
        401 | 403 => SmsError::Misconfigured(words),
        400 | 404 | 409 | 422 => SmsError::Refused(words),
        _ => SmsError::Unavailable(words),
    }
}

impl SmsSender for HttpGateway {
    fn name(&self) -> &'static str {
        "http"
    }

    fn carries(&self, _: &str) -> bool {
        true
    }

    fn send<'a>(&'a self, to: &'a PhoneNumber, message: &'a SmsMessage) -> SmsFuture<'a> {
        Box::pin(async move {
            let response = self.request(to, message).send().await.map_err(transport)?;
            let status = response.status();
            if status.is_success() { Ok(()) } else { Err(refusal(status)) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_an_operator_must_do() {
        assert!(matches!(refusal(StatusCode::TOO_MANY_REQUESTS), SmsError::Throttled(_)));
        assert!(matches!(refusal(StatusCode::UNAUTHORIZED), SmsError::Misconfigured(_)));
        assert!(matches!(refusal(StatusCode::UNPROCESSABLE_ENTITY), SmsError::Refused(_)));
        assert_eq!(refusal(StatusCode::BAD_GATEWAY), SmsError::Unavailable("HTTP 502".into()));
        assert_eq!(refusal(StatusCode::MOVED_PERMANENTLY), SmsError::Unavailable("HTTP 301".into()));
    }

    #[test]
    fn formats_parse() {
        assert_eq!("form".parse::<BodyFormat>(), Ok(BodyFormat::Form));
        assert!("xml".parse::<BodyFormat>().unwrap_err().contains("json or form"));
    }
}
