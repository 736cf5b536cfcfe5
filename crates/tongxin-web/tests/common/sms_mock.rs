//! A stand-in SMS gateway on 127.0.0.1, port 0: it keeps every request it is sent and
//! answers what the test tells it (by default Alibaba Cloud's `{"Code":"OK"}`). It also
//! checks an Alibaba Cloud signature the way Alibaba's servers do, written here apart from
//! the sender's code so that the two check each other.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, Mac};

/// One request the gateway got.
#[derive(Clone, Debug)]
pub struct Got {
    pub headers: HeaderMap,
    pub body: String,
}

impl Got {
    /// The body as a form.
    pub fn form(&self) -> BTreeMap<String, String> {
        form_urlencoded::parse(self.body.as_bytes()).into_owned().collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone)]
pub struct MockGateway {
    pub url: String,
    got: Arc<Mutex<Vec<Got>>>,
    answer: Arc<Mutex<(u16, String)>>,
}

pub const ALIYUN_OK: &str =
    r#"{"Message":"OK","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990","Code":"OK","BizId":"900619746936498440^0"}"#;

impl MockGateway {
    pub async fn start() -> MockGateway {
        let mock = MockGateway {
            url: String::new(),
            got: Arc::default(),
            answer: Arc::new(Mutex::new((200, ALIYUN_OK.to_owned()))),
        };
        let keep = mock.clone();
        let router = axum::Router::new().fallback(axum::routing::post(move |headers: HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                keep.got.lock().unwrap().push(Got { headers, body });
                let (status, body) = keep.answer.lock().unwrap().clone();
                (StatusCode::from_u16(status).unwrap(), [("content-type", "application/json")], body)
            }
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.ok() });
        MockGateway { url, ..mock }
    }

    /// What the gateway answers from now on.
    pub fn answer(&self, status: u16, body: &str) {
        *self.answer.lock().unwrap() = (status, body.to_owned());
    }

    pub fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    pub fn last(&self) -> Got {
        self.got().pop().expect("the gateway got a request")
    }
}

/// RFC 3986, as Alibaba Cloud encodes for signing.
fn encode(text: &str) -> String {
    const KEEP: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
    let mut out = String::new();
    for b in text.as_bytes() {
        if KEEP.as_bytes().contains(b) {
            out.push(*b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

/// Whether `form` carries a valid `Signature` under `secret` for a POST.
pub fn aliyun_signature_ok(form: &BTreeMap<String, String>, secret: &str) -> bool {
    let Some(signature) = form.get("Signature") else { return false };
    let query: Vec<String> =
        form.iter().filter(|(k, _)| *k != "Signature").map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    let to_sign = format!("POST&%2F&{}", encode(&query.join("&")));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    *signature == expected
}
