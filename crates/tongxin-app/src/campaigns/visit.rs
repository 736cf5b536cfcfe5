//! The grid worker's side of a campaign: their visit tasks in the order they walk them
//! (building, floor, room), and a visit recorded exactly once. The answers are held to the
//! campaign's checklist (every problem named, as a 422); each failing answer files a case
//! through the normal intake, source `campaign`, in the same transaction as the visit.
//! A pledge signed on a household visit is a registry pledge of each of its e-bike owners;
//! a visit to a charging shed is a shed inspection. Visits take no photos yet: a photo item
//! can only be left unanswered.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tongxin_core::access::Permission;
use tongxin_core::campaigns::{Outcome, TargetKind};
use tongxin_core::registry::PledgeChannel;
use tongxin_store::campaigns::visits::{NewVisit, Visit, client_id_ok};
use tongxin_store::campaigns::{Campaign, Task};
use tongxin_store::registry::safety::NewShedCheck;
use tongxin_store::registry::{NewPledge, RegistryScope};
use utoipa::ToSchema;

use crate::caller::Who;
use crate::cases::intake::{ReportRequest, prepare};
use crate::registry::today;
use crate::{App, Error};

/// A visit as the phone sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VisitRequest {
    /// An id the client made for this visit (8 to 64 of A-Z a-z 0-9 _ -). Sending the same
    /// visit again with it stores nothing new and answers the first.
    #[schema(example = "c0a8e7f2-visit-0001")]
    pub client_id: String,
    /// visited (the checklist answered) or nobody_home (无人应答: to be visited again).
    pub outcome: String,
    /// Item code → answer: true/false, a number, a choice's code, a list of codes, text.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, Value>,
}

/// A task as the phone shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign: String,
    pub label: String,
    pub grid: String,
    pub building_id: Option<i64>,
    pub floor: i64,
    pub status: String,
    pub visits: i64,
}

/// A recorded visit.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    pub id: i64,
    pub task_id: i64,
    pub client_id: String,
    pub outcome: String,
    #[schema(value_type = Object)]
    pub answers: Value,
    pub visited_at: String,
    /// The cases its findings filed.
    pub case_ids: Vec<i64>,
    /// False when this submission repeated one already stored.
    pub new: bool,
}

impl VisitView {
    fn new(visit: Visit, new: bool) -> Self {
        Self {
            id: visit.id,
            task_id: visit.task_id,
            client_id: visit.client_id,
            outcome: visit.outcome.as_str().to_owned(),
            answers: masked(visit.answers),
            visited_at: visit.visited_at.to_shanghai_rfc3339(),
            case_ids: visit.case_ids,
            new,
        }
    }
}

/// Answers as readers see them: numbers inside text masked, as in every free text (a phone
/// written in a note stays sealed from whoever reads the visit).
fn masked(answers: Value) -> Value {
    match answers {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match v {
                    Value::String(text) => (k, Value::String(tongxin_core::pii::mask_numbers_in(&text))),
                    other => (k, other),
                })
                .collect(),
        ),
        other => other,
    }
}

fn task_view(t: Task, campaign: String) -> TaskView {
    TaskView {
        id: t.id,
        campaign_id: t.campaign_id,
        campaign,
        label: t.label,
        grid: t.grid.to_string(),
        building_id: t.building_id,
        floor: t.floor,
        status: t.status.as_str().to_owned(),
        visits: t.visits,
    }
}

/// The task `id` and its campaign, for the visit form: the caller's own, or one in their
/// regions for a manager.
pub async fn task_with_campaign(app: &App, who: &Who, id: i64) -> Result<(TaskView, Campaign), Error> {
    who.require(app, Permission::CampaignsVisit).await?;
    let task = visitable(app, who, id).await?;
    let campaign = app
        .store
        .campaign(task.campaign_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("no campaign {}", task.campaign_id)))?;
    Ok((task_view(task, campaign.name.clone()), campaign))
}

/// The caller's tasks in campaigns running today.
pub async fn my_tasks(app: &App, who: &Who) -> Result<Vec<TaskView>, Error> {
    who.require(app, Permission::CampaignsVisit).await?;
    let tasks = app.store.tasks_of(who.actor.id, today()).await?;
    let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for t in tasks {
        let campaign = match names.entry(t.campaign_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let name = app.store.campaign(t.campaign_id).await?.map(|c| c.name).unwrap_or_default();
                e.insert(name).clone()
            }
        };
        out.push(task_view(t, campaign));
    }
    Ok(out)
}

/// The task `id`, if the caller may visit it: theirs, or in their regions for a manager.
async fn visitable(app: &App, who: &Who, id: i64) -> Result<Task, Error> {
    let missing = || Error::not_found(format!("no task {id}"));
    let task = app.store.task(id).await?.ok_or_else(missing)?;
    who.covers(app, &task.grid, missing()).await?;
    if task.assignee != Some(who.actor.id) && !who.actor.can(Permission::CampaignsManage) {
        return Err(Error::Conflict { field: "task".into(), message: "这个走访任务不是派给您的".into() });
    }
    Ok(task)
}

