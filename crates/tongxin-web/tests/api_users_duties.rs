//! Separation of duties (三员分立) over HTTP, on both backends: an administrator grants only
//! what it holds and manages no account holding more; auditors are managed by auditors (or
//! at the console); every refusal is a 403 naming the permission, and audited; the page
//! hides what the reader may not do and says why in Chinese.

mod common;

use common::{Client, PASSWORD, TestApp, assert_error};
use serde_json::{Value, json};
use tongxin_store::audit::{AuditFilter, Outcome};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

fn account(username: &str, roles: Value) -> Value {
    json!({"username": username, "display_name": "新同事", "password": PASSWORD, "roles": roles, "regions": ["310106013"]})
}

async fn denials(app: &TestApp) -> Vec<Value> {
    let filter = AuditFilter {
        action: Some("access.denied".into()),
        outcome: Some(Outcome::Denied),
        limit: 500,
        ..Default::default()
    };
    let (entries, _) = app.db.store.audit_entries(&filter).await.unwrap();
    let detail = |raw: &str| serde_json::from_str::<Value>(raw).unwrap_or(Value::Null);
    entries.into_iter().map(|e| json!({"object_id": e.object_id, "detail": detail(&e.detail)})).collect()
}

async fn id_of(client: &Client<'_>, username: &str) -> i64 {
    let (_, users) = client.json("/api/v1/users").await;
    users.as_array().unwrap().iter().find(|u| u["username"] == username).unwrap()["id"].as_i64().unwrap()
}

/// A 403 naming `permission`.
fn refused(got: &(u16, Value), permission: &str) {
    assert_error(got, 403, "forbidden", None);
    assert_eq!(got.1["error"]["details"]["permission"], permission, "{}", got.1);
}

async fn the_administrator_cannot_take_the_auditors_or_the_shift_leads_powers(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut admin = app.login("admin").await;
    let before = denials(&app).await.len();

    // It cannot grant what it does not hold.
    refused(&admin.post_json("/api/v1/users", account("spy", json!(["shiftlead", "auditor"]))).await, "pii.reveal");
    refused(&admin.post_json("/api/v1/users", account("spy", json!(["auditor"]))).await, "audit.read");
    refused(&admin.post_json("/api/v1/users", account("spy", json!(["operator"]))).await, "pii.reveal");
    assert!(app.db.store.user_by_username("spy").await.unwrap().is_none(), "nothing created");
    // It still makes the accounts of daily work.
    for (name, role) in [("gw8", "gridworker"), ("in8", "intake"), ("ds8", "dispatcher"), ("dp8", "department")] {
        let (status, body) = admin.post_json("/api/v1/users", account(name, json!([role]))).await;
        assert_eq!(status, 201, "{role}: {body}");
    }

    // It cannot act on an account holding more than it does: not sign in as the auditor.
    let auditor = id_of(&admin, "auditor").await;
    let lead = id_of(&admin, "shiftlead").await;
    let new_password = json!({"password": "the admin's own choice"});
    refused(
        &admin.post_json(&format!("/api/v1/users/{auditor}/reset-password"), new_password.clone()).await,
        "audit.read",
    );
    refused(&admin.post_json(&format!("/api/v1/users/{auditor}/disable"), Value::Null).await, "audit.read");
    refused(&admin.delete(&format!("/api/v1/users/{auditor}/totp")).await, "audit.read");
    refused(
        &admin.post_json(&format!("/api/v1/users/{lead}/reset-password"), new_password.clone()).await,
        "pii.reveal",
    );
    let (status, _) = app
        .anonymous()
        .post_json("/api/v1/auth/login", json!({"username": "auditor", "password": "the admin's own choice"}))
        .await;
    assert_eq!(status, 401, "the auditor's password is unchanged");
    app.login("auditor").await;

    // The list shows those accounts, marked.
    let (_, users) = admin.json("/api/v1/users").await;
    let needs = |name: &str| {
        users.as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["needs_permission"].clone()
    };
    assert_eq!(
        (needs("auditor"), needs("shiftlead"), needs("gw8")),
        (json!("audit.read"), json!("pii.reveal"), Value::Null)
    );

    // Every refusal is audited, naming the permission and the account.
    let refusals = denials(&app).await;
    assert_eq!(refusals.len() - before, 7, "{refusals:?}");
    assert!(
        refusals.iter().any(|e| e["object_id"] == "audit.read" && e["detail"]["account"] == "auditor"),
        "{refusals:?}"
    );
    app.stop().await;
}

