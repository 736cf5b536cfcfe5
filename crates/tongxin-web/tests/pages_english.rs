//! English mode is complete: in English (`tongxin_lang=en`), every page every demo role
//! reaches shows no Chinese but what the data holds. On both backends.
//!
//! The walk starts from each role's menu and follows every link of every page it opens,
//! as a person clicking around would: one page per *shape* of address (digits and query
//! values aside, so `/cases/12` stands for every case), GET only, on this site. Pages no
//! link reaches are listed in [`EXTRA`]. New pages are walked as soon as a menu or a page
//! links to them; a page that needs a form's answer goes into [`EXTRA`].
//!
//! What is data: [`tongxin_store::testing::data_text`] lists the columns of names,
//! addresses and free text (region, building, resident, category, service and site names,
//! case descriptions …); their values are removed from the page first. A name a page
//! shortens from the data (the map's "景华" for 景华居民区) sits in an element marked
//! `translate="no"` (the HTML attribute for text not to translate), which is skipped.
//! What the English catalog itself holds in Chinese (the language switch "中文", the
//! 12345 file's column names) is allowed. Whatever Chinese is left came from a template
//! or the code: the test names the page, the role and the text, for every page at once.

mod common;

use std::collections::{BTreeSet, HashMap, VecDeque};

use common::{Client, TestApp};
use tongxin_demo::{DemoOptions, Quiet};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_store::testing::data_text::{data_texts, is_han};

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

/// Pages no link reaches, as (who, path): a form's answer, a filter. `{phone}` is the
/// phone of a resident the test registers, with a booking today; `{site}` the demo
/// kiosk's site; `{today}` today. `who` is a role, "resident" or "anyone".
const EXTRA: &[(&str, &str)] = &[
    ("operator", "/booking/console?phone={phone}"),
    ("shiftlead", "/booking/console?phone={phone}"),
    ("admin", "/booking/day?site={site}&date={today}"),
    ("admin", "/booking/stats?from=2020-01-01&to=2020-12-31"),
    ("intake", "/cases/search?status=open"),
    ("anyone", "/login"),
    ("anyone", "/resident/login"),
    ("anyone", "/services"),
];

/// How many pages a role's walk opens at most (a loop guard; the demo needs far fewer).
const MOST_PAGES: usize = 400;

/// What the walk found wrong: (who, page, Chinese left on it).
type Findings = Vec<(String, String, Vec<String>)>;

/// The Chinese that may stay: every run of Chinese in the English catalog's messages.
fn allowed_runs() -> BTreeSet<String> {
    han_runs(include_str!("../../tongxin-app/locales/en.toml")).into_iter().collect()
}

/// The maximal runs of Chinese characters in `text`.
fn han_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if is_han(c) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// The text a reader sees on a page, and reads out: the text between tags, and the
/// `title`, `placeholder`, `aria-label`, `alt` and button `value` attributes. Scripts and
/// styles are not text.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let tag_end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..tag_end];
        for attribute in ["title", "placeholder", "aria-label", "alt"] {
            if let Some(value) = attribute_value(tag, attribute) {
                out.push_str(&value);
                out.push(' ');
            }
        }
        let button = tag.contains("type=\"submit\"") || tag.contains("type=\"button\"");
        if tag.starts_with("<input")
            && button
            && let Some(value) = attribute_value(tag, "value")
        {
            out.push_str(&value);
        }
        rest = &rest[tag_end..];
        // Scripts and styles are not text; an element marked translate="no" holds a name
        // shortened from the data (a map's labels).
        let name: String = tag[1..].chars().take_while(char::is_ascii_alphanumeric).collect();
        if !name.is_empty() && (name == "script" || name == "style" || tag.contains(" translate=\"no\"")) {
            let close = format!("</{name}");
            rest = rest.find(&close).map_or("", |e| &rest[e..]);
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
}

fn attribute_value(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next().map(str::to_owned)
}

/// Removes the data's strings from `text`: the longest match at each place first.
struct DataText {
    by_first: HashMap<char, Vec<String>>,
}

impl DataText {
    fn new(texts: Vec<String>) -> Self {
        let mut by_first: HashMap<char, Vec<String>> = HashMap::new();
        for t in texts {
            if let Some(c) = t.chars().next() {
                by_first.entry(c).or_default().push(t);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|t| std::cmp::Reverse(t.len()));
        }
        Self { by_first }
    }

