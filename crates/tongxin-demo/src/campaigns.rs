//! The demo's campaigns, made the way a subdistrict would have made them, with their visits
//! as they would have gone:
//! - the 2020 e-bike fire-safety sweep (2020-05-01 to 11-30), finished, over every
//!   household of the subdistrict with an active e-bike, and the 2020 check of every
//!   charging shed. They are the campaigns behind what the demo registry already holds of
//!   2020: its paper pledges are the ones collected at the doors, its fire-safety cases
//!   are what the visits found, and its shed inspections are the shed visits. The visits
//!   link them and count them, and never file or write them twice;
//! - a garbage-sorting check of one community's buildings, half done, this month;
//! - a civilised-district patrol of every grid, running this month.
//!
//! The figures its report shows are counted from these visits, never typed in.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use serde_json::{Value, json};
use tongxin_core::campaigns::checklist::Checklist;
use tongxin_core::campaigns::{Outcome, templates};
use tongxin_core::cases::calendar::{Calendar, WorkingHours};
use tongxin_core::cases::catalog::{Catalog, Category};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::{Building, RegionCode};
use tongxin_core::registry::PledgeChannel;
use tongxin_core::time::{SHANGHAI, Timestamp};
use tongxin_store::Store;
use tongxin_store::audit::Caller;
use tongxin_store::campaigns::visits::{NewVisit, PastVisit};
use tongxin_store::campaigns::{NewCampaign, Task, WITH_EBIKE};
use tongxin_store::registry::RegistryScope;

use crate::DemoError;
use crate::names::SUBDISTRICT;

/// What [`seed_if_empty`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignSummary {
    pub campaigns: usize,
    pub visits: usize,
}

/// Everything a past visit needs to file its cases.
struct Casework<'a> {
    calendar: Calendar,
    categories: BTreeMap<String, Category>,
    departments: BTreeMap<&'a str, &'a str>,
    buildings: HashMap<i64, Building>,
    now: DateTime<Utc>,
}

/// Creates the demo's campaigns when there are none; the registry should be there first.
pub async fn seed_if_empty(
    store: &Store,
    rng: &mut impl Rng,
    today: NaiveDate,
) -> Result<Option<CampaignSummary>, DemoError> {
    let everyone = RegistryScope { all: true, ..Default::default() };
    if !store.campaigns(&everyone).await?.is_empty() {
        return Ok(None);
    }
    let caller = Caller::system("demo");
    let subdistrict = RegionCode::parse(SUBDISTRICT.0).expect("a valid code");
    let filter = tongxin_store::geo::BuildingFilter { within: subdistrict.clone(), limit: i64::MAX, offset: 0 };
    let catalog = Catalog::default_catalog();
    let work = Casework {
        calendar: Calendar::prc(WorkingHours::default()),
        categories: catalog.categories.iter().map(|c| (c.code.to_string(), c.clone())).collect(),
        departments: catalog.departments.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect(),
        buildings: store.buildings(&filter).await?.into_iter().map(|b| (b.id, b)).collect(),
        now: Timestamp::now().to_utc(),
    };
    let day = |s: &str| s.parse::<NaiveDate>().expect("a valid date");
    let mut visits = 0;

    // The 2020 sweep and shed check, finished, over what the registry holds of 2020.
    let window = (day("2020-05-01"), day("2020-11-30"));
    let on_file = OnFile::load(store, window).await?;
    let sweep = templates::ebike_sweep();
    let new = campaign("2020年电动自行车消防安全排摸", &sweep, WITH_EBIKE, window, &subdistrict);
    let (created, _) = store.create_campaign(&caller, &new).await?;
    let tasks = store.campaign_tasks(created.id).await?;
    let mut found = on_file.cases_by_building();
    let mut past = Vec::new();
    for task in &tasks {
        past.push(sweep_visit(store, rng, &sweep.checklist, &on_file, &mut found, task, window).await?);
    }
    visits += store.insert_past_visits(&caller, &past).await?;
    visits += shed_check_2020(store, &caller, &subdistrict, window).await?;

    // A garbage-sorting check of one community's buildings, half done.
    let check = templates::garbage_sorting();
    let community = RegionCode::parse(&format!("{}001", SUBDISTRICT.0)).expect("a valid code");
    let period = (today - Duration::days(14), today + Duration::days(16));
    let tasks = start(store, &caller, "垃圾分类实效检查（本月）", &check, period, &community).await?;
    let mut past = Vec::new();
    for task in tasks.iter().take(tasks.len() / 2) {
        let at = moment(rng, today - Duration::days(13), 13);
        past.push(sorting_visit(rng, &work, task, at));
    }
    visits += store.insert_past_visits(&caller, &past).await?;

    // The civilised-district patrol of every grid, running.
    let patrol = templates::civility_patrol();
    let period = (today - Duration::days(3), today + Duration::days(27));
    let tasks = start(store, &caller, "文明城区每日巡访（本月）", &patrol, period, &subdistrict).await?;
    let mut visited = Vec::new();
    for task in &tasks {
        if rng.random_bool(0.4) {
            let at = moment(rng, today - Duration::days(2), 2);
            visited.push(made_at(plain(task, Outcome::Visited, json!({ "problems": [] })), at, worker(task)));
        }
    }
    let past = visited;
    visits += store.insert_past_visits(&caller, &past).await?;
    Ok(Some(CampaignSummary { campaigns: 4, visits }))
}