async fn auditors_manage_auditors_and_nobody_else(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut auditor = app.login("auditor").await;
    let (status, second) = auditor.post_json("/api/v1/users", account("auditor2", json!(["auditor"]))).await;
    assert_eq!(status, 201, "{second}");
    let id = second["id"].as_i64().unwrap();
    let reset = json!({"password": "a second auditor's password"});
    assert_eq!(auditor.post_json(&format!("/api/v1/users/{id}/reset-password"), reset).await.0, 204);
    let (status, _) = app
        .anonymous()
        .post_json("/api/v1/auth/login", json!({"username": "auditor2", "password": "a second auditor's password"}))
        .await;
    assert_eq!(status, 200);
    // Only auditors are on their list; anything more is not theirs to make or touch.
    let (_, users) = auditor.json("/api/v1/users").await;
    let names: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["auditor", "auditor2"]);
    refused(&auditor.post_json("/api/v1/users", account("mixed", json!(["auditor", "viewer"]))).await, "users.manage");
    let worker = app.db.store.user_by_username("gridworker1").await.unwrap().unwrap().id;
    refused(&auditor.post_json(&format!("/api/v1/users/{worker}/disable"), Value::Null).await, "users.manage");
    // Others hold no right over accounts at all.
    refused(&app.login("shiftlead").await.json("/api/v1/users").await, "users.manage");
    app.stop().await;
}

async fn the_accounts_page_hides_what_the_reader_may_not_do(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut admin = app.login("admin").await;
    let (status, page) = admin.text("/admin/users").await;
    assert_eq!(status, 200);
    let row = |page: &str, name: &str| {
        let start = page.find(&format!("data-username=\"{name}\"")).unwrap();
        page[start..start + page[start..].find("</tr>").unwrap()].to_owned()
    };
    let auditor_row = row(&page, "auditor");
    assert!(!auditor_row.contains("reset-password"), "no actions: {auditor_row}");
    assert!(auditor_row.contains("您不能管理它") && auditor_row.contains("audit.read"), "{auditor_row}");
    assert!(row(&page, "gridworker1").contains("reset-password"));
    assert!(!page.contains("value=\"auditor\"") && page.contains("value=\"gridworker\""), "only grantable roles");
    assert!(page.contains("id=\"ungrantable\""), "the others are named");

    // A forged form is refused with the reason, in Chinese.
    let r = admin
        .post_form(
            "/admin/users",
            &[("username", "spy"), ("password", PASSWORD), ("roles", "auditor"), ("regions", "310106013")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("您不能授予这些角色"));
    let auditor = app.db.store.user_by_username("auditor").await.unwrap().unwrap().id;
    let r = admin
        .post_form(&format!("/admin/users/{auditor}/reset-password"), &[("password", "the admin's own choice")])
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("查看审计日志（audit.read）"));

    // The auditor finds the page in the menu, with only auditors on it.
    let reader = app.login("auditor").await;
    let (status, page) = reader.text("/admin/users").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/admin/users\"") && page.contains("value=\"auditor\""));
    assert!(!page.contains("data-username=\"admin\""));
    app.stop().await;
}

backend_tests!(
    the_administrator_cannot_take_the_auditors_or_the_shift_leads_powers,
    auditors_manage_auditors_and_nobody_else,
    the_accounts_page_hides_what_the_reader_may_not_do
);
