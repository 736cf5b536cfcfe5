//! Account pages: signing in and out (staff and residents), the staff member's own account
//! (password, two-factor login), administration of accounts and API keys, the audit log
//! viewer, resident accounts for staff, the resident's own page, and the development SMS
//! inbox.

use axum::Router;
use axum::routing::{get, post};

use crate::App;

pub mod account;
pub mod admin_keys;
pub mod admin_users;
pub mod audit;
pub mod login;
pub mod residents;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/login", get(login::staff_form).post(login::staff_submit))
        .route("/logout", post(login::logout))
        .route("/resident/login", get(login::resident_form).post(login::resident_submit))
        .route("/me", get(login::resident_home))
        .route("/dev/sms", get(login::dev_inbox))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/totp", get(account::totp_form).post(account::totp_confirm))
        .route("/admin/users", get(admin_users::page).post(admin_users::create))
        .route("/admin/users/{id}/{action}", post(admin_users::act))
        .route("/admin/apikeys", get(admin_keys::page).post(admin_keys::create))
        .route("/admin/apikeys/{id}/revoke", post(admin_keys::revoke))
        .route("/audit", get(audit::page))
        .route("/residents", get(residents::page))
        .route("/residents/{id}/reveal", post(residents::reveal))
        .route("/residents/export.csv", get(residents::export))
}
