//! Accounts: signing in and out (staff with a password and TOTP, residents with a one-time
//! code), the signed-in caller, staff accounts, API keys, the audit log, and resident
//! accounts with their masked, revealable and exportable personal fields.

pub mod apikeys;
pub mod audit;
pub mod auth;
pub mod login;
pub mod residents;
pub mod users;
