//! `/admin/catalog`: administrators (`catalog.manage`) edit a subclass's department,
//! priority, time limits, criteria, extra attributes (as JSON) and whether it is in use.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tongxin_app::cases::catalog::CategoryView;
use tongxin_core::access::Permission;
use tongxin_core::cases::catalog::{AttributeDef, CategoryCode, Priority, parse_limit};

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::access::admin_users::field_error;
use crate::pages::{FormParams, PageContext, PageError, render};
use crate::{ApiError, App};

pub struct Row {
    pub view: CategoryView,
    pub active: bool,
    pub attributes_json: String,
}

#[derive(Template)]
#[template(path = "cases/catalog.html")]
struct CatalogPage {
    page: PageContext,
    rows: Vec<Row>,
    departments: Vec<(String, String)>,
    error: Option<String>,
}

async fn show(app: &App, lang: Lang, uri: &axum::http::Uri, who: &PageCaller, error: Option<String>) -> Response {
    if let Err(e) = who.require(app, Permission::CatalogManage).await {
        return PageError::from_api(lang, e).into_response();
    }
    let all = match app.store.categories().await {
        Ok(all) => all,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let classes = app.store.category_classes().await.unwrap_or_default();
    let rows = all
        .into_iter()
        .map(|c| Row {
            active: c.active,
            attributes_json: serde_json::to_string_pretty(&c.attributes).unwrap_or_default(),
            view: CategoryView::new(c, &classes),
        })
        .collect();
    let departments = app.store.departments().await.unwrap_or_default();
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, render(&CatalogPage { page: PageContext::new(lang, uri, Some(who)), rows, departments, error }))
        .into_response()
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    show(&app, lang, &uri, &who, None).await
}

pub async fn save(
    State(app): State<App>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    who: PageCaller,
    Path(raw): Path<String>,
    FormParams(form): FormParams,
) -> Response {
    if let Err(e) = who.require(&app, Permission::CatalogManage).await {
        return PageError::from_api(lang, e).into_response();
    }
    let result = async {
        let code = CategoryCode::parse(&raw).map_err(|e| ApiError::invalid("code", e.to_string()))?;
        let mut category =
            app.store.category(&code).await?.ok_or_else(|| ApiError::not_found(format!("no category {code}")))?;
        let limit = |name: &str| {
            form.get(name)
                .and_then(parse_limit)
                .ok_or_else(|| ApiError::invalid(name, "a limit is like W24 (working hours) or N4 (natural hours)"))
        };
        category.limits.register = limit("register_limit")?;
        category.limits.dispatch = limit("dispatch_limit")?;
        category.limits.handle = limit("handle_limit")?;
        category.priority = Priority(
            form.get("priority")
                .and_then(|p| p.parse().ok())
                .filter(|p| (1..=3).contains(p))
                .ok_or_else(|| ApiError::invalid("priority", "priority is 1, 2 or 3"))?,
        );
        category.department = form.get("department").map(str::to_owned);
        category.entry_criteria = form.get("entry_criteria").unwrap_or_default().to_owned();
        category.closing_criteria = form.get("closing_criteria").unwrap_or_default().to_owned();
        category.active = form.get("active") == Some("on");
        category.attributes = serde_json::from_str::<Vec<AttributeDef>>(form.raw("attributes")).map_err(|e| {
            ApiError::invalid("attributes", format!("the attributes must be a JSON list of definitions: {e}"))
        })?;
        app.store.save_category(&who.caller(), &category).await?;
        Ok::<_, ApiError>(category.name)
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/admin/catalog#{raw}")).into_response(),
        Err(e @ (ApiError::InvalidParameter { .. } | ApiError::Conflict { .. })) => {
            show(&app, lang, &uri, &who, field_error(lang, &e)).await
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