/// Starts a campaign of `template` and returns its tasks.
async fn start(
    store: &Store,
    caller: &Caller,
    name: &str,
    template: &templates::Template,
    period: (NaiveDate, NaiveDate),
    region: &RegionCode,
) -> Result<Vec<Task>, DemoError> {
    let (created, _) = store.create_campaign(caller, &campaign(name, template, "", period, region)).await?;
    Ok(store.campaign_tasks(created.id).await?)
}

/// A visit to `task` with `answers`, nothing filed or written with it.
fn plain(task: &Task, outcome: Outcome, answers: Value) -> NewVisit {
    NewVisit {
        task_id: task.id,
        client_id: format!("demo-{}", task.id),
        outcome,
        answers,
        photos: 0,
        findings: Vec::new(),
        pledges: Vec::new(),
        shed_check: None,
    }
}

/// `visit`, made at `at` by `actor`, with nothing on file to link.
fn made_at(visit: NewVisit, at: Timestamp, actor: String) -> PastVisit {
    PastVisit { visit, at, actor_name: actor, cases: Vec::new(), found_cases: Vec::new(), pledges_on_file: 0 }
}

fn campaign(
    name: &str,
    template: &templates::Template,
    filter: &str,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    region: &RegionCode,
) -> NewCampaign {
    NewCampaign {
        name: name.into(),
        template: template.code.into(),
        target_kind: template.target,
        target_filter: filter.into(),
        starts_on,
        ends_on,
        regions: vec![region.clone()],
        checklist: template.checklist.clone(),
    }
}

/// A working-hours moment within `days` days from `first`.
fn moment(rng: &mut impl Rng, first: NaiveDate, days: i64) -> Timestamp {
    let day = first + Duration::days(rng.random_range(0..days.max(1)));
    let time =
        chrono::NaiveTime::from_hms_opt(rng.random_range(9..19), rng.random_range(0..60), 0).expect("a valid time");
    let at = SHANGHAI.from_local_datetime(&day.and_time(time)).single().expect("no gaps").with_timezone(&Utc);
    Timestamp::from_millis(at.timestamp_millis())
}

/// The grid worker of a task's community, by name, as the visits record them.
fn worker(task: &Task) -> String {
    match &task.grid.as_str()[..12] {
        "310106013001" => "网格员 张伟".into(),
        "310106013002" => "网格员 杨洋".into(),
        _ => format!("网格员（{}）", task.grid),
    }
}

/// A finding's case, its story run from the visit to now, source campaign.
fn finding_case(
    rng: &mut impl Rng,
    work: &Casework<'_>,
    task: &Task,
    category: &str,
    description: String,
    attributes: &BTreeMap<String, Value>,
    at: Timestamp,
) -> Option<tongxin_store::cases::history::PastCase> {
    let category = work.categories.get(category)?;
    let building = work.buildings.get(&task.building_id?)?;
    let created = at.to_utc() + Duration::minutes(rng.random_range(2..30));
    let mut past =
        crate::history::case_at(rng, &work.calendar, &work.departments, category, building, created, work.now, "");
    past.case.source = Source::Campaign;
    past.case.description = description;
    past.case.attributes = attributes.clone();
    past.case.address = task.label.clone();
    Some(past)
}

