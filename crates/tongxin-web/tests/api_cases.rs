//! Cases over HTTP, on both backends: every path of the loop, each driven by the role that
//! takes it, and the bad input the issue lists.

mod common;

use common::{Client, TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// A point inside 景华第一网格 (gridworker1's grid): where one of its buildings stands.
async fn point_in_grid(app: &TestApp) -> (f64, f64) {
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let b = app
        .db
        .store
        .buildings(&tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 })
        .await
        .unwrap();
    (b[0].fields.location.lat(), b[0].fields.location.lng())
}

async fn report(client: &mut Client<'_>, body: Value) -> Value {
    let (status, case) = client.post_json("/api/v1/cases", body).await;
    assert_eq!(status, 201, "{case}");
    case
}

async fn act(client: &mut Client<'_>, id: i64, action: &str, body: Value) -> Value {
    let (status, case) = client.post_json(&format!("/api/v1/cases/{id}/actions/{action}"), body).await;
    assert_eq!(status, 200, "{action}: {case}");
    case
}

/// 上报 → 核实 → 立案 → 派遣 → 处置 → 反馈 → 核查 (fails: 返工) → 反馈 → 核查 → 结案 → 评价.
async fn the_whole_loop_with_a_rework(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut worker = app.login("gridworker1").await;
    let case = report(
        &mut worker,
        json!({
            "category": "E0103", "description": "3号楼二楼楼道堆满纸箱和旧家具", "lat": lat, "lng": lng,
            "attributes": {"floor": 2}
        }),
    )
    .await;
    assert_eq!((case["status"].as_str(), case["source"].as_str()), (Some("reported"), Some("patrol")));
    assert_eq!(case["grid"], "310106013001001");
    assert_eq!(case["sla"], "green");
    let id = case["id"].as_i64().unwrap();
    act(&mut worker, id, "verify", json!({"note": "现场确认"})).await;

    let mut intake = app.login("intake").await;
    let registered = act(&mut intake, id, "register", json!({})).await;
    assert_eq!(registered["status"], "registered", "楼道堆物 has no dispatch rule: it waits for the dispatcher");

    let mut dispatcher = app.login("dispatcher").await;
    let (_, detail) = dispatcher.json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["actions"], json!(["dispatch"]));
    assert_eq!(
        detail["suggested_departments"],
        json!([{"department": "jwh", "name": "居委会", "reason": "category", "cases": 0}]),
        "no rule and no history: the category's own department"
    );
    assert_eq!(intake.json(&format!("/api/v1/cases/{id}")).await.1["suggested_departments"], json!([]));
    assert_error(
        &dispatcher.post_json(&format!("/api/v1/cases/{id}/actions/dispatch"), json!({})).await,
        400,
        "invalid_parameter",
        Some("department"),
    );
    act(&mut dispatcher, id, "dispatch", json!({"department": "cgzd"})).await;

    let mut dept = app.login("dept1").await;
    let (_, mine) = dept.json("/api/v1/cases?status=dispatched").await;
    assert!(
        mine["items"].as_array().unwrap().iter().any(|c| c["id"] == id),
        "the department sees what is dispatched to it"
    );
    act(&mut dept, id, "accept", json!({})).await;
    act(&mut dept, id, "feedback", json!({"note": "已清理"})).await;
    act(&mut worker, id, "rework", json!({"note": "还剩两个旧沙发"})).await;
    act(&mut dept, id, "feedback", json!({"note": "沙发已搬走"})).await;
    act(&mut worker, id, "pass", json!({})).await;
    let closed = act(&mut intake, id, "close", json!({})).await;
    assert_eq!((closed["status"].as_str(), closed["rework_count"].as_i64()), (Some("closed"), Some(1)));
    let evaluated = act(&mut intake, id, "evaluate", json!({"rating": 4, "note": "电话回访"})).await;
    assert_eq!(evaluated["rating"], 4);
    let steps: Vec<&str> =
        evaluated["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "report", "verify", "register", "dispatch", "accept", "feedback", "rework", "feedback", "pass", "close",
            "evaluate"
        ]
    );
    app.stop().await;
}

