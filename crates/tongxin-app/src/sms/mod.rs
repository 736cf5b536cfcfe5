//! Sending SMS. [`SmsSender`] is the seam a gateway plugs into, and [`sender`] builds the
//! one the configuration names:
//!
//! - [`http::HttpGateway`]: a POST of JSON or a form to one URL, for an operator's own
//!   gateway or a relay in front of any provider;
//! - [`aliyun::Aliyun`]: 阿里云短信 (Dysmsapi `SendSms`), signed, one pre-approved template
//!   per kind of message;
//! - [`dev::DevInbox`]: sends nothing and keeps each message for the `/dev/sms` page, for
//!   `tongxin demo` only (whoever reads that page can sign in as any resident);
//! - [`Disabled`]: no gateway at all: nothing is texted.
//!
//! A message is an [`SmsMessage`]: its kind (`login_code`, or a notice's kind), the
//! variables of its text, and the text. Mainland SMS may only carry templates approved in
//! advance, so a template gateway sends the kind's template and the variables, and a
//! free-text gateway sends the text. [`KINDS`] lists every kind and its variables.
//!
//! No sender logs a message's text or variables (a sign-in code is a key to an account),
//! or a full phone number; a gateway's refusal is reported as its code and HTTP status,
//! with long runs of digits masked, never with the message.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tongxin_core::pii::PhoneNumber;
use tongxin_store::Store;
use tongxin_store::notifications::Notification;

pub mod aliyun;
pub mod dev;
pub mod http;

/// The kind of a sign-in code's message.
pub const LOGIN_CODE: &str = "login_code";

/// Every kind of message texted to a phone, with the variables its template may use.
/// Notices to staff are not texted (they read them in the app), so they are not here.
pub const KINDS: &[(&str, &[&str])] = &[
    (LOGIN_CODE, &["code"]),
    ("received", &["number", "category"]),
    ("registered", &["number", "category"]),
    ("rejected", &["number", "category"]),
    ("dispatched", &["number", "category"]),
    ("handled", &["number", "category"]),
    ("closed", &["number", "category"]),
    ("deferred", &["number", "category"]),
    ("merged", &["number", "category"]),
    ("booking.confirmed", &["service", "when", "site"]),
    ("booking.waitlisted", &["service", "when", "site"]),
    ("booking.moved", &["service", "when", "site", "old"]),
    ("booking.cancelled", &["service", "when", "site"]),
    ("booking.promoted", &["service", "when", "site"]),
    ("booking.reminder", &["service", "when", "site"]),
];

/// One text message. `Debug` shows only its kind: the rest may be a sign-in code.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// What it is: [`LOGIN_CODE`], or a notice's kind (`received`, `booking.reminder` …).
    pub kind: String,
    /// The variables of the text by name (`code`; `number`, `category` …).
    pub params: BTreeMap<String, String>,
    /// The whole text, signature (【同心】) included.
    pub text: String,
}

impl SmsMessage {
    /// A resident's one-time sign-in code.
    pub fn login_code(code: &str) -> Self {
        Self {
            kind: LOGIN_CODE.into(),
            params: BTreeMap::from([("code".to_owned(), code.to_owned())]),
            text: format!("【同心】您的登录验证码是 {code}，5 分钟内有效。请勿告诉他人。"),
        }
    }

    /// A queued notice.
    pub fn notice(n: &Notification) -> Self {
        Self { kind: n.kind.clone(), params: n.params.clone(), text: n.text.clone() }
    }
}

impl fmt::Debug for SmsMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmsMessage({})", self.kind)
    }
}

/// Why a message was not sent. The words come from us and the gateway's error code, never
/// from the message or the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// No gateway is configured.
    #[error("no SMS gateway is configured")]
    NoGateway,
    /// The gateway has no template for this kind of message.
    #[error("no SMS template is configured for '{0}'")]
    NoTemplate(String),
    /// The gateway limits texts to this number for now (阿里云 `isv.BUSINESS_LIMIT_CONTROL`,
    /// HTTP 429): try later.
    #[error("the SMS gateway limits texts to this number for now ({0})")]
    Throttled(String),
    /// The gateway cannot text this number.
    #[error("the SMS gateway refused the number ({0})")]
    BadNumber(String),
    /// The gateway refused our account, signature (签名) or template: an operator must
    /// fix the configuration.
    #[error("the SMS gateway refused our configuration ({0})")]
    Misconfigured(String),
    /// Any other refusal.
    #[error("the SMS gateway refused the message ({0})")]
    Refused(String),
    /// The gateway could not be reached, failed, or answered something unreadable.
    #[error("the SMS gateway is unavailable ({0})")]
    Unavailable(String),
}

pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

/// A way to text a phone.
pub trait SmsSender: Send + Sync {
    /// A short name for the log: `http`, `aliyun`, `dev-inbox` or `none`.
    fn name(&self) -> &'static str;
    /// Whether this sender can send messages of `kind` (a template gateway needs a
    /// template for it).
    fn carries(&self, kind: &str) -> bool;
    fn send<'a>(&'a self, to: &'a PhoneNumber, message: &'a SmsMessage) -> SmsFuture<'a>;
}

/// Which sender a server uses.
#[derive(Debug, Clone, Default)]
pub enum SmsConfig {
    /// None: nothing is texted, and residents cannot get sign-in codes.
    #[default]
    None,
    /// The development inbox at `/dev/sms` (`tongxin demo` only).
    DevInbox,
    Http(http::HttpConfig),
    Aliyun(aliyun::AliyunConfig),
}

impl SmsConfig {
    /// Whether messages really leave the server.
    pub fn is_gateway(&self) -> bool {
        matches!(self, SmsConfig::Http(_) | SmsConfig::Aliyun(_))
    }
}

/// Builds the sender `config` names.
pub fn sender(config: &SmsConfig, store: &Store) -> Result<Arc<dyn SmsSender>, String> {
    Ok(match config {
        SmsConfig::None => Arc::new(Disabled),
        SmsConfig::DevInbox => Arc::new(dev::DevInbox { store: store.clone() }),
        SmsConfig::Http(config) => Arc::new(http::HttpGateway::new(config.clone())?),
        SmsConfig::Aliyun(config) => Arc::new(aliyun::Aliyun::new(config.clone())?),
    })
}

/// No gateway: carries nothing.
pub struct Disabled;

impl SmsSender for Disabled {
    fn name(&self) -> &'static str {
        "none"
    }

    fn carries(&self, _: &str) -> bool {
        false
    }

    fn send<'a>(&'a self, _: &'a PhoneNumber, _: &'a SmsMessage) -> SmsFuture<'a> {
        Box::pin(async { Err(SmsError::NoGateway) })
    }
}

/// A credential from the configuration: `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// A request that got no answer: why, without the URL (it may hold a key).
pub(crate) fn transport(e: reqwest::Error) -> SmsError {
    SmsError::Unavailable(if e.is_timeout() {
        "no answer within 10 s".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        gateway_words(&e.without_url().to_string())
    })
}

/// A gateway's own words (an error code, a short message), fit for the log: at most 120
/// characters, each run of 6 or more digits (a code, a phone number) masked.
pub fn gateway_words(raw: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 6 {
            out.push_str("******");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in raw.chars().filter(|c| !c.is_control()).take(120) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongxin_core::cases::lifecycle::Action;
    use tongxin_core::cases::notify::{Audience, notices};

    #[test]
    fn every_notice_a_phone_can_get_has_a_kind() {
        let steps = Action::ALL.iter().map(|a| a.as_str()).chain(["report", "overdue", "merge"]);
        for step in steps {
            for (audience, notice) in notices(step) {
                let listed = KINDS.iter().any(|(kind, _)| *kind == notice.as_str());
                assert_eq!(listed, *audience == Audience::Reporters, "{step}: {notice:?}");
            }
        }
    }

    #[test]
    fn nothing_secret_prints() {
        let message = SmsMessage::login_code("097516");
        assert_eq!(format!("{message:?}"), "SmsMessage(login_code)");
        assert!(message.text.contains("097516") && message.params["code"] == "097516");
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(****)");
    }

    #[test]
    fn gateway_words_mask_numbers_and_stay_short() {
        assert_eq!(gateway_words("isv.MOBILE_NUMBER_ILLEGAL: 13812345678"), "isv.MOBILE_NUMBER_ILLEGAL: ******");
        assert_eq!(gateway_words("code 097516\nnext"), "code ******next");
        assert_eq!(gateway_words("HTTP 503"), "HTTP 503");
        assert_eq!(gateway_words(&"x".repeat(500)).len(), 120);
    }
}
