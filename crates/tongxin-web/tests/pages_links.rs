//! No dead ends in the links a role is shown: for every demo role and a resident, the
//! start page (`/`, where the logo leads) opens, and so does every link of the main
//! navigation and the link back from an error page. On both backends.

mod common;

use common::{Client, TestApp};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

const ROLES: [&str; 10] = [
    "admin",
    "intake",
    "dispatcher",
    "shiftlead",
    "operator",
    "viewer",
    "auditor",
    "gridworker1",
    "gridworker2",
    "dept1",
];

/// Follows `/`'s redirect; the page it lands on and its HTML.
async fn start_page(client: &Client<'_>) -> (String, String) {
    let r = client.get("/").await;
    assert_eq!(r.status(), 303, "/ sends every signed-in caller somewhere");
    let target = r.headers()["location"].to_str().unwrap().to_owned();
    let (status, html) = client.text(&target).await;
    assert_eq!(status, 200, "the start page {target} opens");
    (target, html)
}

/// The links of the page's main navigation.
fn nav_links(html: &str) -> Vec<String> {
    let nav = html.split("<nav").nth(1).and_then(|rest| rest.split("</nav>").next()).unwrap_or_default();
    nav.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("/lang/"))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

async fn every_role_reaches_what_it_is_shown(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut callers = Vec::new();
    for role in ROLES {
        callers.push((role.to_owned(), app.login(role).await));
    }
    let phone = tongxin_demo::access::RESIDENTS[0].0;
    callers.push(("resident".to_owned(), app.resident_login(phone).await));
    for (who, client) in &callers {
        let (start, html) = start_page(client).await;
        assert!(html.contains("class=\"brand\" href=\"/\""), "{who}: the logo leads to the start page");
        let links = nav_links(&html);
        assert!(!links.is_empty(), "{who} has a navigation");
        for link in links {
            let status = client.get(&link).await.status().as_u16();
            assert!(status == 200 || status == 303, "{who} is shown {link} on {start}, which answers {status}");
        }
        // A refused page links back to the start page, which opens.
        let (status, refused) = client.text("/audit").await;
        if status == 403 {
            assert!(refused.contains("id=\"back-home\""), "{who}: {refused}");
            assert!(!refused.contains("href=\"/map\"") || client.get("/map").await.status() == 200, "{who}");
        }
    }
    app.stop().await;
}

backend_tests!(every_role_reaches_what_it_is_shown);
