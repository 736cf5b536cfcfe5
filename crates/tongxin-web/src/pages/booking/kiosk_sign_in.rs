//! Signing in at a kiosk with an ID number and the kiosk PIN (终端口令).
//!
//! The birth date is no factor: digits 7–14 of the ID number are the birth date. Whatever
//! is wrong — a malformed or unknown ID number, a resident who moved out or has no PIN
//! yet, a wrong PIN — the kiosk answers in the same words and after the same argon2 work,
//! so it tells no one whether an ID number is on record. Each failure counts against the
//! ID number typed (by its blind index, on record or not) and against the kiosk; a lock in
//! force refuses the attempt before any check ([`tongxin_core::booking::pin`] has the
//! limits, [`tongxin_store::booking::pins`] the counters).

use tongxin_core::booking::pin::{PER_ID, PER_KIOSK, normalise};
use tongxin_core::pii::id_number::IdNumber;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::Caller;
use tongxin_store::booking::pins::{Failure, Guarded};

use crate::auth::login::password_matches;
use crate::i18n::Lang;
use crate::params::Params;
use crate::{ApiError, App};

/// A resident signed in with their PIN, and their ID number's blind index (whose failures
/// the session forgets).
pub struct SignedIn {
    pub resident: i64,
    pub id_index: String,
}

/// The one answer to every wrong ID number or PIN.
fn wrong(lang: Lang) -> ApiError {
    ApiError::invalid("id_number", lang.catalog().get("kiosk.bad_pin"))
}

/// The one answer while the ID number or the kiosk is locked.
fn locked(lang: Lang) -> ApiError {
    let minutes = PER_ID.lock_ms.max(PER_KIOSK.lock_ms) / 60_000;
    ApiError::TooManyRequests(lang.catalog().fmt("kiosk.locked", &[("minutes", &minutes)]))
}

/// Checks the `id_number` and `pin` of `form` at kiosk `kiosk` (its API key id).
pub async fn with_pin(app: &App, lang: Lang, caller: &Caller, kiosk: i64, form: &Params) -> Result<SignedIn, ApiError> {
    let now = Timestamp::now().millis();
    let id = IdNumber::parse(form.raw("id_number")).ok();
    let index = id.as_ref().map(|id| app.pii.blind_index("resident_id", id.expose()));
    let mut guarded = Vec::with_capacity(2);
    if let (Some(id), Some(index)) = (&id, &index) {
        guarded.push(Guarded::IdNumber { index: index.clone(), masked: id.masked() });
    }
    guarded.push(Guarded::Kiosk(kiosk));
    if app.store.kiosk_locked_until(&guarded, now).await?.is_some() {
        return Err(locked(lang));
    }
    let found = match &index {
        Some(index) => app.store.kiosk_pin_of(index).await?,
        None => None,
    };
    let (resident, hash) = found.map_or((None, None), |(r, h)| (Some(r), Some(h)));
    // Without a hash this spends the same time and matches nothing.
    let matches = password_matches(&normalise(form.raw("pin")), hash).await;
    if let (true, Some(resident), Some(id_index)) = (matches, resident, index.clone()) {
        return Ok(SignedIn { resident, id_index });
    }
    let reason = match (&index, resident) {
        (None, _) => "malformed",
        (Some(_), None) => "unknown_or_no_pin",
        (Some(_), Some(_)) => "wrong_pin",
    };
    let failure = Failure { guarded: &guarded, reason, kiosk };
    match app.store.record_kiosk_failure(caller, &failure, now).await? {
        Some(_) => Err(locked(lang)),
        None => Err(wrong(lang)),
    }
}