/// Records a visit to the task `task_id`, once. A failing answer files a case.
pub async fn record(app: &App, who: &Who, task_id: i64, request: VisitRequest) -> Result<VisitView, Error> {
    who.require(app, Permission::CampaignsVisit).await?;
    if !client_id_ok(&request.client_id) {
        return Err(Error::invalid("client_id", "client_id is 8 to 64 of A-Z a-z 0-9 _ -"));
    }
    let outcome: Outcome = request.outcome.parse().map_err(|e| Error::invalid("outcome", e))?;
    let task = visitable(app, who, task_id).await?;
    let campaign = app
        .store
        .campaign(task.campaign_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("no campaign {}", task.campaign_id)))?;
    let day = today();
    if day < campaign.starts_on || day > campaign.ends_on {
        return Err(Error::Conflict {
            field: "campaign".into(),
            message: format!(
                "专项行动“{}”的时间是 {} 至 {}，今天不能走访",
                campaign.name, campaign.starts_on, campaign.ends_on
            ),
        });
    }
    let (answers, findings, pledged) = match outcome {
        Outcome::NobodyHome => (json!({}), Vec::new(), false),
        Outcome::Visited => {
            let checked = campaign.checklist.check(&request.answers, 0).map_err(|problems| {
                let items: Vec<Value> =
                    problems.iter().map(|p| json!({ "item": p.item, "reason": p.reason })).collect();
                let first = problems.first().map_or(String::new(), |p| format!("{}: {}", p.item, p.reason));
                Error::Unprocessable {
                    message: format!("the answers do not fit the checklist ({first})"),
                    details: json!({ "items": items }),
                }
            })?;
            let mut findings = Vec::new();
            for f in &checked.findings {
                let description = f.description.replace("{target}", &task.label);
                findings.push((f.item.clone(), finding_case(app, who, &task, f, description).await?));
            }
            let answers = serde_json::to_value(&checked.answers).map_err(|e| Error::Internal(e.to_string()))?;
            (answers, findings, checked.pledged)
        }
    };
    let pledges = match (pledged, campaign.target_kind) {
        (true, TargetKind::Household) => app
            .store
            .household_ebike_owners(task.target_id)
            .await?
            .into_iter()
            .map(|(resident_id, region)| NewPledge {
                resident_id,
                region,
                signed_on: day,
                collected_by: who.display_name.clone(),
                channel: PledgeChannel::Paper,
            })
            .collect(),
        _ => Vec::new(),
    };
    // A charging shed visited in a campaign has been inspected: passed when nothing was found.
    let shed_check = (campaign.target_kind == TargetKind::Shed && outcome == Outcome::Visited).then(|| NewShedCheck {
        shed_id: task.target_id,
        checked_on: day,
        checked_by: who.display_name.clone(),
        ok: findings.is_empty(),
        findings: findings.iter().map(|(_, case)| case.description.clone()).collect::<Vec<_>>().join("；"),
    });
    let visit = NewVisit {
        task_id: task.id,
        client_id: request.client_id,
        outcome,
        answers,
        photos: 0,
        findings,
        pledges,
        shed_check,
    };
    let (stored, new) = app.store.record_visit(&who.caller(), &visit, &app.calendar.current()).await?;
    if stored.task_id != task.id {
        return Err(Error::Conflict {
            field: "client_id".into(),
            message: "this client_id names another task's visit".into(),
        });
    }
    Ok(VisitView::new(stored, new))
}

/// The case a finding files: at the target's building (or shed), source campaign.
async fn finding_case(
    app: &App,
    who: &Who,
    task: &Task,
    finding: &tongxin_core::campaigns::checklist::Finding,
    description: String,
) -> Result<tongxin_store::cases::NewCase, Error> {
    let (lat, lng) = match (task.building_id, task.target_code.is_empty()) {
        (None, true) => {
            let everyone = RegistryScope { all: true, ..Default::default() };
            match app.store.shed(&everyone, task.target_id).await? {
                Some(shed) => (Some(shed.lat), Some(shed.lng)),
                None => (None, None),
            }
        }
        _ => (None, None),
    };
    let request = ReportRequest {
        category: finding.category.clone(),
        description,
        lat,
        lng,
        crs: None,
        address: Some(task.label.clone()),
        attributes: finding.attributes.clone(),
        building_id: task.building_id,
        reporter_name: None,
        reporter_phone: None,
        external_ref: None,
        source: Some("campaign".into()),
    };
    prepare(app, who, request).await
}

/// The visits to a task the caller may visit or manage, oldest first.
pub async fn visits(app: &App, who: &Who, task_id: i64) -> Result<Vec<VisitView>, Error> {
    who.require(app, Permission::CampaignsVisit).await?;
    visitable(app, who, task_id).await?;
    Ok(app.store.visits_of(task_id).await?.into_iter().map(|v| VisitView::new(v, false)).collect())
}
