//! Passwords (argon2id), TOTP second factors and the login rules: 5 failures lock an
//! account for 15 minutes; a session ends after 30 idle minutes or 12 hours.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use totp_rs::{Algorithm, TOTP};

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
pub const SESSION_MAX_MS: i64 = 12 * 60 * 60 * 1000;

/// A password that meets the rules. `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least 12 characters")]
    TooShort,
    #[error("a password has at most 256 characters")]
    TooLong,
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        match raw.chars().count() {
            n if n < MIN_PASSWORD_CHARS => Err(PasswordError::TooShort),
            n if n > 256 => Err(PasswordError::TooLong),
            _ => Ok(Self(raw.to_owned())),
        }
    }

    /// The password itself, for the one place that must show it (the demo's logins).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// An argon2id hash in PHC string form, with a fresh salt.
    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(self.0.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(****)")
    }
}

/// Checks `attempt` against a stored PHC hash. Any text is accepted as an attempt: a
/// short one simply does not match.
pub fn verify_password(attempt: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(attempt.as_bytes(), &hash).is_ok())
}

/// Spends the time a real check would, so an unknown username answers as slowly as a
/// known one with a wrong password.
pub fn verify_nothing(attempt: &str) {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| Password("tongxin-dummy-password".into()).hash());
    let _ = verify_password(attempt, &DUMMY);
}

/// A TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s), as authenticator apps use.
pub struct Totp(TOTP);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a TOTP secret is at least 16 bytes")]
pub struct TotpError;

impl Totp {
    /// A new secret for `account`.
    pub fn generate(account: &str) -> Self {
        let mut secret = vec![0u8; 20];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut secret);
        Self::from_secret(secret, account).expect("20 bytes is long enough")
    }

    pub fn from_secret(secret: Vec<u8>, account: &str) -> Result<Self, TotpError> {
        TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, Some("Tongxin".into()), account.to_owned())
            .map(Self)
            .map_err(|_| TotpError)
    }

    /// From the base32 text [`Totp::secret_base32`] gives (how it is sealed at rest).
    pub fn from_base32(text: &str, account: &str) -> Result<Self, TotpError> {
        let bytes = totp_rs::Secret::Encoded(text.trim().to_owned()).to_bytes().map_err(|_| TotpError)?;
        Self::from_secret(bytes, account)
    }

    pub fn secret(&self) -> &[u8] {
        &self.0.secret
    }

    /// The secret in base32, for typing into an authenticator by hand.
    pub fn secret_base32(&self) -> String {
        self.0.get_secret_base32()
    }

    /// The `otpauth://` URL an authenticator app reads from a QR code.
    pub fn url(&self) -> String {
        self.0.get_url()
    }

    /// Whether `code` is valid at `unix_seconds`, allowing one step of clock skew.
    pub fn check(&self, code: &str, unix_seconds: u64) -> bool {
        let code = code.trim();
        code.len() == 6 && self.0.check(code, unix_seconds)
    }

    /// The code for `unix_seconds` (tests and the enrolment check use it).
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.0.generate(unix_seconds)
    }
}

/// After one more failed login: the new failure count and, when it reaches the limit,
/// the time the lock ends (the count then starts again).
pub fn after_failed_login(failed_before: i64, now_ms: i64) -> (i64, Option<i64>) {
    let failed = failed_before + 1;
    if failed >= MAX_FAILED_LOGINS { (0, Some(now_ms + LOCKOUT_MS)) } else { (failed, None) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_have_twelve_characters_or_more() {
        assert_eq!(Password::parse("short").unwrap_err(), PasswordError::TooShort);
        assert_eq!(Password::parse("十一个字的密码不够长吧").unwrap_err(), PasswordError::TooShort);
        assert!(Password::parse("十二个字的密码应该够长了吧").is_ok());
        assert_eq!(format!("{:?}", Password::parse("correct horse battery").unwrap()), "Password(****)");
    }

    #[test]
    fn hashes_with_argon2id_and_verifies() {
        let p = Password::parse("correct horse battery").unwrap();
        let hash = p.hash();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(p.hash(), hash, "salted");
    }

    #[test]
    fn totp_codes_check_within_one_step() {
        let totp = Totp::generate("admin");
        let now = 1_795_749_470;
        assert!(totp.check(&totp.code_at(now), now));
        assert!(totp.check(&totp.code_at(now - 30), now), "one step of skew");
        assert!(!totp.check(&totp.code_at(now - 120), now));
        assert!(!totp.check("12345", now));
        assert!(totp.url().starts_with("otpauth://totp/Tongxin:admin?"));
        let again = Totp::from_secret(totp.secret().to_vec(), "admin").unwrap();
        assert_eq!(again.code_at(now), totp.code_at(now));
        let from_text = Totp::from_base32(&totp.secret_base32(), "admin").unwrap();
        assert_eq!(from_text.code_at(now), totp.code_at(now));
        assert!(Totp::from_base32("not base32!", "admin").is_err());
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes() {
        let mut failed = 0;
        for _ in 0..4 {
            let (f, lock) = after_failed_login(failed, 1000);
            assert!(lock.is_none());
            failed = f;
        }
        assert_eq!(after_failed_login(failed, 1000), (0, Some(1000 + 15 * 60 * 1000)));
    }
}
