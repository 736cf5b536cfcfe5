//! `/login`, `/logout`, `/resident/login`, `/me` and `/dev/sms`.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_core::access::ActorKind;
use tongxin_core::pii::PhoneNumber;
use tongxin_core::time::Timestamp;
use tongxin_store::access::SentSms;

use crate::auth::{ClientIp, MaybeCaller, PageCaller, cookies, login};
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, local_path, render};
use crate::params::Params;
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "access/login.html")]
struct LoginPage {
    page: PageContext,
    next: String,
    username: String,
    error: Option<String>,
    /// Show the two-factor field (the password was right).
    ask_totp: bool,
}

/// The reader-facing words for a failed sign-in.
fn explain(lang: Lang, e: &ApiError) -> Option<String> {
    let t = lang.catalog();
    Some(match e {
        ApiError::InvalidCredentials => t.get("login.error.credentials").to_owned(),
        ApiError::TotpRequired => t.get("login.error.totp").to_owned(),
        ApiError::Locked { until } => t.fmt("login.error.locked", &[("until", &until.get(11..16).unwrap_or(until))]),
        ApiError::TooManyRequests(_) => t.get("login.error.wait").to_owned(),
        ApiError::InvalidParameter { field, .. } if field == "phone" => t.get("login.error.phone").to_owned(),
        _ => return None,
    })
}

/// The words for a code the SMS gateway did not take (the fault is logged once, here).
fn sms_trouble(lang: Lang, e: &ApiError, sending: bool) -> Option<String> {
    if !(sending && matches!(e, ApiError::Unavailable(_))) {
        return None;
    }
    e.log();
    Some(lang.catalog().get("login.error.sms").to_owned())
}

fn signed_in_redirect(headers: &HeaderMap, token: &str, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookies::session(headers, token));
    response
}

pub async fn staff_form(
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    MaybeCaller(who): MaybeCaller,
    params: Params,
) -> Response {
    if who.is_some_and(|w| w.actor.is_staff()) {
        return Redirect::to(local_path(params.get("next")).unwrap_or("/")).into_response();
    }
    let page = LoginPage {
        page: PageContext::new(lang, &uri, None),
        next: local_path(params.get("next")).unwrap_or("/").to_owned(),
        username: String::new(),
        error: None,
        ask_totp: false,
    };
    render(&page).into_response()
}

pub async fn staff_submit(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    MaybeCaller(existing): MaybeCaller,
    FormParams(form): FormParams,
) -> Response {
    let username = form.get("username").unwrap_or_default().to_owned();
    let next = local_path(form.get("next")).unwrap_or("/").to_owned();
    if let Some(previous) = existing
        && let Err(e) = login::sign_out(&app, &previous).await
    {
        return PageError::from_api(lang, e).into_response();
    }
    let password = form.raw("password");
    match login::staff(&app, &ip, &username, password, form.get("totp")).await.map_err(ApiError::from) {
        Ok(signed_in) => signed_in_redirect(&headers, &signed_in.token, &next),
        Err(e) => match explain(lang, &e) {
            Some(message) => {
                let status = e.status();
                let page = LoginPage {
                    page: PageContext::new(lang, &uri, None),
                    next,
                    ask_totp: matches!(e, ApiError::TotpRequired),
                    username,
                    error: Some(message),
                };
                (status, render(&page)).into_response()
            }
            None => PageError::from_api(lang, e).into_response(),
        },
    }
}

pub async fn logout(State(app): State<App>, lang: Lang, headers: HeaderMap, who: PageCaller) -> Response {
    if let Err(e) = login::sign_out(&app, &who).await {
        return PageError::from_api(lang, e).into_response();
    }
    let to = if who.actor.kind == ActorKind::Resident { "/resident/login" } else { "/login" };
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookies::clear_session(&headers));
    response
}

