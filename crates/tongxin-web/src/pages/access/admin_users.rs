//! `/admin/users`: staff accounts — the list, a form to add one, and per-account actions
//! (disable, enable, new password, remove two-factor). The rules are the JSON API's
//! ([`tongxin_app::access::users`]): an account holding a permission the reader lacks is
//! listed without its actions and with the reason, and the form offers only the roles the
//! reader may grant (三员分立).

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_app::access::users::{
    NewUserRequest, listed_users, managed_user, parse_new_user, require_manager, set_disabled,
};
use tongxin_core::access::{Permission, Role, delegation};
use tongxin_core::cases::photo::INCOMPLETE;
use tongxin_store::access::User;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::id_param;
use crate::{ApiError, App};

/// One account on the list, and why the reader may not act on it, if they may not.
pub struct Row {
    pub user: User,
    pub refusal: Option<String>,
}

#[derive(Template)]
#[template(path = "access/admin_users.html")]
struct UsersPage {
    page: PageContext,
    users: Vec<Row>,
    /// The roles the reader may grant: (value, label).
    roles: Vec<(&'static str, &'static str)>,
    /// The others, named, when there are any.
    ungrantable: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// A permission in the reader's language (its code too).
fn permission_name(lang: Lang, permission: Permission) -> String {
    lang.catalog().get(&format!("permission.{}", permission.as_str())).to_owned()
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let users = match listed_users(app, who).await {
        Ok(users) => users,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let t = lang.catalog();
    let users = users
        .into_iter()
        .map(|user| {
            let refusal = delegation::may_manage(&who.actor, &user.roles)
                .err()
                .map(|d| t.fmt("users.no_manage", &[("permission", &permission_name(lang, d.permission))]));
            Row { user, refusal }
        })
        .collect();
    let (grantable, other): (Vec<Role>, Vec<Role>) =
        Role::ALL.into_iter().partition(|r| delegation::may_manage(&who.actor, &[*r]).is_ok());
    let roles = grantable.iter().map(|r| (r.as_str(), t.term(r.term_key()))).collect();
    let ungrantable = (!other.is_empty()).then(|| {
        let names: Vec<&str> = other.iter().map(|r| t.term(r.term_key())).collect();
        t.fmt("users.ungrantable", &[("roles", &names.join(t.get("d14_common.list_separator")))])
    });
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = UsersPage { page: PageContext::new(lang, uri, Some(who)), users, roles, ungrantable, notice, error };
    (status, render(&page)).into_response()
}

/// The page, answering 403: the reader may not do what the form asked.
fn forbidden(mut page: Response) -> Response {
    if page.status() == StatusCode::BAD_REQUEST {
        *page.status_mut() = StatusCode::FORBIDDEN;
    }
    page
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    show(&app, lang, &uri, &who, None, None).await
}

/// The words for a refused form, in the reader's language, naming the field.
pub fn field_error(lang: Lang, e: &ApiError) -> Option<String> {
    let t = lang.catalog();
    let (field, explanation) = match e {
        // A photo cut short has its own words: the general ones would send the reader
        // looking for the wrong file type.
        ApiError::InvalidParameter { field, message } if field == "photo" && message.contains(INCOMPLETE) => {
            (field, t.get("form.invalid.photo_incomplete"))
        }
        ApiError::InvalidParameter { field, message } => {
            (field, problem_key("invalid", field).map_or(message.as_str(), |k| t.get(k)))
        }
        ApiError::Conflict { field, message } => {
            (field, problem_key("conflict", field).map_or(message.as_str(), |k| t.get(k)))
        }
        ApiError::NotFound { .. } => return Some(t.get("form.no_region").to_owned()),
        _ => return None,
    };
    Some(t.fmt("form.error", &[("field", &t.get(field_key(field))), ("message", &explanation)]))
}

/// The catalog key explaining a refused field, when there is one.
fn problem_key(kind: &str, field: &str) -> Option<&'static str> {
    Some(match (kind, field) {
        ("invalid", "username") => "form.invalid.username",
        ("invalid", "password") => "form.invalid.password",
        ("invalid", "roles") => "form.invalid.roles",
        ("invalid", "regions") => "form.invalid.regions",
        ("invalid", "name") => "form.invalid.name",
        ("invalid", "scopes") => "form.invalid.scopes",
        ("invalid", "purpose") => "form.invalid.purpose",
        ("invalid", "phone") => "form.invalid.phone",
        ("invalid", "category") => "form.invalid.category",
        ("invalid", "description") => "form.invalid.description",
        ("invalid", "lat" | "lng") => "form.invalid.position",
        ("invalid", "reason") => "form.invalid.reason",
        ("invalid", "department") => "form.invalid.department",
        ("invalid", "extension") => "form.invalid.extension",
        ("invalid", "photo") => "form.invalid.photo",
        ("invalid", "into") => "form.invalid.into",
        ("invalid", "since" | "until") => "form.invalid.date",
        ("invalid", "external_ref") => "form.invalid.external_ref",
        ("invalid", "file") => "form.invalid.file",
        ("conflict", "into") => "form.conflict.into",
        ("conflict", "status") => "form.conflict.status",
        ("conflict", "case") => "form.conflict.case",
        ("conflict", "external_ref") => "form.conflict.external_ref",
        ("invalid", f) if f.starts_with("attribute[") => "form.invalid.attribute",
        ("conflict", "username") => "form.conflict.username",
        ("conflict", "name") => "form.conflict.name",
        ("conflict", "id") => "form.conflict.self",
        _ => return None,
    })
}

/// The catalog key naming a form field.
fn field_key(field: &str) -> &'static str {
    match field {
        "username" => "field.username",
        "display_name" => "field.display_name",
        "password" => "field.password",
        "roles" => "field.roles",
        "regions" => "field.regions",
        "name" => "field.name",
        "scopes" => "field.scopes",
        "purpose" => "field.purpose",
        "phone" => "field.phone",
        "category" => "field.category",
        "description" => "field.description",
        "lat" | "lng" => "field.position",
        "address" => "field.address",
        "department" => "field.department",
        "reason" => "field.reason",
        "extension" => "field.extension",
        "rating" => "field.rating",
        "since" => "search.since",
        "external_ref" => "field.external_ref",
        "file" => "field.file",
        "reporter_phone" => "field.phone",
        "until" => "search.until",
        "note" => "field.note",
        "photo" => "field.photo",
        "into" => "field.into",
        "case" => "field.case",
        "attributes" => "field.attributes",
        "priority" => "field.priority",
        f if f.ends_with("_limit") => "field.limit",
        f if f.starts_with("attribute[") => "field.attribute",
        _ => "field.other",
    }
}

