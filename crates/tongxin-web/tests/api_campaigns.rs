//! Campaigns over HTTP on both backends, on the demo subdistrict: a shift lead starts the
//! e-bike sweep over a grid, its grid worker walks their tasks, a failing answer files a
//! case the dispatcher sees, a visit sent again (or many times at once) is stored once, and
//! every refusal names what is wrong.

mod common;

use common::{TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

const GRID: &str = "310106013001001";
const OTHER_GRID: &str = "310106013002002";
/// Enough households that the grid holds some with e-bikes.
const HOUSEHOLDS: u32 = 3000;

fn sweep(starts: &str, ends: &str) -> Value {
    json!({"name": "电动自行车消防安全排摸", "template": "ebike_sweep", "target_filter": "with_ebike",
        "starts_on": starts, "ends_on": ends, "regions": [GRID]})
}

fn this_year() -> (String, String) {
    let today = tongxin_app::registry::today();
    ((today - chrono::Days::new(10)).to_string(), (today + chrono::Days::new(30)).to_string())
}

/// The shift lead starts the sweep over the grid: the campaign and gridworker1's first task.
async fn sweep_started(app: &TestApp) -> (i64, i64) {
    let mut lead = app.login("shiftlead").await;
    let (from, to) = this_year();
    let (status, created) = lead.post_json("/api/v1/campaigns", sweep(&from, &to)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["campaign"]["id"].as_i64().unwrap();
    let (_, mine) = app.login("gridworker1").await.json("/api/v1/me/tasks").await;
    let task = mine.as_array().unwrap().iter().find(|t| t["campaign_id"] == id).unwrap()["id"].as_i64().unwrap();
    (id, task)
}

/// Answers with a finding: e-bikes charged by a flying wire, and the owner's phone noted.
fn flying_wire() -> Value {
    json!({"ebikes": 1, "corridor_charging": false, "flying_wire": true, "battery_indoors": false,
        "charging_place": "home", "pledge": true, "note": "车主电话13812345678"})
}

async fn a_sweep_from_start_to_case(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let mut lead = app.login("shiftlead").await;
    let (from, to) = this_year();
    let (status, created) = lead.post_json("/api/v1/campaigns", sweep(&from, &to)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["campaign"]["id"].as_i64().unwrap();
    let tasks = created["tasks"].as_i64().unwrap();
    assert!(tasks > 0, "the grid has households with e-bikes: {created}");
    assert_eq!(created["campaign"]["progress"]["targets"], tasks);
    assert_eq!(created["campaign"]["progress"]["unassigned"], 0, "the grid's worker takes them all");

    // The grid worker's list: this campaign's tasks, by building and floor.
    let mut worker = app.login("gridworker1").await;
    let (status, mine) = worker.json("/api/v1/me/tasks").await;
    assert_eq!(status, 200, "{mine}");
    let mine: Vec<Value> = mine.as_array().unwrap().iter().filter(|t| t["campaign_id"] == id).cloned().collect();
    assert_eq!(mine.len() as i64, tasks);
    let order: Vec<(i64, i64)> =
        mine.iter().map(|t| (t["building_id"].as_i64().unwrap(), t["floor"].as_i64().unwrap())).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "tasks come building by building, floor by floor");
    let (first, second) = (mine[0]["id"].as_i64().unwrap(), mine[1]["id"].as_i64().unwrap());

    // A visit that finds a flying wire files one case; sending it again stores nothing new.
    let body = json!({"client_id": "phone-1-visit-0001", "outcome": "visited", "answers": flying_wire()});
    let (status, visit) = worker.post_json(&format!("/api/v1/tasks/{first}/visits"), body.clone()).await;
    assert_eq!(status, 201, "{visit}");
    assert_eq!(visit["case_ids"].as_array().unwrap().len(), 1, "{visit}");
    let (status, again) = worker.post_json(&format!("/api/v1/tasks/{first}/visits"), body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (again["id"].clone(), again["case_ids"].clone(), again["new"].clone()),
        (visit["id"].clone(), visit["case_ids"].clone(), json!(false))
    );

    // The pledge signed at the door is the registry's pledge of the household's e-bike owner.
    let everyone = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    let filter = tongxin_store::registry::ebikes::LedgerFilter { limit: 5000, ..Default::default() };
    let pledges = app.db.store.pledges(&everyone, &filter).await.unwrap();
    let household = app.db.store.task(first).await.unwrap().unwrap().target_id;
    let collected: Vec<_> =
        pledges.iter().filter(|p| p.household_id == household && p.collected_by == "网格员 张伟").collect();
    assert!(!collected.is_empty(), "the door-to-door pledge is in the registry");

    // A number written in a note is masked for whoever reads the visit, as in all free text.
    let (_, read) = worker.json(&format!("/api/v1/tasks/{first}/visits")).await;
    let note = read[0]["answers"]["note"].as_str().unwrap();
    assert!(note.starts_with("车主电话") && !note.contains("13812345678"), "{note}");

    // Nobody home, then visited: the task settles.
    let nobody = json!({"client_id": "phone-1-visit-0002", "outcome": "nobody_home"});
    assert_eq!(worker.post_json(&format!("/api/v1/tasks/{second}/visits"), nobody).await.0, 201);

    // The case is on the dispatcher's list, from the campaign, at the household's building.
    let case_id = visit["case_ids"][0].as_i64().unwrap();
    let dispatcher = app.login("dispatcher").await;
    let (_, case) = dispatcher.json(&format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(case["source"], "campaign", "{case}");
    assert_eq!(case["category"], "E0503", "{case}");
    assert_eq!(case["building_id"], mine[0]["building_id"], "{case}");
    assert!(case["description"].as_str().unwrap().contains("飞线充电"), "{case}");

    // Progress per community and grid, counted from the visits.
    let (status, progress) = lead.json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, 200, "{progress}");
    let grid = &progress["grids"][0];
    assert_eq!(grid[0], GRID, "{progress}");
    assert_eq!(
        (grid[1]["visited"].clone(), grid[1]["nobody_home"].clone(), grid[1]["cases"].clone()),
        (json!(1), json!(1), json!(1))
    );
    assert_eq!(progress["communities"][0][0], "310106013001", "{progress}");
    assert_eq!(progress["campaign"]["progress"]["cases"], 1);

    // The report upward, as XLSX: the figures of the stored visits, per community, grid
    // and in total, findings by item, pledges collected.
    let response = lead.get(&format!("/api/v1/campaigns/{id}/report.xlsx")).await;
    assert_eq!(response.status(), 200);
    let rows = {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(response.bytes().await.unwrap().to_vec())).unwrap();
        let range = book.worksheet_range("情况汇总").unwrap();
        range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>()
    };
    let headings = &rows[1];
    let total = rows.last().unwrap();
    let column =
        |name: &str| headings.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {headings:?}"));
    assert_eq!(total[0], "合计");
    assert_eq!(total[column("对象数")], tasks.to_string());
    assert_eq!((total[column("已走访")].as_str(), total[column("无人应答")].as_str()), ("1", "1"));
    assert_eq!(total[column("发现：是否飞线充电（从窗口、楼上拉线）")], "1");
    assert_eq!(total[column("发现：是否在楼道、门厅充电或停放")], "0");
    assert_eq!(total[column("立案数")], "1");
    assert_eq!(total[column("签署承诺书")], collected.len().to_string());
    assert_eq!(rows[2][0], "社区");
    assert_eq!(rows[3][1], GRID);

    // The leader reads it; the audit log holds the creation and the visits.
    let viewer = app.login("viewer").await;
    assert_eq!(viewer.json(&format!("/api/v1/campaigns/{id}")).await.0, 200);
    let visits = app.db.store.visits_of(first).await.unwrap();
    assert_eq!(visits.len(), 1, "one visit stored for two submissions");
    app.stop().await;
}

async fn answers_are_held_to_the_checklist(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let (_, task) = sweep_started(&app).await;
    let mut worker = app.login("gridworker1").await;
    let path = format!("/api/v1/tasks/{task}/visits");
    let visit = |client: &str, answers: Value| json!({"client_id": client, "outcome": "visited", "answers": answers});

    // A required item left out, a hidden item answered, a wrong type: 422 naming each.
    let (status, e) = worker.post_json(&path, visit("bad-answers-01", json!({"ebikes": 2}))).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("unprocessable")), "{e}");
    let named: Vec<&str> =
        e["error"]["details"]["items"].as_array().unwrap().iter().map(|i| i["item"].as_str().unwrap()).collect();
    assert_eq!(named, ["corridor_charging", "flying_wire", "battery_indoors", "charging_place", "pledge"]);
    let (status, e) = worker.post_json(&path, visit("bad-answers-02", json!({"ebikes": 0, "pledge": true}))).await;
    assert_eq!((status, e["error"]["details"]["items"][0]["item"].as_str()), (422, Some("pledge")), "{e}");
    let (status, e) = worker.post_json(&path, visit("bad-answers-03", json!({"ebikes": "two"}))).await;
    assert_eq!((status, e["error"]["details"]["items"][0]["item"].as_str()), (422, Some("ebikes")), "{e}");
    // Nothing was stored by the refusals.
    assert!(app.db.store.visits_of(task).await.unwrap().is_empty());

    // Malformed ids and outcomes name their field.
    assert_error(
        &worker.post_json(&path, visit("short", json!({"ebikes": 0}))).await,
        400,
        "invalid_parameter",
        Some("client_id"),
    );
    let odd = json!({"client_id": "odd-outcome-1", "outcome": "maybe"});
    assert_error(&worker.post_json(&path, odd).await, 400, "invalid_parameter", Some("outcome"));

    // Another grid's worker: the task is outside their regions (the same 404 as none).
    let mut other = app.login("gridworker2").await;
    assert_error(&other.post_json(&path, visit("other-worker-1", json!({"ebikes": 0}))).await, 404, "not_found", None);
    assert_error(
        &other.post_json("/api/v1/tasks/999999/visits", visit("no-task-0001", json!({}))).await,
        404,
        "not_found",
        None,
    );
    app.stop().await;
}

