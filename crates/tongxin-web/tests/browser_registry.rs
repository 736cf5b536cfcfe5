//! The registry pages in real headless Chromium: a grid worker finds a resident by name,
//! opens them and their household; everything stays within 景华 and masked.

mod common;

use common::TestApp;
use common::browser::Browser;
use fantoccini::Locator;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

async fn a_grid_worker_finds_a_resident_and_their_household(db: TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn_with_registry(db, 400).await;
    // someone the grid worker may see, as they will look for them
    let worker = app.login("gridworker1").await;
    let (_, theirs) = worker.json("/api/v1/residents").await;
    let person = theirs["items"].as_array().unwrap().iter().find(|p| p["phone"] != "").unwrap().clone();
    let text = |key: &str| person[key].as_str().unwrap().to_owned();
    let (id, name, id_masked, phone) = (person["id"].clone(), text("name"), text("id_number"), text("phone"));
    let filter = tongxin_store::registry::ResidentFilter { limit: 50, ..Default::default() };

    browser.sign_in(&app.base, "gridworker1", "/registry/residents").await;
    assert_eq!(browser.text("h1").await, "居民档案");
    assert!(browser.text("#registry-counts").await.contains("户"));
    browser.fill("#resident-search input[name=q]", &name).await;
    browser.click("#resident-search button").await;
    browser.wait_for_url("q=").await;
    let rows = browser.text("#residents tbody").await;
    assert!(rows.contains(&name) && rows.contains(&id_masked), "{rows}");
    browser.screenshot("registry-residents").await;
    // a grid worker exports masked lists only
    let href = browser.client.find(Locator::Css("#export-masked")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("/api/v1/residents/export?format=xlsx&q="), "{href}");
    assert!(browser.client.find(Locator::Css("#export-full")).await.is_err());

    browser.click(&format!("#residents a[href='/registry/residents/{id}']")).await;
    browser.wait_for_url(&format!("/registry/residents/{id}")).await;
    assert_eq!(browser.text("#resident-name").await, name);
    assert_eq!(browser.text("#id-number").await, id_masked);
    assert_eq!(browser.text("#phone").await, phone);
    browser.screenshot("registry-resident").await;

    browser.click("#resident-facts a").await;
    browser.wait_for_url(&format!("/registry/households/{}", person["household_id"])).await;
    assert!(browser.text("#members tbody").await.contains(&name));
    browser.screenshot("registry-household").await;

    // another community's resident is not there for this grid worker
    let others = tongxin_store::registry::RegistryScope {
        regions: vec![tongxin_core::geo::RegionCode::parse("310106013002").unwrap()],
        ..Default::default()
    };
    let outsider = app.db.store.residents(&others, &filter).await.unwrap().remove(0);
    browser.goto(&app.url(&format!("/registry/residents/{}", outsider.id))).await;
    assert!(browser.text("main").await.contains("找不到"), "the same page as for no one");
    assert!(browser.client.find(Locator::Css("#resident-name")).await.is_err());
    browser.stop().await;
    app.stop().await;
}

backend_tests!(a_grid_worker_finds_a_resident_and_their_household);