/// Rejection; a department's return; an extension; a deferral; automatic dispatch.
async fn the_side_paths(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut operator = app.login("operator").await;
    let mut intake = app.login("intake").await;
    let mut lead = app.login("shiftlead").await;
    let mut dept = app.login("dept1").await;
    let mut dispatcher = app.login("dispatcher").await;

    let a = report(
        &mut operator,
        json!({"category": "E0601", "description": "来电反映的问题不属于街道", "address": "华山路 100号"}),
    )
    .await;
    assert_eq!(a["source"], "phone");
    let id = a["id"].as_i64().unwrap();
    assert_error(
        &intake.post_json(&format!("/api/v1/cases/{id}/actions/reject"), json!({})).await,
        400,
        "invalid_parameter",
        Some("reason"),
    );
    assert_eq!(act(&mut intake, id, "reject", json!({"reason": "out_of_scope"})).await["status"], "rejected");
    let (status, refused) = intake.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(refused["error"]["code"], "transition_not_allowed");
    assert_eq!(refused["error"]["details"]["allowed"], json!([]));

    // 占道经营 has a rule: registering dispatches it to the 城管执法中队 at once.
    let b = report(
        &mut operator,
        json!({"category": "E0501", "description": "早市摊贩占用人行道", "lat": lat, "lng": lng}),
    )
    .await;
    let id = b["id"].as_i64().unwrap();
    let registered = act(&mut intake, id, "register", json!({})).await;
    assert_eq!((registered["status"].as_str(), registered["department"].as_str()), (Some("dispatched"), Some("cgzd")));
    act(&mut dept, id, "accept", json!({})).await;
    let asked = act(&mut dept, id, "request_extension", json!({"extension": "W8", "note": "需要联合执法"})).await;
    assert_eq!(asked["pending"], "extension");
    let (status, refused) = dept.post_json(&format!("/api/v1/cases/{id}/actions/feedback"), json!({})).await;
    assert_eq!(status, 409, "nothing but the decision while a request waits");
    assert_eq!(refused["error"]["details"]["allowed"], json!([]), "the department may take none of the allowed steps");
    let due_before = asked["step_due_at"].as_str().unwrap().to_owned();
    let approved = act(&mut lead, id, "approve_extension", json!({})).await;
    assert!(approved["step_due_at"].as_str().unwrap() > due_before.as_str(), "the deadline moved");
    act(&mut dept, id, "request_deferral", json!({"note": "等待业主回国"})).await;
    assert_eq!(act(&mut lead, id, "approve_deferral", json!({})).await["status"], "deferred");
    assert_eq!(act(&mut lead, id, "resume", json!({})).await["status"], "handling");
    // a wrongly dispatched case goes back to the dispatcher
    let back = act(&mut dept, id, "return", json!({"reason": "属于绿化市容所"})).await;
    assert_eq!((back["status"].as_str(), back["department"].as_null()), (Some("registered"), Some(())));
    act(&mut dispatcher, id, "dispatch", json!({"department": "lhsr"})).await;
    // dept1 is not in 绿化市容所: it can no longer act, nor see it
    assert_error(&dept.json(&format!("/api/v1/cases/{id}")).await, 404, "not_found", None);
    app.stop().await;
}

async fn roles_and_scopes_guard_the_steps(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut worker = app.login("gridworker1").await;
    let case = report(&mut worker, json!({"category": "E0502", "description": "夜间施工噪声", "lat": lat, "lng": lng, "attributes": {"source": "site"}})).await;
    let id = case["id"].as_i64().unwrap();
    // the grid worker may not register, the viewer may not act at all
    assert_error(
        &worker.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await,
        403,
        "forbidden",
        None,
    );
    let mut viewer = app.login("viewer").await;
    assert_error(
        &viewer.post_json(&format!("/api/v1/cases/{id}/actions/verify"), json!({})).await,
        403,
        "forbidden",
        None,
    );
    assert_eq!(viewer.json(&format!("/api/v1/cases/{id}")).await.0, 200, "but reads it");
    // gridworker2 (美丽园) neither sees nor checks a case in 景华
    let other = app.login("gridworker2").await;
    assert_error(&other.json(&format!("/api/v1/cases/{id}")).await, 404, "not_found", None);
    let (_, list) = other.json("/api/v1/cases").await;
    assert!(list["items"].as_array().unwrap().iter().all(|c| c["id"] != id));
    // the auditor reads no cases
    assert_error(&app.login("auditor").await.json("/api/v1/cases").await, 403, "forbidden", None);
    app.stop().await;
}

