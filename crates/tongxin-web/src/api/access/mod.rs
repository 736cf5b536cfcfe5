//! Accounts over JSON: signing in and out (staff with a password and TOTP, residents with
//! a one-time code), the signed-in caller, staff accounts, API keys, the audit log, and
//! resident accounts with their masked, revealable and exportable personal fields.

use axum::Router;
use axum::routing::{delete, get, post};

use crate::App;

pub use tongxin_app::access::*;

pub mod apikeys;
pub mod audit;
pub mod auth;
pub mod residents;
pub mod users;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/otp", post(auth::send_code))
        .route("/auth/resident-login", post(auth::resident_login))
        .route("/me", get(auth::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/users/{id}/totp", delete(users::remove_totp))
        .route("/apikeys", get(apikeys::list).post(apikeys::create))
        .route("/apikeys/{id}", delete(apikeys::revoke))
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        .route("/resident-accounts", get(residents::list))
        .route("/resident-accounts.csv", get(residents::export))
        .route("/resident-accounts/{id}", get(residents::one))
        .route("/resident-accounts/{id}/reveal", post(residents::reveal))
}
