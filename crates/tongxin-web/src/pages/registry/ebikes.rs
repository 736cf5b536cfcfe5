//! The e-bike ledgers' pages: `/registry/sheds` (充电棚台账) and one shed with its
//! inspections and the form to record one (`sheds.check`), `/registry/ebikes` (电动车台账)
//! and one e-bike, `/registry/pledges` (安全承诺书). Within the reader's regions; owners by
//! name and address only.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_app::registry::ebikes::{
    EbikeView, PledgeView, ShedView, one_shed, search_ebikes, search_pledges, search_sheds,
};
use tongxin_app::registry::history::{HistoryEntry, history};
use tongxin_app::registry::safety::{ShedCheckRequest, ShedCheckView, record_check};
use tongxin_core::access::Permission;

use super::PAGE;
use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{FormParams, PageContext, PageError, found_or_explained, render};
use crate::params::Params;
use crate::params::id_param;
use crate::{ApiError, App};

/// A shed as the pages show one: the view, with names for its codes.
pub struct Shed {
    pub view: ShedView,
    pub status: &'static str,
    pub facilities: String,
}

impl Shed {
    fn new(s: &tongxin_store::registry::ebikes::ShedRecord, lang: Lang) -> Self {
        let t = lang.catalog();
        let facilities: Vec<&str> = s.facilities.iter().map(|f| t.term(f.term_key())).collect();
        let status = t.term(s.status.term_key());
        Self { view: ShedView::from(s), status, facilities: facilities.join(t.get("d14_common.list_separator")) }
    }
}

/// An e-bike as the pages show one.
pub struct Ebike {
    pub view: EbikeView,
    pub battery: &'static str,
    pub status: &'static str,
}

impl Ebike {
    pub fn new(e: &tongxin_store::registry::ebikes::EbikeRecord, lang: Lang) -> Self {
        let t = lang.catalog();
        Self { view: EbikeView::from(e), battery: t.term(e.battery.term_key()), status: t.term(e.status.term_key()) }
    }
}

fn status_of(error: &Option<String>) -> StatusCode {
    if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }
}

#[derive(Template)]
#[template(path = "registry/sheds.html")]
struct ShedsPage {
    page: PageContext,
    q: String,
    sheds: Vec<Shed>,
    full: bool,
    can_write: bool,
    error: Option<String>,
}

pub async fn sheds(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (found, error) = match found_or_explained(lang, search_sheds(&app, &who, &params.with("limit", PAGE)).await) {
        Ok(found) => found,
        Err(page) => return page.into_response(),
    };
    let page = ShedsPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        q: params.get("q").unwrap_or_default().to_owned(),
        full: found.len() as i64 == PAGE,
        can_write: who.actor.can(Permission::RegistryWrite),
        sheds: found.iter().map(|s| Shed::new(s, lang)).collect(),
        error,
    };
    (status_of(&page.error), render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "registry/shed.html")]
struct ShedPage {
    page: PageContext,
    shed: Shed,
    checks: Vec<ShedCheckView>,
    ebikes: Vec<Ebike>,
    can_check: bool,
    can_write: bool,
    saved: bool,
    today: String,
    error: Option<String>,
    history: Vec<HistoryEntry>,
}

async fn show_shed(
    app: &App,
    lang: Lang,
    uri: &Uri,
    who: &PageCaller,
    raw: &str,
    error: Option<String>,
    saved: bool,
) -> Response {
    let found = async {
        let id = id_param(raw)?;
        let (shed, checks) = one_shed(app, who, id).await?;
        let params = Params::from_pairs(vec![
            ("shed".into(), id.to_string()),
            ("status".into(), "active".into()),
            ("limit".into(), PAGE.to_string()),
        ]);
        let history = history(app, "shed", id).await?;
        Ok::<_, ApiError>((shed, checks, search_ebikes(app, who, &params).await?, history))
    }
    .await;
    match found {
        Ok((shed, checks, ebikes, history)) => {
            let page = ShedPage {
                page: PageContext::new(lang, uri, Some(who)),
                shed: Shed::new(&shed, lang),
                checks: checks.iter().map(ShedCheckView::from).collect(),
                ebikes: ebikes.iter().map(|e| Ebike::new(e, lang)).collect(),
                can_check: who.actor.can(Permission::ShedsCheck),
                can_write: who.actor.can(Permission::RegistryWrite),
                saved,
                today: super::today().to_string(),
                error,
                history,
            };
            (status_of(&page.error), render(&page)).into_response()
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

pub async fn shed(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    params: Params,
) -> Response {
    show_shed(&app, lang, &uri, &who, &raw, None, params.get("saved").is_some()).await
}

/// The inspection form: recorded and back to the shed, or the shed again with the problem
/// in the reader's language.
pub async fn add_check(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    let request = ShedCheckRequest {
        checked_on: form.get("checked_on").unwrap_or_default().to_owned(),
        ok: form.get("ok") == Some("yes"),
        findings: form.get("findings").unwrap_or_default().to_owned(),
        checked_by: form.get("checked_by").map(str::to_owned),
    };
    let result = async { Ok::<_, ApiError>(record_check(&app, &who, id_param(&raw)?, &request).await?) }.await;
    match result {
        Ok(_) => Redirect::to(&format!("/registry/sheds/{raw}#checks")).into_response(),
        Err(ApiError::InvalidParameter { field, .. }) => {
            let key = match field.as_str() {
                "checked_on" => "ledgers.bad_checked_on",
                "findings" => "ledgers.bad_findings",
                _ => "ledgers.bad_checked_by",
            };
            show_shed(&app, lang, &uri, &who, &raw, Some(lang.catalog().get(key).to_owned()), false).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "registry/ebikes.html")]
struct EbikesPage {
    page: PageContext,
    q: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    ebikes: Vec<Ebike>,
    full: bool,
    error: Option<String>,
}

pub async fn ebikes(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (found, error) = match found_or_explained(lang, search_ebikes(&app, &who, &params.with("limit", PAGE)).await) {
        Ok(found) => found,
        Err(page) => return page.into_response(),
    };
    let statuses = tongxin_core::registry::EbikeStatus::ALL
        .iter()
        .map(|s| (s.as_str(), lang.catalog().term(s.term_key())))
        .collect::<Vec<_>>();
    let page = EbikesPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        q: params.get("q").unwrap_or_default().to_owned(),
        status: params.get("status").unwrap_or_default().to_owned(),
        statuses,
        full: found.len() as i64 == PAGE,
        ebikes: found.iter().map(|e| Ebike::new(e, lang)).collect(),
        error,
    };
    (status_of(&page.error), render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "registry/pledges.html")]
struct PledgesPage {
    page: PageContext,
    q: String,
    pledges: Vec<(PledgeView, &'static str)>,
    full: bool,
    error: Option<String>,
}

pub async fn pledges(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    let (found, error) = match found_or_explained(lang, search_pledges(&app, &who, &params.with("limit", PAGE)).await) {
        Ok(found) => found,
        Err(page) => return page.into_response(),
    };
    let page = PledgesPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        q: params.get("q").unwrap_or_default().to_owned(),
        full: found.len() as i64 == PAGE,
        pledges: found.iter().map(|p| (PledgeView::from(p), lang.catalog().term(p.channel.term_key()))).collect(),
        error,
    };
    (status_of(&page.error), render(&page)).into_response()
}
