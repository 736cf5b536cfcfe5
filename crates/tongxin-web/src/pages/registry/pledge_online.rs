//! `/me/pledge` (签署安全承诺书): a resident signed in with their phone reads the e-bike
//! safety pledge and signs it for themselves (or another e-bike owner registered with the
//! same phone) once. Same rules as `/api/v1/me/pledge`.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_app::registry::pledge_online::{PledgeOwnerView, my_pledge, sign};

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "registry/my_pledge.html")]
struct MyPledgePage {
    page: PageContext,
    /// The pledge below its title, a paragraph a line.
    lines: Vec<String>,
    owners: Vec<PledgeOwnerView>,
    signed: bool,
    error: Option<String>,
}

async fn show(app: &App, lang: Lang, uri: &Uri, who: &PageCaller, signed: bool, error: Option<String>) -> Response {
    match my_pledge(app, who).await {
        Ok(pledge) => {
            let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            let page = MyPledgePage {
                page: PageContext::new(lang, uri, Some(who)),
                // the pledge signed (its title is the page's heading), in the reader's language
                lines: lang.catalog().get("d14_pledge.text").lines().map(str::to_owned).collect(),
                owners: pledge.owners,
                signed,
                error,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: crate::params::Params,
) -> Response {
    show(&app, lang, &uri, &who, params.get("signed").is_some(), None).await
}

pub async fn submit(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    FormParams(form): FormParams,
) -> Response {
    let t = lang.catalog();
    let result = async {
        if form.get("agree") != Some("yes") {
            return Err(ApiError::invalid("agree", "agree first"));
        }
        let resident = form.require::<i64>("resident_id")?;
        sign(&app, &who, resident).await.map_err(ApiError::from)
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/me/pledge?signed=1").into_response(),
        Err(ApiError::InvalidParameter { field, .. }) if field == "agree" => {
            show(&app, lang, &uri, &who, false, Some(t.get("pledge.agree_first").to_owned())).await
        }
        Err(ApiError::Conflict { .. }) => {
            show(&app, lang, &uri, &who, false, Some(t.get("pledge.already").to_owned())).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    /// The pledge the page shows in Chinese is the text signed ([`PLEDGE_TEXT`]), line
    /// for line, without its title; the English page shows a translation of it.
    #[test]
    fn the_page_shows_the_pledge_signed() {
        let signed: Vec<&str> =
            tongxin_core::registry::safety::PLEDGE_TEXT.lines().skip(1).filter(|l| !l.trim().is_empty()).collect();
        let shown: Vec<&str> = crate::i18n::Lang::ZhCn.catalog().get("d14_pledge.text").lines().collect();
        assert_eq!(shown, signed);
        assert_eq!(crate::i18n::Lang::En.catalog().get("d14_pledge.text").lines().count(), signed.len());
    }
}
