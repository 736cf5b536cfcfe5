//! Open311 GeoReport v2 under `/open311/v2`: the standard door for reporting apps and city
//! systems. Every resource answers in XML (`.xml`) and JSON (`.json`); filing goes through
//! the same intake as every other channel, with the source `open311`.
//!
//! - `GET /discovery.{fmt}`, `GET /services.{fmt}`, `GET /services/{code}.{fmt}` (and the
//!   older `/service/{code}.{fmt}`): the catalog as services, its attributes as the
//!   definition ([`services`]);
//! - `POST /requests.{fmt}`, `GET /requests.{fmt}`, `GET /requests/{id}.{fmt}`,
//!   `GET /tokens/{token}.{fmt}`: requests ([`requests`]).
//!
//! A service request id is the case number (`20261129-00042`), the one staff and residents
//! quote. Reporters' names, e-mail and phone are sealed like any personal field and never
//! shown; phone and ID numbers typed into a description are masked on the way out.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tongxin_core::geo::RegionLevel;
use tongxin_store::geo::RegionFilter;

use crate::auth::ClientIp;
use crate::params::Params;
use crate::{ApiError, App};

pub use doc::{Leaf, Node};
pub use tongxin_app::limits as limit;

pub mod doc;
pub mod page;
pub mod requests;
pub mod services;
mod view;

/// The token naming the specification, in discovery.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// Where GeoReport v2 is served.
pub const BASE: &str = "/open311/v2";

pub use tongxin_app::config::Open311Config;

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }
}

/// An error in the spec's shape: the status, and a list of code and description.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Self { status, description: description.into(), retry_after: None }
    }

    pub fn bad(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, description)
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, description)
    }

    fn node(&self) -> Node {
        Node::List(
            "errors",
            vec![Node::Object(
                "error",
                vec![
                    Node::Leaf("code", Leaf::Integer(i64::from(self.status.as_u16()))),
                    Node::text("description", self.description.clone()),
                ],
            )],
        )
    }

    pub fn respond(self, format: Format) -> Response {
        let mut response = answer(format, self.status, &self.node());
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<tongxin_app::Error> for Problem {
    fn from(e: tongxin_app::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        e.log();
        let status = match e.status() {
            StatusCode::NOT_FOUND => StatusCode::NOT_FOUND,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => StatusCode::FORBIDDEN,
            StatusCode::TOO_MANY_REQUESTS => StatusCode::TOO_MANY_REQUESTS,
            s if s.is_server_error() => s,
            _ => StatusCode::BAD_REQUEST,
        };
        let description = match &e {
            ApiError::InvalidParameter { field, message } | ApiError::Conflict { field, message } => {
                format!("{}: {}", open311_field(field), message.replace("give an address", "send address_string"))
            }
            ApiError::Internal(_) | ApiError::Unavailable(_) => {
                format!("general service error; quote request id {}", crate::observe::current_request_id())
            }
            other => other.to_string(),
        };
        Problem::new(status, description)
    }
}

/// The Open311 name of an intake field.
fn open311_field(field: &str) -> String {
    match field {
        "category" => "service_code".into(),
        "lng" => "long".into(),
        "address" => "address_string".into(),
        "reporter_phone" => "phone".into(),
        "reporter_name" => "first_name".into(),
        "building_id" => "address_id".into(),
        f => f.strip_prefix("attribute[").map_or_else(|| f.to_owned(), |code| format!("attribute[{code}")),
    }
}

impl From<tongxin_store::StoreError> for Problem {
    fn from(e: tongxin_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

/// An answer in `format`.
pub fn answer(format: Format, status: StatusCode, node: &Node) -> Response {
    let body = match format {
        Format::Xml => node.to_xml(),
        Format::Json => serde_json::to_vec(&node.to_json()).unwrap_or_default(),
    };
    (status, [(header::CONTENT_TYPE, format.content_type())], body).into_response()
}

/// The format a path under [`BASE`] asks for (XML unless it ends in `.json`), for answers
/// given before the route is reached.
pub fn format_of(path: &str) -> Format {
    if path.ends_with(".json") { Format::Json } else { Format::Xml }
}

/// Splits `services.json` into the name and the format. An unknown format is answered in
/// XML, the format every client reads.
fn split(file: &str) -> Result<(&str, Format), (Format, Problem)> {
    let Some((name, ext)) = file.rsplit_once('.') else {
        return Err((Format::Xml, Problem::not_found(format!("{file}: add .xml or .json"))));
    };
    match ext {
        "xml" => Ok((name, Format::Xml)),
        "json" => Ok((name, Format::Json)),
        other => {
            Err((Format::Xml, Problem::not_found(format!("the format '{other}' is not served: use .xml or .json"))))
        }
    }
}

/// The endpoint's URL as the client reached it: its `Host`, and `https` when a trusted
/// proxy (`trust_proxy`) says the client came over TLS.
pub fn endpoint_url(app: &App, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let forwarded = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok());
    let scheme = match forwarded {
        Some("https") if app.config.trust_proxy => "https",
        _ => "http",
    };
    format!("{scheme}://{host}{BASE}")
}

/// A jurisdiction: a subdistrict, by its region code.
#[derive(Debug, Clone)]
pub struct Jurisdiction {
    pub id: String,
    pub name: String,
}

/// The jurisdictions served: every subdistrict in the registry.
pub async fn jurisdictions(app: &App) -> Result<Vec<Jurisdiction>, ApiError> {
    let filter = RegionFilter { level: Some(RegionLevel::Subdistrict), ..Default::default() };
    Ok(app
        .store
        .regions(&filter)
        .await?
        .into_iter()
        .map(|r| Jurisdiction { id: r.code.to_string(), name: r.name })
        .collect())
}

/// The jurisdiction a call is about: optional when one is served, required when several.
pub async fn jurisdiction(app: &App, params: &Params) -> Result<Jurisdiction, Problem> {
    let all = jurisdictions(app).await?;
    match (params.get("jurisdiction_id"), all.as_slice()) {
        (_, []) => Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, "no jurisdiction is configured yet")),
        (None, [only]) => Ok(only.clone()),
        (None, _) => Err(Problem::bad(format!(
            "jurisdiction_id was not provided; this endpoint serves {}",
            all.iter().map(|j| j.id.as_str()).collect::<Vec<_>>().join(", ")
        ))),
        (Some(wanted), _) => all
            .iter()
            .find(|j| j.id == wanted)
            .cloned()
            .ok_or_else(|| Problem::not_found(format!("jurisdiction_id {wanted} was not found"))),
    }
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/open311/v2", get(page::page))
        .route("/open311/v2/", get(page::page))
        .route("/open311/v2/{file}", get(top_get).post(top_post))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/service/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(request))
        .route("/open311/v2/tokens/{file}", get(token))
}

