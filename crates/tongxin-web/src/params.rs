//! What the JSON API and the pages both read from a request: the query string or form as
//! [`Params`] (the use cases' [`tongxin_app::params::Params`], taken from the request),
//! a region code from the path, and a numeric id from the path.

use std::ops::Deref;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use tongxin_core::geo::RegionCode;

use crate::ApiError;

/// The decoded query string. Never rejects: problems surface when a value is read.
#[derive(Debug, Default)]
pub struct Params(tongxin_app::params::Params);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        // The text layer (`crate::text::layer`) has refused a query that breaks the text
        // rules before any handler runs, so this decoding cannot fail behind the router.
        Ok(Params::from_pairs(crate::text::decode_form(query.as_bytes()).unwrap_or_default()))
    }
}

impl Deref for Params {
    type Target = tongxin_app::params::Params;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Params {
    /// Reads an `application/x-www-form-urlencoded` body, which the text layer has checked.
    pub fn from_form(body: &[u8]) -> Self {
        Params(tongxin_app::params::Params::from_form(body))
    }

    /// Fields read some other way (a multipart form).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Params(tongxin_app::params::Params::from_pairs(pairs))
    }

    /// These parameters with `name` set to `value` (replacing what was sent).
    pub fn with(&self, name: &str, value: impl ToString) -> Params {
        Params(self.0.with(name, value))
    }
}

/// A region code from the path (`/regions/{code}`), refused with a 400 naming `code`.
pub struct CodePath(pub RegionCode);

impl<S: Send + Sync> FromRequestParts<S> for CodePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid("code", e.body_text()))?;
        RegionCode::parse(&raw).map(CodePath).map_err(|e| ApiError::invalid("code", format!("code: {e}")))
    }
}

/// Reads a numeric id from the path, naming the field when it is not one.
pub fn id_param(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::invalid("id", format!("id must be a whole number, got '{raw}'")))
}
