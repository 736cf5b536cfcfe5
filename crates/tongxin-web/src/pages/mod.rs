//! Server-rendered pages. Every page extends `templates/base.html` and takes its text from
//! the message catalog of the reader's [`Lang`]. Folders per capability (`geo`).
//!
//! Pages work without JavaScript: forms are plain GET/POST, the map is SVG drawn here, and
//! the language switch is a link that sets a cookie.

pub mod geo;

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::api::params::Params;
use crate::i18n::{Catalog, LANG_COOKIE, Lang};
use crate::{ApiError, App, observe};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/map") }))
        .route("/lang/{code}", get(switch_language))
        .merge(geo::routes())
        .fallback(not_found)
}

/// What the base layout needs on every page.
pub struct PageContext {
    pub lang: Lang,
    pub t: &'static Catalog,
    /// The current path and query, where the language switch comes back to.
    pub here: String,
}

impl PageContext {
    pub fn new(lang: Lang, uri: &Uri) -> Self {
        let here = uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned();
        Self { lang, t: lang.catalog(), here }
    }

    /// The language the switch link offers.
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    /// The switch link's target, with `here` encoded.
    pub fn switch_href(&self) -> String {
        let next: String = form_urlencoded::byte_serialize(self.here.as_bytes()).collect();
        format!("/lang/{}?next={next}", self.other_lang().code())
    }
}

/// Renders a page template, or the error page if the template fails.
pub fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    template.render().map(Html).map_err(|e| PageError::internal(Lang::default(), e))
}

/// A page-level error: shown as a page in the reader's language, with the right status.
pub struct PageError {
    status: StatusCode,
    lang: Lang,
    message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: PageContext,
    status: u16,
    message: &'a str,
}

impl PageError {
    pub fn new(lang: Lang, status: StatusCode, message_key: &str) -> Self {
        Self { status, lang, message: lang.catalog().get(message_key).to_owned() }
    }

    pub fn internal(lang: Lang, cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "page failed");
        let id = observe::current_request_id();
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            lang,
            message: lang.catalog().fmt("error.internal", &[("id", &id)]),
        }
    }

    /// Turns an API error met while building a page into the page's error.
    pub fn from_api(lang: Lang, e: ApiError) -> Self {
        match e.status() {
            StatusCode::NOT_FOUND => Self::new(lang, StatusCode::NOT_FOUND, "error.not_found"),
            status if status.is_server_error() => Self::internal(lang, e),
            status => Self { status, lang, message: e.to_string() },
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            page: PageContext { lang: self.lang, t: self.lang.catalog(), here: "/".into() },
            status: self.status.as_u16(),
            message: &self.message,
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        (self.status, Html(body)).into_response()
    }
}

async fn not_found(lang: Lang, OriginalUri(uri): OriginalUri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::NotFound { code: "no_route", message: "no such API endpoint".into() }.into_response();
    }
    PageError::new(lang, StatusCode::NOT_FOUND, "error.not_found").into_response()
}

/// `/lang/{code}?next=/path`: remembers the language in a cookie and goes back. Only
/// local paths are followed, so the link cannot send anyone elsewhere.
async fn switch_language(Path(code): Path<String>, params: Params) -> Response {
    let lang = Lang::from_code(&code).unwrap_or_default();
    let next = params.get("next").filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'));
    let mut response = Redirect::to(next.unwrap_or("/map")).into_response();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