#[derive(Template)]
#[template(path = "access/resident_login.html")]
struct ResidentLoginPage {
    page: PageContext,
    phone: String,
    /// The code was sent: ask for it.
    code_sent: bool,
    error: Option<String>,
    dev_inbox: bool,
}

pub async fn resident_form(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri) -> Response {
    if !app.config.resident_login {
        return PageError::new(lang, StatusCode::NOT_FOUND, "resident.off").into_response();
    }
    let page = ResidentLoginPage {
        page: PageContext::new(lang, &uri, None),
        phone: String::new(),
        code_sent: false,
        error: None,
        dev_inbox: app.config.dev_inbox(),
    };
    render(&page).into_response()
}

/// One form, two steps: a phone number asks for a code; a phone and a code sign in.
pub async fn resident_submit(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    FormParams(form): FormParams,
) -> Response {
    if !app.config.resident_login {
        return PageError::new(lang, StatusCode::NOT_FOUND, "resident.off").into_response();
    }
    let raw_phone = form.get("phone").unwrap_or_default().to_owned();
    let code = form.get("code").map(str::to_owned);
    let outcome = match PhoneNumber::parse(&raw_phone) {
        Err(e) => Err(ApiError::invalid("phone", e.to_string())),
        Ok(phone) => match &code {
            None => login::send_code(&app, &ip, &phone).await.map(|()| None).map_err(ApiError::from),
            Some(code) => login::resident(&app, &ip, &phone, code).await.map(Some).map_err(ApiError::from),
        },
    };
    let (code_sent, error, status) = match outcome {
        Ok(Some(signed_in)) => return signed_in_redirect(&headers, &signed_in.token, "/me/bookings"),
        Ok(None) => (true, None, StatusCode::OK),
        Err(e) => match sms_trouble(lang, &e, code.is_none()).or_else(|| explain(lang, &e)) {
            Some(message) => (code.is_some() && !matches!(e, ApiError::TooManyRequests(_)), Some(message), e.status()),
            None => return PageError::from_api(lang, e).into_response(),
        },
    };
    let page = ResidentLoginPage {
        page: PageContext::new(lang, &uri, None),
        phone: raw_phone,
        code_sent,
        error,
        dev_inbox: app.config.dev_inbox(),
    };
    (status, render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "access/me.html")]
struct ResidentHome {
    page: PageContext,
    phone: String,
    since: String,
}

/// The resident's own page.
pub async fn resident_home(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
) -> Response {
    if who.actor.kind != ActorKind::Resident {
        return Redirect::to("/account").into_response();
    }
    let account = match app.store.resident_account(who.actor.id).await {
        Ok(Some(account)) => account,
        Ok(None) => return PageError::new(lang, StatusCode::NOT_FOUND, "error.not_found").into_response(),
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let since = Timestamp::from_millis(account.created_at).to_shanghai_rfc3339();
    let page = ResidentHome {
        page: PageContext::new(lang, &uri, Some(&who)),
        phone: account.phone_masked,
        since: since.get(..10).unwrap_or(&since).to_owned(),
    };
    render(&page).into_response()
}

#[derive(Template)]
#[template(path = "access/dev_sms.html")]
struct DevInbox {
    page: PageContext,
    messages: Vec<(String, String, String)>,
}

/// The development SMS inbox: what the development sink "sent". Off unless enabled.
pub async fn dev_inbox(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri) -> Response {
    if !app.config.dev_inbox() {
        return PageError::new(lang, StatusCode::NOT_FOUND, "error.not_found").into_response();
    }
    let sent: Vec<SentSms> = match app.store.sent_sms(50).await {
        Ok(sent) => sent,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let messages = sent
        .into_iter()
        .map(|m| (Timestamp::from_millis(m.created_at).to_shanghai_rfc3339().replace('T', " "), m.phone_masked, m.body))
        .collect();
    render(&DevInbox { page: PageContext::new(lang, &uri, None), messages }).into_response()
}
