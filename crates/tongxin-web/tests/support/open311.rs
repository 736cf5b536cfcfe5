//! What the Open311 conformance tests share: requests in either format, the XML read back
//! by the spec's Spark convention, and the spec's error shape.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Map, Value, json};

use crate::common::TestApp;

pub const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";

/// An answer: status, content type and body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub retry_after: Option<String>,
}

impl Answer {
    pub fn json(&self) -> Value {
        assert!(self.content_type.starts_with("application/json"), "{}", self.content_type);
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The XML read back into JSON by the spec's Spark convention, every leaf as text.
    pub fn xml(&self) -> Value {
        assert!(self.content_type.starts_with("text/xml"), "{}", self.content_type);
        assert!(self.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{}", self.body);
        spark(&self.body)
    }
}

pub async fn get(app: &TestApp, path: &str) -> Answer {
    answer(app.http.get(app.url(path)).send().await.unwrap()).await
}

pub async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Answer {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let r = app
        .http
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .header("origin", "https://app.example.org")
        .body(body)
        .send()
        .await
        .unwrap();
    answer(r).await
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (content_type, retry_after) = (header("content-type").unwrap_or_default(), header("retry-after"));
    Answer { status, content_type, retry_after, body: r.text().await.unwrap() }
}

/// XML to JSON by the Spark convention: an element whose children all share one name is an
/// array; other elements with children are objects; leaves are text, empty ones null.
pub fn spark(xml: &str) -> Value {
    #[derive(Default)]
    struct El {
        name: String,
        children: Vec<El>,
        text: String,
    }
    const CONTAINERS: [&str; 8] =
        ["services", "service_requests", "errors", "attributes", "values", "endpoints", "formats", "notes"];
    fn value(el: El) -> Value {
        if el.children.is_empty() && CONTAINERS.contains(&el.name.as_str()) {
            return Value::Array(Vec::new());
        }
        if el.children.is_empty() {
            let t = el.text.trim();
            return if t.is_empty() { Value::Null } else { Value::String(t.to_owned()) };
        }
        let first = el.children[0].name.clone();
        let repeated = el.children.len() > 1 && el.children.iter().all(|c| c.name == first);
        if repeated || CONTAINERS.contains(&el.name.as_str()) {
            Value::Array(el.children.into_iter().map(value).collect())
        } else {
            Value::Object(el.children.into_iter().map(|c| (c.name.clone(), value(c))).collect::<Map<_, _>>())
        }
    }
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                stack.push(El { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), ..El::default() })
            }
            Event::Empty(e) => {
                let el = El { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), ..El::default() };
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name: &[u8] = &r;
                let text = match name {
                    b"lt" => "<",
                    b"gt" => ">",
                    b"amp" => "&",
                    b"quot" => "\"",
                    b"apos" => "'",
                    other => panic!("entity {other:?}"),
                };
                stack.last_mut().unwrap().text.push_str(text);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    value(stack.pop().unwrap().children.remove(0))
}

/// A JSON answer with every leaf as text, to compare with the XML.
pub fn as_text(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(as_text).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), as_text(v))).collect()),
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(other.to_string()),
    }
}

/// The same resource in both formats says the same.
pub async fn both(app: &TestApp, path_without_format: &str, query: &str) -> Value {
    let json = get(app, &format!("{path_without_format}.json{query}")).await;
    let xml = get(app, &format!("{path_without_format}.xml{query}")).await;
    assert_eq!((json.status, xml.status), (200, 200), "{} {}", json.body, xml.body);
    let value = json.json();
    assert_eq!(as_text(&value), xml.xml(), "the XML and the JSON of {path_without_format} differ");
    value
}

/// An error answer: the status, and the spec's list of code and description, in both formats.
pub fn assert_errors(a: &Answer, status: u16, words: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    let list = if a.content_type.starts_with("text/xml") { a.xml() } else { a.json() };
    let errors = list.as_array().unwrap_or_else(|| panic!("errors are a list: {}", a.body));
    assert_eq!(errors.len(), 1);
    assert_eq!(as_text(&errors[0]["code"]), json!(status.to_string()));
    let description = errors[0]["description"].as_str().unwrap();
    assert!(description.contains(words), "{description} lacks {words}");
}

pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

pub async fn open311_key(app: &TestApp) -> String {
    let caller = tongxin_store::audit::Caller::system("test");
    let scopes = [tongxin_core::access::ApiScope::Open311];
    app.db.store.create_api_key(&caller, "FixMyStreet", &scopes, None).await.unwrap().1
}

/// A point in 景华's first grid.
pub async fn point(app: &TestApp) -> (String, String) {
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap().remove(0);
    (b.fields.location.lat().to_string(), b.fields.location.lng().to_string())
}
