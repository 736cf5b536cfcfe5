//! `/admin/apikeys`: API keys for administrators (`apikeys.manage`). A new key's secret is
//! shown on the page that created it and never again.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_app::access::apikeys::{ApiKeyView, NewKeyRequest, create_key, revoke_key, visible_keys};
use tongxin_core::access::{ApiScope, Permission};

use super::admin_users::field_error;
use crate::ApiError;
use crate::App;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::params::id_param;

#[derive(Template)]
#[template(path = "access/admin_keys.html")]
struct KeysPage {
    page: PageContext,
    keys: Vec<ApiKeyView>,
    scopes: Vec<&'static str>,
    /// (notice, secret) of the key just created.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn show(
    app: &App,
    lang: Lang,
    uri: &axum::http::Uri,
    who: &PageCaller,
    created: Option<(String, String)>,
    error: Option<String>,
) -> Response {
    let keys = match visible_keys(app, who).await {
        Ok(keys) => keys.iter().map(ApiKeyView::from).collect(),
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let scopes = ApiScope::ALL.iter().map(|s| s.as_str()).collect();
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&KeysPage { page: PageContext::new(lang, uri, Some(who)), keys, scopes, created, error }))
        .into_response()
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    show(&app, lang, &uri, &who, None, None).await
}

pub async fn create(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    if let Err(e) = who.require(&app, Permission::ApiKeysManage).await {
        return PageError::from_api(lang, e).into_response();
    }
    let regions: Vec<String> = form.list("regions");
    let request = NewKeyRequest {
        name: form.get("name").unwrap_or_default().to_owned(),
        scopes: form.all("scopes").into_iter().map(str::to_owned).collect(),
        regions: (!regions.is_empty()).then_some(regions),
    };
    match create_key(&app, &who, request).await.map_err(ApiError::from) {
        Ok((key, secret)) => {
            let notice = lang.catalog().fmt("keys.created", &[("name", &key.name)]);
            show(&app, lang, &uri, &who, Some((notice, secret)), None).await
        }
        Err(e) => match field_error(lang, &e) {
            Some(message) => show(&app, lang, &uri, &who, None, Some(message)).await,
            None => PageError::from_api(lang, e).into_response(),
        },
    }
}

pub async fn revoke(State(app): State<App>, lang: Lang, who: PageCaller, Path(id): Path<String>) -> Response {
    let result = match id_param(&id) {
        Ok(id) => revoke_key(&app, &who, id).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/admin/apikeys").into_response(),
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