    fn remove_from(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            let c = text[i..].chars().next().unwrap();
            let found = self.by_first.get(&c).and_then(|list| list.iter().find(|t| text[i..].starts_with(t.as_str())));
            match found {
                Some(t) => {
                    out.push(' ');
                    i += t.len();
                }
                None => {
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
        out
    }
}

/// The Chinese left on a page once the data is removed: each word holding some, once,
/// after the word before it.
fn untranslated(html: &str, data: &DataText, allowed: &BTreeSet<String>) -> Vec<String> {
    let text = data.remove_from(&visible_text(html));
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if han_runs(word).iter().any(|run| !allowed.contains(run)) && seen.insert(*word) {
            let before = if i > 0 { words[i - 1] } else { "" };
            found.push(format!("{before} {word}").chars().take(120).collect());
        }
    }
    found
}

/// Same-site pages a page links to (GET), without the language switch, sign-out, the
/// JSON API, files and static assets.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .filter(|href| !["/lang/", "/api/", "/static/", "/open311/", "/metrics"].iter().any(|p| href.starts_with(p)))
        .map(|href| href.split('#').next().unwrap_or_default().to_owned())
        .filter(|href| !href.is_empty())
        .collect()
}

/// The shape of an address: digits stand for any number, query values for any value.
fn shape(path: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut keys: Vec<&str> = query.split('&').filter_map(|p| p.split('=').next()).filter(|k| !k.is_empty()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut shaped = String::new();
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                shaped.push('#');
            }
            in_digits = true;
        } else {
            shaped.push(c);
            in_digits = false;
        }
    }
    format!("{shaped}?{}", keys.join("&"))
}

/// Walks from `start`, one page per shape, and records the Chinese left on each page.
async fn walk(who: &str, client: &Client<'_>, start: Vec<String>, check: &Check<'_>, findings: &mut Findings) {
    let mut queue: VecDeque<String> = start.into();
    let mut seen = BTreeSet::new();
    let mut opened = 0;
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(shape(&path)) {
            continue;
        }
        opened += 1;
        assert!(opened <= MOST_PAGES, "{who}: more than {MOST_PAGES} kinds of page; is a link looping?");
        let response = client.get(&path).await;
        if response.status().is_redirection() {
            let target = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
            queue.extend(links(&format!("href=\"{target}\"")));
            continue;
        }
        let html_page = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if !response.status().is_success() || !html_page {
            continue;
        }
        let html = response.text().await.unwrap();
        check.page(who, &path, &html, findings);
        pages += 1;
        queue.extend(links(&html));
    }
    eprintln!("{who}: {pages} pages read in English");
}

struct Check<'a> {
    data: &'a DataText,
    allowed: &'a BTreeSet<String>,
}

impl Check<'_> {
    fn page(&self, who: &str, path: &str, html: &str, findings: &mut Findings) {
        assert!(html.contains("<html lang=\"en\""), "{who}: {path} is not in English mode");
        let left = untranslated(html, self.data, self.allowed);
        if !left.is_empty() {
            findings.push((who.to_owned(), path.to_owned(), left));
        }
    }
}

/// The demo with its registry (a small one), service door and two months of cases.
async fn demo(db: TestDb) -> (TestApp, tongxin_demo::booking::BookingSummary) {
    let options = DemoOptions { case_months: 2, households: 300, ..Default::default() };
    let app = TestApp::spawn_with(db, Some(options), tongxin_web::WebConfig::default()).await;
    tongxin_demo::seed_registry_if_empty(&app.db.store, &app.app.pii, &options, &Quiet).await.expect("the registry");
    let booking = tongxin_demo::seed_booking_if_empty(&app.db.store, &app.app.pii, &options).await.expect("booking");
    (app, booking.expect("the service door"))
}

/// A resident with a phone, for the operator's console.
async fn caller_with_phone(app: &TestApp) -> &'static str {
    const PHONE: &str = "13901234567";
    TestApp::personal(PHONE);
    let all = tongxin_store::registry::RegistryScope { all: true, ..Default::default() };
    let filter = tongxin_store::registry::HouseholdFilter { limit: 1, ..Default::default() };
    let household = app.db.store.households(&all, &filter).await.unwrap().remove(0);
    let mut lead = app.login("shiftlead").await;
    let body = serde_json::json!({ "household_id": household.id, "name": "钱桂英", "id_number": "310106194203150020",
        "phone": PHONE, "role": "其他" });
    TestApp::personal("310106194203150020");
    let (status, created) = lead.post_json("/api/v1/residents", body).await;
    assert_eq!(status, 201, "{created}");
    // booked through the operator today, so that the console lists a booking
    let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now());
    let from = tongxin_core::booking::timetable::at(today, chrono::NaiveTime::MIN);
    let filter = tongxin_store::booking::slots::SlotFilter { from: Some(from), limit: 1, ..Default::default() };
    let slot = app.db.store.slots(&filter).await.unwrap().remove(0);
    let past = tongxin_store::booking::past::PastBooking {
        slot_id: slot.id,
        resident_id: created["id"].as_i64().unwrap(),
        channel: tongxin_core::booking::Channel::Operator,
        status: tongxin_core::booking::BookingStatus::Confirmed,
    };
    let system = tongxin_store::audit::Caller::system("test");
    assert_eq!(app.db.store.record_past_bookings(&system, &[past]).await.unwrap(), 1);
    PHONE
}

