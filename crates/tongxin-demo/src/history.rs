//! A year of demo cases: every category and community, every state, some overdue and some
//! reworked, following the seasons — more flying-lead charging (飞线充电) and e-bikes in
//! corridors in summer, rain and fallen trees in the plum-rain and typhoon months, and more
//! fire-safety cases during the spring e-bike sweep.
//!
//! The generator is pure: it takes the buildings, the catalog and the calendar and returns
//! [`PastCase`]s, which the store writes in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use rand::Rng;
use serde_json::{Value, json};
use tongxin_core::cases::calendar::{Calendar, TimeLimit};
use tongxin_core::cases::catalog::{AttributeType, Catalog, Category, Limits, format_limit, parse_limit};
use tongxin_core::cases::clock::{self, Clock};
use tongxin_core::cases::lifecycle::{self, Action, State, Status};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::Building;
use tongxin_core::time::{SHANGHAI, Timestamp};
use tongxin_store::cases::{NewCase, PastCase, PastEvent};

/// (category, weight per 100 cases, descriptions)
const MIX: [(&str, u32, &[&str]); 22] = [
    ("E0101", 14, &["{b}旁边有暴露垃圾，已经堆了一天", "{b}门口垃圾桶满溢，地上有散落垃圾"]),
    ("E0102", 9, &["{b}垃圾箱房混投混放，湿垃圾里有塑料袋", "{b}有人晚上九点后投放垃圾"]),
    ("E0103", 11, &["{b}二楼楼道堆满纸箱和旧家具", "{b}一楼门厅堆放杂物，挡住了消防通道"]),
    ("E0201", 4, &["{b}外墙贴满小广告", "{b}电线杆上有人涂写办证电话"]),
    ("E0301", 1, &["{b}顶楼有人在搭建阳光房", "{b}天井里新搭了一间彩钢板房"]),
    ("E0302", 2, &["{b}有人晚上十点后还在装修敲墙", "{b}装修垃圾直接倒在绿化带里"]),
    ("E0401", 3, &["{b}消防通道被私家车堵住", "{b}楼道安全出口被杂物堵死"]),
    ("E0402", 1, &["{b}门口路面积水没过脚踝", "{b}小区入口积水，车辆无法通行"]),
    ("E0501", 9, &["{b}门口早市摊贩占用人行道", "{b}旁边饭店在店外摆桌经营"]),
    ("E0502", 7, &["{b}楼下商铺音响声音很大", "{b}附近工地夜间施工噪声扰民"]),
    ("E0503", 6, &["{b}三楼有人从窗口拉电线给电动车充电", "{b}楼下有人用插线板在车棚外飞线充电"]),
    ("E0504", 5, &["{b}有电动车推进电梯", "{b}楼道里停放电动自行车"]),
    ("E0505", 9, &["{b}门口共享单车堵住盲道", "{b}路口非机动车乱停放"]),
    ("E0601", 1, &["{b}居民反映的其他问题"]),
    ("C0101", 1, &["{b}门口窨井盖缺失，有人差点踩空"]),
    ("C0102", 4, &["{b}旁边两盏路灯不亮", "{b}景观灯杆倾斜"]),
    ("C0103", 2, &["{b}楼道灭火器过期", "{b}消火栓箱门损坏，水带缺失"]),
    ("C0201", 2, &["{b}门口人行道板松动翘起"]),
    ("C0301", 1, &["{b}垃圾箱房的门坏了关不上"]),
    ("C0401", 2, &["{b}门口行道树断枝挂在电线上"]),
    ("C0501", 3, &["{b}楼道灯坏了一个多星期", "{b}单元门禁坏了，门关不上"]),
    ("C0601", 1, &["{b}附近充电棚有两个充电口不能用"]),
];

/// How many times more often a category comes up in `month` (1–12).
fn season(category: &str, month: u32) -> f64 {
    let summer = (6..=9).contains(&month);
    let sweep = (3..=5).contains(&month);
    match category {
        "E0503" if summer => 2.5,
        "E0504" if summer => 2.0,
        "E0401" | "C0103" if sweep => 3.0,
        "E0503" | "E0504" if sweep => 1.6,
        "E0402" if (6..=7).contains(&month) => 5.0,
        "C0401" if (8..=9).contains(&month) => 3.0,
        "E0502" if summer => 1.4,
        _ => 1.0,
    }
}

