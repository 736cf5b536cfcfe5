//! Independent Open311 clients from PyPI against a real server: `civicbot` lists the
//! services, files a request and reads it back in JSON; `georeport` reads it in XML. Runs
//! when `TONGXIN_TEST_OPEN311_PYTHON` names a Python with both installed (`.ci/run` makes
//! one); on both backends.

mod common;

use common::TestApp;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn independent_clients_file_and_read_a_request(db: TestDb) {
    let Some(python) = std::env::var_os("TONGXIN_TEST_OPEN311_PYTHON") else {
        eprintln!("TONGXIN_TEST_OPEN311_PYTHON is not set: the Open311 client test is skipped");
        return;
    };
    let app = TestApp::spawn(db).await;
    let caller = tongxin_store::audit::Caller::system("test");
    let scopes = [tongxin_core::access::ApiScope::Open311];
    let (_, key) = app.db.store.create_api_key(&caller, "civicbot", &scopes, None).await.unwrap();
    let grid = tongxin_core::geo::RegionCode::parse("310106013001001").unwrap();
    let filter = tongxin_store::geo::BuildingFilter { within: grid, limit: 1, offset: 0 };
    let b = app.db.store.buildings(&filter).await.unwrap().remove(0);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/open311_client/smoke.py");
    let base = format!("{}/open311/v2", app.base);
    let (lat, lng) = (b.fields.location.lat().to_string(), b.fields.location.lng().to_string());
    let args = [script.to_owned(), base, "310106013".into(), key, "E0101".into(), lat, lng];
    // The client blocks; the server keeps serving on the runtime meanwhile.
    let output = tokio::task::spawn_blocking(move || std::process::Command::new(python).args(args).output())
        .await
        .unwrap()
        .expect("run the Python client");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the client failed:\n{stdout}\n{stderr}");
    let id = stdout.lines().last().unwrap_or_default().trim().to_owned();
    let case = app.db.store.case_by_number(&id).await.unwrap().expect("the case the client filed");
    assert_eq!((case.source.as_str(), case.category.as_str()), ("open311", "E0101"));
    assert_eq!(case.grid.map(|g| g.to_string()).as_deref(), Some("310106013001001"));
    app.stop().await;
}

backend_tests!(independent_clients_file_and_read_a_request);
