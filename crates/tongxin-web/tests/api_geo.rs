//! The geography API over HTTP, on both backends.

mod common;

use common::{Client, TestApp, assert_error};
use serde_json::json;
use tongxin_core::access::ApiScope;
use tongxin_core::geo::{Crs, LatLng};
use tongxin_store::audit::Caller;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

const TEMPLE: &str = "lat=31.2235&lng=121.4455";

async fn health_ready_and_metrics(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let anyone = app.anonymous();
    assert_eq!(anyone.json("/healthz").await, (200, json!({"status": "ok"})));
    let (status, ready) = anyone.json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(ready["status"], "ready");
    let (status, metrics) = anyone.text("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("tongxin_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("tongxin_locator_regions 193"), "{metrics}");
    app.stop().await;
}

async fn lists_regions_by_level_parent_and_subtree(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    let (status, grids) = admin.json("/api/v1/regions?level=grid").await;
    assert_eq!(status, 200);
    assert_eq!(grids["total"], 60);
    assert_eq!(
        grids["items"][0],
        json!({"code": "310106013001001", "name": "景华第一网格", "level": "grid", "parent_code": "310106013001"})
    );
    let (_, communities) = admin.json("/api/v1/regions?parent=310106013").await;
    assert_eq!(communities["total"], 13);
    let (_, jinghua) = admin.json("/api/v1/regions?within=310106013001&level=block").await;
    assert_eq!(jinghua["total"], 10);
    // an empty parameter is an absent one
    let (_, all) = admin.json("/api/v1/regions?level=").await;
    assert_eq!(all["total"], 194, "the admin sees the subdistrict and below, not the district above it");
    assert_error(&admin.json("/api/v1/regions?level=street").await, 400, "invalid_parameter", Some("level"));
    assert_error(&admin.json("/api/v1/regions?parent=12x").await, 400, "invalid_parameter", Some("parent"));
    app.stop().await;
}

