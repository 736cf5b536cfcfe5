//! Discovery, the service list (the category catalog's subclasses in use) and each
//! service's definition (its extra attributes).

use axum::http::HeaderMap;
use tongxin_core::cases::calendar::TimeLimit;
use tongxin_core::cases::catalog::{AttributeType, Category, CategoryCode, format_limit};
use tongxin_store::audit::AuditFilter;

use super::{Leaf, Node, Problem, SPECIFICATION, endpoint_url, jurisdiction};
use crate::App;
use crate::params::Params;

/// When the catalog last changed (the services and their definitions), sortable.
async fn changeset(app: &App) -> Result<String, Problem> {
    let filter = AuditFilter { action: Some("cat".into()), limit: 1, ..Default::default() };
    let (latest, _) = app.store.audit_entries(&filter).await?;
    Ok(latest.first().map_or_else(
        || "2026-01-01 00:00".to_owned(),
        |e| e.at.to_shanghai_rfc3339().replace('T', " ")[..16].to_owned(),
    ))
}

/// `GET /discovery.{fmt}`.
pub async fn discovery(app: &App, headers: &HeaderMap) -> Result<Node, Problem> {
    let changeset = changeset(app).await?;
    let names: Vec<String> =
        super::jurisdictions(app).await?.into_iter().map(|j| format!("{}（{}）", j.name, j.id)).collect();
    let contact =
        app.config.open311.contact.clone().unwrap_or_else(|| format!("{} 城市运行管理中心（同心）", names.join("、")));
    Ok(Node::Object(
        "discovery",
        vec![
            Node::text("changeset", changeset.clone()),
            Node::text("contact", contact),
            Node::text(
                "key_service",
                "API 密钥（api_key）由街道系统管理员发放：tongxin apikey create --name 应用名 --scope open311。\
                 Ask the subdistrict's administrator for an api_key with the open311 scope.",
            ),
            Node::List(
                "endpoints",
                vec![Node::Object(
                    "endpoint",
                    vec![
                        Node::text("specification", SPECIFICATION),
                        Node::text("url", endpoint_url(app, headers)),
                        Node::text("changeset", changeset),
                        Node::text("type", "production"),
                        Node::List(
                            "formats",
                            vec![Node::text("format", "text/xml"), Node::text("format", "application/json")],
                        ),
                    ],
                )],
            ),
        ],
    ))
}

/// The subclasses in use, and the names of their classes.
async fn catalog(app: &App) -> Result<(Vec<Category>, Vec<(CategoryCode, String)>), Problem> {
    let categories = app.store.categories().await?.into_iter().filter(|c| c.active).collect();
    Ok((categories, app.store.category_classes().await?))
}

/// What filing a case of `category` leads to, for `service_notice`.
pub fn notice(category: &Category) -> String {
    let limit = match category.limits.handle {
        TimeLimit::WorkingHours(h) => format!("{h} 个工作小时"),
        TimeLimit::NaturalHours(h) => format!("{h} 小时"),
    };
    format!("已受理。经核实立案后派至处置部门，按规定在 {limit}内处置（{}）。", format_limit(category.limits.handle))
}

/// `GET /services.{fmt}`.
pub async fn list(app: &App, params: &Params) -> Result<Node, Problem> {
    jurisdiction(app, params).await?;
    let (categories, classes) = catalog(app).await?;
    let batch = app.config.open311.batch;
    let services = categories
        .iter()
        .map(|c| {
            let group = classes.iter().find(|(code, _)| *code == c.code.class()).map(|(_, n)| n.clone());
            let description = if c.entry_criteria.is_empty() { c.name.clone() } else { c.entry_criteria.clone() };
            Node::Object(
                "service",
                vec![
                    Node::text("service_code", c.code.to_string()),
                    Node::text("service_name", c.name.clone()),
                    Node::text("description", description),
                    Node::Leaf("metadata", Leaf::Bool(!c.attributes.is_empty())),
                    Node::text("type", if batch { "batch" } else { "realtime" }),
                    Node::text("keywords", c.keywords.join(", ")),
                    Node::maybe("group", group),
                ],
            )
        })
        .collect();
    Ok(Node::List("services", services))
}

/// `GET /services/{code}.{fmt}`.
pub async fn definition(app: &App, params: &Params, code: &str) -> Result<Node, Problem> {
    jurisdiction(app, params).await?;
    let (categories, _) = catalog(app).await?;
    let category = categories
        .iter()
        .find(|c| c.code.as_str() == code)
        .ok_or_else(|| Problem::not_found(format!("service_code {code} was not found")))?;
    let attributes = category
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (hint, values) = match &a.datatype {
                AttributeType::String => ("一行文字", Vec::new()),
                AttributeType::Text => ("文字，可以分行", Vec::new()),
                AttributeType::Number => ("数字", Vec::new()),
                AttributeType::Datetime => ("日期时间，如 2026-11-29T09:30:00+08:00", Vec::new()),
                AttributeType::SingleChoice(v) => ("选一项，填 key", v.clone()),
                AttributeType::MultiChoice(v) => ("可选多项，每项一个 attribute[code][]", v.clone()),
            };
            let mut fields = vec![
                Node::Leaf("variable", Leaf::Bool(true)),
                Node::text("code", a.code.clone()),
                Node::text("datatype", a.datatype.open311()),
                Node::Leaf("required", Leaf::Bool(a.required)),
                Node::text("datatype_description", hint),
                Node::Leaf("order", Leaf::Integer(i as i64 + 1)),
                Node::text(
                    "description",
                    if a.description.is_empty() { a.name.clone() } else { a.description.clone() },
                ),
            ];
            if !values.is_empty() {
                fields.push(Node::List(
                    "values",
                    values
                        .into_iter()
                        .map(|(key, name)| {
                            Node::Object("value", vec![Node::text("key", key), Node::text("name", name)])
                        })
                        .collect(),
                ));
            }
            Node::Object("attribute", fields)
        })
        .collect();
    Ok(Node::Object(
        "service_definition",
        vec![Node::text("service_code", category.code.to_string()), Node::List("attributes", attributes)],
    ))
}