/// What the demo registry holds of the 2020 sweep: paper pledges by signer, and the
/// fire-safety cases the sweep found, by building.
struct OnFile {
    pledges: HashMap<i64, usize>,
    cases: Vec<(i64, &'static str, i64, Timestamp)>,
}

/// The checklist item that finds a case of each category the sweep filed.
const FOUND_BY: [(&str, &str); 5] = [
    ("E0503", "flying_wire"),
    ("E0504", "corridor_charging"),
    ("E0103", "corridor_clutter"),
    ("E0401", "fire_lane"),
    ("C0103", "fire_equipment"),
];

impl OnFile {
    async fn load(store: &Store, (from, to): (NaiveDate, NaiveDate)) -> Result<OnFile, DemoError> {
        let everyone = RegistryScope { all: true, ..Default::default() };
        let filter = tongxin_store::registry::ebikes::LedgerFilter { limit: i64::MAX, ..Default::default() };
        let mut pledges = HashMap::new();
        for p in store.pledges(&everyone, &filter).await? {
            if p.channel == PledgeChannel::Paper && p.signed_on >= from && p.signed_on <= to {
                *pledges.entry(p.resident_id).or_insert(0) += 1;
            }
        }
        let start = |d: NaiveDate| {
            Timestamp::from_millis(
                SHANGHAI
                    .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
                    .single()
                    .expect("no gaps")
                    .timestamp_millis(),
            )
        };
        let mut cases = Vec::new();
        for (code, item) in FOUND_BY {
            let filter = tongxin_store::cases::CaseFilter {
                category: Some(tongxin_core::cases::catalog::CategoryCode::parse(code).expect("a valid code")),
                since: Some(start(from)),
                until: Some(start(to + Duration::days(1))),
                limit: 100_000,
                ..Default::default()
            };
            let scope = tongxin_store::cases::CaseScope { all: true, ..Default::default() };
            for c in store.cases(&scope, &filter).await? {
                if let Some(building) = c.building_id {
                    cases.push((building, item, c.id, c.created_at));
                }
            }
        }
        Ok(OnFile { pledges, cases })
    }

