//! Reading cases (behind `GET /cases`, `GET /cases/{id}`, the board and search): the list
//! filters, the caller's reach, and one case with its timeline.

use serde::Serialize;
use tongxin_core::access::{ActorKind, Permission};
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::cases::report::Source;
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;
use tongxin_store::cases::{CaseFilter, CaseOrder, CaseRecord, CaseScope};
use utoipa::ToSchema;

use super::photos::{PhotoView, views};
use super::{CaseView, EventView, Reach, category_names, visible};
use crate::access::audit::{parse_time, parse_until};
use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// Reads the list filters, naming a bad one.
pub fn filter(params: &Params) -> Result<CaseFilter, Error> {
    let statuses = params
        .get("status")
        .map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| match s {
                    "open" => Ok(Status::ALL.into_iter().filter(|s| s.is_open()).collect::<Vec<_>>()),
                    s => s.parse::<Status>().map(|s| vec![s]).map_err(|e| Error::invalid("status", e)),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .map(|lists| lists.into_iter().flatten().collect())
        .unwrap_or_default();
    let time = |name: &str| {
        let parse = if name == "until" { parse_until } else { parse_time };
        params
            .get(name)
            .map(|raw| {
                parse(raw).ok_or_else(|| Error::invalid(name, format!("{name} must be a date or an RFC 3339 time")))
            })
            .transpose()
    };
    let cursor = params
        .get("cursor")
        .map(|c| c.parse::<i64>().map_err(|_| Error::invalid("cursor", "use the next_cursor of the previous page")))
        .transpose()?;
    Ok(CaseFilter {
        statuses,
        category: params.parse::<CategoryCode>("category")?,
        within: params.parse::<RegionCode>("region")?,
        department: params.get("department").map(str::to_owned),
        source: params
            .get("source")
            .map(|s| s.parse::<Source>().map_err(|e| Error::invalid("source", e)))
            .transpose()?,
        overdue: params.parse::<bool>("overdue")?.unwrap_or(false),
        since: time("since")?,
        until: time("until")?,
        text: params.get("q").map(str::to_owned),
        before: cursor,
        limit: params.bounded("limit", 50, 1, 500)?,
        ..Default::default()
    })
}

/// The cases within the caller's reach that match `params`, and the next cursor.
pub async fn search(app: &App, who: &Who, params: &Params) -> Result<(Vec<CaseRecord>, Option<String>), Error> {
    let (filter, scope) = searched(app, who, params).await?;
    let cases = app.store.cases(&scope, &filter).await?;
    let next = (cases.len() as i64 == filter.limit).then(|| cases.last().map(|c| c.id.to_string())).flatten();
    Ok((cases, next))
}

/// One page of a search as people read it: the latest reported first, page `page` (from
/// 1) of `limit`, and how many cases match in all.
pub async fn search_page(app: &App, who: &Who, params: &Params) -> Result<(Vec<CaseRecord>, i64), Error> {
    let (mut filter, scope) = searched(app, who, params).await?;
    let page = params.bounded("page", 1, 1, 100_000)?;
    filter.order = CaseOrder::Reported;
    filter.before = None;
    filter.offset = (page - 1) * filter.limit;
    let total = app.store.count_cases(&scope, &filter).await?;
    Ok((app.store.cases(&scope, &filter).await?, total))
}

/// The filter `params` ask for and the scope of the caller's reach, after checking that
/// the caller reads cases and that a region asked for is theirs.
pub async fn searched(app: &App, who: &Who, params: &Params) -> Result<(CaseFilter, CaseScope), Error> {
    if !Reach::reads_cases(who) {
        who.require(app, Permission::CasesRead).await?;
    }
    let filter = filter(params)?;
    if let Some(region) = &filter.within
        && !who.actor.scope.touches(region)
        && who.actor.kind != ActorKind::Resident
    {
        return Err(who
            .out_of_scope(app, "region", region.as_str(), Error::not_found(format!("no region with code {region}")))
            .await);
    }
    let reach = Reach::of(app, who).await?;
    Ok((filter, reach.scope(who)))
}

/// A case with its timeline and the steps the caller may take now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseView,
    pub timeline: Vec<EventView>,
    /// Actions the lifecycle allows now and the caller may take.
    pub actions: Vec<String>,
    pub photos: Vec<PhotoView>,
    /// Duplicates merged into this case.
    pub merged: Vec<i64>,
    /// For a dispatcher, while the case waits for dispatch: the likely departments, most
    /// likely first.
    pub suggested_departments: Vec<SuggestionView>,
}

/// A department the dispatcher will likely choose.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    pub department: String,
    pub name: String,
    /// rule (a dispatch rule names it), category (the category's department) or history
    /// (it handled such cases in the community)
    pub reason: &'static str,
    /// Cases of this category in the same community it was sent in the past year.
    pub cases: i64,
}

/// The likely departments for `case`, most likely first.
pub async fn suggestions(app: &App, case: &CaseRecord) -> Result<Vec<SuggestionView>, Error> {
    let departments = app.store.departments().await?;
    let region = case.grid.clone().unwrap_or_else(|| case.region.clone());
    let year_ago = Timestamp::from_millis(Timestamp::now().millis() - 365 * 86_400_000);
    let found = app.store.suggested_departments(&case.category, &region, year_ago).await?;
    Ok(found
        .into_iter()
        .map(|s| SuggestionView {
            name: departments.iter().find(|(c, _)| *c == s.department).map_or(s.department.clone(), |(_, n)| n.clone()),
            department: s.department,
            reason: s.reason.as_str(),
            cases: s.cases,
        })
        .collect())
}

/// A case as the caller sees it: facts, timeline, photos, the steps they may take.
pub async fn detail(app: &App, who: &Who, id: i64) -> Result<CaseDetail, Error> {
    let reach = Reach::of(app, who).await?;
    let case = visible(app, who, &reach, id).await?;
    detail_of(app, who, &reach, &case).await
}

/// The detail of a case the caller has just acted on (which they may no longer see: a
/// department that returned it).
pub async fn detail_of(app: &App, who: &Who, reach: &Reach, case: &CaseRecord) -> Result<CaseDetail, Error> {
    let id = case.id;
    let timeline = app.store.case_events(id).await?.iter().map(EventView::from).collect();
    let names = category_names(app).await?;
    let actions: Vec<String> = reach.actions(who, case).iter().map(|a| a.as_str().to_owned()).collect();
    let merged = app.store.merged_cases(id).await?.iter().map(|c| c.id).collect();
    let suggested_departments =
        if actions.iter().any(|a| a == "dispatch") { suggestions(app, case).await? } else { Vec::new() };
    Ok(CaseDetail {
        case: CaseView::new(app, case, names.get(case.category.as_str()).cloned().unwrap_or_default()),
        timeline,
        actions,
        photos: views(app, id).await?,
        merged,
        suggested_departments,
    })
}