/// Who takes each step in the story (names as the demo accounts carry them).
const INTAKE: &str = "受理员 陈静";
const DISPATCHER: &str = "派遣员 王磊";
const LEAD: &str = "值班长 刘芳";
/// Grid workers by community; other communities' patrols are signed by their community.
const WORKERS: [(&str, &str); 2] = [("310106013001", "网格员 张伟"), ("310106013002", "网格员 杨洋")];

/// Where a case stands after an event: its state and its step clock.
#[derive(Clone, Copy)]
struct Standing {
    state: State,
    started: DateTime<Utc>,
    limit: Option<TimeLimit>,
    due: Option<DateTime<Utc>>,
}

/// A case's life, step by step, through the same state machine and clock as live cases.
struct Story<'a> {
    calendar: &'a Calendar,
    limits: Limits,
    at: DateTime<Utc>,
    events: Vec<PastEvent>,
    /// Where the case stood after each event.
    standings: Vec<Standing>,
}

impl<'a> Story<'a> {
    fn new(calendar: &'a Calendar, limits: Limits, created: DateTime<Utc>, reporter: &str) -> Self {
        let Clock::Start(limit) = clock::at_report(&limits) else { unreachable!("a report starts the clock") };
        let standing = Standing {
            state: State::new(),
            started: created,
            limit: Some(limit),
            due: Some(calendar.due(created, limit)),
        };
        let report = PastEvent {
            at: millis(created),
            actor: reporter.to_owned(),
            action: "report",
            from: None,
            to: Status::Reported,
            note: String::new(),
            data: Value::Null,
        };
        Self { calendar, limits, at: created, events: vec![report], standings: vec![standing] }
    }

    /// Takes `action` `after` the last step (plus a few minutes).
    fn step(&mut self, rng: &mut impl Rng, actor: &str, action: Action, after: Duration, note: &str, data: Value) {
        self.at = self.at + after + Duration::minutes(rng.random_range(0..20));
        let was = *self.standings.last().expect("the report comes first");
        let state = lifecycle::next(was.state, action).expect("the story follows the lifecycle");
        let requested = self.events.iter().rev().find(|e| e.action == "request_extension");
        let requested = requested.and_then(|e| e.data["extension"].as_str()).and_then(parse_limit);
        let now = match clock::after(action, state.status, &self.limits, requested) {
            Clock::Start(limit) => {
                Standing { state, started: self.at, limit: Some(limit), due: Some(self.calendar.due(self.at, limit)) }
            }
            Clock::Keep => Standing { state, ..was },
            Clock::Extend(more) => {
                Standing { state, due: Some(self.calendar.due(was.due.unwrap_or(self.at), more)), ..was }
            }
            Clock::Stop => Standing { state, started: self.at, limit: None, due: None },
        };
        self.events.push(PastEvent {
            at: millis(self.at),
            actor: actor.to_owned(),
            action: action.as_str(),
            from: Some(was.state.status),
            to: state.status,
            note: note.to_owned(),
            data,
        });
        self.standings.push(now);
    }

    /// A delay of `fraction` of `limit` from now (in wall time, working hours honoured).
    fn within(&self, limit: TimeLimit, fraction: f64) -> Duration {
        let span = (self.calendar.due(self.at, limit) - self.at).num_minutes().max(1) as f64;
        Duration::minutes((span * fraction) as i64)
    }
}

fn millis(at: DateTime<Utc>) -> Timestamp {
    Timestamp::from_millis(at.timestamp_millis())
}

