//! Browser security headers on every response (pages, the API, Open311, static files,
//! errors), HSTS only behind a TLS proxy that is trusted, and the browser suite's check that
//! a page breaking the Content-Security-Policy is caught. On both backends.

mod common;

use common::TestApp;
use common::browser::Browser;
use tongxin_demo::DemoOptions;
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_web::WebConfig;

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

async fn every_response_carries_the_headers(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let viewer = app.login("viewer").await;
    for path in
        ["/login", "/cases", "/map", "/api/v1/regions", "/open311/v2/discovery.json", "/static/tongxin.css", "/nowhere"]
    {
        let r = viewer.get(path).await;
        let csp = header(&r, "content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        for directive in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(header(&r, "x-frame-options").as_deref(), Some("DENY"), "{path}");
        assert_eq!(header(&r, "referrer-policy").as_deref(), Some("same-origin"), "{path}");
        assert_eq!(header(&r, "x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert!(header(&r, "permissions-policy").unwrap().contains("camera=()"), "{path}");
        assert_eq!(header(&r, "strict-transport-security"), None, "{path}: plain HTTP gets no HSTS");
    }
    // An untrusted proxy header does not turn HSTS on.
    let r = app.http.get(app.url("/login")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(header(&r, "strict-transport-security"), None);
    app.stop().await;
}

async fn hsts_behind_a_trusted_tls_proxy(db: TestDb) {
    let config = WebConfig { trust_proxy: true, ..WebConfig::default() };
    let app = TestApp::spawn_with(db, Some(DemoOptions { case_months: 0, ..Default::default() }), config).await;
    let r = app.http.get(app.url("/login")).header("x-forwarded-proto", "https").send().await.unwrap();
    let hsts = header(&r, "strict-transport-security").unwrap();
    assert!(hsts.starts_with("max-age=31536000") && !hsts.contains("includeSubDomains"), "this host only: {hsts}");
    let plain = app.http.get(app.url("/login")).header("x-forwarded-proto", "http").send().await.unwrap();
    assert_eq!(header(&plain, "strict-transport-security"), None);
    app.stop().await;
}

/// The check every browser test ends with finds an inline script the policy blocked.
async fn the_browser_suite_catches_a_csp_violation(db: TestDb) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(db).await;
    browser.goto(&app.url("/login")).await;
    browser.wait_for_text("h1", "工作人员登录").await;
    assert!(browser.console().await.iter().all(|m| !m.contains("Content Security Policy")), "the page itself is clean");
    let inject = "var s = document.createElement('script'); s.textContent = 'window.ran = true'; document.body.appendChild(s); return window.ran === true;";
    let ran = browser.client.execute(inject, vec![]).await.unwrap();
    assert_eq!(ran, serde_json::Value::Bool(false), "the inline script was blocked");
    let console = browser.console().await;
    assert!(
        console.iter().any(|m| m.contains("Content Security Policy")),
        "the violation is in the console: {console:?}"
    );
    // The console was read; the usual check at the end now passes.
    browser.stop().await;
    app.stop().await;
}

backend_tests!(
    every_response_carries_the_headers,
    hsts_behind_a_trusted_tls_proxy,
    the_browser_suite_catches_a_csp_violation
);