/// Answers `file` (`name.fmt`) in its format with what `handle` makes of the name.
async fn in_format<F, Fut>(file: &str, handle: F) -> Response
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<Node, Problem>>,
{
    let (name, format) = match split(file) {
        Ok((name, format)) => (name.to_owned(), format),
        Err((format, problem)) => return problem.respond(format),
    };
    match handle(name).await {
        Ok(node) => answer(format, StatusCode::OK, &node),
        Err(problem) => problem.respond(format),
    }
}

/// `discovery`, `services` and `requests`.
async fn top_get(State(app): State<App>, Path(file): Path<String>, headers: HeaderMap, params: Params) -> Response {
    in_format(&file, |name| async move {
        match name.as_str() {
            "discovery" => services::discovery(&app, &headers).await,
            "services" => services::list(&app, &params).await,
            "requests" => requests::list(&app, &params).await,
            other => Err(Problem::not_found(format!("there is no resource '{other}'"))),
        }
    })
    .await
}

/// `POST /requests.{fmt}`.
async fn top_post(
    State(app): State<App>,
    Path(file): Path<String>,
    ClientIp(ip): ClientIp,
    params: Params,
    body: axum::body::Bytes,
) -> Response {
    in_format(&file, |name| async move {
        if name != "requests" {
            return Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, format!("{name} cannot be posted to")));
        }
        // The fields come in the body; api_key and jurisdiction_id may also be in the query.
        // The text layer has checked the body when it came as a form; a body sent under
        // another content type is held to the same rules here.
        let mut pairs = crate::text::decode_form(&body).map_err(|e| Problem::bad(e.to_string()))?;
        pairs.extend(params.pairs().map(|(k, v)| (k.to_owned(), v.to_owned())));
        crate::text::check_repeats(&pairs).map_err(|e| Problem::bad(e.to_string()))?;
        requests::create(&app, &ip, &Params::from_pairs(pairs)).await
    })
    .await
}

async fn service_definition(State(app): State<App>, Path(file): Path<String>, params: Params) -> Response {
    in_format(&file, |code| async move { services::definition(&app, &params, &code).await }).await
}

async fn request(State(app): State<App>, Path(file): Path<String>, params: Params) -> Response {
    in_format(&file, |id| async move { requests::one(&app, &params, &id).await }).await
}

async fn token(State(app): State<App>, Path(file): Path<String>, params: Params) -> Response {
    in_format(&file, |token| async move { requests::token(&app, &params, &token).await }).await
}
