//! Campaigns (专项行动): created from a shipped template or a checklist of one's own over
//! regions in the caller's reach; read with their progress per grid and community; and
//! [`visit`], the grid worker's side: their tasks and a visit recorded exactly once.

pub mod report;
pub mod visit;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tongxin_core::access::Permission;
use tongxin_core::campaigns::checklist::Checklist;
use tongxin_core::campaigns::{MAX_NAME, TargetKind, templates};
use tongxin_core::geo::{RegionCode, RegionLevel};
use tongxin_store::campaigns::progress::Progress;
use tongxin_store::campaigns::{Campaign, NewCampaign, WITH_EBIKE};
use utoipa::ToSchema;

use crate::caller::Who;
use crate::registry::scope;
use crate::{App, Error};

/// The longest a campaign may run, in days.
pub const MAX_DAYS: i64 = 366;

/// A campaign to create: from a template (`template`) or with its own `checklist`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CampaignRequest {
    #[schema(example = "2020年电动自行车消防安全排摸")]
    pub name: String,
    /// A shipped template's code: ebike_sweep, garbage_sorting, civility_patrol,
    /// elevator_retrofit, epidemic_check, census_visit.
    pub template: Option<String>,
    /// building, household, shed or grid; the template's when not given.
    pub target_kind: Option<String>,
    /// `with_ebike`: only households with an active e-bike.
    pub target_filter: Option<String>,
    #[schema(example = "2020-06-01")]
    pub starts_on: String,
    #[schema(example = "2020-09-30")]
    pub ends_on: String,
    /// Region codes (subdistrict, community or grid) inside the caller's regions.
    pub regions: Vec<String>,
    /// The checklist, when no template is named (or to replace the template's).
    #[schema(value_type = Option<Object>)]
    pub checklist: Option<Checklist>,
}

/// A campaign as the API shows it, with its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: i64,
    pub name: String,
    pub template: String,
    pub target_kind: String,
    pub target_filter: String,
    pub starts_on: String,
    pub ends_on: String,
    pub regions: Vec<String>,
    #[schema(value_type = Object)]
    pub checklist: Checklist,
    pub created_by: String,
    #[schema(value_type = Object)]
    pub progress: Progress,
}

/// A campaign's figures per community and per grid, within the reader's regions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    pub campaign: CampaignView,
    /// (region code, figures), communities then grids.
    #[schema(value_type = Vec<Object>)]
    pub communities: Vec<(String, Progress)>,
    #[schema(value_type = Vec<Object>)]
    pub grids: Vec<(String, Progress)>,
}

fn day(field: &str, raw: &str) -> Result<NaiveDate, Error> {
    raw.trim().parse().map_err(|_| Error::invalid(field, format!("{field} must be a date (YYYY-MM-DD)")))
}

