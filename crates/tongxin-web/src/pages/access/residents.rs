//! `/residents`: resident accounts for staff (`residents.read`) in their regions — masked,
//! searchable by full phone number, one number revealed with a stated purpose
//! (`pii.reveal`), and exported as CSV (in full with `pii.export`). The rules are the
//! JSON API's ([`tongxin_app::access::residents`]).

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tongxin_app::access::residents::{export_csv, reveal_field, search};
use tongxin_core::access::Permission;
use tongxin_core::pii::mask_name;

use super::admin_users::field_error;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

pub struct Row {
    pub id: i64,
    pub phone: String,
    pub name: String,
    pub region: String,
}

#[derive(Template)]
#[template(path = "access/residents.html")]
struct ResidentsPage {
    page: PageContext,
    rows: Vec<Row>,
    count: String,
    phone: String,
    can_reveal: bool,
    can_export: bool,
    /// The full number just revealed, as a sentence.
    revealed: Option<String>,
    error: Option<String>,
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    params: &Params,
    revealed: Option<(i64, String)>,
    error: Option<String>,
) -> Response {
    let (accounts, total, error) = match search(app, who, params).await.map_err(ApiError::from) {
        Ok((accounts, total)) => (accounts, total, error),
        Err(e @ ApiError::InvalidParameter { .. }) => (Vec::new(), 0, field_error(lang, &e)),
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let rows = accounts
        .iter()
        .map(|a| Row {
            id: a.id,
            phone: a.phone_masked.clone(),
            name: mask_name(&a.display_name),
            region: a.region_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        })
        .collect();
    let t = lang.catalog();
    let revealed = revealed.map(|(id, value)| t.fmt("residents.revealed", &[("id", &id), ("value", &value)]));
    let page = ResidentsPage {
        page: PageContext::new(lang, uri, Some(who)),
        rows,
        count: t.fmt("residents.count", &[("n", &total)]),
        phone: params.get("phone").unwrap_or_default().to_owned(),
        can_reveal: who.actor.can(Permission::PiiReveal),
        can_export: who.actor.can(Permission::PiiExport),
        revealed,
        error: error.clone(),
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    show(&app, lang, &uri, &who, &params, None, None).await
}

/// Shows one number in full on the list page, after recording why.
pub async fn reveal(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(id): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let result = match id_param(&id) {
        Ok(id) => reveal_field(&app, &who, id, "phone", form.get("purpose").unwrap_or_default())
            .await
            .map(|v| (id, v))
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let list = Params::default();
    match result {
        Ok(revealed) => show(&app, lang, &uri, &who, &list, Some(revealed), None).await,
        Err(e @ ApiError::InvalidParameter { .. }) => {
            show(&app, lang, &uri, &who, &list, None, field_error(lang, &e)).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

pub async fn export(State(app): State<App>, lang: Lang, who: PageCaller, params: Params) -> Response {
    let full = params.get("full") == Some("true");
    match export_csv(&app, &who, full).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"resident-accounts.csv\""),
            ],
            csv,
        )
            .into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
