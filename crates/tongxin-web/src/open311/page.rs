//! `/open311/v2/`: the door described for the people who connect an app to it — the
//! endpoint, the jurisdictions, how to get a key, the services and their questions, an
//! example. The spec recommends such an HTML page at the root of the endpoint.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tongxin_core::cases::catalog::AttributeType;

use super::{Jurisdiction, SPECIFICATION, endpoint_url, jurisdictions};
use crate::App;
use crate::i18n::Lang;
use crate::pages::{PageContext, PageError, render};

/// A service as listed on the page.
pub struct Service {
    pub code: String,
    pub name: String,
    pub group: String,
    /// The questions, `*` after the required ones.
    pub questions: String,
}

#[derive(Template)]
#[template(path = "open311.html")]
struct Open311Page {
    page: PageContext,
    endpoint: String,
    specification: &'static str,
    jurisdictions: Vec<Jurisdiction>,
    batch: bool,
    services: Vec<Service>,
    example: String,
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    let endpoint = endpoint_url(&app, &headers);
    let found = async {
        let all = jurisdictions(&app).await?;
        let categories = app.store.categories().await?;
        let classes = app.store.category_classes().await?;
        Ok::<_, crate::ApiError>((all, categories, classes))
    }
    .await;
    let (all, categories, classes) = match found {
        Ok(found) => found,
        Err(e) => return PageError::from_api(lang, e).into_response(),
    };
    let services = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| Service {
            code: c.code.to_string(),
            name: c.name.clone(),
            group: classes.iter().find(|(code, _)| *code == c.code.class()).map(|(_, n)| n.clone()).unwrap_or_default(),
            questions: c
                .attributes
                .iter()
                .map(|a| {
                    let kind = match a.datatype {
                        AttributeType::MultiChoice(_) => "[]",
                        _ => "",
                    };
                    format!("{}{kind}{}（{}）", a.code, if a.required { "*" } else { "" }, a.name)
                })
                .collect::<Vec<_>>()
                .join("，"),
        })
        .collect();
    let jurisdiction = all.first().map_or("310106013", |j| j.id.as_str());
    let example = format!(
        "curl -X POST {endpoint}/requests.json \\\n  -d api_key=$KEY -d jurisdiction_id={jurisdiction} -d service_code=E0502 \\\n  -d lat=31.2235 -d long=121.4455 -d 'attribute[source]=shop' \\\n  --data-urlencode 'description=楼下烧烤店每晚营业到两点，噪声很大'"
    );
    let page = Open311Page {
        page: PageContext::new(lang, &uri, None),
        endpoint,
        specification: SPECIFICATION,
        jurisdictions: all,
        batch: app.config.open311.batch,
        services,
        example,
    };
    render(&page).into_response()
}
