//! Listing cases: the scoped, filtered, paged list every board and search reads, and the
//! open cases near a point that the duplicate check compares a new report with.

use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::geo::LatLng;
use tongxin_core::time::Timestamp;

use super::records::{COLUMNS, CaseFilter, CaseOrder, CaseRecord, CaseScope, case_from_row};
use crate::{Store, StoreError};

/// A value bound to a dynamically built query.
enum Bind {
    Text(String),
    Int(i64),
}

fn param(binds: &mut Vec<Bind>, value: Bind) -> String {
    binds.push(value);
    format!("${}", binds.len())
}

/// The WHERE clause (empty when nothing narrows) and its values, shared by the list and
/// its count so the two cannot disagree.
fn conditions(scope: &CaseScope, filter: &CaseFilter) -> (String, Vec<Bind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    if !scope.all {
        let mut any = Vec::new();
        for r in &scope.regions {
            let p = param(&mut binds, Bind::Text(format!("{r}%")));
            any.push(format!("region_code LIKE {p}"));
        }
        for d in &scope.departments {
            let p = param(&mut binds, Bind::Text(d.clone()));
            any.push(format!("department_code = {p}"));
        }
        if let Some(resident) = scope.resident {
            let p = param(&mut binds, Bind::Int(resident));
            any.push(format!("reporter_resident = {p}"));
        }
        if let Some(user) = scope.reporter {
            let p = param(&mut binds, Bind::Int(user));
            any.push(format!("reporter_user = {p}"));
        }
        conditions.push(if any.is_empty() { "1 = 0".into() } else { format!("({})", any.join(" OR ")) });
    }
    if !filter.statuses.is_empty() {
        let ps: Vec<String> =
            filter.statuses.iter().map(|s| param(&mut binds, Bind::Text(s.as_str().into()))).collect();
        conditions.push(format!("status IN ({})", ps.join(", ")));
    }
    if let Some(c) = &filter.category {
        let p = param(&mut binds, Bind::Text(if c.is_class() { format!("{c}%") } else { c.to_string() }));
        conditions.push(format!("category_code LIKE {p}"));
    }
    if !filter.categories.is_empty() {
        let any: Vec<String> = filter
            .categories
            .iter()
            .map(|c| {
                let p = param(&mut binds, Bind::Text(if c.is_class() { format!("{c}%") } else { c.to_string() }));
                format!("category_code LIKE {p}")
            })
            .collect();
        conditions.push(format!("({})", any.join(" OR ")));
    }
    if !filter.numbers.is_empty() {
        let ps: Vec<String> = filter.numbers.iter().map(|n| param(&mut binds, Bind::Text(n.clone()))).collect();
        conditions.push(format!("number IN ({})", ps.join(", ")));
    }
    if let Some(r) = &filter.within {
        let p = param(&mut binds, Bind::Text(format!("{r}%")));
        conditions.push(format!("region_code LIKE {p}"));
    }
    if let Some(d) = &filter.department {
        let p = param(&mut binds, Bind::Text(d.clone()));
        conditions.push(format!("department_code = {p}"));
    }
    if let Some(s) = filter.source {
        let p = param(&mut binds, Bind::Text(s.as_str().into()));
        conditions.push(format!("source = {p}"));
    }
    if filter.overdue {
        let p = param(&mut binds, Bind::Int(Timestamp::now().millis()));
        conditions.push(format!("step_due_at < {p} AND status NOT IN ('closed', 'rejected')"));
    }
    if let Some(t) = filter.since {
        let p = param(&mut binds, Bind::Int(t.millis()));
        conditions.push(format!("created_at >= {p}"));
    }
    if let Some(t) = filter.until {
        let p = param(&mut binds, Bind::Int(t.millis()));
        conditions.push(format!("created_at < {p}"));
    }
    if let Some(text) = &filter.text {
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let p = param(&mut binds, Bind::Text(format!("%{escaped}%")));
        conditions.push(format!(
            "(description LIKE {p} ESCAPE '\\' OR address LIKE {p} ESCAPE '\\' OR number LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(before) = filter.before {
        let p = param(&mut binds, Bind::Int(before));
        conditions.push(format!("id < {p}"));
    }
    let clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    (clause, binds)
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        query = match b {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

impl Store {
    /// Cases within `scope` matching `filter`, in `filter.order`; for the newest first,
    /// pass the last id back as `before` for the next page.
    pub async fn cases(&self, scope: &CaseScope, filter: &CaseFilter) -> Result<Vec<CaseRecord>, StoreError> {
        let (where_clause, mut binds) = conditions(scope, filter);
        let order = match filter.order {
            CaseOrder::Newest => "id DESC".to_owned(),
            CaseOrder::Reported => "created_at DESC, id DESC".to_owned(),
            // Overdue first, the longest overdue at the top; then the rest by deadline, the
            // soonest first; cases with no running deadline last; the newest among equals.
            // The bucket, not NULLS LAST, puts the undated last: SQLite sorts NULL first.
            CaseOrder::OverdueFirst => {
                let now = param(&mut binds, Bind::Int(Timestamp::now().millis()));
                format!(
                    "CASE WHEN step_due_at < {now} THEN 0 WHEN step_due_at IS NOT NULL THEN 1 ELSE 2 END, \
                     step_due_at, id DESC"
                )
            }
        };
        let limit = param(&mut binds, Bind::Int(filter.limit));
        let offset = if filter.offset > 0 {
            format!(" OFFSET {}", param(&mut binds, Bind::Int(filter.offset)))
        } else {
            String::new()
        };
        let sql = format!("SELECT {COLUMNS} FROM cases {where_clause} ORDER BY {order} LIMIT {limit}{offset}");
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(self.pool()).await?;
        rows.iter().map(case_from_row).collect()
    }

    /// How many cases within `scope` match `filter` (its limit, offset and order aside).
    pub async fn count_cases(&self, scope: &CaseScope, filter: &CaseFilter) -> Result<i64, StoreError> {
        let (where_clause, binds) = conditions(scope, filter);
        let sql = format!("SELECT COUNT(*) AS n FROM cases {where_clause}");
        let row = bind_all(sqlx::query(&sql), &binds).fetch_one(self.pool()).await?;
        Ok(sqlx::Row::try_get(&row, "n")?)
    }

    /// Open cases of `category` reported since `since`, with a point: the candidates a new
    /// report may repeat (the distance is measured by the caller).
    pub async fn open_cases_near(
        &self,
        category: &CategoryCode,
        since: Timestamp,
        around: LatLng,
        degrees: f64,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM cases WHERE category_code = $1 AND created_at >= $2 AND status NOT IN ('closed', 'rejected') \
             AND duplicate_of IS NULL AND lat BETWEEN $3 AND $4 AND lng BETWEEN $5 AND $6 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(category.as_str())
            .bind(since.millis())
            .bind(around.lat() - degrees)
            .bind(around.lat() + degrees)
            .bind(around.lng() - degrees * 1.2)
            .bind(around.lng() + degrees * 1.2)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(case_from_row).collect()
    }
}
