//! `/docs/api` (接口文档): the JSON API's reference, read by people. Swagger UI
//! (`static/vendor/swagger-ui/`, vendored from npm's `swagger-ui-dist`, see its `VERSION`)
//! draws `/api/v1/openapi.json` in the page; `static/api-docs.js` starts it, since the
//! Content-Security-Policy allows no inline script. Staff only: residents and kiosks
//! have no use for it and are not shown the link. The raw document stays public at its
//! URL for machine clients.

use askama::Template;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tongxin_core::access::{ActorKind, Role};

use crate::auth::{PageCaller, Who};
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};

/// The OpenAPI document the page draws.
pub const OPENAPI_URL: &str = "/api/v1/openapi.json";

/// Whether `who` is shown the API reference: a member of staff, not a kiosk device.
pub fn reads_api_docs(who: &Who) -> bool {
    who.actor.kind == ActorKind::Staff && !who.actor.roles.contains(&Role::Kiosk)
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    page: PageContext,
    openapi_url: &'static str,
}

pub async fn page(lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    if !reads_api_docs(&who) {
        return PageError::new(lang, StatusCode::FORBIDDEN, "error.forbidden").into_response();
    }
    render(&ApiDocsPage { page: PageContext::new(lang, &uri, Some(&who)), openapi_url: OPENAPI_URL }).into_response()
}
