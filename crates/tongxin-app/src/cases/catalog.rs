//! The categories and departments (behind `GET /categories` and `GET /departments`): what a
//! reporting form and the dispatcher need.

use serde::Serialize;
use tongxin_core::cases::catalog::{AttributeDef, Category, CategoryCode, format_limit};
use utoipa::ToSchema;

use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    /// The class (大类) this subclass belongs to.
    pub class: String,
    pub class_name: String,
    /// component (部件) or event (事件)
    pub kind: String,
    pub department: Option<String>,
    pub priority: u8,
    /// W2 = two working hours, N4 = four natural hours.
    pub register_limit: String,
    pub dispatch_limit: String,
    pub handle_limit: String,
    pub entry_criteria: String,
    pub closing_criteria: String,
    #[schema(value_type = Vec<Object>)]
    pub attributes: Vec<AttributeDef>,
    pub keywords: Vec<String>,
}

impl CategoryView {
    pub fn new(c: Category, classes: &[(CategoryCode, String)]) -> Self {
        let class = c.code.class();
        CategoryView {
            class_name: classes.iter().find(|(code, _)| *code == class).map(|(_, n)| n.clone()).unwrap_or_default(),
            class: class.to_string(),
            kind: serde_json::to_value(c.code.kind())
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            code: c.code.to_string(),
            name: c.name,
            department: c.department,
            priority: c.priority.0,
            register_limit: format_limit(c.limits.register),
            dispatch_limit: format_limit(c.limits.dispatch),
            handle_limit: format_limit(c.limits.handle),
            entry_criteria: c.entry_criteria,
            closing_criteria: c.closing_criteria,
            attributes: c.attributes,
            keywords: c.keywords,
        }
    }
}

/// The active subclasses with their classes.
pub async fn active_categories(app: &App) -> Result<Vec<CategoryView>, Error> {
    let classes = app.store.category_classes().await?;
    let categories = app.store.categories().await?;
    Ok(categories.into_iter().filter(|c| c.active).map(|c| CategoryView::new(c, &classes)).collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    pub code: String,
    pub name: String,
}
