//! `/audit`: the audit log for auditors (`audit.read`), with filters, pages, and a check of
//! the whole hash chain on request.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::access::audit::{AuditEntryView, entries};
use tongxin_core::access::Permission;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};
use crate::params::Params;
use crate::{ApiError, App};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "access/audit.html")]
struct AuditPage {
    page: PageContext,
    entries: Vec<AuditEntryView>,
    count: String,
    /// The filter fields, echoed back.
    actor: String,
    action: String,
    outcome: String,
    since: String,
    until: String,
    prev: Option<String>,
    next: Option<String>,
    /// The result of a chain check, when asked for.
    verified: Option<String>,
    error: Option<String>,
}

/// An entry with its time as people read it: `2026-11-27 12:51:38`.
fn display(record: &tongxin_store::audit::AuditRecord) -> AuditEntryView {
    let mut view = AuditEntryView::from(record);
    view.at = view.at.replace('T', " ").trim_end_matches("+08:00").to_owned();
    view
}

pub async fn page(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    params: Params,
) -> Response {
    if let Err(e) = who.require(&app, Permission::AuditRead).await {
        return PageError::from_api(lang, e).into_response();
    }
    let t = lang.catalog();
    let offset = params.bounded("offset", 0, 0, i64::MAX).unwrap_or(0);
    let paged: Vec<(String, String)> = ["actor", "action", "outcome", "since", "until"]
        .iter()
        .filter_map(|k| params.get(k).map(|v| (k.to_string(), v.to_owned())))
        .collect();
    let query = |offset: i64| {
        let mut pairs = paged.clone();
        pairs.push(("offset".into(), offset.to_string()));
        format!("/audit?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
    };
    let mut filter_params = paged.clone();
    filter_params.push(("limit".into(), PAGE_SIZE.to_string()));
    filter_params.push(("offset".into(), offset.to_string()));
    let filter = Params::from_form(
        form_urlencoded::Serializer::new(String::new()).extend_pairs(&filter_params).finish().as_bytes(),
    );
    let (entries, total, error) = match entries(&app, &who, &filter).await.map_err(ApiError::from) {
        Ok((records, total)) => (records.iter().map(display).collect(), total, None),
        Err(ApiError::InvalidParameter { field, .. }) => {
            (Vec::new(), 0, Some(t.fmt("audit.error.filter", &[("field", &field)])))
        }
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let verified = if params.get("verify").is_some() {
        match app.store.verify_audit().await {
            Ok(v) => Some(match v.first_break {
                None => t.fmt("audit.intact", &[("n", &v.checked)]),
                Some(b) => t.fmt("audit.broken", &[("seq", &b.seq), ("reason", &b.reason)]),
            }),
            Err(e) => return PageError::from_api(lang, e).into_response(),
        }
    } else {
        None
    };
    let prev = (offset > 0).then(|| query((offset - PAGE_SIZE).max(0)));
    let next = (offset + PAGE_SIZE < total).then(|| query(offset + PAGE_SIZE));
    let field = |k: &str| paged.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let page = AuditPage {
        page: PageContext::new(lang, &uri, Some(&who)),
        entries,
        count: t.fmt("audit.count", &[("n", &total)]),
        actor: field("actor"),
        action: field("action"),
        outcome: field("outcome"),
        since: field("since"),
        until: field("until"),
        prev,
        next,
        verified,
        error,
    };
    render(&page).into_response()
}
