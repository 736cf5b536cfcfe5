//! 阿里云短信服务 (Alibaba Cloud SMS, Dysmsapi `SendSms`, API version 2017-05-25).
//!
//! Mainland SMS carry only a signature (签名, shown as 【…】) and templates (模板) approved in
//! the Alibaba Cloud console beforehand. So each kind of message ([`super::KINDS`]) that is
//! to be texted needs its own approved template, named by its code (`SMS_123456789`); the
//! message's variables fill it (`TemplateParam`, `{"code":"097516"}`). A kind without a
//! template is not carried (notices still reach the app and the other channels).
//!
//! Requests are RPC style, signed as Alibaba documents (signature version 1.0): every
//! parameter but `Signature`, sorted by name and percent-encoded by RFC 3986, forms the
//! canonical query; `POST&%2F&` followed by that query, encoded once more, is signed with
//! HMAC-SHA1 under `ACCESS_KEY_SECRET&`, and the Base64 of it is the `Signature`. A fresh
//! `SignatureNonce` and the UTC `Timestamp` keep a request from being replayed.
//!
//! The answer's `Code` is `OK`, or an error code: `isv.BUSINESS_LIMIT_CONTROL` (too many
//! texts to that number; try later), `isv.MOBILE_NUMBER_ILLEGAL`, or one that needs the
//! operator (a wrong key, signature or template, an empty balance). Errors carry that code
//! and the `RequestId` to quote to Alibaba Cloud, never the answer's `Message`, which for a
//! bad signature echoes the whole request, number and code included.

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use tongxin_core::pii::PhoneNumber;

use super::{KINDS, Secret, SmsError, SmsFuture, SmsMessage, SmsSender, gateway_words, transport};

/// The public endpoint; the same for every region.
pub const ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";
/// The largest answer read.
const MAX_ANSWER: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct AliyunConfig {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// The approved signature (签名), without the brackets: `同心街道`.
    pub sign_name: String,
    /// The approved template code of each kind of message.
    pub templates: BTreeMap<String, String>,
    /// [`ENDPOINT`], or another (a test's mock).
    pub endpoint: String,
}

/// Parses `login_code=SMS_1,received=SMS_2`: the template code of each kind of message.
pub fn parse_templates(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut templates = BTreeMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((kind, code)) = pair.split_once('=').map(|(k, c)| (k.trim(), c.trim())) else {
            return Err(format!("'{pair}' is not KIND=TEMPLATE_CODE"));
        };
        if !KINDS.iter().any(|(known, _)| *known == kind) {
            let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
            return Err(format!("'{kind}' is not a kind of message; the kinds are {}", known.join(", ")));
        }
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("'{code}' is not a template code (like SMS_123456789)"));
        }
        if templates.insert(kind.to_owned(), code.to_owned()).is_some() {
            return Err(format!("'{kind}' has two templates"));
        }
    }
    Ok(templates)
}

pub struct Aliyun {
    config: AliyunConfig,
    client: reqwest::Client,
}

impl Aliyun {
    pub fn new(config: AliyunConfig) -> Result<Self, String> {
        if config.access_key_id.trim().is_empty() || config.access_key_secret.expose().trim().is_empty() {
            return Err("Alibaba Cloud SMS needs an AccessKey ID and secret".into());
        }
        if config.sign_name.trim().is_empty() {
            return Err("Alibaba Cloud SMS needs the approved signature (签名)".into());
        }
        if !(config.endpoint.starts_with("https://") || config.endpoint.starts_with("http://")) {
            return Err("the Alibaba Cloud SMS endpoint must be an http:// or https:// URL".into());
        }
        let client = crate::outbound::client()?;
        Ok(Self { config, client })
    }