async fn creating_refuses_by_name(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let mut lead = app.login("shiftlead").await;
    let (from, to) = this_year();
    let mut bad = sweep(&from, &to);
    bad["template"] = json!("no_such");
    assert_error(&lead.post_json("/api/v1/campaigns", bad).await, 400, "invalid_parameter", Some("template"));
    let mut bad = sweep(&from, &to);
    bad["ends_on"] = json!("2019-01-01");
    assert_error(&lead.post_json("/api/v1/campaigns", bad).await, 400, "invalid_parameter", Some("ends_on"));
    let mut bad = sweep(&from, &to);
    bad["regions"] = json!(["310106099"]);
    assert_error(&lead.post_json("/api/v1/campaigns", bad).await, 404, "not_found", None);
    let mut bad = sweep(&from, &to);
    bad["checklist"] = json!({"items": [{"code": "a", "label": "x", "type": "yes_no",
        "opens_case": {"category": "Z9999", "when": ["yes"], "description": "d"}}]});
    assert_error(&lead.post_json("/api/v1/campaigns", bad).await, 400, "invalid_parameter", Some("checklist"));
    // A grid worker may not start one; a leader may not either.
    let mut worker = app.login("gridworker1").await;
    assert_error(&worker.post_json("/api/v1/campaigns", sweep(&from, &to)).await, 403, "forbidden", None);

    // A campaign that has ended takes no visit.
    let (status, ended) = lead.post_json("/api/v1/campaigns", sweep("2020-06-01", "2020-09-30")).await;
    assert_eq!(status, 201, "{ended}");
    let id = ended["campaign"]["id"].as_i64().unwrap();
    let task = app.db.store.campaign_progress(id, &Default::default()).await.unwrap();
    assert!(task.is_empty(), "a reader with no regions sees no grid");
    let (_, tasks) = worker.json("/api/v1/me/tasks").await;
    assert!(!tasks.as_array().unwrap().iter().any(|t| t["campaign_id"] == id), "ended campaigns leave the list");
    let first = first_task(&app, id).await;
    let body = json!({"client_id": "after-the-end", "outcome": "visited", "answers": {"ebikes": 0}});
    let (status, e) = worker.post_json(&format!("/api/v1/tasks/{first}/visits"), body).await;
    assert_eq!(status, 409, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("2020-09-30"), "{e}");

    // Reassigning: to a worker who does not look after the grid is refused by name.
    let gw2 = app.db.store.user_by_username("gridworker2").await.unwrap().unwrap().id;
    let (status, e) =
        lead.post_json(&format!("/api/v1/campaigns/{id}/reassign"), json!({"tasks": [first], "user_id": gw2})).await;
    assert_eq!((status, e["error"]["details"]["field"].as_str()), (400, Some("user_id")), "{e}");
    let (status, moved) = lead.post_json(&format!("/api/v1/campaigns/{id}/reassign"), json!({"tasks": [first]})).await;
    assert_eq!((status, moved["changed"].as_i64()), (200, Some(1)), "{moved}");
    assert_eq!(app.db.store.task(first).await.unwrap().unwrap().assignee, None);
    let _ = OTHER_GRID;
    app.stop().await;
}