pub async fn create(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    if let Err(e) = require_manager(&app, &who).await {
        return PageError::from_api(lang, e).into_response();
    }
    let request = NewUserRequest {
        username: form.get("username").unwrap_or_default().to_owned(),
        display_name: form.get("display_name").unwrap_or_default().to_owned(),
        password: form.raw("password").to_owned(),
        roles: form.all("roles").into_iter().map(str::to_owned).collect(),
        regions: form.list("regions"),
    };
    let result = match parse_new_user(&app, &who, request).await.map_err(ApiError::from) {
        Ok(new) => app.store.create_user(&who.caller(), &new).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(user) => {
            let notice = lang.catalog().fmt("users.created", &[("username", &user.username)]);
            show(&app, lang, &uri, &who, Some(notice), None).await
        }
        Err(ApiError::Forbidden { permission }) if delegation::manages_accounts(&who.actor) => {
            let message =
                lang.catalog().fmt("users.cannot_grant", &[("permission", &permission_name(lang, permission))]);
            forbidden(show(&app, lang, &uri, &who, None, Some(message)).await)
        }
        Err(e) => match field_error(lang, &e) {
            Some(message) => show(&app, lang, &uri, &who, None, Some(message)).await,
            None => PageError::from_api(lang, e).into_response(),
        },
    }
}

/// `POST /admin/users/{id}/{disable|enable|reset-password|remove-totp}`.
pub async fn act(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path((id, action)): Path<(String, String)>,
    FormParams(form): FormParams,
) -> Response {
    let id = match id_param(&id) {
        Ok(id) => id,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let result = match action.as_str() {
        "disable" => set_disabled(&app, &who, id, true).await.map_err(ApiError::from),
        "enable" => set_disabled(&app, &who, id, false).await.map_err(ApiError::from),
        "reset-password" => reset(&app, &who, id, form.raw("password")).await,
        "remove-totp" => match managed_user(&app, &who, id).await.map_err(ApiError::from) {
            Ok(user) => app.store.set_totp(&who.caller(), user.id, None).await.map_err(ApiError::from),
            Err(e) => Err(e),
        },
        _ => Err(ApiError::not_found("no such action")),
    };
    match result {
        Ok(()) => Redirect::to("/admin/users").into_response(),
        Err(ApiError::Forbidden { permission }) if delegation::manages_accounts(&who.actor) => {
            let message = lang.catalog().fmt("users.no_manage", &[("permission", &permission_name(lang, permission))]);
            forbidden(show(&app, lang, &uri, &who, None, Some(message)).await)
        }
        Err(e) => match field_error(lang, &e) {
            Some(message) if !matches!(e, ApiError::NotFound { .. }) => {
                show(&app, lang, &uri, &who, None, Some(message)).await
            }
            _ => PageError::from_api(lang, e).into_response(),
        },
    }
}

async fn reset(app: &App, who: &PageCaller, id: i64, password: &str) -> Result<(), ApiError> {
    let user = managed_user(app, who, id).await?;
    let password = tongxin_core::access::password::Password::parse(password)
        .map_err(|e| ApiError::invalid("password", e.to_string()))?;
    let hash = crate::auth::login::hash_password(password).await?;
    app.store.reset_password(&who.caller(), user.id, &hash).await?;
    Ok(())
}
