//! Departments, categories, dispatch rules and calendar overrides.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongxin_core::cases::calendar::{Calendar, DeclaredDay, TimeLimit, WorkingHours};
use tongxin_core::cases::catalog::{Catalog, Category, CategoryCode, Limits, Priority};
use tongxin_core::geo::{RegionCode, RegionLevel};

use crate::audit::{AuditEntry, Caller};
use crate::{Store, StoreError, Tx, row_bool};

/// Why a department is suggested for a case waiting for dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionReason {
    /// A dispatch rule names it (one of several that match).
    Rule,
    /// The category's default department.
    Category,
    /// It handled cases of this category in the same community.
    History,
}

impl SuggestionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionReason::Rule => "rule",
            SuggestionReason::Category => "category",
            SuggestionReason::History => "history",
        }
    }
}

/// A department suggested for a case, and how many cases of its kind nearby it handled in
/// the past year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub department: String,
    pub reason: SuggestionReason,
    pub cases: i64,
}

fn limit_columns(limit: TimeLimit) -> (&'static str, i64) {
    match limit {
        TimeLimit::WorkingHours(h) => ("W", i64::from(h)),
        TimeLimit::NaturalHours(h) => ("N", i64::from(h)),
    }
}

pub(crate) fn limit_from(kind: &str, hours: i64) -> Result<TimeLimit, StoreError> {
    let hours = u32::try_from(hours).map_err(|e| StoreError::Corrupt(format!("limit hours: {e}")))?;
    match kind {
        "W" => Ok(TimeLimit::WorkingHours(hours)),
        "N" => Ok(TimeLimit::NaturalHours(hours)),
        other => Err(StoreError::Corrupt(format!("limit kind {other}"))),
    }
}

const COLUMNS: &str = "code, name, department_code, priority, register_kind, register_hours, dispatch_kind, dispatch_hours, \
    handle_kind, handle_hours, entry_criteria, closing_criteria, attributes, keywords, active";

fn category_from_row(row: &AnyRow) -> Result<Category, StoreError> {
    let code: String = row.try_get("code")?;
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("category {code}: {e}"));
    let limit = |step: &str| -> Result<TimeLimit, StoreError> {
        limit_from(
            &row.try_get::<String, _>(format!("{step}_kind").as_str())?,
            row.try_get(format!("{step}_hours").as_str())?,
        )
    };
    let attributes: String = row.try_get("attributes")?;
    let keywords: String = row.try_get("keywords")?;
    Ok(Category {
        code: CategoryCode::parse(&code).map_err(|e| corrupt(&e))?,
        name: row.try_get("name")?,
        department: row.try_get("department_code")?,
        priority: Priority(u8::try_from(row.try_get::<i64, _>("priority")?).map_err(|e| corrupt(&e))?),
        limits: Limits { register: limit("register")?, dispatch: limit("dispatch")?, handle: limit("handle")? },
        entry_criteria: row.try_get("entry_criteria")?,
        closing_criteria: row.try_get("closing_criteria")?,
        attributes: serde_json::from_str(&attributes).map_err(|e| corrupt(&e))?,
        keywords: keywords.split(',').filter(|k| !k.is_empty()).map(str::to_owned).collect(),
        active: row_bool(row, "active")?,
    })
}

