//! The SMS gateways against a local stand-in of their APIs: the requests they send (the
//! generic HTTP gateway's JSON and form, Alibaba Cloud's signed `SendSms`), and that a
//! refusal is reported as what it means, never swallowed, and never with the message or
//! the full number.

mod common;

use std::collections::BTreeMap;

use common::sms_mock::{MockGateway, aliyun_signature_ok};
use tongxin_core::pii::PhoneNumber;
use tongxin_web::sms::aliyun::{Aliyun, AliyunConfig};
use tongxin_web::sms::http::{BodyFormat, HttpConfig, HttpGateway};
use tongxin_web::sms::{Secret, SmsError, SmsMessage, SmsSender};

const PHONE: &str = "13912345678";
const SECRET: &str = "testsecret-for-the-mock";

fn phone() -> PhoneNumber {
    PhoneNumber::parse(PHONE).unwrap()
}

fn http(url: &str, format: BodyFormat, header: Option<&str>) -> HttpGateway {
    HttpGateway::new(HttpConfig {
        url: url.into(),
        format,
        token: Some(Secret::new("tok-123")),
        token_header: header.map(str::to_owned),
    })
    .unwrap()
}

fn aliyun(url: &str) -> Aliyun {
    Aliyun::new(AliyunConfig {
        access_key_id: "LTAI5tTestKeyId".into(),
        access_key_secret: Secret::new(SECRET),
        sign_name: "同心街道".into(),
        templates: BTreeMap::from([
            ("login_code".to_owned(), "SMS_460000001".to_owned()),
            ("registered".to_owned(), "SMS_460000002".to_owned()),
        ]),
        endpoint: url.into(),
    })
    .unwrap()
}

/// An error's words hold neither the number nor the code.
fn assert_discreet(e: &SmsError) {
    let words = e.to_string();
    assert!(!words.contains(PHONE) && !words.contains("097516") && !words.contains("登录验证码"), "{words}");
}