/// Generates `months` of cases up to `now`.
pub fn generate(
    rng: &mut impl Rng,
    buildings: &[Building],
    catalog: &Catalog,
    calendar: &Calendar,
    now: DateTime<Utc>,
    months: u32,
) -> Vec<PastCase> {
    let categories: BTreeMap<&str, &Category> = catalog.categories.iter().map(|c| (c.code.as_str(), c)).collect();
    let departments: BTreeMap<&str, &str> = catalog.departments.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
    let mut cases = Vec::new();
    let first = now - Duration::days(i64::from(months) * 30);
    let mut day = first.with_timezone(&SHANGHAI).date_naive();
    let today = now.with_timezone(&SHANGHAI).date_naive();
    while day <= today && !buildings.is_empty() {
        let weekend = matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
        let daily = if weekend { 5 } else { 9 };
        let mut hotline_orders = 0;
        for _ in 0..rng.random_range(daily - 2..=daily + 2) {
            let total: f64 = MIX.iter().map(|(c, w, _)| f64::from(*w) * season(c, day.month())).sum();
            let mut pick = rng.random_range(0.0..total);
            let (code, _, texts) = MIX
                .iter()
                .find(|(c, w, _)| {
                    pick -= f64::from(*w) * season(c, day.month());
                    pick < 0.0
                })
                .unwrap_or(&MIX[0]);
            let Some(category) = categories.get(code) else { continue };
            let building = &buildings[rng.random_range(0..buildings.len())];
            let time =
                NaiveTime::from_hms_opt(rng.random_range(7..21), rng.random_range(0..60), 0).expect("a valid time");
            let created =
                SHANGHAI.from_local_datetime(&day.and_time(time)).single().expect("no gaps").with_timezone(&Utc);
            if created >= now {
                continue;
            }
            let text = texts[rng.random_range(0..texts.len())];
            let mut past = case_at(rng, calendar, &departments, category, building, created, now, text);
            if past.case.source == Source::Hotline {
                // 12345 order numbers run per day: SH12345-20261127-0003
                hotline_orders += 1;
                past.case.external_ref = Some(format!("SH12345-{}-{hotline_orders:04}", day.format("%Y%m%d")));
            }
            cases.push(past);
        }
        day = day.succ_opt().expect("a next day");
    }
    cases
}

/// One case of `category` at `building`, filed at `created` (`text` names the building
/// as `{b}`), with its story up to `now`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn case_at(
    rng: &mut impl Rng,
    calendar: &Calendar,
    departments: &BTreeMap<&str, &str>,
    category: &Category,
    building: &Building,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    text: &str,
) -> PastCase {
    let text = text.replace("{b}", &building.fields.name);
    let community = &building.fields.grid.as_str()[..12];
    let reporter = match WORKERS.iter().find(|(c, _)| *c == community) {
        Some((_, name)) => (*name).to_owned(),
        None => format!("网格员（{}）", building.fields.grid.as_str()),
    };
    let department = category.department.as_deref().unwrap_or("jwh");
    let handler = format!("{} 处置员", departments.get(department).copied().unwrap_or(department));
    let people = People { reporter: &reporter, handler: &handler };
    story(rng, calendar, category, building, created, now, &text, people)
}

/// What the demo's reports say about a category (`{b}` is the building).
pub(crate) fn texts(code: &str) -> &'static [&'static str] {
    MIX.iter().find(|(c, _, _)| *c == code).map_or(&[], |(_, _, t)| t)
}

/// The grid worker who found a case and the department's handler.
#[derive(Clone, Copy)]
struct People<'a> {
    reporter: &'a str,
    handler: &'a str,
}