impl Store {
    /// Writes a whole catalog (departments, classes, subclasses) in one transaction,
    /// adding what is new and updating what exists. Returns the number of subclasses.
    pub async fn import_catalog(&self, caller: &Caller, catalog: &Catalog) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        for (code, name) in &catalog.departments {
            sqlx::query("INSERT INTO departments (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name")
                .bind(code)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for (code, name) in &catalog.classes {
            sqlx::query("INSERT INTO categories (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name")
                .bind(code.as_str())
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for category in &catalog.categories {
            Self::upsert_category(&mut tx, category).await?;
        }
        let detail = json!({ "departments": catalog.departments.len(), "categories": catalog.categories.len() });
        self.audit_in(&mut tx, caller, AuditEntry::ok("catalog.import", "catalog", "").with_detail(detail)).await?;
        tx.commit().await?;
        Ok(catalog.categories.len())
    }

    async fn upsert_category(tx: &mut Tx, c: &Category) -> Result<(), StoreError> {
        let (rk, rh) = limit_columns(c.limits.register);
        let (dk, dh) = limit_columns(c.limits.dispatch);
        let (hk, hh) = limit_columns(c.limits.handle);
        let attributes = serde_json::to_string(&c.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO categories (code, parent_code, name, department_code, priority, register_kind, register_hours, \
               dispatch_kind, dispatch_hours, handle_kind, handle_hours, entry_criteria, closing_criteria, attributes, keywords, active) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, department_code = excluded.department_code, \
               priority = excluded.priority, register_kind = excluded.register_kind, register_hours = excluded.register_hours, \
               dispatch_kind = excluded.dispatch_kind, dispatch_hours = excluded.dispatch_hours, \
               handle_kind = excluded.handle_kind, handle_hours = excluded.handle_hours, \
               entry_criteria = excluded.entry_criteria, closing_criteria = excluded.closing_criteria, \
               attributes = excluded.attributes, keywords = excluded.keywords, active = excluded.active",
        )
        .bind(c.code.as_str())
        .bind(c.code.class().as_str())
        .bind(&c.name)
        .bind(c.department.as_deref())
        .bind(i64::from(c.priority.0))
        .bind(rk)
        .bind(rh)
        .bind(dk)
        .bind(dh)
        .bind(hk)
        .bind(hh)
        .bind(&c.entry_criteria)
        .bind(&c.closing_criteria)
        .bind(attributes)
        .bind(c.keywords.join(","))
        .bind(c.active)
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict {
                field: "department",
                reason: format!("there is no department {}", c.department.as_deref().unwrap_or("")),
            },
            _ => StoreError::Database(e),
        })?;
        Ok(())
    }

    /// Saves one edited subclass (the catalog page).
    pub async fn save_category(&self, caller: &Caller, category: &Category) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query(&format!("SELECT {COLUMNS} FROM categories WHERE code = $1"))
            .bind(category.code.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound { entity: "category", key: category.code.to_string() })?;
        let before = category_from_row(&before)?;
        Self::upsert_category(&mut tx, category).await?;
        let detail = json!({
            "before": { "department": before.department, "priority": before.priority.0, "active": before.active },
            "after": { "department": category.department, "priority": category.priority.0, "active": category.active },
        });
        self.audit_in(
            &mut tx,
            caller,
            AuditEntry::ok("category.update", "category", &category.code).with_detail(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every subclass, by code.
    pub async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM categories WHERE length(code) = 5 ORDER BY code"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(category_from_row).collect()
    }

    pub async fn category(&self, code: &CategoryCode) -> Result<Option<Category>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM categories WHERE code = $1 AND length(code) = 5"))
            .bind(code.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(category_from_row).transpose()
    }

    /// The classes (大类): (code, name).
    pub async fn category_classes(&self) -> Result<Vec<(CategoryCode, String)>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM categories WHERE length(code) = 3 ORDER BY code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                Ok((CategoryCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?, r.try_get("name")?))
            })
            .collect()
    }

    /// (code, name) of every department.
    pub async fn departments(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM departments ORDER BY code").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?))).collect()
    }

    /// Binds a staff account to a department: it handles the cases dispatched there.
    pub async fn add_user_department(&self, caller: &Caller, user_id: i64, department: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO user_departments (user_id, department_code) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(user_id)
            .bind(department)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    StoreError::Conflict { field: "department", reason: format!("there is no department {department}") }
                }
                _ => StoreError::Database(e),
            })?;
        self.audit_in(
            &mut tx,
            caller,
            AuditEntry::ok("user.department", "user", user_id).with_detail(json!({ "department": department })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The departments a staff account belongs to.
    pub async fn user_departments(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT department_code FROM user_departments WHERE user_id = $1 ORDER BY department_code")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok(r.try_get("department_code")?)).collect()
    }

    /// Adds a dispatch rule: cases of `category` in `region` (or below) go to `department`.
    pub async fn add_dispatch_rule(
        &self,
        caller: &Caller,
        category: &CategoryCode,
        region: &RegionCode,
        department: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO dispatch_rules (category_code, region_code, department_code) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(category.as_str())
        .bind(region.as_str())
        .bind(department)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict { field: "rule", reason: "this rule exists".into() }
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict {
                field: "rule",
                reason: "the category, region or department does not exist".into(),
            },
            _ => StoreError::Database(e),
        })?
        .try_get("id")?;
        let detail = json!({ "category": category, "region": region, "department": department });
        self.audit_in(&mut tx, caller, AuditEntry::ok("dispatch_rule.create", "dispatch_rule", id).with_detail(detail))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The departments whose rules match a case of `category` at `region`: rules on the
    /// subclass or its class, for the region or any of its ancestors.
    pub async fn matching_departments(
        &self,
        tx: &mut Tx,
        category: &CategoryCode,
        region: &RegionCode,
    ) -> Result<Vec<String>, StoreError> {
        let mut regions: Vec<String> = region.ancestors().iter().map(|c| c.to_string()).collect();
        regions.push(region.to_string());
        let placeholders: Vec<String> = (3..3 + regions.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT department_code FROM dispatch_rules WHERE category_code IN ($1, $2) AND region_code IN ({}) ORDER BY department_code",
            placeholders.join(", ")
        );
        let class = category.class();
        let mut query = sqlx::query(&sql).bind(category.as_str()).bind(class.as_str());
        for r in &regions {
            query = query.bind(r.as_str());
        }
        let rows = query.fetch_all(&mut **tx).await?;
        rows.iter().map(|r| Ok(r.try_get("department_code")?)).collect()
    }

    /// The departments a dispatcher will likely choose for a case of `category` at `region`,
    /// most likely first: those named by dispatch rules (several rules match, or the case
    /// would have gone out by itself), the category's own department, and the departments
    /// that handled the most cases of this category in the same community over the past
    /// year (`since`). Each department appears once, with its first reason.
    pub async fn suggested_departments(
        &self,
        category: &CategoryCode,
        region: &RegionCode,
        since: tongxin_core::time::Timestamp,
    ) -> Result<Vec<Suggestion>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let rules = self.matching_departments(&mut tx, category, region).await?;
        tx.commit().await?;
        let mut found: Vec<Suggestion> =
            rules.into_iter().map(|d| Suggestion { department: d, reason: SuggestionReason::Rule, cases: 0 }).collect();
        if let Some(own) = self.category(category).await?.and_then(|c| c.department) {
            found.push(Suggestion { department: own, reason: SuggestionReason::Category, cases: 0 });
        }
        let area = region
            .ancestors()
            .into_iter()
            .chain(std::iter::once(region.clone()))
            .find(|r| r.level() == RegionLevel::Community)
            .unwrap_or_else(|| region.clone());
        let rows = sqlx::query(
            "SELECT department_code, COUNT(*) AS n FROM cases \
             WHERE category_code = $1 AND region_code LIKE $2 AND department_code IS NOT NULL AND created_at >= $3 \
             GROUP BY department_code ORDER BY n DESC, department_code LIMIT 3",
        )
        .bind(category.as_str())
        .bind(format!("{area}%"))
        .bind(since.millis())
        .fetch_all(self.pool())
        .await?;
        for row in &rows {
            let department: String = row.try_get("department_code")?;
            let cases: i64 = row.try_get("n")?;
            if let Some(known) = found.iter_mut().find(|s| s.department == department) {
                known.cases = cases;
            } else {
                found.push(Suggestion { department, reason: SuggestionReason::History, cases });
            }
        }
        let mut seen = std::collections::HashSet::new();
        found.retain(|s| seen.insert(s.department.clone()));
        Ok(found)
    }

    /// The calendar: the shipped years, with the overrides administrators added.
    pub async fn calendar(&self, hours: WorkingHours) -> Result<Calendar, StoreError> {
        let mut calendar = Calendar::prc(hours);
        for d in self.calendar_overrides().await? {
            calendar.set_day(d.date, d.working, &d.name);
        }
        Ok(calendar)
    }

    /// Declares holidays and make-up working days (a year published after this build), all
    /// in one transaction: a notice is taken whole or not at all.
    pub async fn set_calendar_days(&self, caller: &Caller, days: &[DeclaredDay]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for d in days {
            sqlx::query(
                "INSERT INTO calendar_days (day, working, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (day) DO UPDATE SET working = excluded.working, name = excluded.name",
            )
            .bind(d.date.format("%Y-%m-%d").to_string())
            .bind(d.working)
            .bind(d.name.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let listed: Vec<serde_json::Value> =
            days.iter().map(|d| json!({ "day": d.date.to_string(), "working": d.working, "name": d.name })).collect();
        let entry = AuditEntry::ok("calendar.set_days", "calendar", days.len()).with_detail(json!({ "days": listed }));
        self.audit_in(&mut tx, caller, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an added day, so the shipped calendar (or the plain week) holds again.
    pub async fn remove_calendar_day(&self, caller: &Caller, day: NaiveDate) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let key = day.format("%Y-%m-%d").to_string();
        let removed = sqlx::query("DELETE FROM calendar_days WHERE day = $1").bind(&key).execute(&mut *tx).await?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "calendar day", key });
        }
        self.audit_in(&mut tx, caller, AuditEntry::ok("calendar.remove_day", "calendar", &key)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The days administrators added, in date order.
    pub async fn calendar_overrides(&self) -> Result<Vec<DeclaredDay>, StoreError> {
        let rows =
            sqlx::query("SELECT day, working, name FROM calendar_days ORDER BY day").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let day: String = row.try_get("day")?;
                let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| StoreError::Corrupt(format!("calendar day {day}: {e}")))?;
                Ok(DeclaredDay { date, working: row_bool(row, "working")?, name: row.try_get("name")? })
            })
            .collect()
    }
}
