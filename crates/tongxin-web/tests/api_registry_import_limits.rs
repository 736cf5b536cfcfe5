//! Workbooks made to take the server's memory, refused over HTTP before any reader opens
//! them, on both backends: a sheet that inflates 1,000:1, and the same file with headers
//! that claim a few kilobytes. The corpus comes from `tongxin_core::xlsx_guard::hostile`,
//! which the guard's own tests and the command line's tests use too.

mod common;

use std::time::Duration;

use common::{TestApp, assert_error};
use tongxin_core::xlsx_guard::hostile::{inflating, lying_sizes};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// The residents template's one sheet.
const SHEET: &str = "xl/worksheets/sheet1.xml";
const MB: u64 = 1024 * 1024;

async fn workbooks_that_inflate_too_far_are_refused_before_reading(db: TestDb) {
    let app = TestApp::spawn_with_registry(db, 20).await;
    let mut lead = app.login("shiftlead").await;
    let (_, before) = lead.json("/api/v1/residents?limit=500").await;
    let template = lead.get("/api/v1/registry/templates/residents").await.bytes().await.unwrap().to_vec();
    let bomb = inflating(&template, SHEET, 300 * MB);
    assert!(bomb.len() < 600 * 1024, "a small file: {} bytes", bomb.len());
    let liar = lying_sizes(&bomb, SHEET, 4096);
    for (what, file) in [("1,000:1", bomb), ("lying sizes", liar)] {
        let query = "/api/v1/registry/imports?kind=residents";
        let refused = lead.post_bytes(query, "application/octet-stream", file.clone()).await;
        assert_error(&refused, 400, "invalid_parameter", Some("file"));
        let message = refused.1["error"]["message"].as_str().unwrap();
        assert!(message.contains("more than 100:1") && message.contains("压缩比超过 100:1"), "{what}: {message}");
        // the upload page says the same, in Chinese, above its form
        let page = lead.post_page_file("/registry/import", &[("kind", "residents")], ("file", "居民.xlsx", file)).await;
        assert_eq!(page.status(), 400, "{what}");
        assert!(page.text().await.unwrap().contains("压缩比超过 100:1"), "{what}");
    }

    // blank cells well within the limits still go through
    let blank = inflating(&template, SHEET, 5 * MB);
    let (status, job) = lead
        .post_bytes("/api/v1/registry/imports?kind=residents&dry_run=true", "application/octet-stream", blank)
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let mut done = job;
    for _ in 0..300 {
        if done["finished"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        done = lead.json(&format!("/api/v1/registry/imports/{id}")).await.1;
    }
    assert!(done["finished"] == true && done["problem"].is_null(), "{done}");
    let (_, after) = lead.json("/api/v1/residents?limit=500").await;
    assert_eq!(before, after);
    app.stop().await;
}

backend_tests!(workbooks_that_inflate_too_far_are_refused_before_reading);