#[allow(clippy::too_many_arguments)]
fn story(
    rng: &mut impl Rng,
    calendar: &Calendar,
    category: &Category,
    building: &Building,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    text: &str,
    people: People<'_>,
) -> PastCase {
    let People { reporter, handler } = people;
    let source = match rng.random_range(0..100) {
        0..45 => Source::Patrol,
        45..65 => Source::Phone,
        65..80 => Source::Hotline,
        80..95 => Source::Resident,
        95..98 => Source::Sensor,
        _ => Source::Campaign,
    };
    let limits = category.limits;
    let department = category.department.clone().unwrap_or_else(|| "jwh".into());
    let mut s = Story::new(calendar, limits, created, if source == Source::Patrol { reporter } else { INTAKE });
    let d = s.within(limits.register, rng.random_range(0.05..0.3));
    s.step(rng, reporter, Action::Verify, d, "现场核实属实", Value::Null);
    let late = rng.random_bool(0.1);
    let d = s.within(limits.register, rng.random_range(0.1..if late { 1.6 } else { 0.7 }));
    if rng.random_bool(0.04) {
        s.step(rng, INTAKE, Action::Reject, d, "", json!({ "reason": "不属于受理范围" }));
    } else {
        s.step(rng, INTAKE, Action::Register, d, "", Value::Null);
        let d = s.within(limits.dispatch, rng.random_range(0.05..0.6));
        s.step(rng, DISPATCHER, Action::Dispatch, d, "", json!({ "department": department }));
        let d = s.within(limits.handle, rng.random_range(0.02..0.1));
        s.step(rng, handler, Action::Accept, d, "", Value::Null);
        if rng.random_bool(0.015) {
            // waits on something outside the department's hands (property rights, a tender)
            s.step(rng, handler, Action::RequestDeferral, Duration::hours(4), "需等待产权单位维修招标", Value::Null);
            s.step(rng, LEAD, Action::ApproveDeferral, Duration::hours(2), "", Value::Null);
            let d = Duration::days(rng.random_range(7..30));
            s.step(rng, handler, Action::Resume, d, "招标完成，恢复处置", Value::Null);
        } else if rng.random_bool(0.03) {
            let asked = json!({ "extension": format_limit(TimeLimit::WorkingHours(8)) });
            s.step(rng, handler, Action::RequestExtension, Duration::hours(2), "需要协调产权单位", asked);
            s.step(rng, LEAD, Action::ApproveExtension, Duration::hours(1), "", Value::Null);
        }
        let late = rng.random_bool(0.12);
        let d = s.within(limits.handle, if late { rng.random_range(1.05..3.5) } else { rng.random_range(0.2..0.9) });
        s.step(rng, handler, Action::Feedback, d, "已处置，附现场照片", Value::Null);
        if rng.random_bool(0.08) {
            let d = Duration::hours(rng.random_range(2..20));
            s.step(rng, reporter, Action::Rework, d, "现场仍未整改到位", Value::Null);
            let d = s.within(limits.handle, rng.random_range(0.1..0.6));
            s.step(rng, handler, Action::Feedback, d, "已再次处置", Value::Null);
        }
        let d = Duration::hours(rng.random_range(2..30));
        s.step(rng, reporter, Action::Pass, d, "核查通过", Value::Null);
        let d = Duration::hours(rng.random_range(1..8));
        s.step(rng, INTAKE, Action::Close, d, "", Value::Null);
        if rng.random_bool(0.6) {
            let rating = match rng.random_range(0..100) {
                0..50 => 5,
                50..80 => 4,
                80..92 => 3,
                92..97 => 2,
                _ => 1,
            };
            let d = Duration::hours(rng.random_range(2..48));
            s.step(rng, INTAKE, Action::Evaluate, d, "电话回访", json!({ "rating": rating }));
        }
    }
    // The story so far: what happened up to now.
    let kept = s.events.iter().take_while(|e| e.at.to_utc() <= now).count();
    s.events.truncate(kept);
    let standing = s.standings[kept - 1];
    let event = |action: &str| s.events.iter().rev().find(|e| e.action == action);
    let rating = event("evaluate").and_then(|e| e.data["rating"].as_i64());
    let department = event("dispatch").is_some().then_some(department);
    let closed_at = event("close").map(|e| e.at);
    let rework_count = s.events.iter().filter(|e| e.action == "rework").count() as i64;
    let attributes = category
        .attributes
        .iter()
        .filter(|a| a.required)
        .map(|a| {
            let value = match &a.datatype {
                AttributeType::SingleChoice(values) => Value::from(values[rng.random_range(0..values.len())].0.clone()),
                AttributeType::MultiChoice(values) => Value::from(vec![values[0].0.clone()]),
                AttributeType::Number => Value::from(rng.random_range(1..7)),
                _ => Value::from("—"),
            };
            (a.code.clone(), value)
        })
        .collect();
    PastCase {
        case: NewCase {
            source,
            category: category.code.clone(),
            description: text.to_owned(),
            attributes,
            location: Some(building.fields.location),
            region: building.fields.block.clone().unwrap_or_else(|| building.fields.grid.clone()),
            grid: Some(building.fields.grid.clone()),
            address: building.fields.address.clone(),
            building_id: Some(building.id),
            reporter_user: None,
            reporter_resident: None,
            reporter_sealed: None,
            external_ref: None,
            duplicate_of: None,
            photos: Vec::new(),
            media_url: None,
            token: None,
        },
        created_at: millis(created),
        state: standing.state,
        rating,
        department,
        rework_count,
        step_started_at: millis(standing.started),
        step_limit: standing.limit,
        step_due_at: standing.due.map(millis),
        overdue_notified: standing.due.is_some_and(|d| d < now),
        closed_at,
        events: s.events,
    }
}
