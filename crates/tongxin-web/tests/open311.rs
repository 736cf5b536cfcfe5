//! Open311 GeoReport v2 conformance: every endpoint in both formats, field by field against
//! the spec (open311/open311.github.io, GeoReport_v2/index.md), the error cases in the
//! spec's shape, and a request filed through Open311 followed to its closure. On both
//! backends.

mod common;
#[path = "support/open311.rs"]
mod support;

use common::TestApp;
use serde_json::json;
use support::{SPEC, assert_errors, both, get, keys, open311_key, point, post};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;
use tongxin_web::WebConfig;
use tongxin_web::open311::Open311Config;

async fn discovery_services_and_definitions(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let d = both(&app, "/open311/v2/discovery", "").await;
    assert_eq!(keys(&d), ["changeset", "contact", "key_service", "endpoints"]);
    let endpoint = &d["endpoints"][0];
    assert_eq!(keys(endpoint), ["specification", "url", "changeset", "type", "formats"]);
    assert_eq!(endpoint["specification"], SPEC);
    assert_eq!(endpoint["url"], format!("{}/open311/v2", app.base));
    // an untrusted X-Forwarded-Proto does not change the advertised scheme
    let spoofed = app.http.get(app.url("/open311/v2/discovery.json")).header("x-forwarded-proto", "https").send().await;
    let spoofed: serde_json::Value = spoofed.unwrap().json().await.unwrap();
    assert_eq!(spoofed["endpoints"][0]["url"], format!("{}/open311/v2", app.base));
    assert_eq!(endpoint["type"], "production");
    assert_eq!(endpoint["formats"], json!(["text/xml", "application/json"]));
    assert!(d["contact"].as_str().unwrap().contains("静安寺街道"));

    let services = both(&app, "/open311/v2/services", "").await;
    let list = services.as_array().unwrap();
    assert!(list.len() >= 20, "every subclass in use: {}", list.len());
    for s in list {
        assert_eq!(keys(s), ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]);
        assert_eq!(s["type"], "realtime");
        assert!(s["metadata"].is_boolean());
    }
    let noise = list.iter().find(|s| s["service_code"] == "E0502").unwrap();
    assert_eq!((noise["service_name"].as_str(), noise["metadata"].as_bool()), (Some("噪声扰民"), Some(true)));
    assert_eq!(noise["group"], "街面秩序");
    assert_eq!(
        both(&app, "/open311/v2/services", "?jurisdiction_id=").await,
        services,
        "an empty parameter is an absent one"
    );
    assert_eq!(both(&app, "/open311/v2/services", "?jurisdiction_id=310106013").await, services);

    let definition = both(&app, "/open311/v2/services/E0502", "").await;
    assert_eq!(keys(&definition), ["service_code", "attributes"]);
    assert_eq!(definition["service_code"], "E0502");
    let attribute = &definition["attributes"][0];
    assert_eq!(
        keys(attribute),
        ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]
    );
    assert_eq!((attribute["variable"].as_bool(), attribute["required"].as_bool()), (Some(true), Some(true)));
    assert_eq!((attribute["code"].as_str(), attribute["datatype"].as_str()), (Some("source"), Some("singlevaluelist")));
    assert_eq!(attribute["order"], 1);
    assert_eq!(attribute["values"][0], json!({"key": "site", "name": "施工"}));
    let orders: Vec<i64> =
        definition["attributes"].as_array().unwrap().iter().map(|a| a["order"].as_i64().unwrap()).collect();
    assert_eq!(orders, (1..=orders.len() as i64).collect::<Vec<_>>());
    let times = definition["attributes"].as_array().unwrap().iter().find(|a| a["code"] == "times").unwrap();
    assert_eq!((times["datatype"].as_str(), times["required"].as_bool()), (Some("multivaluelist"), Some(false)));
    // the older singular path
    assert_eq!(both(&app, "/open311/v2/service/E0502", "").await, definition);

    // errors: unknown service, jurisdiction and format
    assert_errors(&get(&app, "/open311/v2/services/E0999.json").await, 404, "service_code E0999");
    assert_errors(&get(&app, "/open311/v2/services/E0999.xml").await, 404, "service_code E0999");
    assert_errors(&get(&app, "/open311/v2/services.json?jurisdiction_id=sfgov.org").await, 404, "jurisdiction_id");
    assert_errors(&get(&app, "/open311/v2/services.xml?jurisdiction_id=sfgov.org").await, 404, "jurisdiction_id");
    assert_errors(&get(&app, "/open311/v2/services.html").await, 404, "xml or .json");
    app.stop().await;
}

