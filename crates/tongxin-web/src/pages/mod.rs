//! Server-rendered pages. Every page extends `templates/base.html` and takes its text from
//! the message catalog of the reader's [`Lang`]. Folders per capability (`geo`).
//!
//! Pages work without JavaScript: forms are plain GET/POST, the map is SVG drawn here, and
//! the language switch is a link that sets a cookie. Every page but the sign-in pages
//! needs a signed-in caller ([`crate::auth::PageCaller`]); the menu shows what the
//! caller's permissions reach.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Path};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_core::access::{ActorKind, Permission};

use crate::auth::{MaybeCaller, Who};
use crate::i18n::{Catalog, LANG_COOKIE, Lang};
use crate::params::Params;
use crate::{ApiError, App, observe};

pub mod access;
pub mod api_docs;
pub mod booking;
pub mod campaigns;
pub mod cases;
pub mod geo;
pub mod notifications;
pub mod registry;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/lang/{code}", get(switch_language))
        .route("/docs/api", get(api_docs::page))
        .merge(geo::routes())
        .merge(access::routes())
        .merge(cases::routes())
        .merge(registry::routes())
        .merge(booking::routes())
        .merge(campaigns::routes())
        .route("/notifications", axum::routing::get(notifications::page))
        .fallback(not_found)
}

/// What the base layout needs on every page.
pub struct PageContext {
    pub lang: Lang,
    pub t: &'static Catalog,
    /// The current path and query, where the language switch comes back to.
    pub here: String,
    pub user: Option<UserMenu>,
}

/// The signed-in caller's menu: their name, the pages their permissions reach, and the
/// CSRF token the sign-out form (and every other form) carries.
pub struct UserMenu {
    pub name: String,
    pub csrf: String,
    /// (href, catalog key)
    pub links: Vec<(&'static str, &'static str)>,
    /// Unread notifications, counted once per page (see [`crate::auth::Who::unread`]).
    pub unread: i64,
}

impl UserMenu {
    fn new(who: &Who) -> Self {
        let actor = &who.actor;
        let mut links = Vec::new();
        let pages = [
            (Permission::CasesRead, "/cases", "nav.cases"),
            (Permission::CasesRead, "/cases/search", "nav.search"),
            (Permission::CasesRegister, "/cases/import", "nav.import"),
            (Permission::CasesReport, "/report", "nav.report"),
            (Permission::CasesCheck, "/checks", "nav.checks"),
            (Permission::CampaignsVisit, "/tasks", "nav.tasks"),
            (Permission::CampaignsRead, "/campaigns", "nav.campaigns"),
            (Permission::GeoRead, "/map", "nav.map"),
            (Permission::ResidentsRead, "/registry/residents", "nav.registry"),
            (Permission::ResidentsRead, "/registry/ebike-safety", "safety.title"),
            (Permission::ResidentsRead, "/residents", "nav.residents"),
            (Permission::UsersManage, "/admin/users", "nav.users"),
            (Permission::ApiKeysManage, "/admin/apikeys", "nav.apikeys"),
            (Permission::AuditRead, "/audit", "nav.audit"),
            (Permission::BookingBook, "/booking/console", "booking.console"),
            (Permission::BookingBook, "/booking/day", "booking.day_sheet"),
            (Permission::BookingBook, "/booking/stats", "booking.stats"),
            // A leader's figures: counts only (the same pages, without the registry's rows).
            (Permission::StatsRead, "/booking/stats", "booking.stats"),
            (Permission::StatsRead, "/registry/ebike-safety", "safety.title"),
            (Permission::BookingManage, "/booking/admin", "booking.admin"),
            (Permission::CatalogManage, "/admin/catalog", "nav.catalog"),
            (Permission::CatalogManage, "/admin/calendar", "nav.calendar"),
        ];
        for (permission, href, key) in pages {
            if actor.can(permission) && !links.iter().any(|(shown, _)| *shown == href) {
                links.push((href, key));
            }
        }
        // An auditor manages the other auditors' accounts (三员分立), with no users.manage.
        if !actor.can(Permission::UsersManage) && tongxin_core::access::delegation::manages_accounts(actor) {
            links.push(("/admin/users", "nav.users"));
        }
        if actor.can(Permission::CasesHandle) && !actor.can(Permission::CasesRead) {
            links.insert(0, ("/cases", "nav.department_cases"));
        }
        match actor.kind {
            ActorKind::Resident => {
                links.push(("/report", "nav.report"));
                links.push(("/my/reports", "nav.my_reports"));
                links.push(("/me/bookings", "booking.mine"));
                links.push(("/me/pledge", "pledge.nav"));
                links.push(("/notifications", "nav.notifications"));
                links.push(("/me", "nav.me"));
            }
            _ => {
                links.push(("/notifications", "nav.notifications"));
                links.push(("/account", "nav.account"));
            }
        }
        if api_docs::reads_api_docs(who) {
            links.push(("/docs/api", "nav.api"));
        }
        let csrf = who.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default();
        Self { name: who.display_name.clone(), csrf, links, unread: who.unread.unwrap_or(0) }
    }
}

impl PageContext {
    pub fn new(lang: Lang, uri: &Uri, who: Option<&Who>) -> Self {
        let here = uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned();
        Self { lang, t: lang.catalog(), here, user: who.map(UserMenu::new) }
    }

    /// The CSRF token for this page's forms.
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    /// "3 条未读", for the badge on the menu's 通知.
    pub fn unread_label(&self) -> String {
        let n = self.user.as_ref().map_or(0, |u| u.unread);
        self.t.fmt("c14_nav.unread", &[("n", &n)])
    }

