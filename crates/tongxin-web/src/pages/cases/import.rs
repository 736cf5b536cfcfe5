//! `/cases/import` (12345 工单导入): intake staff upload the day's 12345 orders as the city
//! platform exported them, check them first if they like, and see what became of each row.
//! The page goes through the same [`import_file`] as `POST /api/v1/cases/import` and
//! `tongxin cases import`.

use askama::Template;
use axum::extract::{Multipart, OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tongxin_app::cases::batch::{ImportReport, MAX_FILE_BYTES, import_file};
use tongxin_core::access::Permission;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::access::admin_users::field_error;
use crate::pages::{PageContext, PageError, render};
use crate::{ApiError, App};

/// A refused row as the page shows it: its number and the reason in the reader's language.
pub struct Refusal {
    pub row: usize,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "cases/import.html")]
struct ImportPage {
    page: PageContext,
    report: Option<ImportReport>,
    refusals: Vec<Refusal>,
    /// The numbers of the cases the file made or found, to link to.
    cases: Vec<(usize, String, &'static str)>,
    /// The counts, in a sentence.
    counts: String,
    error: Option<String>,
    detail: Option<String>,
}

fn show(
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    result: Option<Result<ImportReport, ApiError>>,
) -> Response {
    let (report, error, detail) = match result {
        None => (None, None, None),
        Some(Ok(report)) => (Some(report), None, None),
        Some(Err(e @ ApiError::InvalidParameter { .. })) => {
            let detail = match &e {
                ApiError::InvalidParameter { message, .. } => Some(message.clone()),
                _ => None,
            };
            (None, field_error(lang, &e), detail)
        }
        Some(Err(e)) => return PageError::from_api(lang, e).into_response(),
    };
    let refusals = report
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| r.outcome == "refused")
        .map(|r| {
            let (field, message) = (r.field.clone().unwrap_or_default(), r.message.clone().unwrap_or_default());
            let e = if r.code == Some("conflict") {
                ApiError::Conflict { field, message }
            } else {
                ApiError::InvalidParameter { field, message }
            };
            let reason = if r.field.as_deref() == Some("category") {
                lang.catalog().get("import.bad_category").to_owned()
            } else {
                field_error(lang, &e).unwrap_or_default()
            };
            Refusal { row: r.row, reason }
        })
        .collect();
    let cases = report
        .iter()
        .flat_map(|r| &r.rows)
        .filter_map(|r| {
            let key = if r.outcome == "created" { "import.created_one" } else { "import.already_one" };
            r.number.clone().map(|n| (r.row, n, key))
        })
        .collect();
    let t = lang.catalog();
    let counts = report.as_ref().map_or_else(String::new, |r| {
        let (key, done) = if r.dry_run { ("import.counts_dry", r.valid) } else { ("import.counts", r.created) };
        t.fmt(key, &[("orders", &r.orders), ("done", &done), ("existing", &r.already_filed), ("refused", &r.refused)])
    });
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page =
        ImportPage { page: PageContext::new(lang, uri, Some(who)), report, refusals, cases, counts, error, detail };
    (status, render(&page)).into_response()
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    if let Err(e) = who.require(&app, Permission::CasesRegister).await {
        return PageError::from_api(lang, e).into_response();
    }
    show(lang, &uri, &who, None)
}

/// Reads the `file` part (at most [`MAX_FILE_BYTES`]) and the `dry_run` box.
async fn read_form(mut form: Multipart) -> Result<(Vec<u8>, bool), ApiError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| ApiError::invalid("file", e.body_text());
    let (mut bytes, mut dry_run) = (None, false);
    while let Some(mut part) = form.next_field().await.map_err(unreadable)? {
        match part.name().unwrap_or_default() {
            "file" => {
                let mut file = Vec::new();
                while let Some(chunk) = part.chunk().await.map_err(unreadable)? {
                    if file.len() + chunk.len() > MAX_FILE_BYTES {
                        return Err(ApiError::invalid(
                            "file",
                            format!("the file is larger than {} MB", MAX_FILE_BYTES >> 20),
                        ));
                    }
                    file.extend_from_slice(&chunk);
                }
                bytes = Some(file);
            }
            "dry_run" => dry_run = true,
            _ => {}
        }
    }
    match bytes {
        Some(bytes) if !bytes.is_empty() => Ok((bytes, dry_run)),
        _ => Err(ApiError::invalid("file", "choose the file of orders to import")),
    }
}

pub async fn upload(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if let Err(e) = who.require(&app, Permission::CasesRegister).await {
        return PageError::from_api(lang, e).into_response();
    }
    let result = async {
        let form = form.map_err(|e| ApiError::invalid("file", e.body_text()))?;
        let (bytes, dry_run) = read_form(form).await?;
        import_file(&app, &who, &bytes, dry_run).await.map_err(ApiError::from)
    }
    .await;
    show(lang, &uri, &who, Some(result))
}
