//! Personal information (个人信息): the values PIPL and GB/T 35273 protect, as types that
//! cannot leak by accident.
//!
//! - [`id_number`]: [`IdNumber`], the resident ID number (身份证号), checked with the
//!   GB 11643 check digit.
//! - [`phone`]: [`PhoneNumber`], mobile or landline, normalised.
//! - [`mask`]: the masked forms every screen, response and export shows by default.
//! - [`crypto`]: [`PiiCipher`], AES-256-GCM encryption at rest and the HMAC blind index
//!   that finds a record by its full value without storing it.
//!
//! `Debug` on these types prints the masked form, so a stray `{:?}` in a log line cannot
//! write a raw ID number or phone number. There is no `Serialize`: the raw value leaves
//! only through an explicit `expose()`.

pub mod crypto;
pub mod id_number;
pub mod mask;
pub mod phone;

pub use crypto::{CryptoError, PiiCipher, SecretKey};
pub use id_number::{IdNumber, IdNumberError};
pub use mask::{mask_name, mask_numbers_in};
pub use phone::{PhoneError, PhoneNumber};
