//! The resident's one confirmation on the phone: `/me/book/confirm` shows what is about to
//! be booked — service, day, time, site and address, price and subsidy, what to bring, and
//! until when it can be cancelled — and books it only when confirmed (a POST to
//! `/me/book`); `GET /me/bookings/{id}/cancel` shows the booking and cancels it only when
//! confirmed (a POST to the same address). Plain forms, no script.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::booking::booking_in_reach;

use super::facts::{self, Facts};
use super::mine::people;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "booking/confirm.html")]
struct ConfirmPage {
    page: PageContext,
    heading: String,
    /// For whom.
    who: String,
    facts: Facts,
    /// A full slot: the confirmation takes a waitlist place.
    waitlist: bool,
    question: String,
    action: String,
    hidden: Vec<(&'static str, String)>,
    button: String,
    cancelling: bool,
    back: String,
}

/// `GET /me/book/confirm?person=&slot=`: the booking to confirm.
pub async fn booking(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let shown = async {
        let id: i64 = params.require("person")?;
        let person = people(&app, &who)
            .await?
            .into_iter()
            .find(|p| p.resident_id == id)
            .ok_or_else(|| ApiError::not_found(format!("no resident {id}")))?;
        let (slot, facts) = facts::of_slot(&app, lang, params.require("slot")?).await?;
        let t = lang.catalog();
        let day = tongxin_store::booking::shanghai_day(slot.starts_at).to_string();
        let waitlist = slot.free() == 0;
        let page = ConfirmPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            heading: t.get(if waitlist { "b14_confirm.waitlist_title" } else { "b14_confirm.book_title" }).to_owned(),
            who: person.name.clone(),
            facts,
            waitlist,
            question: t.get("b14_confirm.book_question").to_owned(),
            action: "/me/book".into(),
            hidden: vec![
                ("person", id.to_string()),
                ("slot", slot.id.to_string()),
                ("service", slot.service_code.clone()),
                ("date", day.clone()),
                ("waitlist", if waitlist { "1" } else { "0" }.into()),
            ],
            button: t.get(if waitlist { "b14_confirm.waitlist_button" } else { "b14_confirm.book_button" }).to_owned(),
            cancelling: false,
            back: format!("/me/book?person={id}&service={}&date={day}", enc(&slot.service_code)),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

/// `GET /me/bookings/{id}/cancel`: the booking to cancel.
pub async fn cancelling(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
) -> Response {
    let shown = async {
        let booking = booking_in_reach(&app, &who, crate::params::id_param(&raw)?).await?;
        let t = lang.catalog();
        let page = ConfirmPage {
            page: PageContext::new(lang, &uri, Some(&who)),
            heading: t.get("b14_confirm.cancel_title").to_owned(),
            who: booking.resident_name.clone(),
            facts: facts::of_booking(&app, lang, &booking).await?,
            waitlist: false,
            question: t.get("b14_confirm.cancel_question").to_owned(),
            action: format!("/me/bookings/{}/cancel", booking.id),
            hidden: Vec::new(),
            button: t.get("b14_confirm.cancel_button").to_owned(),
            cancelling: true,
            back: "/me/bookings".into(),
        };
        Ok::<_, ApiError>(render(&page).into_response())
    }
    .await;
    shown.unwrap_or_else(|e| PageError::from_api(lang, e).into_response())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
