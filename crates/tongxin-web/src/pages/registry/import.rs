//! `/registry/import` (导入台账): community staff upload an Excel or CSV ledger — residents
//! or households — choose "all or nothing" or "import the valid rows", optionally check
//! only, and follow the import to its result: counts, each refused row with its column and
//! reason, and the error report to download.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tongxin_app::registry::import::{ImportView, MAX_BODY, job, options, start};
use tongxin_core::access::Permission;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/registry/import", get(form).post(upload).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/registry/import/{id}", get(status))
}

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportForm {
    page: PageContext,
    problem: Option<String>,
}

fn show_form(lang: Lang, uri: &axum::http::Uri, who: &PageCaller, problem: Option<String>) -> Response {
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&ImportForm { page: PageContext::new(lang, uri, Some(who)), problem })).into_response()
}

async fn form(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    if let Err(e) = who.require(&app, Permission::RegistryWrite).await {
        return PageError::from_api(lang, e).into_response();
    }
    show_form(lang, &uri, &who, None)
}

/// The form's fields and the file, read part by part.
async fn read(mut form: Multipart) -> Result<(Params, Vec<u8>, String), ApiError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| ApiError::invalid("file", e.body_text());
    let (mut pairs, mut bytes, mut name) = (Vec::new(), Vec::new(), String::new());
    while let Some(mut part) = form.next_field().await.map_err(unreadable)? {
        let field = part.name().unwrap_or_default().to_owned();
        if field == "file" {
            name = part.file_name().unwrap_or_default().to_owned();
            while let Some(chunk) = part.chunk().await.map_err(unreadable)? {
                bytes.extend_from_slice(&chunk);
            }
        } else {
            let text = crate::text::field_text(&field, &mut part).await.map_err(unreadable)?;
            pairs.push((field, text.map_err(|e| ApiError::invalid(e.field(), e.to_string()))?));
        }
    }
    crate::text::check_repeats(&pairs).map_err(|e| ApiError::invalid(e.field(), e.to_string()))?;
    Ok((Params::from_pairs(pairs), bytes, name))
}

async fn upload(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if let Err(e) = who.require(&app, Permission::RegistryWrite).await {
        return PageError::from_api(lang, e).into_response();
    }
    let started = async {
        let form = form.map_err(|e| ApiError::invalid("file", e.body_text()))?;
        let (params, bytes, name) = read(form).await.map_err(|_| {
            ApiError::invalid(
                "file",
                format!("文件无法上传：超过 {} MB 或传输中断", tongxin_app::registry_import::sheet::MAX_BYTES >> 20),
            )
        })?;
        if bytes.is_empty() {
            return Err(ApiError::invalid("file", "请选择要导入的文件"));
        }
        start(&app, &who, bytes, options(&params, Some(name))?).await.map_err(ApiError::from)
    }
    .await;
    match started {
        Ok(Ok(job)) => Redirect::to(&format!("/registry/import/{}", job.id)).into_response(),
        Ok(Err(refused)) => {
            let words = if lang == Lang::En { refused.english() } else { refused.to_string() };
            show_form(lang, &uri, &who, Some(words))
        }
        Err(e @ ApiError::InvalidParameter { .. }) => show_form(lang, &uri, &who, Some(e.to_string())),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "registry/import_status.html")]
struct StatusPage {
    page: PageContext,
    job: ImportView,
    /// The ledger's name: 居民信息 or 户籍台账.
    ledger: &'static str,
    /// The message key of the phase.
    phase: &'static str,
    percent: usize,
}

async fn status(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(id): Path<String>,
) -> Response {
    match job(&app, &who, &id).await {
        Ok(job) => {
            let view = ImportView::of(&job);
            let percent = (view.done * 100).checked_div(view.total).unwrap_or(0).min(100);
            let phase = match view.phase.as_str() {
                "reading" => "ledger.phase.reading",
                "checking" => "ledger.phase.checking",
                "writing" => "ledger.phase.writing",
                _ => "ledger.phase.done",
            };
            let page = PageContext::new(lang, &uri, Some(&who));
            render(&StatusPage { page, ledger: job.options.kind.zh(), phase, job: view, percent }).into_response()
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
