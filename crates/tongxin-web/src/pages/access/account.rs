//! `/account`: a staff member's own account — who they are, their roles and regions, a new
//! password, and two-factor login (TOTP) enrolment.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use tongxin_core::access::password::{Password, Totp};
use tongxin_core::time::Timestamp;
use tongxin_store::access::User;

use crate::auth::{PageCaller, login};
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "access/account.html")]
struct AccountPage {
    page: PageContext,
    user: User,
    roles: Vec<&'static str>,
    notice: Option<String>,
    error: Option<String>,
}

async fn own_account(app: &App, lang: Lang, who: &PageCaller) -> Result<User, PageError> {
    if !who.actor.is_staff() {
        return Err(PageError::new(lang, StatusCode::NOT_FOUND, "error.not_found"));
    }
    app.store
        .user(who.actor.id)
        .await
        .map_err(|e| PageError::from_api(lang, e))?
        .ok_or_else(|| PageError::new(lang, StatusCode::NOT_FOUND, "error.not_found"))
}

fn account_page(
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    user: User,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let roles = user.roles.iter().map(|r| lang.catalog().term(r.term_key())).collect();
    render(&AccountPage { page: PageContext::new(lang, uri, Some(who)), user, roles, notice, error }).into_response()
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    match own_account(&app, lang, &who).await {
        Ok(user) => account_page(lang, &uri, &who, user, None, None),
        Err(e) => e.into_response(),
    }
}

/// Changes one's own password, given the current one.
pub async fn change_password(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    let user = match own_account(&app, lang, &who).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let t = lang.catalog();
    let field = |name: &str| form.raw(name).to_owned();
    let (current, new) = (field("current"), field("new"));
    let stored = match app.store.user_credentials(user.id).await {
        Ok((hash, _)) => hash,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let current_ok = login::password_matches(&current, Some(stored)).await;
    if !current_ok {
        return account_page(lang, &uri, &who, user, None, Some(t.get("account.error.current").to_owned()));
    }
    let Ok(password) = Password::parse(&new) else {
        return account_page(lang, &uri, &who, user, None, Some(t.get("account.error.short").to_owned()));
    };
    let hash = match login::hash_password(password).await {
        Ok(hash) => hash,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    // A new password ends every session, this one included: sign in again.
    if let Err(e) = app.store.reset_password(&who.caller(), user.id, &hash).await {
        return PageError::from_api(lang, e).into_response();
    }
    Redirect::to("/login?next=/account").into_response()
}

#[derive(Template)]
#[template(path = "access/totp.html")]
struct TotpPage {
    page: PageContext,
    secret: String,
    qr_svg: String,
    error: Option<String>,
}

/// Shows a fresh secret as a QR code; the secret travels in the form (sealed in nothing
/// else) until a correct code proves the app has it.
pub async fn totp_form(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    let user = match own_account(&app, lang, &who).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    totp_page(lang, &uri, &who, Totp::generate(&user.username), None)
}

fn totp_page(lang: Lang, uri: &axum::http::Uri, who: &PageCaller, totp: Totp, error: Option<String>) -> Response {
    let qr_svg = QrCode::new(totp.url().as_bytes())
        .map(|code| code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
        .unwrap_or_default();
    let page = TotpPage { page: PageContext::new(lang, uri, Some(who)), secret: totp.secret_base32(), qr_svg, error };
    render(&page).into_response()
}

/// Enrols the secret once the code from the authenticator app matches it.
pub async fn totp_confirm(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    let user = match own_account(&app, lang, &who).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let Some(totp) = form.get("secret").and_then(|s| Totp::from_base32(s, &user.username).ok()) else {
        return PageError::from_api(lang, ApiError::invalid("secret", "the enrolment form was altered"))
            .into_response();
    };
    let now = (Timestamp::now().millis() / 1000) as u64;
    if !totp.check(form.get("code").unwrap_or_default(), now) {
        let message = lang.catalog().get("totp.error.code").to_owned();
        return totp_page(lang, &uri, &who, totp, Some(message));
    }
    let sealed = app.pii.seal("totp", &totp.secret_base32());
    if let Err(e) = app.store.set_totp(&who.caller(), user.id, Some(&sealed)).await {
        return PageError::from_api(lang, e).into_response();
    }
    Redirect::to("/account").into_response()
}