    /// The request's parameters, `Signature` last.
    pub fn parameters(
        &self,
        to: &PhoneNumber,
        template: &str,
        message: &SmsMessage,
        nonce: &str,
        timestamp: &str,
    ) -> Vec<(String, String)> {
        let params = serde_json::to_string(&message.params).unwrap_or_else(|_| "{}".into());
        let unsigned: BTreeMap<String, String> = [
            ("AccessKeyId", self.config.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("PhoneNumbers", to.expose()),
            ("RegionId", "cn-hangzhou"),
            ("SignName", self.config.sign_name.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", template),
            ("TemplateParam", params.as_str()),
            ("Timestamp", timestamp),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let signature = sign("POST", &unsigned, self.config.access_key_secret.expose());
        let mut all: Vec<(String, String)> = unsigned.into_iter().collect();
        all.push(("Signature".into(), signature));
        all
    }
}

/// RFC 3986 percent-encoding, as Alibaba Cloud signs: everything but `A–Z a–z 0–9 - _ . ~`
/// is encoded, as UTF-8, with upper-case hex (so a space is `%20`, never `+`).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical query: the parameters sorted by name, each `name=value` encoded.
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// The `Signature` of a request with `params` (all but `Signature`) sent by `method`.
pub fn sign(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let to_sign = format!("{method}&{}&{}", percent_encode("/"), percent_encode(&canonical_query(params)));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("HMAC takes any key");
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The fields of an answer that matter here.
#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

/// What an error code means for whoever must act on it.
fn refusal(code: &str, request_id: &str) -> SmsError {
    let words = gateway_words(&format!("{code}, RequestId {request_id}"));
    const THROTTLED: &[&str] =
        &["isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "Throttling", "Throttling.User"];
    const NUMBER: &[&str] =
        &["isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT"];
    const UNAVAILABLE: &[&str] = &["isp.SYSTEM_ERROR", "ServiceUnavailable", "InternalError", "isp.GATEWAY_ERROR"];
    let operator = code.starts_with("InvalidAccessKeyId")
        || code.starts_with("Forbidden")
        || code.starts_with("isv.ACCOUNT_")
        || code.starts_with("isv.PRODUCT_UN")
        || matches!(
            code,
            "SignatureDoesNotMatch"
                | "IncompleteSignature"
                | "InvalidTimeStamp.Expired"
                | "SignatureNonceUsed"
                | "MissingAccessKeyId"
                | "isv.RAM_PERMISSION_DENY"
                | "isv.OUT_OF_SERVICE"
                | "isv.AMOUNT_NOT_ENOUGH"
                | "isv.SMS_SIGNATURE_ILLEGAL"
                | "isv.SMS_SIGN_ILLEGAL"
                | "isv.SMS_TEMPLATE_ILLEGAL"
                | "isv.TEMPLATE_MISSING_PARAMETERS"
                | "isv.TEMPLATE_PARAMS_ILLEGAL"
                | "isv.PARAM_LENGTH_LIMIT"
                | "isv.INVALID_JSON_PARAM"
                | "isv.INVALID_PARAMETERS"
        );
    if THROTTLED.contains(&code) {
        SmsError::Throttled(words)
    } else if NUMBER.contains(&code) {
        SmsError::BadNumber(words)
    } else if UNAVAILABLE.contains(&code) {
        SmsError::Unavailable(words)
    } else if operator {
        SmsError::Misconfigured(words)
    } else {
        SmsError::Refused(words)
    }
}

/// Reads at most [`MAX_ANSWER`] bytes of the answer.
async fn read_answer(mut response: reqwest::Response) -> Result<Vec<u8>, SmsError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(SmsError::Unavailable("an answer larger than 64 KiB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl SmsSender for Aliyun {
    fn name(&self) -> &'static str {
        "aliyun"
    }

    fn carries(&self, kind: &str) -> bool {
        self.config.templates.contains_key(kind)
    }

    fn send<'a>(&'a self, to: &'a PhoneNumber, message: &'a SmsMessage) -> SmsFuture<'a> {
        Box::pin(async move {
            let template =
                self.config.templates.get(&message.kind).ok_or_else(|| SmsError::NoTemplate(message.kind.clone()))?;
            let nonce = uuid::Uuid::new_v4().to_string();
            let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let params = self.parameters(to, template, message, &nonce, &timestamp);
            let body = params.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)));
            let response = self
                .client
                .post(&self.config.endpoint)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(body.collect::<Vec<_>>().join("&"))
                .send()
                .await
                .map_err(transport)?;
            let status = response.status();
            let answer = read_answer(response).await?;
            match serde_json::from_slice::<Answer>(&answer) {
                Ok(Answer { code: Some(code), .. }) if code == "OK" && status.is_success() => Ok(()),
                Ok(Answer { code: Some(code), request_id }) => {
                    Err(refusal(&code, request_id.as_deref().unwrap_or("none")))
                }
                _ => Err(SmsError::Unavailable(format!("an answer without a Code, HTTP {}", status.as_u16()))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Alibaba Cloud's "signature mechanism" page (ECS
    /// `DescribeRegions`, AccessKey `testid` / `testsecret`).
    #[test]
    fn signs_alibabas_own_example() {
        let params: BTreeMap<String, String> = [
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(sign("GET", &params, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    #[test]
    fn encodes_as_rfc_3986() {
        assert_eq!(percent_encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
        assert_eq!(percent_encode("{\"code\":\"1\"}"), "%7B%22code%22%3A%221%22%7D");
    }

    #[test]
    fn templates_name_known_kinds() {
        let t = parse_templates("login_code=SMS_1, booking.reminder = SMS_2").unwrap();
        assert_eq!(t["login_code"], "SMS_1");
        assert_eq!(t["booking.reminder"], "SMS_2");
        assert!(parse_templates("login=SMS_1").unwrap_err().contains("the kinds are login_code"));
        assert!(parse_templates("login_code").unwrap_err().contains("KIND=TEMPLATE_CODE"));
        assert!(parse_templates("login_code=SMS 1").unwrap_err().contains("template code"));
        assert!(parse_templates("login_code=SMS_1,login_code=SMS_2").unwrap_err().contains("two templates"));
    }

    #[test]
    fn error_codes_say_who_must_act() {
        assert!(matches!(refusal("isv.BUSINESS_LIMIT_CONTROL", "r"), SmsError::Throttled(_)));
        assert!(matches!(refusal("isv.MOBILE_NUMBER_ILLEGAL", "r"), SmsError::BadNumber(_)));
        assert!(matches!(refusal("SignatureDoesNotMatch", "r"), SmsError::Misconfigured(_)));
        assert!(matches!(refusal("InvalidAccessKeyId.NotFound", "r"), SmsError::Misconfigured(_)));
        assert!(matches!(refusal("isv.SMS_TEMPLATE_ILLEGAL", "r"), SmsError::Misconfigured(_)));
        assert!(matches!(refusal("isp.SYSTEM_ERROR", "r"), SmsError::Unavailable(_)));
        assert_eq!(
            refusal("isv.SOMETHING_NEW", "8A2F").to_string(),
            "the SMS gateway refused the message (isv.SOMETHING_NEW, RequestId 8A2F)"
        );
    }
}