async fn first_task(app: &TestApp, campaign: i64) -> i64 {
    let everyone = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    assert!(!app.db.store.campaign_progress(campaign, &everyone).await.unwrap().is_empty());
    let gw1 = app.db.store.user_by_username("gridworker1").await.unwrap().unwrap().id;
    let day: chrono::NaiveDate = "2020-07-01".parse().unwrap();
    app.db.store.tasks_of(gw1, day).await.unwrap().into_iter().find(|t| t.campaign_id == campaign).unwrap().id
}

/// Ten phones send the same visit at once (a retry storm after the network came back):
/// exactly one stores it, the rest get it back.
async fn one_visit_from_a_storm_of_retries(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let (id, task) = sweep_started(&app).await;
    let worker = app.login("gridworker1").await;
    let (cookie, csrf) = (worker.cookie.clone().unwrap(), worker.csrf.clone().unwrap());
    let body = json!({"client_id": "storm-visit-000001", "outcome": "visited", "answers": flying_wire()});
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let request = app
            .http
            .post(app.url(&format!("/api/v1/tasks/{task}/visits")))
            .header("cookie", format!("tongxin_session={cookie}"))
            .header("x-csrf-token", csrf.clone())
            .json(&body);
        sends.spawn(async move {
            let response = request.send().await.expect("a response");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = sends.join_all().await;
    let created: Vec<&(u16, Value)> = answers.iter().filter(|(s, _)| *s == 201).collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    assert!(answers.iter().all(|(s, v)| (*s == 200 || *s == 201) && v["id"] == created[0].1["id"]), "{answers:?}");
    assert_eq!(app.db.store.visits_of(task).await.unwrap().len(), 1);
    let everyone = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    let grids = app.db.store.campaign_progress(id, &everyone).await.unwrap();
    assert_eq!(grids.iter().map(|(_, p)| p.cases).sum::<i64>(), 1, "one case for one finding");
    app.stop().await;
}

/// A charging shed visited in a campaign has been inspected: the visit is the shed's check.
async fn a_shed_visit_is_a_shed_inspection(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let mut lead = app.login("shiftlead").await;
    // A shed in the grid worker's grid, at one of its buildings.
    let grid = tongxin_core::geo::RegionCode::parse(GRID).unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap().remove(0);
    let shed = json!({ "name": "景华一号充电棚", "lat": b.fields.location.lat().to_string(),
        "lng": b.fields.location.lng().to_string(), "capacity": "20", "facilities": "灭火器", "status": "使用中",
        "opened_on": "2020-05-01" });
    let (status, added) = lead.post_json("/api/v1/sheds", shed).await;
    assert_eq!(status, 201, "{added}");
    let (from, to) = this_year();
    let checklist = json!({"items": [
        {"code": "extinguisher", "label": "灭火器是否有效", "type": "yes_no", "required": true,
         "opens_case": {"category": "E0401", "when": ["no"], "description": "{target}：灭火器失效"}}]});
    let body = json!({"name": "充电棚检查", "target_kind": "shed", "starts_on": from, "ends_on": to,
        "regions": [GRID], "checklist": checklist});
    let (status, created) = lead.post_json("/api/v1/campaigns", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["campaign"]["id"].as_i64().unwrap();
    let mut phone = app.login("gridworker1").await;
    let (_, mine) = phone.json("/api/v1/me/tasks").await;
    let task =
        mine.as_array().unwrap().iter().find(|t| t["campaign_id"] == id && t["label"] == "景华一号充电棚").unwrap();
    let task_id = task["id"].as_i64().unwrap();
    let shed = app.db.store.task(task_id).await.unwrap().unwrap().target_id;
    let before = app.db.store.shed_checks(shed).await.unwrap().len();
    let visit = json!({"client_id": "shed-visit-00001", "outcome": "visited", "answers": {"extinguisher": false}});
    let (status, stored) = phone.post_json(&format!("/api/v1/tasks/{task_id}/visits"), visit).await;
    assert_eq!(status, 201, "{stored}");
    let checks = app.db.store.shed_checks(shed).await.unwrap();
    assert_eq!(checks.len(), before + 1, "one inspection more");
    assert!(!checks[0].ok && checks[0].findings.contains("灭火器失效"), "{:?}", checks[0]);
    app.stop().await;
}

/// The demo's 2020 sweep is the campaign behind the registry's 2020 figures: its report,
/// counted from the visits, finds the registry's pledges and fire-safety cases, and its
/// shed check the sheds inspected, without writing any of them twice.
async fn the_demo_sweep_reports_what_the_registry_holds(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let everyone = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    let filter = tongxin_store::registry::ebikes::LedgerFilter { limit: 100_000, ..Default::default() };
    let pledges_before = app.db.store.pledges(&everyone, &filter).await.unwrap().len();
    let options = tongxin_demo::DemoOptions::default();
    let made = tongxin_demo::seed_campaigns_if_empty(&app.db.store, &options).await.unwrap().unwrap();
    assert_eq!(made.campaigns, 4);
    assert!(tongxin_demo::seed_campaigns_if_empty(&app.db.store, &options).await.unwrap().is_none(), "seeded once");
    assert_eq!(
        app.db.store.pledges(&everyone, &filter).await.unwrap().len(),
        pledges_before,
        "no pledge written twice"
    );

    let lead = app.login("shiftlead").await;
    let (_, list) = lead.json("/api/v1/campaigns").await;
    let by_name = |name: &str| list.as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone();
    let sweep = by_name("2020年电动自行车消防安全排摸");
    let p = &sweep["progress"];
    let n = |v: &Value| v.as_i64().unwrap();
    assert!(n(&p["targets"]) > 0);
    assert_eq!(n(&p["visited"]) + n(&p["nobody_home"]), n(&p["targets"]), "finished: every door tried");
    assert!(n(&p["visited"]) * 10 > n(&p["targets"]) * 9, "nearly every door answered: {p}");
    assert!(n(&p["pledges"]) > 0 && n(&p["cases"]) > 0, "{p}");
    assert!(n(&p["cases_closed"]) * 2 > n(&p["cases"]), "the 2020 hazards are mostly fixed: {p}");
    // The pledges it counts are the registry's paper pledges of 2020's sweep months.
    let in_window = app.db.store.pledges(&everyone, &filter).await.unwrap().into_iter().filter(|r| {
        r.channel == tongxin_core::registry::PledgeChannel::Paper
            && r.signed_on >= "2020-05-01".parse().unwrap()
            && r.signed_on <= "2020-11-30".parse().unwrap()
    });
    assert!(n(&p["pledges"]) <= in_window.count() as i64);
    let sheds = by_name("2020年充电棚检查");
    assert!(n(&sheds["progress"]["visited"]) > 0, "{sheds}");

    // Its report, as the subdistrict sends it upward.
    let id = sweep["id"].as_i64().unwrap();
    let response = lead.get(&format!("/api/v1/campaigns/{id}/report.xlsx")).await;
    assert_eq!(response.status(), 200);
    let running = by_name("垃圾分类实效检查（本月）");
    assert!(n(&running["progress"]["visited"]) * 2 <= n(&running["progress"]["targets"]) + 1, "half done: {running}");
    app.stop().await;
}

/// The visit page works without script: its form posts to the page, which files the visit
/// once, or shows the form again with each problem under its item.
async fn the_visit_form_works_without_script(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, HOUSEHOLDS).await;
    let (_, task) = sweep_started(&app).await;
    let mut worker = app.login("gridworker1").await;
    let page = format!("/tasks/{task}");
    let (status, form) = worker.text(&page).await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"client_id\""), "the form carries the visit's id");

    // A required follow-up left out: the form again, the item named, nothing stored.
    let r = worker.post_form(&page, &[("client_id", "form-visit-0001"), ("outcome", "visited"), ("ebikes", "2")]).await;
    assert_eq!(r.status(), 200);
    let again = r.text().await.unwrap();
    assert!(again.contains("id=\"visit-error\"") && again.contains("必须填写"), "{again}");
    assert!(app.db.store.visits_of(task).await.unwrap().is_empty());

    // Answered: stored once, however often the form is sent.
    let fields = [
        ("client_id", "form-visit-0001"),
        ("outcome", "visited"),
        ("ebikes", "1"),
        ("corridor_charging", "false"),
        ("flying_wire", "false"),
        ("battery_indoors", "false"),
        ("charging_place", "shed"),
        ("pledge", "true"),
    ];
    for _ in 0..2 {
        let r = worker.post_form(&page, &fields).await;
        assert_eq!(r.status(), 303, "a redirect to the list");
        assert_eq!(r.headers()["location"], format!("/tasks?done={task}"));
    }
    let visits = app.db.store.visits_of(task).await.unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].answers["charging_place"], "shed");
    let (_, list) = worker.text(&format!("/tasks?done={task}")).await;
    assert!(list.contains("id=\"visit-done\""), "the list says the visit was saved");
    app.stop().await;
}

backend_tests!(
    the_visit_form_works_without_script,
    the_demo_sweep_reports_what_the_registry_holds,
    a_shed_visit_is_a_shed_inspection,
    a_sweep_from_start_to_case,
    answers_are_held_to_the_checklist,
    creating_refuses_by_name,
    one_visit_from_a_storm_of_retries
);
