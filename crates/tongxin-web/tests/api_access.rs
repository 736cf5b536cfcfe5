//! Signing in and out, sessions, CSRF, lockout, two-factor, resident codes, API keys,
//! account administration and personal data over the JSON API, on both backends.

mod common;

use common::{Client, PASSWORD, TestApp, assert_error};
use serde_json::json;
use tongxin_core::access::ApiScope;
use tongxin_core::access::password::{SESSION_IDLE_MS, Totp};
use tongxin_core::time::Timestamp;
use tongxin_store::access::Subject;
use tongxin_store::audit::{AuditFilter, Caller, Outcome};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn audited(app: &TestApp, action: &str, outcome: Option<Outcome>) -> i64 {
    let filter = AuditFilter { action: Some(action.into()), outcome, limit: 1, ..Default::default() };
    app.db.store.audit_entries(&filter).await.unwrap().1
}

async fn login_sets_a_safe_cookie_and_me_tells_who(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let response = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "gridworker1", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("tongxin_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["roles"], json!(["gridworker"]));
    assert_eq!(body["user"]["regions"], json!(["310106013001001"]));
    assert!(body["csrf_token"].as_str().unwrap().len() >= 40);

    let behind_tls = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "viewer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(behind_tls.headers()["set-cookie"].to_str().unwrap().ends_with("; Secure"));

    let worker = app.login("gridworker1").await;
    let (status, me) = worker.json("/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!((me["kind"].as_str(), me["name"].as_str()), (Some("staff"), Some("gridworker1")));
    assert!(me["permissions"].as_array().unwrap().contains(&json!("geo.read")));
    let again = app.login("gridworker1").await;
    assert_ne!(again.cookie, worker.cookie, "every login gets a new session id");
    assert_error(&app.anonymous().json("/api/v1/me").await, 401, "unauthenticated", None);
    assert_eq!(audited(&app, "auth.login", Some(Outcome::Ok)).await, 4);
    app.stop().await;
}

async fn wrong_passwords_say_the_same_and_five_lock_the_account(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut anyone = app.anonymous();
    let wrong_user = anyone.post_json("/api/v1/auth/login", json!({"username": "nobody", "password": PASSWORD})).await;
    let wrong_password =
        anyone.post_json("/api/v1/auth/login", json!({"username": "intake", "password": "not the password"})).await;
    assert_error(&wrong_user, 401, "invalid_credentials", None);
    assert_eq!(wrong_user.1, wrong_password.1, "the same words whether the account exists or not");
    for _ in 0..3 {
        assert_error(
            &anyone.post_json("/api/v1/auth/login", json!({"username": "intake", "password": "nope nope nope"})).await,
            401,
            "invalid_credentials",
            None,
        );
    }
    let locked =
        anyone.post_json("/api/v1/auth/login", json!({"username": "intake", "password": "still wrong!!"})).await;
    assert_error(&locked, 423, "locked", None);
    assert!(locked.1["error"]["details"]["until"].as_str().unwrap().ends_with("+08:00"));
    let right_but_locked =
        anyone.post_json("/api/v1/auth/login", json!({"username": "intake", "password": PASSWORD})).await;
    assert_error(&right_but_locked, 423, "locked", None);
    assert_error(
        &anyone.post_json("/api/v1/auth/login", json!({"username": 5})).await,
        400,
        "invalid_parameter",
        Some("body"),
    );
    assert_eq!(audited(&app, "auth.login", Some(Outcome::Failed)).await, 7);
    app.stop().await;
}

async fn sessions_end_on_logout_idle_and_disable(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut viewer = app.login("viewer").await;
    assert_eq!(viewer.json("/api/v1/me").await.0, 200);
    // a forged cookie is nobody
    let mut forged = app.anonymous();
    forged.cookie = Some("forged-token".into());
    assert_error(&forged.json("/api/v1/me").await, 401, "unauthenticated", None);
    let response = forged.get("/api/v1/me").await;
    assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"), "the dead cookie is cleared");
    assert_eq!(audited(&app, "auth.session", Some(Outcome::Failed)).await, 2);
    // logout without the CSRF token is refused
    let token = viewer.csrf.take();
    assert_error(&viewer.post_json("/api/v1/auth/logout", json!({})).await, 403, "csrf", None);
    viewer.csrf = Some("wrong".into());
    assert_error(&viewer.post_json("/api/v1/auth/logout", json!({})).await, 403, "csrf", None);
    viewer.csrf = token;
    let cookie = viewer.cookie.clone();
    assert_eq!(viewer.post_json("/api/v1/auth/logout", json!({})).await.0, 204);
    let mut stale = app.anonymous();
    stale.cookie = cookie;
    assert_error(&stale.json("/api/v1/me").await, 401, "unauthenticated", None);
    assert_eq!(audited(&app, "access.csrf", Some(Outcome::Denied)).await, 2);

    // a session idle for 30 minutes has ended
    let user = app.db.store.user_by_username("viewer").await.unwrap().unwrap();
    let long_ago = Timestamp::now().millis() - SESSION_IDLE_MS - 1000;
    let (_, token) = app.db.store.create_session(Subject::Staff(user.id), "127.0.0.1", long_ago).await.unwrap();
    let mut idle = app.anonymous();
    idle.cookie = Some(token);
    assert_error(&idle.json("/api/v1/me").await, 401, "unauthenticated", None);

    // disabling an account ends its sessions at once
    let dispatcher = app.login("dispatcher").await;
    let id = app.db.store.user_by_username("dispatcher").await.unwrap().unwrap().id;
    let mut admin = app.login("admin").await;
    assert_eq!(admin.post_json(&format!("/api/v1/users/{id}/disable"), json!({})).await.0, 204);
    assert_error(&dispatcher.json("/api/v1/me").await, 401, "unauthenticated", None);
    let me = app.db.store.user_by_username("admin").await.unwrap().unwrap().id;
    assert_error(
        &admin.post_json(&format!("/api/v1/users/{me}/disable"), json!({})).await,
        409,
        "conflict",
        Some("id"),
    );
    app.stop().await;
}

async fn two_factor_login(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let user = app.db.store.user_by_username("admin").await.unwrap().unwrap();
    let totp = Totp::generate("admin");
    let sealed = app.app.pii.seal("totp", &totp.secret_base32());
    app.db.store.set_totp(&Caller::system("test"), user.id, Some(&sealed)).await.unwrap();
    let mut anyone = app.anonymous();
    assert_error(
        &anyone.post_json("/api/v1/auth/login", json!({"username": "admin", "password": PASSWORD})).await,
        401,
        "totp_required",
        None,
    );
    let wrong = anyone
        .post_json("/api/v1/auth/login", json!({"username": "admin", "password": PASSWORD, "totp": "000000"}))
        .await;
    let wrong =
        if totp.code_at((Timestamp::now().millis() / 1000) as u64) == "000000" { (401, wrong.1) } else { wrong };
    assert_error(&wrong, 401, "invalid_credentials", None);
    let code = totp.code_at((Timestamp::now().millis() / 1000) as u64);
    let (status, body) =
        anyone.post_json("/api/v1/auth/login", json!({"username": "admin", "password": PASSWORD, "totp": code})).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

async fn residents_sign_in_with_a_code_and_see_only_themselves(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let phone = "13912345678";
    TestApp::personal(phone);
    let mut resident = app.anonymous();
    assert_error(
        &resident.post_json("/api/v1/auth/otp", json!({"phone": "12345"})).await,
        400,
        "invalid_parameter",
        Some("phone"),
    );
    assert_eq!(resident.post_json("/api/v1/auth/otp", json!({"phone": phone})).await.0, 202);
    assert_error(&resident.post_json("/api/v1/auth/otp", json!({"phone": phone})).await, 429, "rate_limited", None);
    let sms = app.db.store.sent_sms(1).await.unwrap();
    assert_eq!(sms[0].phone_masked, "139****5678");
    let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_error(
        &resident.post_json("/api/v1/auth/resident-login", json!({"phone": phone, "code": wrong})).await,
        401,
        "invalid_credentials",
        None,
    );
    let (status, body) = resident.post_json("/api/v1/auth/resident-login", json!({"phone": phone, "code": code})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["kind"], "resident");
    assert_eq!(body["user"]["name"], "139****5678");
    resident.csrf = body["csrf_token"].as_str().map(str::to_owned);
    let (_, me) = resident.json("/api/v1/me").await;
    assert_eq!(me["permissions"], json!([]));
    // the code is used up
    assert_error(
        &app.anonymous().post_json("/api/v1/auth/resident-login", json!({"phone": phone, "code": code})).await,
        401,
        "invalid_credentials",
        None,
    );
    // a resident reads no one else's records
    let other = app.db.store.resident_accounts(None, 1, 0).await.unwrap().0[0].id;
    assert_error(&resident.json(&format!("/api/v1/resident-accounts/{other}")).await, 403, "forbidden", None);
    assert_error(&resident.json("/api/v1/regions").await, 403, "forbidden", None);
    // the phone is stored sealed, findable by its blind index only
    let account = app.db.store.resident_account(me["id"].as_i64().unwrap()).await.unwrap().unwrap();
    let sealed = app.db.store.resident_phone_sealed(account.id).await.unwrap();
    assert!(!sealed.windows(phone.len()).any(|w| w == phone.as_bytes()));
    assert_eq!(app.app.pii.open("phone", &sealed).unwrap(), phone);
    app.stop().await;
}

async fn personal_data_is_masked_revealed_with_a_purpose_and_exported_with_permission(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (phone, name, _) = tongxin_demo::access::RESIDENTS[0];
    let mut operator = app.login("operator").await;
    let (_, list) = operator.json("/api/v1/resident-accounts").await;
    let text = list.to_string();
    assert!(!text.contains(phone) && text.contains("139****0001"), "{text}");
    let (_, found) = operator.json(&format!("/api/v1/resident-accounts?phone={phone}")).await;
    assert_eq!(found["total"], 1);
    assert_error(
        &operator.json("/api/v1/resident-accounts?phone=139****0001").await,
        400,
        "invalid_parameter",
        Some("phone"),
    );
    let id = found["items"][0]["id"].as_i64().unwrap();
    let reveal = format!("/api/v1/resident-accounts/{id}/reveal");
    assert_error(
        &operator.post_json(&reveal, json!({"field": "phone", "purpose": ""})).await,
        400,
        "invalid_parameter",
        Some("purpose"),
    );
    assert_error(
        &operator.post_json(&reveal, json!({"field": "id_number", "purpose": "核对"})).await,
        400,
        "invalid_parameter",
        Some("field"),
    );
    let (status, shown) = operator.post_json(&reveal, json!({"field": "phone", "purpose": "回访居民反映的问题"})).await;
    assert_eq!((status, shown["value"].as_str()), (200, Some(phone)));
    let (entries, _) = app
        .db
        .store
        .audit_entries(&AuditFilter { action: Some("pii.reveal".into()), limit: 5, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].detail.contains("回访居民反映的问题") && entries[0].actor_name == "operator");
    assert!(!entries[0].detail.contains(phone), "the audit entry keeps the masked value");

    // exports: masked for anyone who reads, in full only with pii.export
    let masked = operator.get("/api/v1/resident-accounts.csv").await;
    assert_eq!(masked.headers()["content-type"], "text/csv; charset=utf-8");
    let masked = String::from_utf8(masked.bytes().await.unwrap().to_vec()).unwrap();
    assert!(masked.starts_with('\u{feff}'), "a BOM, so Excel reads UTF-8");
    assert!(
        masked.contains("139****0001") && masked.contains("王**") && !masked.contains(phone) && !masked.contains(name),
        "{masked}"
    );
    assert!(list.to_string().contains("王**") && !list.to_string().contains(name));
    assert_error(&operator.json("/api/v1/resident-accounts.csv?full=true").await, 403, "forbidden", None);
    let lead = app.login("shiftlead").await;
    let full = lead.get("/api/v1/resident-accounts.csv?full=true").await.text().await.unwrap();
    assert!(full.contains(phone) && full.contains(name));
    assert_eq!(audited(&app, "pii.export", Some(Outcome::Ok)).await, 2);
    app.stop().await;
}

async fn api_keys_are_shown_once_scoped_and_revocable(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut admin = app.login("admin").await;
    let (status, created) = admin.post_json("/api/v1/apikeys", json!({"name": "map wall", "scopes": ["read"]})).await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(created["key"]["regions"], json!(["310106013"]), "bound to the creator's regions by default");
    let (_, keys) = admin.json("/api/v1/apikeys").await;
    assert!(!keys.to_string().contains(&secret), "the secret is never listed");
    assert_error(
        &admin.post_json("/api/v1/apikeys", json!({"name": "map wall", "scopes": ["read"]})).await,
        409,
        "conflict",
        Some("name"),
    );
    assert_error(
        &admin.post_json("/api/v1/apikeys", json!({"name": "x", "scopes": ["root"]})).await,
        400,
        "invalid_parameter",
        Some("scopes"),
    );
    assert_error(
        &admin.post_json("/api/v1/apikeys", json!({"name": "x", "scopes": ["read"], "regions": ["310106014"]})).await,
        404,
        "not_found",
        None,
    );

    let key = Client::with_key(&app, &secret);
    assert_eq!(key.json("/api/v1/regions?level=grid").await.1["total"], 60);
    assert_error(&key.json("/api/v1/users").await, 403, "forbidden", None);
    let (_, open311) =
        app.db.store.create_api_key(&Caller::system("test"), "fixmystreet", &[ApiScope::Open311], None).await.unwrap();
    assert_error(&Client::with_key(&app, &open311).json("/api/v1/regions").await, 403, "forbidden", None);
    assert_error(
        &Client::with_key(&app, "tx_00000000_guess").json("/api/v1/regions").await,
        401,
        "unauthenticated",
        None,
    );

    let id = created["key"]["id"].as_i64().unwrap();
    assert_eq!(admin.delete(&format!("/api/v1/apikeys/{id}")).await.0, 204);
    assert_error(&key.json("/api/v1/regions").await, 401, "unauthenticated", None);
    assert_eq!(audited(&app, "auth.api_key", Some(Outcome::Failed)).await, 2);
    app.stop().await;
}

async fn administrators_manage_accounts_within_their_regions(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut admin = app.login("admin").await;
    let new = |username: &str, password: &str, roles: serde_json::Value, regions: serde_json::Value| json!({"username": username, "display_name": "新同事", "password": password, "roles": roles, "regions": regions});
    let (status, user) = admin
        .post_json("/api/v1/users", new("gridworker3", PASSWORD, json!(["gridworker"]), json!(["310106013003001"])))
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["roles"], json!(["gridworker"]));
    assert_error(
        &admin.post_json("/api/v1/users", new("gridworker3", PASSWORD, json!(["viewer"]), json!(["310106013"]))).await,
        409,
        "conflict",
        Some("username"),
    );
    assert_error(
        &admin.post_json("/api/v1/users", new("short", "too short", json!(["viewer"]), json!(["310106013"]))).await,
        400,
        "invalid_parameter",
        Some("password"),
    );
    assert_error(
        &admin.post_json("/api/v1/users", new("x2", PASSWORD, json!(["boss"]), json!(["310106013"]))).await,
        400,
        "invalid_parameter",
        Some("roles"),
    );
    assert_error(
        &admin.post_json("/api/v1/users", new("x3", PASSWORD, json!(["viewer"]), json!(["310106014"]))).await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &admin.post_json("/api/v1/users", new("x4", PASSWORD, json!(["viewer"]), json!([]))).await,
        400,
        "invalid_parameter",
        Some("regions"),
    );
    // the new account signs in
    let worker = app.login("gridworker3").await;
    assert_eq!(worker.json("/api/v1/me").await.1["regions"], json!(["310106013003001"]));
    // a reset ends its sessions and the new password works
    let id = user["id"].as_i64().unwrap();
    assert_eq!(
        admin
            .post_json(&format!("/api/v1/users/{id}/reset-password"), json!({"password": "another good password"}))
            .await
            .0,
        204
    );
    assert_error(&worker.json("/api/v1/me").await, 401, "unauthenticated", None);
    let (_, users) = admin.json("/api/v1/users").await;
    assert!(users.as_array().unwrap().iter().any(|u| u["username"] == "gridworker3"));
    assert_eq!(audited(&app, "user.create", None).await, 10 + 1, "the demo's ten and this one");
    app.stop().await;
}

async fn the_audit_log_is_for_auditors(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.login("viewer").await;
    let auditor = app.login("auditor").await;
    let (status, page) = auditor.json("/api/v1/audit?action=auth.login&outcome=ok&limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["actor_name"], "auditor");
    assert!(page["items"][0]["at"].as_str().unwrap().ends_with("+08:00"));
    assert_error(&auditor.json("/api/v1/audit?outcome=maybe").await, 400, "invalid_parameter", Some("outcome"));
    assert_error(&auditor.json("/api/v1/audit?since=yesterday").await, 400, "invalid_parameter", Some("since"));
    let today = Timestamp::now().to_shanghai_rfc3339()[..10].to_owned();
    assert!(auditor.json(&format!("/api/v1/audit?since={today}")).await.1["total"].as_i64().unwrap() > 10);
    let (_, verified) = auditor.json("/api/v1/audit/verify").await;
    assert_eq!(verified["intact"], true);
    assert_error(&auditor.json("/api/v1/regions").await, 403, "forbidden", None);
    let admin = app.login("admin").await;
    assert_error(&admin.json("/api/v1/audit").await, 403, "forbidden", None);
    app.stop().await;
}

backend_tests!(
    login_sets_a_safe_cookie_and_me_tells_who,
    wrong_passwords_say_the_same_and_five_lock_the_account,
    sessions_end_on_logout_idle_and_disable,
    two_factor_login,
    residents_sign_in_with_a_code_and_see_only_themselves,
    personal_data_is_masked_revealed_with_a_purpose_and_exported_with_permission,
    api_keys_are_shown_once_scoped_and_revocable,
    administrators_manage_accounts_within_their_regions,
    the_audit_log_is_for_auditors,
);
