//! The layer that holds every request to the text rules before a handler sees it: the
//! query string always, and the body when it is a form or JSON. A refusal is answered in
//! the door's own shape: Open311's error list under `/open311`, the JSON error under
//! `/api`, and a page in the reader's language elsewhere.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{TextProblem, decode_form, json};
use crate::ApiError;
use crate::i18n::Lang;
use crate::open311::{self, Problem};
use crate::pages::PageError;

/// The largest form or JSON body read here: axum's own default, what every form and JSON
/// route took before this layer. The layer runs before routing, on every route, signed in
/// or not, so it must not hold more than a route would.
pub const MAX_TEXT_BODY: usize = 2 << 20;

/// The one route whose JSON body may be larger: the 12345 batch, an array of orders.
const BATCH_PATH: &str = "/api/v1/cases/import";

/// The most bytes of a form or JSON body `path` may send.
fn body_cap(path: &str) -> usize {
    if path == BATCH_PATH { crate::api::cases::batch::MAX_FILE_BYTES } else { MAX_TEXT_BODY }
}

/// The bodies the layer reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Form,
    Json,
}

fn body_kind(parts: &Parts) -> Option<Kind> {
    let content_type = parts.headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Some(Kind::Form),
        "application/json" => Some(Kind::Json),
        other if other.starts_with("application/") && other.ends_with("+json") => Some(Kind::Json),
        _ => None,
    }
}

/// The middleware: see the module's doc.
pub async fn guard(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    if let Some(query) = parts.uri.query()
        && let Err(problem) = decode_form(query.as_bytes())
    {
        return refuse(&mut parts, Refusal::Text(problem)).await;
    }
    let body = match body_kind(&parts) {
        None => body,
        Some(kind) => match axum::body::to_bytes(body, body_cap(parts.uri.path())).await {
            Err(_) => return refuse(&mut parts, Refusal::TooLarge).await,
            Ok(bytes) => {
                let checked = match kind {
                    Kind::Form => decode_form(&bytes).map(drop),
                    Kind::Json => json::check(&bytes),
                };
                if let Err(problem) = checked {
                    return refuse(&mut parts, Refusal::Text(problem)).await;
                }
                Body::from(bytes)
            }
        },
    };
    next.run(Request::from_parts(parts, body)).await
}

enum Refusal {
    Text(TextProblem),
    TooLarge,
}

/// Marks a 413 answer `Connection: close`, whoever gave it (this layer or a route's own
/// upload cap). The body was left half-read, so the connection cannot carry another
/// request; without the header a client pools it, and its next request dies on a socket
/// the server has closed.
pub async fn close_after_too_large(mut response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn refuse(parts: &mut Parts, refusal: Refusal) -> Response {
    let path = parts.uri.path().to_owned();
    let max_mb = body_cap(&path) >> 20;
    if path.starts_with(open311::BASE) {
        let format = open311::format_of(&path);
        let problem = match refusal {
            Refusal::Text(problem) => Problem::bad(problem.to_string()),
            Refusal::TooLarge => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is larger than {max_mb} MB"))
            }
        };
        return problem.respond(format);
    }
    if path.starts_with("/api/") {
        return match refusal {
            Refusal::Text(problem) => ApiError::invalid(problem.field(), problem.to_string()),
            Refusal::TooLarge => {
                ApiError::TooLarge { field: "body".into(), message: format!("the body is larger than {max_mb} MB") }
            }
        }
        .into_response();
    }
    let Ok(lang) = Lang::from_request_parts(parts, &()).await;
    let catalog = lang.catalog();
    let (status, message) = match refusal {
        Refusal::Text(problem) => {
            (StatusCode::BAD_REQUEST, catalog.fmt(problem.message_key(), &[("field", &problem.field())]))
        }
        Refusal::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, catalog.fmt("error.body_too_large", &[("max", &max_mb)])),
    };
    PageError::with_message(lang, status, message).into_response()
}
