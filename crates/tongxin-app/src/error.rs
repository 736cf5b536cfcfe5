//! [`Error`]: why a use case refused or failed, in the domain's terms. Each door shows it
//! its own way: the JSON API as its error shape with a status code, pages as a message in
//! the reader's language, the command line as a line on stderr.

use serde_json::Value;
use tongxin_store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A parameter is missing or malformed; `field` names it.
    #[error("{message}")]
    InvalidParameter { field: String, message: String },
    /// The username, password or code is wrong; the same words whether or not the
    /// account exists.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// The password was right and the account needs its TOTP code too.
    #[error("this account needs its two-factor code (totp)")]
    TotpRequired,
    /// Too many failed logins.
    #[error("the account is locked after too many failed logins until {until}")]
    Locked { until: String },
    /// The caller lacks a permission.
    #[error("this needs the permission {permission}")]
    Forbidden { permission: tongxin_core::access::Permission },
    /// The lifecycle does not allow this step now; `allowed` lists what it allows.
    #[error("{message}")]
    NotAllowedNow { message: String, allowed: Vec<String> },
    /// Asked again too soon.
    #[error("{0}")]
    TooManyRequests(String),
    /// No such thing, or one outside the caller's regions (the same answer).
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// A body or file is larger than the limit that `message` names.
    #[error("{message}")]
    TooLarge { field: String, message: String },
    /// The request conflicts with what is stored, e.g. a unique value.
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// Well-formed, but the content breaks a rule; `details` lists what.
    #[error("{message}")]
    Unprocessable { message: String, details: Value },
    /// The service cannot answer now (database down, schema out of date).
    #[error("{0}")]
    Unavailable(String),
    /// A fault on our side. Logged by the door, never shown.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidParameter { field: field.into(), message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound { code: "not_found", message: message.into() }
    }

    /// The stable code naming the kind of refusal (the JSON API's `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidParameter { .. } => "invalid_parameter",
            Error::InvalidCredentials => "invalid_credentials",
            Error::TotpRequired => "totp_required",
            Error::Locked { .. } => "locked",
            Error::Forbidden { .. } => "forbidden",
            Error::TooManyRequests(_) => "rate_limited",
            Error::NotFound { code, .. } => code,
            Error::Conflict { .. } => "conflict",
            Error::TooLarge { .. } => "payload_too_large",
            Error::NotAllowedNow { .. } => "transition_not_allowed",
            Error::Unprocessable { .. } => "unprocessable",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// A fault on our side (or the database's), not the caller's: logged, never shown.
    pub fn is_fault(&self) -> bool {
        matches!(self, Error::Unavailable(_) | Error::Internal(_))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Error::not_found(e.to_string()),
            StoreError::Refused(refused) => Error::NotAllowedNow {
                message: refused.to_string(),
                allowed: refused.allowed.iter().map(|a| a.as_str().to_owned()).collect(),
            },
            StoreError::Conflict { field, reason } => Error::Conflict { field: field.into(), message: reason },
            StoreError::SchemaOutOfDate { .. } | StoreError::Connect { .. } => Error::Unavailable(e.to_string()),
            StoreError::Database(sqlx_error @ tongxin_store::sqlx::Error::PoolTimedOut) => {
                Error::Unavailable(sqlx_error.to_string())
            }
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<tongxin_store::sqlx::Error> for Error {
    fn from(e: tongxin_store::sqlx::Error) -> Self {
        StoreError::from(e).into()
    }
}