/// `request` checked into a campaign to store, for `who`.
async fn checked(app: &App, who: &Who, request: CampaignRequest) -> Result<NewCampaign, Error> {
    let name = request.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::invalid("name", format!("a campaign's name has 1 to {MAX_NAME} characters")));
    }
    crate::text::check("name", &name).map_err(|e| Error::invalid("name", e.to_string()))?;
    let template = match request.template.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(code) => Some(templates::named(code).ok_or_else(|| {
            let known: Vec<&str> = templates::all().iter().map(|t| t.code).collect();
            Error::invalid("template", format!("there is no template {code}; there are {}", known.join(", ")))
        })?),
        None => None,
    };
    let target_kind = match (request.target_kind.as_deref(), &template) {
        (Some(raw), _) => raw.parse::<TargetKind>().map_err(|e| Error::invalid("target_kind", e))?,
        (None, Some(t)) => t.target,
        (None, None) => return Err(Error::invalid("target_kind", "give target_kind or a template")),
    };
    let checklist = match (request.checklist, &template) {
        (Some(list), _) => list,
        (None, Some(t)) => t.checklist.clone(),
        (None, None) => return Err(Error::invalid("checklist", "give a checklist or a template")),
    };
    checklist.validate().map_err(|e| Error::invalid("checklist", e))?;
    for rule in checklist.case_rules() {
        let category = match tongxin_core::cases::catalog::CategoryCode::parse(&rule.category) {
            Ok(code) => app.store.category(&code).await?.filter(|c| c.active),
            Err(_) => None,
        };
        let category = category.ok_or_else(|| {
            Error::invalid("checklist", format!("the checklist opens cases of {}, no such category", rule.category))
        })?;
        category.check_attributes(&rule.attributes).map_err(|e| {
            Error::invalid("checklist", format!("a case of {} needs attribute {}: {e}", rule.category, e.code))
        })?;
    }
    let target_filter = request.target_filter.unwrap_or_default().trim().to_owned();
    if !(target_filter.is_empty() || target_filter == WITH_EBIKE && target_kind == TargetKind::Household) {
        return Err(Error::invalid("target_filter", "target_filter is empty or with_ebike (households only)"));
    }
    let (starts_on, ends_on) = (day("starts_on", &request.starts_on)?, day("ends_on", &request.ends_on)?);
    if ends_on < starts_on || (ends_on - starts_on).num_days() >= MAX_DAYS {
        return Err(Error::invalid("ends_on", format!("ends_on is on or after starts_on, at most {MAX_DAYS} days on")));
    }
    if request.regions.is_empty() || request.regions.len() > 50 {
        return Err(Error::invalid("regions", "give 1 to 50 region codes"));
    }
    let mut regions = Vec::new();
    for raw in &request.regions {
        let code = RegionCode::parse(raw.trim()).map_err(|e| Error::invalid("regions", format!("{raw}: {e}")))?;
        let missing = || Error::not_found(format!("no region {code}"));
        app.store.region(&code).await?.ok_or_else(missing)?;
        who.covers(app, &code, missing()).await?;
        regions.push(code);
    }
    Ok(NewCampaign {
        name,
        template: template.map(|t| t.code.to_owned()).unwrap_or_default(),
        target_kind,
        target_filter,
        starts_on,
        ends_on,
        regions,
        checklist,
    })
}

/// Creates a campaign and its visit tasks; the campaign and how many tasks it has.
pub async fn create(app: &App, who: &Who, request: CampaignRequest) -> Result<(CampaignView, i64), Error> {
    who.require(app, Permission::CampaignsManage).await?;
    let new = checked(app, who, request).await?;
    let (campaign, tasks) = app.store.create_campaign(&who.caller(), &new).await?;
    Ok((view(app, who, campaign).await?, tasks))
}

pub(crate) async fn view(app: &App, who: &Who, c: Campaign) -> Result<CampaignView, Error> {
    let mut total = Progress::default();
    for (_, p) in app.store.campaign_progress(c.id, &scope(who)).await? {
        total.add(&p);
    }
    Ok(CampaignView {
        id: c.id,
        name: c.name,
        template: c.template,
        target_kind: c.target_kind.as_str().to_owned(),
        target_filter: c.target_filter,
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        regions: c.regions.iter().map(ToString::to_string).collect(),
        checklist: c.checklist,
        created_by: c.created_by,
        progress: total,
    })
}

/// The campaigns touching the caller's regions, each with its figures there.
pub async fn list(app: &App, who: &Who) -> Result<Vec<CampaignView>, Error> {
    who.require(app, Permission::CampaignsRead).await?;
    let mut out = Vec::new();
    for c in app.store.campaigns(&scope(who)).await? {
        out.push(view(app, who, c).await?);
    }
    Ok(out)
}

/// The campaign `id`, if it touches the caller's regions (else the same not-found).
pub async fn one(app: &App, who: &Who, id: i64) -> Result<Campaign, Error> {
    who.require(app, Permission::CampaignsRead).await?;
    let missing = || Error::not_found(format!("no campaign {id}"));
    let campaign = app.store.campaign(id).await?.ok_or_else(missing)?;
    let roots = scope(who);
    let touches =
        roots.all || campaign.regions.iter().any(|r| roots.regions.iter().any(|s| s.contains(r) || r.contains(s)));
    if !touches {
        return Err(who.out_of_scope(app, "campaign", &id.to_string(), missing()).await);
    }
    Ok(campaign)
}

