//! Accounts and their credentials: staff users with roles and regions ([`users`]),
//! server-side sessions ([`sessions`]), API keys ([`api_keys`]) and resident accounts
//! with their one-time codes and the development SMS outbox ([`residents`]).
//!
//! Every change here writes its audit entry in the same transaction.

pub mod api_keys;
pub mod residents;
pub mod sessions;
pub mod users;

pub use api_keys::ApiKey;
pub use residents::{OtpCheck, ResidentAccount, SentSms};
pub use sessions::{Session, Subject};
pub use users::{NewUser, User};