    /// The language the switch link offers.
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    /// The switch link's target, with `here` encoded.
    pub fn switch_href(&self) -> String {
        let next: String = form_urlencoded::byte_serialize(self.here.as_bytes()).collect();
        format!("/lang/{}?next={next}", self.other_lang().code())
    }
}

/// Renders a page template, or the error page if the template fails.
/// A search's results; for a bad filter, none and the explanation to show above the form;
/// any other failure becomes the error page.
pub fn found_or_explained<T, E>(lang: Lang, result: Result<T, E>) -> Result<(T, Option<String>), PageError>
where
    T: Default,
    E: Into<crate::ApiError>,
{
    match result.map_err(Into::into) {
        Ok(found) => Ok((found, None)),
        Err(e @ crate::ApiError::InvalidParameter { .. }) => {
            Ok((T::default(), access::admin_users::field_error(lang, &e)))
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

pub fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    template.render().map(Html).map_err(|e| PageError::internal(Lang::default(), e))
}

/// A page-level error: shown as a page in the reader's language, with the right status.
pub struct PageError {
    status: StatusCode,
    lang: Lang,
    message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: PageContext,
    status: u16,
    message: &'a str,
}

impl PageError {
    pub fn new(lang: Lang, status: StatusCode, message_key: &str) -> Self {
        Self { status, lang, message: lang.catalog().get(message_key).to_owned() }
    }

    /// A message already in the reader's language.
    pub fn with_message(lang: Lang, status: StatusCode, message: String) -> Self {
        Self { status, lang, message }
    }

    pub fn internal(lang: Lang, cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "page failed");
        let id = observe::current_request_id();
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            lang,
            message: lang.catalog().fmt("error.internal", &[("id", &id)]),
        }
    }

    /// Turns an API error met while building a page into the page's error.
    pub fn from_api(lang: Lang, e: impl Into<ApiError>) -> Self {
        let e: ApiError = e.into();
        match e.status() {
            StatusCode::NOT_FOUND => Self::new(lang, StatusCode::NOT_FOUND, "error.not_found"),
            StatusCode::FORBIDDEN => Self::new(lang, StatusCode::FORBIDDEN, "error.forbidden"),
            status if status.is_server_error() => Self::internal(lang, e),
            status => Self { status, lang, message: e.to_string() },
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            page: PageContext { lang: self.lang, t: self.lang.catalog(), here: "/".into(), user: None },
            status: self.status.as_u16(),
            message: &self.message,
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        (self.status, Html(body)).into_response()
    }
}

async fn not_found(lang: Lang, OriginalUri(uri): OriginalUri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::NotFound { code: "no_route", message: "no such API endpoint".into() }.into_response();
    }
    PageError::new(lang, StatusCode::NOT_FOUND, "error.not_found").into_response()
}

/// `/`: where a caller starts depends on who they are.
async fn home(MaybeCaller(who): MaybeCaller) -> Redirect {
    Redirect::to(who.as_ref().map_or("/login", home_of))
}

/// A signed-in caller's start page. A grid worker works on a phone in the street: their
/// own list (`/checks`: reports to verify, fixes to check), on every device, not the desk's
/// board; whoever also registers or dispatches works at the desk.
pub fn home_of(who: &Who) -> &'static str {
    let actor = &who.actor;
    if actor.kind == ActorKind::Resident {
        "/me/bookings"
    } else if actor.can(Permission::CasesCheck)
        && !actor.can(Permission::CasesRegister)
        && !actor.can(Permission::CasesDispatch)
    {
        "/checks"
    } else if actor.can(Permission::CasesRead) || actor.can(Permission::CasesHandle) {
        "/cases"
    } else if actor.can(Permission::GeoRead) {
        "/map"
    } else if actor.can(Permission::AuditRead) {
        "/audit"
    } else {
        "/account"
    }
}

/// Only a path on this site: `/x`, never `//host` or `/\\host`, which browsers treat as
/// another site. Browsers also drop tabs and line breaks from a URL before reading it, so
/// `/\t/host` is `//host` to them: a control character anywhere refuses the path.
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.chars().any(|c| c == '\\' || c.is_control()))
}

/// A form body, read like a query string: [`Params`] never rejects, so a bad field is
/// reported by the handler, in the page's language. The body is read as a form whatever
/// its declared type, so it is held to the text rules here too (the text layer checks
/// only bodies declared as forms or JSON): text that breaks them is a page in the
/// reader's language, never a silently empty form.
pub struct FormParams(pub Params);

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormParams {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let Ok(lang) = Lang::from_request_parts(&mut parts, state).await;
        let request = axum::extract::Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        match crate::text::decode_form(&bytes) {
            Ok(pairs) => Ok(FormParams(Params::from_pairs(pairs))),
            Err(problem) => {
                let message = lang.catalog().fmt(problem.message_key(), &[("field", &problem.field())]);
                Err(PageError::with_message(lang, StatusCode::BAD_REQUEST, message).into_response())
            }
        }
    }
}

/// `/lang/{code}?next=/path`: remembers the language in a cookie and goes back. Only
/// local paths are followed, so the link cannot send anyone elsewhere.
async fn switch_language(Path(code): Path<String>, params: Params) -> Response {
    let lang = Lang::from_code(&code).unwrap_or_default();
    let next = local_path(params.get("next"));
    let mut response = Redirect::to(next.unwrap_or("/map")).into_response();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