async fn bad_reports_are_refused_naming_the_field(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut worker = app.login("gridworker1").await;
    let base = json!({"category": "E0101", "description": "路边暴露垃圾", "lat": lat, "lng": lng});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    assert_error(
        &worker.post_json("/api/v1/cases", with("category", json!("E0999"))).await,
        400,
        "invalid_parameter",
        Some("category"),
    );
    assert_error(
        &worker.post_json("/api/v1/cases", with("category", json!("rubbish"))).await,
        400,
        "invalid_parameter",
        Some("category"),
    );
    let noise = json!({"category": "E0502", "description": "噪声", "lat": lat, "lng": lng});
    assert_error(&worker.post_json("/api/v1/cases", noise).await, 400, "invalid_parameter", Some("attribute[source]"));
    assert_error(
        &worker.post_json("/api/v1/cases", with("description", json!("字".repeat(4001)))).await,
        400,
        "invalid_parameter",
        Some("description"),
    );
    assert_error(
        &worker.post_json("/api/v1/cases", with("description", json!("<script>alert(1)</script>"))).await,
        400,
        "invalid_parameter",
        Some("description"),
    );
    let outside = json!({"category": "E0101", "description": "外区垃圾", "lat": 39.9, "lng": 116.4});
    let refused = worker.post_json("/api/v1/cases", outside.clone()).await;
    assert_error(&refused, 400, "invalid_parameter", Some("lat"));
    assert!(refused.1["error"]["message"].as_str().unwrap().contains("outside the subdistrict"));
    let mut with_address = outside.clone();
    with_address["address"] = json!("北京市东城区某路 1号");
    let (status, accepted) = worker.post_json("/api/v1/cases", with_address).await;
    assert_eq!((status, accepted["region"].as_str(), accepted["grid"].as_null()), (201, Some("310106013"), Some(())));
    assert_error(
        &worker.post_json("/api/v1/cases", json!({"category": "E0101", "description": "无处"})).await,
        400,
        "invalid_parameter",
        Some("lat"),
    );
    assert_error(
        &worker.post_json("/api/v1/cases", with("reporter_phone", json!("12345"))).await,
        400,
        "invalid_parameter",
        Some("reporter_phone"),
    );
    let (_, list) = worker.json("/api/v1/cases").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "only the accepted one was stored");
    app.stop().await;
}

/// A key for the 12345 platform.
async fn hotline_key(app: &TestApp) -> String {
    let caller = tongxin_store::audit::Caller::system("test");
    let scopes = [tongxin_core::access::ApiScope::Hotline];
    app.db.store.create_api_key(&caller, "12345", &scopes, None).await.unwrap().1
}

async fn hotline_orders_are_idempotent_and_duplicates_flagged(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let secret = hotline_key(&app).await;
    let mut hotline = Client::with_key(&app, &secret);
    let order = json!({"category": "E0101", "description": "12345 工单：垃圾未清运", "lat": lat, "lng": lng,
        "external_ref": "SH12345-20261127-001", "reporter_name": "王先生", "reporter_phone": "13800001234"});
    TestApp::personal("13800001234");
    let (status, first) = hotline.post_json("/api/v1/cases", order.clone()).await;
    assert_eq!((status, first["source"].as_str()), (201, Some("hotline")));
    let (status, again) = hotline.post_json("/api/v1/cases", order).await;
    assert_eq!(
        (status, again["id"].clone()),
        (200, first["id"].clone()),
        "the same order number returns the first case"
    );
    // another report of the same problem 10 m away within the window is flagged
    let mut worker = app.login("gridworker1").await;
    let near = report(
        &mut worker,
        json!({"category": "E0101", "description": "垃圾堆了两天", "lat": lat + 0.00005, "lng": lng}),
    )
    .await;
    assert_eq!(near["duplicate_of"], first["id"]);
    let far =
        report(&mut worker, json!({"category": "E0101", "description": "另一处垃圾", "lat": lat + 0.002, "lng": lng}))
            .await;
    assert!(far["duplicate_of"].is_null());
    app.stop().await;
}

