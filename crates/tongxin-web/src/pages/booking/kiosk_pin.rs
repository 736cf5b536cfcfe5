//! Setting a kiosk PIN (终端口令): what the operator console and the resident's phone
//! share — the rules checked against the resident's own ID number, and the hash made off
//! the async threads — and the phone page `/me/kiosk-pin`, where a resident sets the PIN
//! for themselves or for an elder who linked their phone (typed twice). The operator's form
//! is on the console (`/booking/console/kiosk-pin`). Setting a PIN lifts a lock of the
//! resident's ID number; each setting is audited (`booking.kiosk.pin_set`).

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_core::booking::pin::{KioskPin, PinError};
use tongxin_core::pii::id_number::IdNumber;
use tongxin_store::booking::people::Person;
use tongxin_store::booking::pins::PinState;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new().route("/me/kiosk-pin", get(page).post(save))
}

/// The PIN typed for resident `id` (with `again`, when typed twice), checked against the
/// rules and their ID number; refused in the page's language, naming the field `pin`.
pub async fn checked(app: &App, lang: Lang, id: i64, raw: &str, again: Option<&str>) -> Result<KioskPin, ApiError> {
    let t = lang.catalog();
    let (sealed, _) = app.store.resident_sealed(id).await?;
    let Some(sealed) = sealed else {
        return Err(ApiError::invalid("pin", t.get("kiosk.pin_no_id")));
    };
    let number = app
        .pii
        .open("resident_id", &sealed)
        .map_err(|e| ApiError::Internal(format!("cannot open a sealed ID number: {e}")))?;
    let number = IdNumber::parse(&number).ok();
    let pin = match again {
        Some(again) => KioskPin::parse_twice(raw, again, number.as_ref()),
        None => KioskPin::parse(raw, number.as_ref()),
    };
    pin.map_err(|e| {
        let key = match e {
            PinError::Digits => "kiosk.pin_digits",
            PinError::TooEasy => "kiosk.pin_easy",
            PinError::FromIdNumber => "kiosk.pin_from_id",
            PinError::Mismatch => "kiosk.pin_mismatch",
        };
        ApiError::invalid("pin", t.get(key))
    })
}

/// Hashes a PIN off the async threads: argon2id is deliberately slow.
pub async fn hashed(pin: KioskPin) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || pin.hash()).await.map_err(|e| ApiError::Internal(e.to_string()))
}

/// A PIN's state in words: "set on 2026-12-05", "none yet", and a lock in force.
pub fn described(lang: Lang, state: &PinState) -> (String, Option<String>) {
    let t = lang.catalog();
    let day = |at: tongxin_core::time::Timestamp| at.to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
    let set = match state.set_at {
        Some(at) => t.fmt("kiosk.pin_set_on", &[("day", &day(at).format("%Y-%m-%d"))]),
        None => t.get("kiosk.pin_none").to_owned(),
    };
    let locked =
        state.locked_until.map(|until| t.fmt("kiosk.pin_locked_until", &[("time", &day(until).format("%H:%M"))]));
    (set, locked)
}

#[derive(Template)]
#[template(path = "booking/kiosk_pin.html")]
struct PinPage {
    page: PageContext,
    people: Vec<Person>,
    /// For whom, their PIN's state and any lock.
    chosen: Option<(Person, String, Option<String>)>,
    /// The chosen person has no ID number on record: a PIN would be of no use.
    no_id: bool,
    saved: bool,
    error: Option<String>,
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        let people = super::mine::people(&app, &who).await?;
        let chosen = match params.parse::<i64>("person")? {
            Some(id) => {
                Some(people.iter().find(|p| p.resident_id == id).ok_or_else(|| ApiError::not_found("no person"))?)
            }
            None if people.len() == 1 => people.first(),
            None => None,
        };
        let mut no_id = false;
        let chosen = match chosen {
            Some(p) => {
                no_id = app.store.resident_sealed(p.resident_id).await?.0.is_none();
                let (set, locked) = described(lang, &app.store.kiosk_pin_state(p.resident_id).await?);
                Some((p.clone(), set, locked))
            }
            None => None,
        };
        let page = PinPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            people,
            chosen,
            no_id,
            saved: params.get("saved").is_some(),
            error: params.get("error").filter(|e| !e.is_empty()).map(str::to_owned),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

async fn save(State(app): State<App>, lang: Lang, who: PageCaller, FormParams(form): FormParams) -> Response {
    let done = async {
        let id: i64 = form.require("person")?;
        if !super::mine::people(&app, &who).await?.iter().any(|p| p.resident_id == id) {
            return Err(ApiError::not_found(format!("no person {id}")));
        }
        let pin = checked(&app, lang, id, form.raw("pin"), Some(form.raw("pin_again"))).await?;
        app.store.set_kiosk_pin(&who.caller(), id, &hashed(pin).await?).await?;
        Ok::<_, ApiError>(id)
    }
    .await;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match done {
        Ok(id) => Redirect::to(&format!("/me/kiosk-pin?person={id}&saved=1")).into_response(),
        Err(e @ (ApiError::InvalidParameter { .. } | ApiError::Conflict { .. })) => {
            Redirect::to(&format!("/me/kiosk-pin?person={}&error={}", enc(form.raw("person")), enc(&e.message())))
                .into_response()
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
