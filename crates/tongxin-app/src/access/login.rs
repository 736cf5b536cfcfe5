//! Signing in, shared by the JSON API and the login pages.
//!
//! Staff: username, password (argon2id) and, when enrolled, a TOTP code. Five failures
//! lock the account for 15 minutes. Wrong username and wrong password get the same answer
//! in about the same time. Residents: a one-time code sent by SMS to their phone; the
//! first sign-in creates their account. The code goes only to the gateway: it is never
//! logged, and a gateway's refusal is reported by its code alone.

use serde_json::json;
use tongxin_core::access::password::{Password, Totp, verify_nothing, verify_password};
use tongxin_core::access::{Actor, token};
use tongxin_core::pii::PhoneNumber;
use tongxin_core::time::Timestamp;
use tongxin_store::access::residents::NewResidentAccount;
use tongxin_store::access::{OtpCheck, ResidentAccount, Session, Subject, User};
use tongxin_store::audit::{AuditEntry, Caller, Outcome};

use crate::sms::{SmsError, SmsMessage};
use crate::{App, Error};

/// A one-time code lives 5 minutes; a phone gets at most one a minute.
const CODE_TTL_MS: i64 = 5 * 60 * 1000;
const CODE_GAP_MS: i64 = 60 * 1000;

/// A successful sign-in: the account, its new session and the cookie token.
pub struct SignedIn<A> {
    pub account: A,
    pub session: Session,
    pub token: String,
}

async fn failed(app: &App, ip: &str, username: &str, reason: &str) -> Result<(), Error> {
    let name: String = username.chars().take(64).collect();
    let caller = Caller::new(Actor::staff(0, &name, vec![], vec![]), ip);
    let entry = AuditEntry::ok("auth.login", "user", &name)
        .with_outcome(Outcome::Failed)
        .with_detail(json!({ "reason": reason }));
    app.store.audit(&caller, entry).await?;
    Ok(())
}

/// Hashes a password off the async threads: argon2id is deliberately slow.
pub async fn hash_password(password: Password) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || password.hash()).await.map_err(|e| Error::Internal(e.to_string()))
}

/// Checks a password off the async threads (`None`: spend the time, match nothing).
pub async fn password_matches(attempt: &str, stored: Option<String>) -> bool {
    let attempt = attempt.to_owned();
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&attempt, &hash),
        None => {
            verify_nothing(&attempt);
            false
        }
    })
    .await
    .unwrap_or(false)
}

pub async fn staff(
    app: &App,
    ip: &str,
    username: &str,
    password: &str,
    totp: Option<&str>,
) -> Result<SignedIn<User>, Error> {
    let now = Timestamp::now().millis();
    let user = app.store.user_by_username(username.trim()).await?;
    let Some(user) = user.filter(|u| !u.disabled) else {
        password_matches(password, None).await;
        failed(app, ip, username, "unknown or disabled account").await?;
        return Err(Error::InvalidCredentials);
    };
    if let Some(until) = user.locked_until.filter(|&until| until > now) {
        failed(app, ip, username, "locked").await?;
        return Err(Error::Locked { until: Timestamp::from_millis(until).to_shanghai_rfc3339() });
    }
    let (hash, totp_sealed) = app.store.user_credentials(user.id).await?;
    let mut ok = password_matches(password, Some(hash)).await;
    if ok && let Some(sealed) = totp_sealed {
        let Some(code) = totp.map(str::trim).filter(|c| !c.is_empty()) else {
            return Err(Error::TotpRequired);
        };
        let secret = app.pii.open("totp", &sealed).map_err(|e| Error::Internal(e.to_string()))?;
        let totp = Totp::from_base32(&secret, &user.username).map_err(|e| Error::Internal(e.to_string()))?;
        ok = totp.check(code, (now / 1000) as u64);
    }
    if !ok {
        let locked = app.store.record_failed_login(user.id, now).await?;
        failed(app, ip, username, "wrong password or code").await?;
        return Err(match locked {
            Some(until) => Error::Locked { until: Timestamp::from_millis(until).to_shanghai_rfc3339() },
            None => Error::InvalidCredentials,
        });
    }
    app.store.record_successful_login(user.id).await?;
    let (session, token) = app.store.create_session(Subject::Staff(user.id), ip, now).await?;
    app.store.audit(&Caller::new(user.actor(), ip), AuditEntry::ok("auth.login", "user", user.id)).await?;
    Ok(SignedIn { account: user, session, token })
}

