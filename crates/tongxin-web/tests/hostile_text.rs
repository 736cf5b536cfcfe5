//! Hostile text at every door: NUL and other control characters, invalid UTF-8, and a
//! single-valued parameter sent twice, in query strings, form bodies, multipart fields and
//! JSON. Each is refused with a 400 naming the parameter, in the door's own error shape
//! (Open311's list, the API's JSON, a page in Chinese), and nothing is stored. On both
//! backends.

mod common;
#[path = "support/open311.rs"]
#[allow(dead_code)] // this binary uses part of the support module
mod support;

use common::TestApp;
use serde_json::json;
use support::{answer, assert_errors, open311_key, point};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// Posts a raw form body (bytes as given, not re-encoded) to Open311.
async fn open311_raw(app: &TestApp, format: &str, body: String) -> support::Answer {
    let r = app
        .http
        .post(app.url(&format!("/open311/v2/requests.{format}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    answer(r).await
}

/// How many requests the public Open311 list holds.
async fn filed(app: &TestApp) -> usize {
    let list = answer(app.http.get(app.url("/open311/v2/requests.json")).send().await.unwrap()).await;
    list.json().as_array().map_or(0, Vec::len)
}

async fn open311_refuses_text_that_is_not_text(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let key = open311_key(&app).await;
    let (lat, lng) = point(&app).await;
    let base = format!("api_key={key}&lat={lat}&long={lng}");
    let before = filed(&app).await;
    for format in ["json", "xml"] {
        let nul = open311_raw(&app, format, format!("{base}&service_code=E0502&description=a%00b")).await;
        assert_errors(&nul, 400, "description");
        assert_errors(&nul, 400, "control character");
        let bad_utf8 = open311_raw(&app, format, format!("{base}&service_code=E0502&description=%C3%28")).await;
        assert_errors(&bad_utf8, 400, "description: the text is not valid UTF-8");
        let twice = open311_raw(&app, format, format!("{base}&service_code=E0502&service_code=E0101")).await;
        assert_errors(&twice, 400, "service_code was sent more than once");
        let escape = open311_raw(&app, format, format!("{base}&service_code=E0502&address_string=%1B%5B2J")).await;
        assert_errors(&escape, 400, "address_string");
        // The query string is held to the same rules.
        let query = answer(
            app.http.get(app.url(&format!("/open311/v2/requests.{format}?status=open%00"))).send().await.unwrap(),
        )
        .await;
        assert_errors(&query, 400, "status");
    }
    // api_key in both the query and the body is one parameter sent twice.
    let r = app
        .http
        .post(app.url(&format!("/open311/v2/requests.json?api_key={key}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("{base}&service_code=E0502&description=ok"))
        .send()
        .await
        .unwrap();
    assert_errors(&answer(r).await, 400, "api_key");
    // Tab, CR and LF are text; repeated attribute lists are allowed.
    let fine = open311_raw(&app, "json", format!("{base}&service_code=E0502&attribute[source]=shop&attribute[times][]=evening&attribute[times][]=night&description=a%09b%0D%0Ac")).await;
    assert_eq!(fine.status, 200, "{}", fine.body);
    assert_eq!(filed(&app).await, before + 1, "only the good one was filed");
    app.stop().await;
}

async fn the_api_refuses_control_characters_and_repeats(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut intake = app.login("intake").await;
    let (lat, lng) = point(&app).await;
    let body = json!({"category": "E0502", "description": "噪声\u{0}扰民", "lat": lat.parse::<f64>().unwrap(), "lng": lng.parse::<f64>().unwrap()});
    let (status, error) = intake.post_json("/api/v1/cases", body).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["code"], "invalid_parameter");
    assert_eq!(error["error"]["details"]["field"], "description");

    let (status, error) = intake.json("/api/v1/cases?limit=5&limit=6").await;
    assert_eq!((status, error["error"]["details"]["field"].as_str()), (400, Some("limit")), "{error}");
    let (status, error) = intake.json("/api/v1/cases?q=%FF").await;
    assert_eq!((status, error["error"]["details"]["field"].as_str()), (400, Some("q")), "{error}");

    // Invalid UTF-8 in a JSON body.
    let (status, error) = intake
        .post_bytes(
            "/api/v1/cases",
            "application/json",
            b"{\"category\":\"E0502\",\"description\":\"\xC3\x28\"}".to_vec(),
        )
        .await;
    assert_eq!(status, 400, "{error}");

    // A multipart text field holding NUL, and one sent twice.
    let fields = [("category", "E0502"), ("description", "a\u{0}b"), ("lat", lat.as_str()), ("lng", lng.as_str())];
    let r = intake.post_multipart("/api/v1/cases", &fields, &[], false).await;
    assert_eq!(r.status(), 400);
    let error: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error["error"]["details"]["field"], "description", "{error}");
    let fields = [("category", "E0502"), ("category", "E0101"), ("lat", lat.as_str()), ("lng", lng.as_str())];
    let r = intake.post_multipart("/api/v1/cases", &fields, &[], false).await;
    assert_eq!(r.status(), 400);
    let error: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error["error"]["details"]["field"], "category", "{error}");

    // A body past the text layer's cap (2 MB, what the routes took before) is refused while
    // it is read; the 12345 batch, an array of orders, may send more.
    let huge = format!("{{\"description\":\"{}\"}}", "x".repeat(3 << 20));
    let (status, error) = intake.post_bytes("/api/v1/cases", "application/json", huge.into_bytes()).await;
    assert_eq!((status, error["error"]["code"].as_str()), (413, Some("payload_too_large")), "{error}");
    // The refused body was left half-read: the answer closes the connection, so a client's
    // pool does not hand it to the next request (which would die on a closed socket).
    let huge = format!("{{\"description\":\"{}\"}}", "x".repeat(3 << 20));
    let r = app.http.post(app.url("/api/v1/cases")).header("content-type", "application/json").body(huge);
    let r = r.send().await.expect("request");
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers().get("connection").and_then(|v| v.to_str().ok()), Some("close"));
    let mut lead = app.login("shiftlead").await;
    let orders =
        format!("[{{\"external_ref\":\"HL-BIG\",\"category\":\"E0101\",\"description\":\"{}\"}}]", "x".repeat(3 << 20));
    let (status, report) =
        lead.post_bytes("/api/v1/cases/import?dry_run=true", "application/json", orders.into_bytes()).await;
    assert_eq!(status, 200, "the batch takes a body past 2 MB: {report}");
    assert_eq!(report["rows"][0]["outcome"], "refused", "its row is checked: {report}");
    app.stop().await;
}

async fn pages_explain_in_chinese(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let r = app
        .http
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=admin%00&password=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("控制字符") && html.contains("username"), "{html}");
    // A form body under another declared type is read as a form all the same, and so held
    // to the same rules.
    let r = app
        .http
        .post(app.url("/login"))
        .header("content-type", "text/plain")
        .body("username=admin%00&password=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("控制字符"));
    let viewer = app.login("viewer").await;
    let (status, html) = viewer.text("/cases?q=%C3%28").await;
    assert_eq!(status, 400);
    assert!(html.contains("不是有效的 UTF-8"), "{html}");
    let (status, html) = viewer.text("/cases?status=open&status=closed").await;
    assert_eq!(status, 400);
    assert!(html.contains("提交了不止一次"), "{html}");
    app.stop().await;
}

/// Text that arrives inside a file is held to the same rules: a 12345 order with a NUL in
/// its description, and a ledger row with one in a name, are refused rows naming the field.
async fn files_carrying_control_characters_are_refused_row_by_row(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut lead = app.login("shiftlead").await;
    let (lat, lng) = point(&app).await;
    let orders = format!(
        "工单编号,问题类别,问题描述,纬度,经度\n\
         HL-NUL-1,E0101,路灯\u{0}不亮,{lat},{lng}\n\
         HL-OK-2,E0101,路灯不亮,{lat},{lng}\n"
    );
    let (status, report) = lead.post_bytes("/api/v1/cases/import?dry_run=true", "text/csv", orders.into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows"][0]["outcome"], "refused", "{report}");
    assert_eq!(report["rows"][0]["field"], "description", "{report}");
    assert_eq!(report["rows"][1]["outcome"], "valid", "{report}");

    // A workbook cell can hold a control character (stored as `_x001B_`); a CSV with one is
    // refused whole as not text.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = ["姓名", "性别", "出生日期", "身份证号", "手机号", "地址", "单元", "室", "与户主关系"];
    let row = ["王\u{1b}[2J芳", "女", "1950-01-01", "", "", "不存在路 1 号", "1", "101", "户主"];
    for (col, (h, v)) in header.iter().zip(row).enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
        sheet.write_string(1, col as u16, v).unwrap();
    }
    let ledger = book.save_to_buffer().unwrap();
    let (status, job) = lead
        .post_bytes("/api/v1/registry/imports?kind=residents&dry_run=true", "application/octet-stream", ledger)
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let mut done = serde_json::Value::Null;
    for _ in 0..300 {
        let (_, now) = lead.json(&format!("/api/v1/registry/imports/{id}")).await;
        if now["finished"] == true {
            done = now;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let errors = done["outcome"]["errors"].as_array().unwrap_or_else(|| panic!("{done}"));
    assert_eq!(errors.len(), 1, "{done}");
    assert_eq!(errors[0]["column"], "姓名", "{done}");
    assert!(errors[0]["reason"].as_str().unwrap().contains("控制字符"), "{done}");
    app.stop().await;
}

backend_tests!(
    files_carrying_control_characters_are_refused_row_by_row,
    open311_refuses_text_that_is_not_text,
    the_api_refuses_control_characters_and_repeats,
    pages_explain_in_chinese
);
