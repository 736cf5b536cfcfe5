//! Encryption at rest and blind indexes for personal fields.
//!
//! One 32-byte master key ([`SecretKey`], from `TONGXIN_SECRET_KEY` or
//! `TONGXIN_SECRET_KEY_FILE`) yields two keys through HKDF-SHA256: one for AES-256-GCM,
//! one for HMAC-SHA256. A sealed value is `1 ‖ nonce(12) ‖ ciphertext+tag`, with the field
//! name as associated data so a value cannot be moved to another field unnoticed. The blind
//! index is the hex HMAC of the field name and the normalised value: equal values give
//! equal indexes, which allows exact-match search, and nothing else can be learned from it.

use std::fmt;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: u8 = 1;

/// The master key. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the secret key must be 32 bytes, written as 64 hex digits or 44 characters of base64")]
    KeyFormat,
    #[error("a sealed value could not be opened: it was made with another key, or altered")]
    Open,
}

impl SecretKey {
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        aes_gcm::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut key);
        Self(key)
    }

    /// Reads 64 hex digits or standard base64 of 32 bytes (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16)).collect::<Result<Vec<_>, _>>().ok()
        } else {
            STANDARD.decode(text).ok()
        };
        bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()).map(Self).ok_or(CryptoError::KeyFormat)
    }

    /// Base64, the form written to a key file.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(****)")
    }
}

/// Seals, opens and indexes personal fields.
#[derive(Clone)]
pub struct PiiCipher {
    aead: Aes256Gcm,
    index_key: [u8; 32],
}

impl fmt::Debug for PiiCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PiiCipher(****)")
    }
}

impl PiiCipher {
    pub fn new(key: &SecretKey) -> Self {
        let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"tongxin"), &key.0);
        let (mut enc, mut index_key) = ([0u8; 32], [0u8; 32]);
        hkdf.expand(b"pii-encryption-v1", &mut enc).expect("32 bytes is a valid HKDF length");
        hkdf.expand(b"pii-blind-index-v1", &mut index_key).expect("32 bytes is a valid HKDF length");
        Self { aead: Aes256Gcm::new(&enc.into()), index_key }
    }

    /// Encrypts `plaintext` for the column `field`.
    pub fn seal(&self, field: &str, plaintext: &str) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .aead
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: field.as_bytes() })
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut out = Vec::with_capacity(1 + nonce.len() + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a value sealed for `field`.
    pub fn open(&self, field: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        if sealed.len() < 1 + 12 + 16 || sealed[0] != VERSION {
            return Err(CryptoError::Open);
        }
        let (nonce, body) = sealed[1..].split_at(12);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: field.as_bytes() })
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }

    /// The blind index of a normalised value of `field`.
    pub fn blind_index(&self, field: &str, normalised: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("HMAC takes any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> PiiCipher {
        PiiCipher::new(&SecretKey::parse(&"ab".repeat(32)).unwrap())
    }

    #[test]
    fn seals_and_opens() {
        let c = cipher();
        let sealed = c.seal("phone", "13812345678");
        assert!(!sealed.windows(11).any(|w| w == b"13812345678"), "the plaintext is not in the ciphertext");
        assert_eq!(c.open("phone", &sealed).unwrap(), "13812345678");
        assert_ne!(c.seal("phone", "13812345678"), sealed, "a fresh nonce every time");
    }

    #[test]
    fn refuses_another_field_another_key_or_a_flipped_bit() {
        let c = cipher();
        let sealed = c.seal("phone", "13812345678");
        assert_eq!(c.open("id_number", &sealed), Err(CryptoError::Open));
        let other = PiiCipher::new(&SecretKey::generate());
        assert_eq!(other.open("phone", &sealed), Err(CryptoError::Open));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(c.open("phone", &flipped), Err(CryptoError::Open));
        assert_eq!(c.open("phone", &[1, 2, 3]), Err(CryptoError::Open));
    }

    #[test]
    fn blind_indexes_are_stable_and_keyed() {
        let c = cipher();
        assert_eq!(c.blind_index("phone", "13812345678"), c.blind_index("phone", "13812345678"));
        assert_ne!(c.blind_index("phone", "13812345678"), c.blind_index("id_number", "13812345678"));
        let other = PiiCipher::new(&SecretKey::generate());
        assert_ne!(other.blind_index("phone", "13812345678"), c.blind_index("phone", "13812345678"));
        assert_eq!(c.blind_index("phone", "x").len(), 64);
    }

    #[test]
    fn keys_parse_from_hex_or_base64_and_never_print() {
        let key = SecretKey::generate();
        assert_eq!(SecretKey::parse(&key.to_base64()).unwrap(), key);
        assert_eq!(SecretKey::parse("too short"), Err(CryptoError::KeyFormat));
        assert_eq!(format!("{key:?}"), "SecretKey(****)");
    }
}