fn code_digest(app: &App, phone_index: &str, code: &str) -> String {
    app.pii.blind_index("otp", &format!("{phone_index}:{code}"))
}

/// The answer when resident sign-in is turned off (`resident_login`).
fn resident_login_off() -> Error {
    Error::NotFound { code: "resident_login_off", message: "resident sign-in is turned off on this server".into() }
}

/// What the caller is told when the gateway did not take a code.
fn not_sent(e: SmsError) -> Error {
    match e {
        SmsError::Throttled(_) => {
            Error::TooManyRequests("the SMS gateway takes no more texts to this number for now; try later".into())
        }
        SmsError::BadNumber(_) => Error::invalid("phone", "this number cannot receive text messages"),
        other => Error::Unavailable(format!("the sign-in code was not sent: {other}")),
    }
}

/// Sends a 6-digit code to `phone`. The answer is the same whether or not an account
/// exists for it.
pub async fn send_code(app: &App, ip: &str, phone: &PhoneNumber) -> Result<(), Error> {
    if !app.config.resident_login {
        return Err(resident_login_off());
    }
    if !phone.is_mobile() {
        return Err(Error::invalid("phone", "a code can only be sent to a mobile number"));
    }
    let index = app.pii.blind_index("phone", phone.expose());
    let code = format!("{:06}", u32::from_str_radix(&token::random_hex(4), 16).unwrap_or(0) % 1_000_000);
    let now = Timestamp::now().millis();
    if !app.store.put_otp(&index, &code_digest(app, &index, &code), now, CODE_TTL_MS, CODE_GAP_MS).await? {
        return Err(Error::TooManyRequests("a code was sent less than a minute ago; wait before asking again".into()));
    }
    app.sms.send(phone, &SmsMessage::login_code(&code)).await.map_err(not_sent)?;
    let caller = Caller::new(Actor::resident(0, &phone.masked()), ip);
    app.store.audit(&caller, AuditEntry::ok("auth.code_sent", "phone", phone.masked())).await?;
    Ok(())
}

pub async fn resident(
    app: &App,
    ip: &str,
    phone: &PhoneNumber,
    code: &str,
) -> Result<SignedIn<ResidentAccount>, Error> {
    if !app.config.resident_login {
        return Err(resident_login_off());
    }
    let index = app.pii.blind_index("phone", phone.expose());
    let now = Timestamp::now().millis();
    let verdict = app.store.check_otp(&index, &code_digest(app, &index, code.trim()), now).await?;
    if verdict != OtpCheck::Valid {
        let caller = Caller::new(Actor::resident(0, &phone.masked()), ip);
        let entry = AuditEntry::ok("auth.resident_login", "phone", phone.masked())
            .with_outcome(Outcome::Failed)
            .with_detail(json!({ "reason": format!("{verdict:?}") }));
        app.store.audit(&caller, entry).await?;
        return Err(match verdict {
            OtpCheck::TooManyTries => Error::TooManyRequests("too many wrong codes: ask for a new one".into()),
            _ => Error::InvalidCredentials,
        });
    }
    let account = match app.store.resident_account_by_phone(&index).await? {
        Some(account) => account,
        None => {
            let new = NewResidentAccount {
                phone_sealed: app.pii.seal("phone", phone.expose()),
                phone_index: index,
                phone_masked: phone.masked(),
                display_name: String::new(),
                region_code: None,
            };
            let caller = Caller::new(Actor::resident(0, &phone.masked()), ip);
            app.store.create_resident_account(&caller, &new).await?
        }
    };
    if account.disabled {
        return Err(Error::InvalidCredentials);
    }
    app.store.record_resident_login(account.id, now).await?;
    let (session, token) = app.store.create_session(Subject::Resident(account.id), ip, now).await?;
    let entry = AuditEntry::ok("auth.resident_login", "resident_account", account.id);
    app.store.audit(&Caller::new(account.actor(), ip), entry).await?;
    Ok(SignedIn { account, session, token })
}

/// Ends the caller's session.
pub async fn sign_out(app: &App, who: &crate::caller::Who) -> Result<(), Error> {
    if let Some(session) = &who.session {
        app.store.end_session(&session.token_digest).await?;
        app.store.audit(&who.caller(), AuditEntry::ok("auth.logout", "session", "")).await?;
    }
    Ok(())
}