fn report(findings: &Findings) -> String {
    findings
        .iter()
        .map(|(who, path, left)| {
            format!("  {path} (as {who}):\n{}", left.iter().map(|t| format!("    «{t}»\n")).collect::<String>())
        })
        .collect()
}

async fn every_page_is_english(db: TestDb) {
    let (app, booking) = demo(db).await;
    let phone = caller_with_phone(&app).await;
    let data = DataText::new(data_texts(&app.db.store).await.unwrap());
    let allowed = allowed_runs();
    let check = Check { data: &data, allowed: &allowed };
    let mut findings = Findings::new();

    let site = booking.kiosk.clone().expect("the demo's kiosk").0;
    let today = tongxin_store::booking::shanghai_day(tongxin_core::time::Timestamp::now()).to_string();
    let mut callers = Vec::new();
    for role in ROLES {
        callers.push((role.to_owned(), app.login(role).await));
    }
    callers.push(("resident".to_owned(), app.resident_login(tongxin_demo::access::RESIDENTS[0].0).await));
    callers.push(("anyone".to_owned(), app.anonymous()));
    for (who, client) in &mut callers {
        client.lang = Some("en");
        let mut start = vec!["/".to_owned()];
        let extra = EXTRA.iter().filter(|(w, _)| w == who);
        start.extend(
            extra.map(|(_, p)| p.replace("{phone}", phone).replace("{site}", &site).replace("{today}", &today)),
        );
        walk(who, client, start, &check, &mut findings).await;
    }

    // the kiosk: enrolled, and with an elder signed in
    let (site, secret) = booking.kiosk.clone().expect("the demo's kiosk");
    let kiosk = format!("/kiosk/{site}");
    let elder = &booking.kiosk_residents[0].2;
    let en = |cookies: &str| format!("tongxin_lang=en; {cookies}");
    let get = |cookies: String| app.http.get(app.url(&kiosk)).header("cookie", cookies).send();
    check.page("kiosk", &kiosk, &get(en("")).await.unwrap().text().await.unwrap(), &mut findings);
    let device = format!("tongxin_kiosk={secret}");
    check.page("kiosk", &kiosk, &get(en(&device)).await.unwrap().text().await.unwrap(), &mut findings);
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("id_number", elder.as_str()), ("pin", tongxin_demo::booking::KIOSK_PIN)])
        .finish();
    TestApp::personal(elder);
    let signed = app
        .http
        .post(app.url(&format!("{kiosk}/sign-in")))
        .header("cookie", en(&device))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    let session = signed.headers().get_all("set-cookie").iter().find_map(|c| {
        let rest = c.to_str().ok()?.strip_prefix("tongxin_kiosk_session=")?;
        Some(rest.split(';').next().unwrap_or("").to_owned())
    });
    let session = session.expect("the elder signs in at the kiosk");
    let html = get(en(&format!("{device}; tongxin_kiosk_session={session}"))).await.unwrap().text().await.unwrap();
    assert!(html.contains("sign-out"), "signed in at the kiosk");
    check.page("kiosk (signed in)", &kiosk, &html, &mut findings);

    assert!(findings.is_empty(), "Chinese left on {} pages in English:\n{}", findings.len(), report(&findings));
    app.stop().await;
}

backend_tests!(every_page_is_english);

#[test]
fn the_walk_tells_data_from_labels() {
    let data = DataText::new(vec!["静安寺街道".into(), "王秀英".into()]);
    let allowed: BTreeSet<String> = ["中文".to_owned()].into();
    let html = "<html><title>Cases</title><script>var x = '脚本';</script><p title=\"提示\">王秀英 lives in 静安寺街道</p>\
        <a id=\"lang-switch\">中文</a><text translate=\"no\">景华</text><input type=\"submit\" value=\"提交\"></html>";
    let left = untranslated(html, &data, &allowed);
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(left[0], "Cases 提示", "{left:?}");
    assert!(left[0].contains("提示") && left[1].contains("提交"), "{left:?}");
    assert_eq!(shape("/cases/12?status=open&q=x"), shape("/cases/7?q=&status=closed"));
    assert_ne!(shape("/registry/households"), shape("/registry/households?building=3"));
    assert_eq!(links("<a href=\"/lang/en?next=/\">x</a><a href=\"/cases/3#top\">y</a>"), ["/cases/3"]);
}