/// The Done means of the issue: a request filed through Open311 is on the dispatcher's
/// board with its category, place, grid and deadline; its closure reads back as closed with
/// status notes.
async fn a_request_is_filed_followed_and_closed(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let key = open311_key(&app).await;
    let (lat, long) = point(&app).await;
    TestApp::personal("13911112222");
    TestApp::personal("li.ming@example.org");
    let filed = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", &key),
            ("service_code", "E0502"),
            ("lat", &lat),
            ("long", &long),
            ("attribute[source]", "shop"),
            ("attribute[times][]", "evening"),
            ("attribute[times][]", "night"),
            ("description", "楼下烧烤店每晚营业到两点，噪声很大。联系我 13911112222"),
            ("email", "li.ming@example.org"),
            ("first_name", "明"),
            ("last_name", "李"),
            ("phone", "13911112222"),
            ("device_id", "android-1"),
            ("media_url", "https://img.example.org/noise.jpg"),
        ],
    )
    .await;
    assert_eq!(filed.status, 200, "{}", filed.body);
    let created = filed.json();
    let created = created.as_array().unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(keys(&created[0]), ["service_request_id", "service_notice", "account_id"]);
    assert!(created[0]["service_notice"].as_str().unwrap().contains("工作小时"));
    assert!(created[0]["account_id"].is_null());
    let id = created[0]["service_request_id"].as_str().unwrap().to_owned();

    // On the board and in the case API: category, place, grid, deadline, source.
    let dispatcher = app.login("dispatcher").await;
    let (_, board) = dispatcher.text("/cases").await;
    assert!(board.contains(&id), "the board lists {id}");
    let (_, cases) = dispatcher.json("/api/v1/cases?source=open311").await;
    let case = &cases["items"][0];
    assert_eq!((case["number"].as_str(), case["category"].as_str()), (Some(id.as_str()), Some("E0502")));
    assert_eq!(case["grid"], "310106013001001");
    assert!(case["step_due_at"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!(case["attributes"]["source"], "shop");
    assert_eq!(case["attributes"]["times"], json!(["evening", "night"]), "a multivaluelist");

    // Read back, in both formats: open, no identity, the phone in the text masked.
    let request = both(&app, &format!("/open311/v2/requests/{id}"), "").await;
    let r = &request.as_array().unwrap()[0];
    assert_eq!(
        keys(r),
        [
            "service_request_id",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "lat",
            "long",
            "media_url"
        ]
    );
    assert_eq!(
        (r["status"].as_str(), r["service_code"].as_str(), r["service_name"].as_str()),
        (Some("open"), Some("E0502"), Some("噪声扰民"))
    );
    assert!(r["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    // Not yet dispatched: it waits at the subdistrict's operations centre, in both formats.
    assert_eq!(r["agency_responsible"], "静安寺街道城市运行管理中心", "{r}");
    assert_eq!(r["lat"].as_f64().unwrap().to_string(), lat);
    assert_eq!(r["media_url"], "https://img.example.org/noise.jpg");
    assert!(r["description"].as_str().unwrap().contains("139****2222"), "{}", r["description"]);
    let text = request.to_string();
    assert!(!text.contains("13911112222") && !text.contains("li.ming") && !text.contains("李明"), "{text}");

    // Through the loop to closure, by the staff.
    let case_id = case["id"].as_i64().unwrap();
    for (who, action, body) in [
        ("gridworker1", "verify", json!({})),
        ("intake", "register", json!({})),
        ("dispatcher", "dispatch", json!({"department": "cgzd"})),
        ("dept1", "accept", json!({})),
    ] {
        let mut c = app.login(who).await;
        let (status, body) = c.post_json(&format!("/api/v1/cases/{case_id}/actions/{action}"), body).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let handling = both(&app, &format!("/open311/v2/requests/{id}"), "").await;
    assert_eq!(handling[0]["agency_responsible"], "城管执法中队");
    assert!(handling[0]["expected_datetime"].as_str().unwrap().ends_with("+08:00"), "the handling deadline");
    for (who, action, body) in [
        ("dept1", "feedback", json!({"note": "已责令店家夜间十点后停止室外烧烤"})),
        ("gridworker1", "pass", json!({})),
        ("intake", "close", json!({"note": "店家已整改，夜间无噪声"})),
    ] {
        let mut c = app.login(who).await;
        let (status, body) = c.post_json(&format!("/api/v1/cases/{case_id}/actions/{action}"), body).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let closed = both(&app, &format!("/open311/v2/requests/{id}"), "").await;
    assert_eq!(closed[0]["status"], "closed");
    assert_eq!(closed[0]["status_notes"], "已结案：店家已整改，夜间无噪声");
    assert!(closed[0]["expected_datetime"].is_null());

    // extensions=true: the internal status and the timeline
    let extended = both(&app, &format!("/open311/v2/requests/{id}"), "?extensions=true").await;
    assert_eq!(extended[0]["extended_attributes"]["detailed_status"], "closed");
    assert_eq!(extended[0]["extended_attributes"]["channel"], "open311");
    let types: Vec<&str> =
        extended[0]["notes"].as_array().unwrap().iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["report", "verify", "register", "dispatch", "accept", "feedback", "pass", "close"]);
    assert_eq!(keys(&extended[0]["notes"][0]), ["datetime", "description", "type"]);

    // The list: by id (overriding the rest), status, service_code, dates, pages.
    let listed = both(&app, "/open311/v2/requests", &format!("?service_request_id={id}&status=open")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "service_request_id overrides status");
    let open = both(&app, "/open311/v2/requests", "?status=open").await;
    assert!(open.as_array().unwrap().iter().all(|r| r["status"] == "open"));
    let by_code = both(&app, "/open311/v2/requests", "?service_code=E0502,E0101&status=closed").await;
    assert_eq!(by_code.as_array().unwrap().len(), 1);
    let now = chrono::Utc::now();
    let window = format!(
        "?start_date={}&end_date={}",
        (now - chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ"),
        (now + chrono::Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%S%%2B00:00")
    );
    assert_eq!(both(&app, "/open311/v2/requests", &window).await.as_array().unwrap().len(), 1);
    let old = "?start_date=2020-01-01T00:00:00%2B08:00&end_date=2020-02-01T00:00:00%2B08:00";
    assert!(both(&app, "/open311/v2/requests", old).await.as_array().unwrap().is_empty());
    assert!(both(&app, "/open311/v2/requests", "?page=2&page_size=1").await.as_array().unwrap().is_empty());

    for (query, words) in [
        ("?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
        ("?start_date=2026-01-01", "W3C datetime"),
        ("?status=pending", "status"),
        ("?service_code=garbage", "service_code"),
        ("?page_size=5000", "page_size"),
    ] {
        assert_errors(&get(&app, &format!("/open311/v2/requests.json{query}")).await, 400, words);
        assert_errors(&get(&app, &format!("/open311/v2/requests.xml{query}")).await, 400, words);
    }
    assert_errors(&get(&app, "/open311/v2/requests/20990101-00001.json").await, 404, "service_request_id");
    assert_errors(&get(&app, "/open311/v2/requests/20990101-00001.xml").await, 404, "service_request_id");
    app.stop().await;
}

/// A form's fields.
type Form = Vec<(&'static str, String)>;

async fn bad_posts_are_refused_in_the_spec_shape(db: TestDb) {
    let config = WebConfig {
        open311: Open311Config { per_ip_per_minute: 12, ..Open311Config::default() },
        ..WebConfig::default()
    };
    let app =
        TestApp::spawn_with(db, Some(tongxin_demo::DemoOptions { case_months: 0, ..Default::default() }), config).await;
    let key = open311_key(&app).await;
    let (lat, long) = point(&app).await;
    let base = |extra: &[(&'static str, String)]| {
        let mut form: Form = vec![
            ("api_key", key.clone()),
            ("service_code", "E0101".into()),
            ("lat", lat.clone()),
            ("long", long.clone()),
            ("description", "垃圾房门口垃圾满溢".into()),
        ];
        // An empty value stays in the form: it must count as an absent one.
        for (k, v) in extra {
            form.retain(|(name, _)| name != k);
            form.push((k, v.clone()));
        }
        form
    };
    let send = |form: Form, format: &'static str| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(app, &format!("/open311/v2/requests.{format}"), &pairs).await
        }
    };
    let long_text = "长".repeat(4001);
    let cases: Vec<(Form, u16, &str)> = vec![
        (base(&[("api_key", String::new())]), 403, "api_key"),
        (base(&[("api_key", "tx_00000000_guess".into())]), 403, "api_key"),
        (base(&[("service_code", String::new())]), 400, "service_code"),
        (base(&[("service_code", "E0999".into())]), 404, "service_code E0999"),
        (base(&[("lat", String::new()), ("long", String::new())]), 400, "location"),
        (base(&[("long", String::new())]), 400, "lat and long"),
        (base(&[("description", long_text)]), 400, "description"),
        (base(&[("description", "<script>x</script>".into())]), 400, "description"),
        (base(&[("service_code", "E0502".into())]), 400, "attribute[source]"),
        (base(&[("lat", "31.0".into()), ("long", "121.0".into())]), 400, "address_string"),
        (base(&[("jurisdiction_id", "sfgov.org".into())]), 404, "jurisdiction_id"),
    ];
    for (form, status, words) in cases {
        let json = send(form.clone(), "json").await;
        assert_errors(&json, status, words);
    }
    let reader = {
        let caller = tongxin_store::audit::Caller::system("test");
        let scopes = [tongxin_core::access::ApiScope::Read];
        app.db.store.create_api_key(&caller, "wall", &scopes, None).await.unwrap().1
    };
    assert_errors(&send(base(&[("api_key", reader)]), "xml").await, 403, "open311 scope");
    // Nothing was filed by any of them.
    let (_, cases) = app.login("dispatcher").await.json("/api/v1/cases?source=open311").await;
    assert!(cases["items"].as_array().unwrap().is_empty(), "{cases}");

    // A point outside with an address is accepted; then the address's limit is reached.
    let outside = send(
        base(&[("lat", "31.0".into()), ("long", "121.0".into()), ("address_string", "华山路 100 号".into())]),
        "xml",
    )
    .await;
    assert_eq!(outside.status, 200, "{}", outside.body);
    let mut last = None;
    for _ in 0..12 {
        let a = send(base(&[]), "json").await;
        if a.status == 429 {
            last = Some(a);
            break;
        }
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let limited = last.expect("the address's limit is reached");
    assert_errors(&limited, 429, "too many requests");
    assert!(limited.retry_after.as_deref().and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    app.stop().await;
}

/// The batch style: a POST answers with a token, which the token resource turns into the
/// request id. A second jurisdiction makes jurisdiction_id required.
async fn tokens_and_several_jurisdictions(db: TestDb) {
    let config =
        WebConfig { open311: Open311Config { batch: true, ..Open311Config::default() }, ..WebConfig::default() };
    let app =
        TestApp::spawn_with(db, Some(tongxin_demo::DemoOptions { case_months: 0, ..Default::default() }), config).await;
    let key = open311_key(&app).await;
    let (lat, long) = point(&app).await;
    let services = both(&app, "/open311/v2/services", "").await;
    assert!(services.as_array().unwrap().iter().all(|s| s["type"] == "batch"));
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "E0101"),
        ("lat", &lat),
        ("long", &long),
        ("description", "垃圾满溢"),
    ];
    let filed = post(&app, "/open311/v2/requests.xml", &form).await;
    let created = filed.xml();
    let token = created[0]["token"].as_str().unwrap().to_owned();
    assert!(created[0].get("service_request_id").is_none(), "a token, not an id: {}", filed.body);
    let resolved = both(&app, &format!("/open311/v2/tokens/{token}"), "").await;
    assert_eq!(keys(&resolved[0]), ["service_request_id", "token"]);
    let id = resolved[0]["service_request_id"].as_str().unwrap();
    assert_eq!(both(&app, &format!("/open311/v2/requests/{id}"), "").await[0]["service_request_id"], id);
    assert_errors(&get(&app, "/open311/v2/tokens/nope.json").await, 404, "token");

    // A second subdistrict: now every call names its jurisdiction.
    let second = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "310106014", "name": "南京西路街道"}, "geometry": null}]});
    app.db
        .store
        .import_regions(&tongxin_store::audit::Caller::system("test"), &second.to_string(), 1.0, false)
        .await
        .unwrap();
    assert_errors(&get(&app, "/open311/v2/services.json").await, 400, "jurisdiction_id was not provided");
    assert_errors(&get(&app, "/open311/v2/requests.xml").await, 400, "jurisdiction_id was not provided");
    assert_eq!(both(&app, "/open311/v2/services", "?jurisdiction_id=310106013").await, services);
    assert_errors(
        &get(&app, &format!("/open311/v2/requests/{id}.json?jurisdiction_id=310106014")).await,
        404,
        "service_request_id",
    );
    let filed_elsewhere =
        post(&app, "/open311/v2/requests.json", &[&form[..], &[("jurisdiction_id", "310106014")]].concat()).await;
    assert_errors(&filed_elsewhere, 400, "outside jurisdiction 310106014");
    app.stop().await;
}

/// Numbers an operator typed into a case, however they were written, never reach the
/// public feed, the staff API or the board in full.
async fn numbers_typed_into_a_case_are_masked_everywhere(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (lat, lng) = point(&app).await;
    let mut operator = app.login("operator").await;
    let raw = ["13812345678", "139 1234 5678", "+8613987654321", "１３７１２３４５６７８", "310106 19900101 1234"];
    let body = json!({
        "category": "E0502",
        "attributes": {"source": "shop", "times": ["evening"]},
        "address": "常德路27弄10号101室 王阿姨13812345678",
        "description": format!("来电 {}，另一个号码 {}，{}，全角 {}，身份证 {}", raw[0], raw[1], raw[2], raw[3], raw[4]),
        "lat": lat.parse::<f64>().unwrap(),
        "lng": lng.parse::<f64>().unwrap(),
    });
    let (status, case) = operator.post_json("/api/v1/cases", body).await;
    assert_eq!(status, 201, "{case}");
    let number = case["number"].as_str().unwrap().to_owned();
    let digits_of = |s: &str| -> String {
        s.chars()
            .filter_map(|c| c.to_digit(10).or_else(|| ('０'..='９').contains(&c).then(|| c as u32 - '０' as u32)))
            .map(|d| char::from_digit(d, 10).unwrap())
            .collect()
    };
    let leaked = |text: &str| {
        let digits = digits_of(text);
        ["13812345678", "13912345678", "13987654321", "13712345678", "310106199001011234"]
            .into_iter()
            .find(|n| digits.contains(n))
    };
    for path in [
        format!("/open311/v2/requests/{number}.json"),
        format!("/open311/v2/requests/{number}.xml"),
        "/open311/v2/requests.json".into(),
        format!("/open311/v2/requests/{number}.json?extensions=true"),
    ] {
        let text = app.http.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(text.contains(&number), "{path}: {text}");
        assert_eq!(leaked(&text), None, "{path}: {text}");
    }
    let one = get(&app, &format!("/open311/v2/requests/{number}.json")).await.json();
    assert!(one[0]["address"].as_str().unwrap().contains("王阿姨138****5678"), "{}", one[0]["address"]);
    let (_, staff) = operator.json(&format!("/api/v1/cases/{}", case["id"])).await;
    assert_eq!(leaked(&staff.to_string()), None, "{staff}");
    let (_, board) = operator.text("/cases").await;
    assert_eq!(leaked(&board), None);
    let (_, page) = operator.text(&format!("/cases/{}", case["id"])).await;
    assert_eq!(leaked(&page), None);
    app.stop().await;
}

backend_tests!(
    numbers_typed_into_a_case_are_masked_everywhere,
    discovery_services_and_definitions,
    a_request_is_filed_followed_and_closed,
    bad_posts_are_refused_in_the_spec_shape,
    tokens_and_several_jurisdictions,
);