/// A resident's report flagged as a duplicate is merged by the dispatcher; the resident then
/// hears of the case it joined.
async fn a_duplicate_is_merged_and_its_reporter_follows(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut worker = app.login("gridworker1").await;
    let first =
        report(&mut worker, json!({"category": "E0101", "description": "垃圾满溢", "lat": lat, "lng": lng})).await;
    let mut resident = app.resident_login("13916020003").await;
    let (_, dup) = resident
        .post_json(
            "/api/v1/cases",
            json!({"category": "E0101", "description": "门口垃圾没人收", "lat": lat, "lng": lng}),
        )
        .await;
    assert_eq!(dup["duplicate_of"], first["id"]);
    let (first_id, dup_id) = (first["id"].as_i64().unwrap(), dup["id"].as_i64().unwrap());

    // only the dispatcher merges, and only into a case that exists
    assert_error(
        &worker.post_json(&format!("/api/v1/cases/{dup_id}/merge"), json!({"into": first_id})).await,
        403,
        "forbidden",
        None,
    );
    let mut dispatcher = app.login("dispatcher").await;
    assert_error(
        &dispatcher.post_json(&format!("/api/v1/cases/{dup_id}/merge"), json!({"into": 999_999})).await,
        400,
        "invalid_parameter",
        Some("into"),
    );
    assert_error(
        &dispatcher.post_json(&format!("/api/v1/cases/{dup_id}/merge"), json!({})).await,
        400,
        "invalid_parameter",
        Some("body"),
    );
    let (status, joined) = dispatcher
        .post_json(&format!("/api/v1/cases/{dup_id}/merge"), json!({"into": first_id, "note": "同一处"}))
        .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!((joined["id"].as_i64(), joined["merged"].clone()), (Some(first_id), json!([dup_id])));
    assert_eq!(joined["timeline"].as_array().unwrap().last().unwrap()["action"], "merged");
    let (_, merged) = resident.json(&format!("/api/v1/cases/{dup_id}")).await;
    assert_eq!((merged["status"].as_str(), merged["merged_into"].as_i64()), (Some("rejected"), Some(first_id)));
    assert_error(
        &dispatcher.post_json(&format!("/api/v1/cases/{dup_id}/merge"), json!({"into": first_id})).await,
        409,
        "conflict",
        Some("status"),
    );

    // the case it joined moves on, and the resident is told
    let mut intake = app.login("intake").await;
    intake.post_json(&format!("/api/v1/cases/{first_id}/actions/register"), json!({})).await;
    tongxin_web::notify::deliver_due(&app.app).await.unwrap();
    let (_, inbox) = resident.json("/api/v1/notifications").await;
    let kinds: Vec<&str> = inbox["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"merged") && kinds.contains(&"registered"), "{inbox}");
    let registered = inbox["items"].as_array().unwrap().iter().find(|n| n["kind"] == "registered").unwrap();
    assert_eq!(registered["case_id"], first_id);
    app.stop().await;
}

/// CSV and XLSX exports: the caller's reach, the list's filters, formulas neutralised,
/// no personal data, an audit entry.
async fn exports_follow_the_filters_and_the_reach(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let mut worker = app.login("gridworker1").await;
    report(&mut worker, json!({"category": "E0101", "description": "=1+2 垃圾", "lat": lat, "lng": lng})).await;
    report(
        &mut worker,
        json!({"category": "E0103", "description": "@楼道堆物", "lat": lat, "lng": lng, "attributes": {"floor": 1}}),
    )
    .await;
    let mut operator = app.login("operator").await;
    TestApp::personal("13800005678");
    report(
        &mut operator,
        json!({"category": "E0101", "description": "来电：垃圾", "address": "华山路 9 号", "reporter_name": "赵女士", "reporter_phone": "13800005678"}),
    )
    .await;

    let dispatcher = app.login("dispatcher").await;
    let response = dispatcher.get("/api/v1/cases/export?format=csv&category=E01").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"cases-"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("编号,来源,类别代码"));
    assert!(text.contains(",'=1+2 垃圾,") && text.contains(",'@楼道堆物,"), "{text}");
    assert!(!text.contains("13800005678") && !text.contains("赵女士"), "no personal data: {text}");
    let only = dispatcher.get("/api/v1/cases/export?format=csv&source=phone").await.text().await.unwrap();
    assert_eq!(only.lines().count(), 2, "{only}");

    let xlsx = dispatcher.get("/api/v1/cases/export?format=xlsx").await;
    assert_eq!(xlsx.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("案件").unwrap();
    assert_eq!(sheet.rows().count(), 4);
    assert!(sheet.rows().any(|r| r[5] == "'=1+2 垃圾"));

    // another community's grid worker exports only what they may see
    let other = app.login("gridworker2").await;
    let theirs = other.get("/api/v1/cases/export").await.text().await.unwrap();
    assert_eq!(theirs.lines().count(), 1, "just the header: {theirs}");
    assert_error(&dispatcher.json("/api/v1/cases/export?format=pdf").await, 400, "invalid_parameter", Some("format"));
    assert_error(
        &dispatcher.json("/api/v1/cases/export?since=yesterday").await,
        400,
        "invalid_parameter",
        Some("since"),
    );
    let resident = app.resident_login("13916020004").await;
    assert_error(&resident.json("/api/v1/cases/export").await, 403, "forbidden", None);
    let filter =
        tongxin_store::audit::AuditFilter { action: Some("cases.export".into()), limit: 50, ..Default::default() };
    let (audit, _) = app.db.store.audit_entries(&filter).await.unwrap();
    assert!(audit.iter().any(|e| e.actor_name == "dispatcher"), "exports are audited");
    app.stop().await;
}

/// A 12345 file through the API: checked first, then filed row by row, then sent again
/// without doubling anything; staff outside intake may not import.
async fn hotline_files_are_imported_row_by_row(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point_in_grid(&app).await;
    let secret = hotline_key(&app).await;
    let mut hotline = Client::with_key(&app, &secret);
    let csv = format!(
        "工单编号,问题类别,问题描述,纬度,经度,联系电话\n\
         SH-1,暴露垃圾,小区门口垃圾无人清运,{lat},{lng},13900002222\n\
         SH-2,没有这个类别,说不清,{lat},{lng},\n\
         ,E0101,没有编号的工单,{lat},{lng},\n\
         SH-3,噪声扰民,楼上装修噪声（缺噪声来源）,{lat},{lng},\n"
    );
    TestApp::personal("13900002222");
    let (status, checked) =
        hotline.post_bytes("/api/v1/cases/import?dry_run=true", "text/csv", csv.clone().into_bytes()).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!((checked["valid"].as_u64(), checked["refused"].as_u64()), (Some(1), Some(3)), "{checked}");
    let fields: Vec<&str> = checked["rows"].as_array().unwrap().iter().filter_map(|r| r["field"].as_str()).collect();
    assert_eq!(fields, ["category", "external_ref", "attribute[source]"]);
    assert!(checked["rows"][1]["message"].as_str().unwrap().contains("没有这个类别"), "{checked}");
    let dispatcher = app.login("dispatcher").await;
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    assert_eq!(count(&dispatcher.json("/api/v1/cases?source=hotline").await.1), 0, "a dry run files nothing");

    let (_, filed) = hotline.post_bytes("/api/v1/cases/import", "text/csv", csv.clone().into_bytes()).await;
    assert_eq!((filed["created"].as_u64(), filed["refused"].as_u64()), (Some(1), Some(3)), "{filed}");
    let (_, again) = hotline.post_bytes("/api/v1/cases/import", "text/csv", csv.into_bytes()).await;
    assert_eq!((again["created"].as_u64(), again["already_filed"].as_u64()), (Some(0), Some(1)), "{again}");
    assert_eq!(again["rows"][0]["number"], filed["rows"][0]["number"]);
    let (_, listed) = dispatcher.json("/api/v1/cases?source=hotline").await;
    assert_eq!(count(&listed), 1);
    assert_eq!(
        (listed["items"][0]["category"].as_str(), listed["items"][0]["external_ref"].as_str()),
        (Some("E0101"), Some("SH-1"))
    );

    // an unreadable file is named and files nothing; a grid worker may not import
    let unreadable = hotline.post_bytes("/api/v1/cases/import", "text/csv", "地址,说明\nx,y\n".into()).await;
    assert_error(&unreadable, 400, "invalid_parameter", Some("file"));
    let mut worker = app.login("gridworker1").await;
    let (status, _) = worker.post_bytes("/api/v1/cases/import", "application/json", b"[]".to_vec()).await;
    assert_eq!(status, 403);
    app.stop().await;
}

backend_tests!(
    hotline_files_are_imported_row_by_row,
    exports_follow_the_filters_and_the_reach,
    a_duplicate_is_merged_and_its_reporter_follows,
    the_whole_loop_with_a_rework,
    the_side_paths,
    roles_and_scopes_guard_the_steps,
    bad_reports_are_refused_naming_the_field,
    hotline_orders_are_idempotent_and_duplicates_flagged,
);