async fn one_region_children_and_geojson(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    let (status, grid) = admin.json("/api/v1/regions/310106013001002").await;
    assert_eq!(status, 200);
    assert_eq!(grid["name"], "景华第二网格");
    let path: Vec<_> = grid["path"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(path, ["静安区", "静安寺街道", "景华居民区"]);
    assert_eq!(grid["children"], 2);
    assert!(grid["buildings"].as_i64().unwrap() >= 8);
    assert_eq!(grid["bbox"].as_array().unwrap().len(), 4);

    let (_, children) = admin.json("/api/v1/regions/310106013001/children").await;
    assert_eq!(children["total"], 5);

    let response = admin.get("/api/v1/regions/310106013001/geojson").await;
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let feature: serde_json::Value = response.json().await.unwrap();
    assert_eq!(feature["type"], "Feature");
    assert_eq!(feature["properties"]["name"], "景华居民区");
    assert_eq!(feature["geometry"]["type"], "Polygon");

    let response = admin.get("/api/v1/regions.geojson?level=grid").await;
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let collection: serde_json::Value = response.json().await.unwrap();
    assert_eq!(collection["features"].as_array().unwrap().len(), 60);

    assert_error(&admin.json("/api/v1/regions/31010601300").await, 400, "invalid_parameter", Some("code"));
    assert_error(&admin.json("/api/v1/regions/310106013099").await, 404, "not_found", None);
    assert_error(&admin.json("/api/v1/regions/310106013099/children").await, 404, "not_found", None);
    app.stop().await;
}

async fn buildings_of_a_region(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    let (status, page) = admin.json("/api/v1/regions/310106013001/buildings?limit=5&offset=2").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    let total = page["total"].as_i64().unwrap();
    assert!((40..=60).contains(&total), "{total}");
    let first = &page["items"][0];
    assert!(first["grid_code"].as_str().unwrap().starts_with("310106013001"));
    let id = first["id"].as_i64().unwrap();
    let (status, one) = admin.json(&format!("/api/v1/buildings/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(one, *first);

    assert_error(
        &admin.json("/api/v1/regions/310106013001/buildings?limit=0").await,
        400,
        "invalid_parameter",
        Some("limit"),
    );
    assert_error(
        &admin.json("/api/v1/regions/310106013001/buildings?offset=-3").await,
        400,
        "invalid_parameter",
        Some("offset"),
    );
    assert_error(&admin.json("/api/v1/buildings/abc").await, 400, "invalid_parameter", Some("id"));
    assert_error(&admin.json("/api/v1/buildings/999999").await, 404, "not_found", None);
    app.stop().await;
}

async fn locates_points_in_any_crs(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    let (status, found) = admin.json(&format!("/api/v1/locate?{TEMPLE}")).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["subdistrict"]["name"], "静安寺街道");
    assert_eq!(found["grid"]["level"], "grid");
    assert!(found["grid"]["code"].as_str().unwrap().starts_with(found["community"]["code"].as_str().unwrap()));
    assert_eq!(found["crs"], "wgs84");

    // The same place, as 高德 and 百度 would give it.
    let temple = LatLng::new(31.2235, 121.4455).unwrap();
    for crs in [Crs::Gcj02, Crs::Bd09] {
        let (lat, lng) = temple.to_crs(crs);
        let (status, converted) = admin.json(&format!("/api/v1/locate?lat={lat}&lng={lng}&crs={}", crs.as_str())).await;
        assert_eq!(status, 200);
        assert_eq!(converted["grid"], found["grid"], "{crs:?}");
        assert!((converted["point"]["lat"].as_f64().unwrap() - 31.2235).abs() < 1e-5);
    }

    assert_error(&admin.json("/api/v1/locate?lat=91&lng=121.4").await, 400, "invalid_parameter", Some("lat"));
    assert_error(&admin.json("/api/v1/locate?lat=31.2&lng=181").await, 400, "invalid_parameter", Some("lng"));
    assert_error(&admin.json("/api/v1/locate?lat=31.2&lng=east").await, 400, "invalid_parameter", Some("lng"));
    assert_error(&admin.json("/api/v1/locate?lat=31.2").await, 400, "invalid_parameter", Some("lng"));
    assert_error(&admin.json(&format!("/api/v1/locate?{TEMPLE}&crs=utm")).await, 400, "invalid_parameter", Some("crs"));
    assert_error(&admin.json("/api/v1/locate?lat=39.9&lng=116.4").await, 404, "outside_area", None);
    app.stop().await;
}

async fn unknown_routes_request_ids_and_the_openapi_document(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    assert_error(&admin.json("/api/v1/nothing-here").await, 404, "no_route", None);
    assert_error(&admin.json("/api/v2/regions").await, 404, "no_route", None);

    let response = app.http.get(app.url("/healthz")).header("x-request-id", "trace-42").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    let response = app.http.get(app.url("/healthz")).header("x-request-id", "bad id\t").send().await.unwrap();
    assert_ne!(response.headers()["x-request-id"], "bad id\t");

    let (status, doc) = admin.json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/regions/{code}/children",
        "/api/v1/regions/{code}/geojson",
        "/api/v1/regions.geojson",
        "/api/v1/regions/{code}/buildings",
        "/api/v1/buildings/{id}",
        "/api/v1/locate",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is not documented");
    }
    assert!(doc["components"]["schemas"]["Location"].is_object());
    app.stop().await;
}

/// A region import made elsewhere (the CLI, another node) reaches the locator.
async fn the_locator_follows_region_changes(db: TestDb) {
    let app = TestApp::spawn_unseeded(db).await;
    let (_, secret) =
        app.db.store.create_api_key(&Caller::system("test"), "reader", &[ApiScope::Read], None).await.unwrap();
    let admin = Client::with_key(&app, &secret);
    assert_error(&admin.json(&format!("/api/v1/locate?{TEMPLE}")).await, 404, "outside_area", None);
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106", "name": "静安区"}, "geometry": null},
        {"type": "Feature", "properties": {"code": "310106013", "name": "静安寺街道"}, "geometry": null},
        {"type": "Feature", "properties": {"code": "310106013001", "name": "景华居民区"},
         "geometry": {"type": "Polygon", "coordinates": [[[121.44, 31.22], [121.45, 31.22], [121.45, 31.23], [121.44, 31.23], [121.44, 31.22]]]}},
    ]});
    app.db.store.import_regions(&Caller::system("test"), &file.to_string(), 1.0, false).await.unwrap();
    let mut found = None;
    for _ in 0..50 {
        let got = admin.json(&format!("/api/v1/locate?{TEMPLE}")).await;
        if got.0 == 200 {
            found = Some(got.1);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let found = found.expect("the locator picked up the new regions within 2.5 s");
    assert_eq!(found["community"]["name"], "景华居民区");
    assert!(found["grid"].is_null());
    app.stop().await;
}

backend_tests!(
    health_ready_and_metrics,
    lists_regions_by_level_parent_and_subtree,
    one_region_children_and_geojson,
    buildings_of_a_region,
    locates_points_in_any_crs,
    unknown_routes_request_ids_and_the_openapi_document,
    the_locator_follows_region_changes,
);
