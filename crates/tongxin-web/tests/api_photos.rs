//! Case photos over HTTP, on both backends: with a report, with a step, on their own; what
//! is served back (re-encoded, no metadata, never as a page); who may see and add them;
//! and the uploads that are refused without leaving anything behind.

mod common;

use common::{Client, TestApp, assert_error};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};
use serde_json::{Value, json};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// A JPEG cut in half: a good header, its image data ending early (from the photo corpus).
const CUT_IN_HALF: &[u8] = include_bytes!("../../tongxin-core/src/cases/photo/corpus/cut-in-half.jpg");

/// Text hidden in the uploads' metadata; it must never be served.
const SECRET: &[u8] = b"GPS 31.2235N 121.4455E by Zhang San";

/// A 64×48 JPEG with a comment segment holding SECRET.
fn jpeg() -> Vec<u8> {
    let image = RgbImage::from_pixel(64, 48, Rgb([200, 120, 40]));
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 90).encode_image(&image).unwrap();
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((SECRET.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(SECRET);
    out.extend_from_slice(&plain[2..]);
    out
}

fn png() -> Vec<u8> {
    let image = RgbImage::from_pixel(30, 20, Rgb([0, 90, 200]));
    let mut out = Vec::new();
    PngEncoder::new(&mut out).write_image(image.as_raw(), 30, 20, ExtendedColorType::Rgb8).unwrap();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file in the app's photo directory.
fn stored_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    walk(app.photo_dir.path())
}

async fn point_in_grid(app: &TestApp) -> (f64, f64) {
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap();
    (b[0].fields.location.lat(), b[0].fields.location.lng())
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn report_with(worker: &mut Client<'_>, app: &TestApp, photos: &[Vec<u8>]) -> (u16, Value) {
    let (lat, lng) = point_in_grid(app).await;
    let body =
        json!({"category": "E0103", "description": "楼道堆满纸箱", "lat": lat, "lng": lng, "attributes": {"floor": 2}});
    json_of(worker.post_multipart("/api/v1/cases", &[("json", &body.to_string())], photos, false).await).await
}

async fn photos_come_with_reports_and_steps(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut worker = app.login("gridworker1").await;
    let (status, case) = report_with(&mut worker, &app, &[jpeg(), png()]).await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    assert_eq!(stored_files(&app), 4, "two photos and two thumbnails");

    let (_, detail) = worker.json(&format!("/api/v1/cases/{id}")).await;
    let photos = detail["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 2);
    assert_eq!((photos[0]["step"].as_str(), photos[0]["content_type"].as_str()), (Some("report"), Some("image/jpeg")));
    assert_eq!((photos[1]["content_type"].as_str(), photos[1]["width"].as_i64()), (Some("image/png"), Some(30)));
    assert_eq!(photos[0]["uploaded_by"], "网格员 张伟");

    // what is served: the re-encoded image, never sniffed as a page, metadata gone
    let url = photos[0]["url"].as_str().unwrap();
    let served = worker.get(url).await;
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline; filename=\""));
    let bytes = served.bytes().await.unwrap();
    assert!(!contains(&bytes, SECRET), "the comment with the GPS text was served");
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 64);
    let thumb = worker.get(photos[0]["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert_error(&worker.json(&format!("{url}?size=huge")).await, 400, "invalid_parameter", Some("size"));
    assert_error(&worker.json(&format!("/api/v1/cases/{id}/photos/999999")).await, 404, "not_found", None);

    // a step with photos: the department's feedback
    let mut intake = app.login("intake").await;
    intake.post_json(&format!("/api/v1/cases/{id}/actions/register"), json!({})).await;
    let mut dispatcher = app.login("dispatcher").await;
    dispatcher.post_json(&format!("/api/v1/cases/{id}/actions/dispatch"), json!({"department": "cgzd"})).await;
    let mut dept = app.login("dept1").await;
    dept.post_json(&format!("/api/v1/cases/{id}/actions/accept"), json!({})).await;
    let body = json!({"note": "已清理"}).to_string();
    let (status, done) = json_of(
        dept.post_multipart(&format!("/api/v1/cases/{id}/actions/feedback"), &[("json", &body)], &[jpeg()], false)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "handled");
    assert_eq!(done["photos"].as_array().unwrap().last().unwrap()["step"], "feedback");

    // more photos on their own
    let note = json!({"note": "复查照片"}).to_string();
    let (status, added) = json_of(
        worker.post_multipart(&format!("/api/v1/cases/{id}/photos"), &[("json", &note)], &[png()], false).await,
    )
    .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added[0]["step"], "add_photos");
    let (_, listed) = worker.json(&format!("/api/v1/cases/{id}/photos")).await;
    assert_eq!(listed.as_array().unwrap().len(), 4);
    let (_, detail) = worker.json(&format!("/api/v1/cases/{id}")).await;
    let last = detail["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["action"].as_str(), last["note"].as_str()), (Some("add_photos"), Some("复查照片")));
    assert_eq!(stored_files(&app), 8);
    app.stop().await;
}

async fn bad_uploads_are_refused_and_leave_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut worker = app.login("gridworker1").await;
    let all = |a: &TestApp| {
        let store = a.db.store.clone();
        async move {
            let scope = tongxin_store::cases::CaseScope { all: true, ..Default::default() };
            store
                .cases(&scope, &tongxin_store::cases::CaseFilter { limit: 100, ..Default::default() })
                .await
                .unwrap()
                .len()
        }
    };

    // an HTML page named photo.jpg, sent as image/jpeg
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    let refused = report_with(&mut worker, &app, &[jpeg(), html]).await;
    assert_error(&refused, 400, "invalid_parameter", Some("photo"));
    assert!(refused.1["error"]["message"].as_str().unwrap().starts_with("photo 2:"), "{}", refused.1);
    // over 10 MB
    let mut big = jpeg();
    big.resize(10 * 1024 * 1024 + 1, 0);
    assert_error(&report_with(&mut worker, &app, &[big]).await, 400, "invalid_parameter", Some("photo"));
    // seven at once
    let seven = vec![png(); 7];
    assert_error(&report_with(&mut worker, &app, &seven).await, 400, "invalid_parameter", Some("photo"));
    // a JPEG cut in half, and one of ours cut short: refused by name, never kept half grey
    let ours = jpeg();
    for cut in [CUT_IN_HALF.to_vec(), ours[..ours.len() * 2 / 3].to_vec()] {
        let refused = report_with(&mut worker, &app, &[png(), cut]).await;
        assert_error(&refused, 400, "invalid_parameter", Some("photo"));
        let message = refused.1["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("photo 2:") && message.contains("照片不完整或已损坏"), "{message}");
    }
    assert_eq!(all(&app).await, 0, "no case was filed");
    assert_eq!(stored_files(&app), 0, "no file was left behind");

    // a bad field refuses the report after the photos were checked: nothing is kept either
    let body = json!({"category": "E0999", "description": "x", "address": "华山路"}).to_string();
    let refused = json_of(worker.post_multipart("/api/v1/cases", &[("json", &body)], &[jpeg()], false).await).await;
    assert_error(&refused, 400, "invalid_parameter", Some("category"));
    assert_eq!(stored_files(&app), 0);

    // a step refused by the lifecycle keeps no photo
    let (_, case) = report_with(&mut worker, &app, &[]).await;
    let id = case["id"].as_i64().unwrap();
    let refused =
        json_of(worker.post_multipart(&format!("/api/v1/cases/{id}/actions/pass"), &[], &[jpeg()], false).await).await;
    assert_eq!(refused.0, 409, "{}", refused.1);
    assert_eq!(stored_files(&app), 0);
    // a cut photo with a step, on its own, and through the case page
    let cut = vec![CUT_IN_HALF.to_vec()];
    for path in [format!("/api/v1/cases/{id}/actions/verify"), format!("/api/v1/cases/{id}/photos")] {
        let refused = json_of(worker.post_multipart(&path, &[], &cut, false).await).await;
        assert_error(&refused, 400, "invalid_parameter", Some("photo"));
    }
    let page = worker.post_multipart(&format!("/cases/{id}/photos"), &[("note", "补拍")], &cut, true).await;
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("照片：照片不完整或已损坏"));
    assert_eq!(stored_files(&app), 0);
    let no_photo =
        json_of(worker.post_multipart(&format!("/api/v1/cases/{id}/photos"), &[("json", "{}")], &[], false).await)
            .await;
    assert_error(&no_photo, 400, "invalid_parameter", Some("photo"));
    let bad_json = json_of(
        worker.post_multipart(&format!("/api/v1/cases/{id}/photos"), &[("json", "{note")], &[png()], false).await,
    )
    .await;
    assert_error(&bad_json, 400, "invalid_parameter", Some("body"));
    app.stop().await;
}

async fn photos_are_seen_and_added_through_their_case(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut worker = app.login("gridworker1").await;
    let (_, case) = report_with(&mut worker, &app, &[jpeg()]).await;
    let id = case["id"].as_i64().unwrap();
    let (_, detail) = worker.json(&format!("/api/v1/cases/{id}")).await;
    let url = detail["photos"][0]["url"].as_str().unwrap().to_owned();

    // another community's grid worker, and nobody at all
    let other = app.login("gridworker2").await;
    assert_eq!(other.get(&url).await.status(), 404);
    assert_eq!(app.anonymous().get(&url).await.status(), 401);
    // the leader sees it but may not add to it
    let mut viewer = app.login("viewer").await;
    assert_eq!(viewer.get(&url).await.status(), 200);
    let refused =
        json_of(viewer.post_multipart(&format!("/api/v1/cases/{id}/photos"), &[], &[png()], false).await).await;
    assert_error(&refused, 403, "forbidden", None);

    // a finished case takes no more photos
    let mut intake = app.login("intake").await;
    intake.post_json(&format!("/api/v1/cases/{id}/actions/reject"), json!({"reason": "invalid"})).await;
    let closed =
        json_of(worker.post_multipart(&format!("/api/v1/cases/{id}/photos"), &[], &[png()], false).await).await;
    assert_error(&closed, 409, "conflict", Some("case"));

    // a page's form: the CSRF token is a field of the multipart body
    let (_, case) = report_with(&mut worker, &app, &[]).await;
    let id = case["id"].as_i64().unwrap();
    let page = worker.post_multipart(&format!("/cases/{id}/photos"), &[("note", "再拍一张")], &[jpeg()], true).await;
    assert_eq!(page.status(), 303, "{}", page.text().await.unwrap());
    let (_, listed) = worker.json(&format!("/api/v1/cases/{id}/photos")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let csrf = worker.csrf.take();
    let forged = worker.post_multipart(&format!("/cases/{id}/photos"), &[], &[jpeg()], true).await;
    assert_eq!(forged.status(), 403, "no token, no upload");
    worker.csrf = csrf;
    app.stop().await;
}

backend_tests!(
    photos_come_with_reports_and_steps,
    bad_uploads_are_refused_and_leave_nothing,
    photos_are_seen_and_added_through_their_case
);
