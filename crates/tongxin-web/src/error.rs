//! [`ApiError`]: the JSON API's one error shape,
//! `{"error": {"code": "...", "message": "...", "details": ...}}`.
//!
//! 4xx errors are the caller's and name the offending field in `details.field`. 5xx
//! errors are logged once, here, inside the request span (so with the request id), and the
//! caller gets only that id, in `details.request_id` and the `x-request-id` header.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tongxin_store::StoreError;

use crate::observe;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 400: a parameter is missing or malformed.
    #[error("{message}")]
    InvalidParameter { field: String, message: String },
    /// 401: nobody is signed in (no session, an expired one, or an unknown API key).
    #[error("sign in first: send the session cookie or an API key")]
    Unauthenticated,
    /// 401: the username, password or code is wrong; the same words whether or not the
    /// account exists.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// 401: the password was right and the account needs its TOTP code too.
    #[error("this account needs its two-factor code (totp)")]
    TotpRequired,
    /// 403: the caller lacks a permission.
    #[error("this needs the permission {permission}")]
    Forbidden { permission: tongxin_core::access::Permission },
    /// 403: a state-changing request without the session's CSRF token.
    #[error("the request lacks a valid CSRF token (X-CSRF-Token header or _csrf field)")]
    CsrfRejected,
    /// 409: the lifecycle does not allow this step now; `allowed` lists what it allows.
    #[error("{message}")]
    NotAllowedNow { message: String, allowed: Vec<String> },
    /// 423: too many failed logins.
    #[error("the account is locked after too many failed logins until {until}")]
    Locked { until: String },
    /// 429: asked again too soon.
    #[error("{0}")]
    TooManyRequests(String),
    /// 404: no such thing, or one outside the caller's regions (the same answer).
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 413: a body or file is larger than the limit that `message` names.
    #[error("{message}")]
    TooLarge { field: String, message: String },
    /// 409: the request conflicts with what is stored, e.g. a unique value.
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// 422: well-formed, but the content breaks a rule; `details` lists what.
    #[error("{message}")]
    Unprocessable { message: String, details: Value },
    /// 503: the service cannot answer now (database down, schema out of date).
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault on our side. The message is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::InvalidParameter { field: field.into(), message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound { code: "not_found", message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated | ApiError::InvalidCredentials | ApiError::TotpRequired => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Forbidden { .. } | ApiError::CsrfRejected => StatusCode::FORBIDDEN,
            ApiError::Locked { .. } => StatusCode::LOCKED,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } | ApiError::NotAllowedNow { .. } => StatusCode::CONFLICT,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidParameter { .. } => "invalid_parameter",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::TotpRequired => "totp_required",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::CsrfRejected => "csrf",
            ApiError::Locked { .. } => "locked",
            ApiError::TooManyRequests(_) => "rate_limited",
            ApiError::NotFound { code, .. } => code,
            ApiError::Conflict { .. } => "conflict",
            ApiError::TooLarge { .. } => "payload_too_large",
            ApiError::NotAllowedNow { .. } => "transition_not_allowed",
            ApiError::Unprocessable { .. } => "unprocessable",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The message the body carries (for a page to show).
    pub fn message(&self) -> String {
        self.body()["error"]["message"].as_str().unwrap_or_default().to_owned()
    }

    /// The body's `error` object.
    pub fn body(&self) -> Value {
        let request_id = observe::current_request_id();
        let (message, details) = match self {
            ApiError::InvalidParameter { field, message }
            | ApiError::Conflict { field, message }
            | ApiError::TooLarge { field, message } => (message.clone(), json!({ "field": field })),
            ApiError::NotFound { message, .. } | ApiError::TooManyRequests(message) => (message.clone(), Value::Null),
            ApiError::Forbidden { permission } => (self.to_string(), json!({ "permission": permission })),
            ApiError::Locked { until } => (self.to_string(), json!({ "until": until })),
            ApiError::Unauthenticated
            | ApiError::InvalidCredentials
            | ApiError::TotpRequired
            | ApiError::CsrfRejected => (self.to_string(), Value::Null),
            ApiError::Unprocessable { message, details } => (message.clone(), details.clone()),
            ApiError::NotAllowedNow { message, allowed } => (message.clone(), json!({ "allowed": allowed })),
            ApiError::Unavailable(_) | ApiError::Internal(_) => (
                format!("the server could not complete the request; quote request id {request_id}"),
                json!({ "request_id": request_id }),
            ),
        };
        json!({ "error": { "code": self.code(), "message": message, "details": details } })
    }

    /// Logs a server-side fault once; caller errors are not logged as errors.
    pub fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        (self.status(), Json(self.body())).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tongxin_app::Error::from(e).into()
    }
}

impl From<tongxin_store::sqlx::Error> for ApiError {
    fn from(e: tongxin_store::sqlx::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<tongxin_store::booking::BookingError> for ApiError {
    fn from(e: tongxin_store::booking::BookingError) -> Self {
        tongxin_app::Error::from(e).into()
    }
}

/// A use case's refusal, shown in the JSON shape: each domain error is the variant of
/// the same name.
impl From<tongxin_app::Error> for ApiError {
    fn from(e: tongxin_app::Error) -> Self {
        use tongxin_app::Error as E;
        match e {
            E::InvalidParameter { field, message } => ApiError::InvalidParameter { field, message },
            E::InvalidCredentials => ApiError::InvalidCredentials,
            E::TotpRequired => ApiError::TotpRequired,
            E::Locked { until } => ApiError::Locked { until },
            E::Forbidden { permission } => ApiError::Forbidden { permission },
            E::NotAllowedNow { message, allowed } => ApiError::NotAllowedNow { message, allowed },
            E::TooManyRequests(message) => ApiError::TooManyRequests(message),
            E::NotFound { code, message } => ApiError::NotFound { code, message },
            E::TooLarge { field, message } => ApiError::TooLarge { field, message },
            E::Conflict { field, message } => ApiError::Conflict { field, message },
            E::Unprocessable { message, details } => ApiError::Unprocessable { message, details },
            E::Unavailable(message) => ApiError::Unavailable(message),
            E::Internal(message) => ApiError::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameter_names_the_field() {
        let e = ApiError::invalid("lat", "lat must be a number between -90 and 90");
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(e.body()["error"]["code"], "invalid_parameter");
        assert_eq!(e.body()["error"]["details"]["field"], "lat");
    }

    #[test]
    fn internal_errors_keep_their_cause_private() {
        let e = ApiError::Internal("password authentication failed for user tongxin".into());
        let body = e.body().to_string();
        assert!(!body.contains("password"), "{body}");
        assert_eq!(e.body()["error"]["code"], "internal");
        assert!(e.body()["error"]["details"]["request_id"].is_string());
    }

    #[test]
    fn store_conflicts_become_409_with_the_field() {
        let e = ApiError::from(StoreError::Conflict { field: "address", reason: "taken".into() });
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.body()["error"]["details"]["field"], "address");
    }
}