    /// The cases on file, by building, oldest first.
    fn cases_by_building(&self) -> HashMap<i64, Vec<(&'static str, i64, Timestamp)>> {
        let mut by: HashMap<i64, Vec<(&'static str, i64, Timestamp)>> = HashMap::new();
        for (building, item, id, at) in &self.cases {
            by.entry(*building).or_default().push((item, *id, *at));
        }
        for list in by.values_mut() {
            list.sort_by_key(|(_, id, _)| *id);
        }
        by
    }
}

/// A door of the e-bike sweep: answered, or (rarely, and never where a case was found)
/// unanswered. It finds the cases on file in its building not yet found by a neighbour's
/// visit (one per item), just before they were filed; it collects the household's
/// owners' pledges on file.
async fn sweep_visit(
    store: &Store,
    rng: &mut impl Rng,
    checklist: &Checklist,
    on_file: &OnFile,
    found: &mut HashMap<i64, Vec<(&'static str, i64, Timestamp)>>,
    task: &Task,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<PastVisit, DemoError> {
    let mut mine: Vec<(String, i64, Timestamp)> = Vec::new();
    if let Some(queue) = task.building_id.and_then(|b| found.get_mut(&b)) {
        let mut i = 0;
        while i < queue.len() {
            if mine.iter().any(|(item, _, _)| item == queue[i].0) {
                i += 1;
            } else {
                let (item, id, at) = queue.remove(i);
                mine.push((item.to_owned(), id, at));
            }
        }
    }
    let owners = store.household_ebike_owners(task.target_id).await?;
    let pledges: usize = owners.iter().map(|(r, _)| on_file.pledges.get(r).copied().unwrap_or(0)).sum();
    let at = match mine.iter().map(|(_, _, at)| *at).min() {
        Some(first) => Timestamp::from_millis(first.millis() - rng.random_range(10..90) * 60_000),
        None => moment(rng, from, (to - from).num_days()),
    };
    let visit = |outcome, answers| plain(task, outcome, answers);
    if mine.is_empty() && pledges == 0 && rng.random_bool(0.04) {
        let visit = visit(Outcome::NobodyHome, json!({}));
        return Ok(PastVisit {
            visit,
            at,
            actor_name: worker(task),
            cases: Vec::new(),
            found_cases: Vec::new(),
            pledges_on_file: 0,
        });
    }
    let has = |item: &str| mine.iter().any(|(i, _, _)| i == item);
    let place = ["shed", "shed", "shed", "public", "work", "home"][rng.random_range(0..6)];
    let answers = json!({
        "ebikes": owners.len().max(1),
        "corridor_charging": has("corridor_charging"),
        "flying_wire": has("flying_wire"),
        "battery_indoors": false,
        "charging_place": place,
        "pledge": pledges > 0,
        "corridor_clutter": has("corridor_clutter"),
        "fire_lane": has("fire_lane"),
        "fire_equipment": has("fire_equipment"),
    });
    let checked = checklist.check(answers.as_object().expect("an object"), 0).map_err(|e| {
        DemoError::Store(tongxin_store::StoreError::Corrupt(format!("the demo's sweep answers do not fit: {e:?}")))
    })?;
    let visit = visit(Outcome::Visited, serde_json::to_value(&checked.answers).unwrap_or_default());
    let found_cases = mine.into_iter().map(|(item, id, _)| (item, id)).collect();
    Ok(PastVisit {
        visit,
        at,
        actor_name: worker(task),
        cases: Vec::new(),
        found_cases,
        pledges_on_file: pledges as i64,
    })
}

/// 2020年充电棚检查: every shed, its 2020 inspection on file being the visit.
async fn shed_check_2020(
    store: &Store,
    caller: &Caller,
    subdistrict: &RegionCode,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<usize, DemoError> {
    use tongxin_core::campaigns::checklist::{Item, ItemKind};
    let item = Item {
        code: "passed".into(),
        label: "检查是否合格".into(),
        kind: ItemKind::YesNo,
        required: true,
        shown_when: None,
        opens_case: None,
        sets_status: None,
    };
    let new = NewCampaign {
        name: "2020年充电棚检查".into(),
        template: String::new(),
        target_kind: tongxin_core::campaigns::TargetKind::Shed,
        target_filter: String::new(),
        starts_on: from,
        ends_on: to,
        regions: vec![subdistrict.clone()],
        checklist: Checklist { items: vec![item] },
    };
    let (created, _) = store.create_campaign(caller, &new).await?;
    let mut past = Vec::new();
    for task in store.campaign_tasks(created.id).await? {
        let checks = store.shed_checks(task.target_id).await?;
        let Some(check) =
            checks.iter().filter(|c| c.checked_on >= from && c.checked_on <= to).min_by_key(|c| c.checked_on)
        else {
            continue;
        };
        let at = SHANGHAI
            .from_local_datetime(&check.checked_on.and_hms_opt(10, 0, 0).expect("a time"))
            .single()
            .expect("no gaps");
        let visit = plain(&task, Outcome::Visited, json!({ "passed": check.ok }));
        let at = Timestamp::from_millis(at.timestamp_millis());
        past.push(made_at(visit, at, check.checked_by.clone()));
    }
    Ok(store.insert_past_visits(caller, &past).await?)
}

/// A bin room checked for the garbage-sorting campaign.
fn sorting_visit(rng: &mut impl Rng, work: &Casework<'_>, task: &Task, at: Timestamp) -> PastVisit {
    let checklist = templates::garbage_sorting().checklist;
    let rating = ["good", "good", "fair", "poor"][rng.random_range(0..4)];
    let answers = json!({
        "mixed": rng.random_bool(0.15),
        "overflow": rng.random_bool(0.08),
        "guide": rng.random_bool(0.7),
        "rating": rating,
    });
    let checked = checklist.check(answers.as_object().expect("an object"), 0).expect("the demo's answers fit");
    let mut cases = Vec::new();
    for f in &checked.findings {
        let description = f.description.replace("{target}", &task.label);
        if let Some(case) = finding_case(rng, work, task, &f.category, description, &f.attributes, at) {
            cases.push((f.item.clone(), case));
        }
    }
    let visit = plain(task, Outcome::Visited, serde_json::to_value(&checked.answers).unwrap_or_default());
    PastVisit { visit, at, actor_name: worker(task), cases, found_cases: Vec::new(), pledges_on_file: 0 }
}
