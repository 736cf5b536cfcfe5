//! The telephone operator's card of the resident on the line: who they are, their tags
//! and care level, the family who may book for them, and their kiosk PIN.

use tongxin_app::registry::one_resident;
use tongxin_core::booking::eligibility::Applicant;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::{ApiError, App};

/// The caller on the line.
pub struct Caller {
    pub id: i64,
    pub name: String,
    pub age: i32,
    pub gender: &'static str,
    pub tags: Vec<String>,
    pub care_level: Option<u8>,
    pub phone: String,
    pub id_masked: String,
    pub address: String,
    pub moved_out: bool,
    /// Family members' phones (masked) who may book for them.
    pub family: Vec<String>,
    /// Their kiosk PIN in words (set when, or none yet), and a lock of their ID number.
    pub pin: String,
    pub pin_locked: Option<String>,
}

/// The card of the resident on the line, and what their eligibility is checked against.
pub async fn caller_card(
    app: &App,
    lang: Lang,
    who: &PageCaller,
    id: i64,
    today: chrono::NaiveDate,
) -> Result<(Caller, Applicant), ApiError> {
    let r = one_resident(app, who, id).await?;
    let (applicant, _) =
        app.store.applicant(id).await?.ok_or_else(|| ApiError::not_found(format!("no resident {id}")))?;
    let (pin, pin_locked) = super::kiosk_pin::described(lang, &app.store.kiosk_pin_state(id).await?);
    let mut tags: Vec<String> =
        tongxin_core::registry::age_tags(r.birth_date, today).into_iter().map(str::to_owned).collect();
    tags.extend(r.tags.iter().map(|t| lang.catalog().term(t.term_key()).to_owned()));
    let caller = Caller {
        id,
        name: r.name.clone(),
        age: tongxin_core::registry::age(r.birth_date, today),
        gender: lang.catalog().term(r.gender.term_key()),
        tags,
        care_level: applicant.care_level,
        phone: r.phone_masked.clone(),
        id_masked: r.id_masked.clone(),
        address: r.address.clone(),
        moved_out: r.moved_out.is_some(),
        family: app.store.family_of(id).await?,
        pin,
        pin_locked,
    };
    Ok((caller, applicant))
}