#[tokio::test]
async fn the_http_gateway_posts_json_or_a_form_with_its_token() {
    let mock = MockGateway::start().await;
    let code = SmsMessage::login_code("097516");
    http(&mock.url, BodyFormat::Json, None).send(&phone(), &code).await.unwrap();
    let got = mock.last();
    assert_eq!(got.header("authorization"), Some("Bearer tok-123"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    let body = got.json();
    assert_eq!(body["to"], PHONE);
    assert_eq!(body["kind"], "login_code");
    assert_eq!(body["params"], serde_json::json!({"code": "097516"}));
    assert_eq!(body["text"], "【同心】您的登录验证码是 097516，5 分钟内有效。请勿告诉他人。");

    http(&mock.url, BodyFormat::Form, Some("X-Api-Key")).send(&phone(), &code).await.unwrap();
    let got = mock.last();
    assert_eq!(got.header("x-api-key"), Some("tok-123"));
    assert_eq!(got.header("authorization"), None);
    let form = got.form();
    assert_eq!((form["to"].as_str(), form["kind"].as_str()), (PHONE, "login_code"));
    assert!(form["text"].contains("097516"));
    assert_eq!(form["params"], r#"{"code":"097516"}"#);
}

#[tokio::test]
async fn the_http_gateway_reports_refusals_by_status_without_the_body() {
    let mock = MockGateway::start().await;
    let gateway = http(&mock.url, BodyFormat::Json, None);
    let message = SmsMessage::login_code("097516");
    let echo = format!("cannot send 【同心】您的登录验证码是 097516 to {PHONE}");
    for (status, expect) in [
        (429, SmsError::Throttled("HTTP 429".into())),
        (401, SmsError::Misconfigured("HTTP 401".into())),
        (422, SmsError::Refused("HTTP 422".into())),
        (503, SmsError::Unavailable("HTTP 503".into())),
    ] {
        mock.answer(status, &echo);
        let e = gateway.send(&phone(), &message).await.unwrap_err();
        assert_eq!(e, expect);
        assert_discreet(&e);
    }
    // nobody listening
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let e = http(&url, BodyFormat::Json, None).send(&phone(), &message).await.unwrap_err();
    assert_eq!(e, SmsError::Unavailable("cannot connect".into()));
}

#[tokio::test]
async fn aliyun_sends_a_signed_send_sms_with_the_template_and_its_variables() {
    let mock = MockGateway::start().await;
    let gateway = aliyun(&mock.url);
    gateway.send(&phone(), &SmsMessage::login_code("097516")).await.unwrap();
    gateway.send(&phone(), &SmsMessage::login_code("100200")).await.unwrap();
    let [first, second] = <[_; 2]>::try_from(mock.got()).unwrap();
    assert_eq!(first.header("content-type"), Some("application/x-www-form-urlencoded"));
    let form = first.form();
    assert!(aliyun_signature_ok(&form, SECRET), "the signature verifies: {form:?}");
    assert!(!aliyun_signature_ok(&form, "another secret"));
    let mut tampered = form.clone();
    tampered.insert("PhoneNumbers".into(), "13900000000".into());
    assert!(!aliyun_signature_ok(&tampered, SECRET), "the signature covers the number");
    for (name, value) in [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
        ("AccessKeyId", "LTAI5tTestKeyId"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("PhoneNumbers", PHONE),
        ("SignName", "同心街道"),
        ("TemplateCode", "SMS_460000001"),
        ("TemplateParam", r#"{"code":"097516"}"#),
    ] {
        assert_eq!(form.get(name).map(String::as_str), Some(value), "{name}");
    }
    let stamp = &form["Timestamp"];
    assert!(chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%SZ").is_ok(), "{stamp}");
    assert!(!form.contains_key("text") && !first.body.contains("%E7%99%BB%E5%BD%95"), "no free text goes to Aliyun");
    let again = second.form();
    assert!(aliyun_signature_ok(&again, SECRET));
    assert_ne!(form["SignatureNonce"], again["SignatureNonce"], "a fresh nonce every time");
}

#[tokio::test]
async fn aliyun_errors_say_who_must_act_and_never_echo_the_request() {
    let mock = MockGateway::start().await;
    let gateway = aliyun(&mock.url);
    let message = SmsMessage::login_code("097516");
    mock.answer(200, r#"{"Message":"触发小时级流控Permits:5","RequestId":"A1B2","Code":"isv.BUSINESS_LIMIT_CONTROL"}"#);
    let e = gateway.send(&phone(), &message).await.unwrap_err();
    assert_eq!(e, SmsError::Throttled("isv.BUSINESS_LIMIT_CONTROL, RequestId A1B2".into()));

    // A bad signature's answer quotes the whole request, number and code included.
    let quoted = format!(
        r#"{{"Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&PhoneNumbers%3D{PHONE}%26TemplateParam%3D%257B%2522code%2522%253A%2522097516%2522%257D","RequestId":"C3D4","Code":"SignatureDoesNotMatch"}}"#
    );
    mock.answer(400, &quoted);
    let e = gateway.send(&phone(), &message).await.unwrap_err();
    assert_eq!(e, SmsError::Misconfigured("SignatureDoesNotMatch, RequestId C3D4".into()));
    assert_discreet(&e);

    mock.answer(200, r#"{"Message":"手机号码格式错误","RequestId":"E5","Code":"isv.MOBILE_NUMBER_ILLEGAL"}"#);
    assert!(matches!(gateway.send(&phone(), &message).await, Err(SmsError::BadNumber(_))));
    mock.answer(200, r#"{"Message":"模板不合法","RequestId":"E6","Code":"isv.SMS_TEMPLATE_ILLEGAL"}"#);
    assert!(matches!(gateway.send(&phone(), &message).await, Err(SmsError::Misconfigured(_))));
    mock.answer(502, "<html>Bad Gateway</html>");
    let e = gateway.send(&phone(), &message).await.unwrap_err();
    assert_eq!(e, SmsError::Unavailable("an answer without a Code, HTTP 502".into()));

    // a kind of message without an approved template is not carried, and not sent
    let sent = mock.got().len();
    let reminder =
        SmsMessage { kind: "booking.reminder".into(), params: BTreeMap::new(), text: "【同心】提醒".into() };
    assert!(gateway.carries("login_code") && gateway.carries("registered") && !gateway.carries("booking.reminder"));
    assert_eq!(gateway.send(&phone(), &reminder).await, Err(SmsError::NoTemplate("booking.reminder".into())));
    assert_eq!(mock.got().len(), sent);
}