/// A campaign with its figures per community and grid within the caller's regions.
pub async fn progress(app: &App, who: &Who, id: i64) -> Result<ProgressView, Error> {
    let campaign = one(app, who, id).await?;
    let grids = app.store.campaign_progress(id, &scope(who)).await?;
    let mut communities: BTreeMap<String, Progress> = BTreeMap::new();
    for (grid, p) in &grids {
        let community = grid.ancestors().into_iter().find(|a| a.level() == RegionLevel::Community);
        let key = community.map_or_else(|| grid.to_string(), |c| c.to_string());
        communities.entry(key).or_default().add(p);
    }
    Ok(ProgressView {
        campaign: view(app, who, campaign).await?,
        communities: communities.into_iter().collect(),
        grids: grids.into_iter().map(|(g, p)| (g.to_string(), p)).collect(),
    })
}

/// The shipped templates, for a form to offer.
pub fn shipped() -> Vec<(String, String, String)> {
    templates::all().into_iter().map(|t| (t.code.to_owned(), t.name.to_owned(), t.target.as_str().to_owned())).collect()
}

/// Tasks given to someone else (or to nobody, with `user_id` left out).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReassignRequest {
    pub tasks: Vec<i64>,
    pub user_id: Option<i64>,
}

/// Gives tasks of campaign `id` to a grid worker (or to nobody), as one audited action.
/// Every task must lie in the caller's regions; the new holder must be an active grid
/// worker whose regions hold each task. Returns how many tasks changed hands.
pub async fn reassign(app: &App, who: &Who, id: i64, request: ReassignRequest) -> Result<u64, Error> {
    who.require(app, Permission::CampaignsManage).await?;
    one(app, who, id).await?;
    if request.tasks.is_empty() || request.tasks.len() > 5000 {
        return Err(Error::invalid("tasks", "give 1 to 5000 task ids"));
    }
    let holder = match request.user_id {
        None => None,
        Some(user_id) => {
            let missing = || Error::not_found(format!("no user {user_id}"));
            let user = app.store.user(user_id).await?.filter(|u| !u.disabled).ok_or_else(missing)?;
            if !user.roles.contains(&tongxin_core::access::Role::GridWorker) {
                return Err(Error::invalid("user_id", format!("{} is not a grid worker", user.username)));
            }
            Some(user)
        }
    };
    for task_id in &request.tasks {
        let missing = || Error::not_found(format!("no task {task_id}"));
        let task = app.store.task(*task_id).await?.filter(|t| t.campaign_id == id).ok_or_else(missing)?;
        who.covers(app, &task.grid, missing()).await?;
        if let Some(user) = &holder
            && !user.regions.iter().any(|r| r.contains(&task.grid))
        {
            return Err(Error::invalid("user_id", format!("{} does not look after grid {}", user.username, task.grid)));
        }
    }
    Ok(app.store.reassign_tasks(&who.caller(), id, &request.tasks, holder.map(|u| u.id)).await?)
}

/// The active grid workers who look after `grid`: (id, display name). Whom a grid's tasks
/// can be given to.
pub async fn grid_workers(app: &App, grid: &RegionCode) -> Result<Vec<(i64, String)>, Error> {
    Ok(app
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.roles.contains(&tongxin_core::access::Role::GridWorker))
        .filter(|u| u.regions.iter().any(|r| r.contains(grid)))
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// Gives the tasks of campaign `id` in `grid` not yet visited to `user_id` (or to nobody),
/// as [`reassign`] does; how many changed hands.
pub async fn reassign_grid(
    app: &App,
    who: &Who,
    id: i64,
    grid: &RegionCode,
    user_id: Option<i64>,
) -> Result<u64, Error> {
    who.require(app, Permission::CampaignsManage).await?;
    let tasks: Vec<i64> = app
        .store
        .campaign_tasks(id)
        .await?
        .into_iter()
        .filter(|t| &t.grid == grid && t.status != tongxin_core::campaigns::TaskStatus::Visited)
        .map(|t| t.id)
        .collect();
    if tasks.is_empty() {
        return Ok(0);
    }
    reassign(app, who, id, ReassignRequest { tasks, user_id }).await
}
