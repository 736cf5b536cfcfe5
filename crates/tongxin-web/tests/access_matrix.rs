//! The access matrix: every role (and a resident, an API key, nobody) × every resource kind
//! × in and out of the caller's regions, on both backends. A missing permission is a 403,
//! an object outside the caller's regions a 404, and every refusal of a signed-in caller is
//! in the audit log.

mod common;
#[path = "support/access_fixtures.rs"]
mod fixtures;

use common::{Client, TestApp};
use fixtures::{Fixtures, GRID_IN, REGION_OUT, code, fixtures};
use serde_json::{Value, json};
use tongxin_core::access::{ApiScope, Permission};
use tongxin_store::audit::{AuditFilter, Caller};
use tongxin_store::backend_tests;
use tongxin_store::testing::TestDb;

/// One request: what it needs, and whether it names something inside the caller's regions.
struct Probe {
    name: &'static str,
    needs: &'static [Permission],
    /// Another set of permissions that is enough on its own (empty: none).
    or_needs: &'static [Permission],
    /// What the object itself needs, checked after its region (an account: every permission
    /// it holds): a 403 inside the caller's regions, the 404 outside.
    then_needs: &'static [Permission],
    /// `None`: the request has no region (lists of everything the caller may see).
    in_scope: Option<bool>,
    method: &'static str,
    path: String,
    body: Value,
    /// Status when allowed.
    ok: u16,
    /// Whether an out-of-scope refusal is audited (locate answers like "no region").
    audits_scope: bool,
    /// What a resident signed in with their phone gets, and whether it is audited: a 403
    /// for staff resources; a booking of someone they may not book for is the 404 of no one.
    resident: (u16, bool),
}

fn probes(f: &Fixtures) -> Vec<Probe> {
    use Permission::*;
    let p = |name, needs, in_scope, method, path: String, body, ok| Probe {
        name,
        needs,
        or_needs: &[],
        then_needs: &[],
        in_scope,
        method,
        path,
        body,
        ok,
        audits_scope: true,
        resident: (403, true),
    };
    let mut list = Vec::new();
    for (inside, region, shed, ebike) in
        [(true, GRID_IN, f.shed_in, f.ebike_in), (false, REGION_OUT, f.shed_out, f.ebike_out)]
    {
        list.push(p(
            "registry shed",
            &[ResidentsRead],
            Some(inside),
            "GET",
            format!("/api/v1/sheds/{shed}"),
            Value::Null,
            200,
        ));
        list.push(p(
            "registry e-bike",
            &[ResidentsRead],
            Some(inside),
            "GET",
            format!("/api/v1/ebikes/{ebike}"),
            Value::Null,
            200,
        ));
        // A leader's figures (stats.read) are enough: the counts without the rows per building.
        list.push(Probe {
            or_needs: &[StatsRead],
            ..p(
                "e-bike safety view of a region",
                &[ResidentsRead],
                Some(inside),
                "GET",
                format!("/api/v1/registry/ebike-safety?year=2020&region={region}"),
                Value::Null,
                200,
            )
        });
        list.push(p(
            "shed inspection",
            &[ShedsCheck],
            Some(inside),
            "POST",
            format!("/api/v1/sheds/{shed}/checks"),
            json!({"checked_on": "2020-06-01", "ok": true}),
            201,
        ));
    }
    for (inside, region, building, account, user, household, resident) in [
        (true, GRID_IN, f.building_in, f.account_in, f.user_in, f.household_in, f.resident_in),
        (false, REGION_OUT, f.building_out, f.account_out, f.user_out, f.household_out, f.resident_out),
    ] {
        list.push(p(
            "registry resident",
            &[ResidentsRead],
            Some(inside),
            "GET",
            format!("/api/v1/residents/{resident}"),
            Value::Null,
            200,
        ));
        list.push(p(
            "registry household",
            &[ResidentsRead],
            Some(inside),
            "GET",
            format!("/api/v1/households/{household}"),
            Value::Null,
            200,
        ));
        list.push(p(
            "registry search in a region",
            &[ResidentsRead],
            Some(inside),
            "GET",
            format!("/api/v1/residents?region={region}"),
            Value::Null,
            200,
        ));
        list.push(p("region", &[GeoRead], Some(inside), "GET", format!("/api/v1/regions/{region}"), Value::Null, 200));
        list.push(p(
            "region children",
            &[GeoRead],
            Some(inside),
            "GET",
            format!("/api/v1/regions/{region}/children"),
            Value::Null,
            200,
        ));
        list.push(p(
            "region list filter",
            &[GeoRead],
            Some(inside),
            "GET",
            format!("/api/v1/regions?within={region}"),
            Value::Null,
            200,
        ));
        list.push(p(
            "buildings of a region",
            &[GeoRead],
            Some(inside),
            "GET",
            format!("/api/v1/regions/{region}/buildings"),
            Value::Null,
            200,
        ));
        list.push(p(
            "building",
            &[GeoRead],
            Some(inside),
            "GET",
            format!("/api/v1/buildings/{building}"),
            Value::Null,
            200,
        ));
        list.push(p(
            "resident account",
            &[ResidentsRead],
            Some(inside),
            "GET",
            format!("/api/v1/resident-accounts/{account}"),
            Value::Null,
            200,
        ));
        list.push(p(
            "reveal",
            &[PiiReveal, ResidentsRead],
            Some(inside),
            "POST",
            format!("/api/v1/resident-accounts/{account}/reveal"),
            json!({"field": "phone", "purpose": "回访"}),
            200,
        ));
        // Auditors manage accounts too (the auditors'), so an account outside their regions
        // is a 404 to them, and a viewer's inside a 403.
        list.push(Probe {
            or_needs: &[AuditRead],
            then_needs: &[UsersManage, GeoRead, CasesRead],
            ..p(
                "disable a user",
                &[UsersManage],
                Some(inside),
                "POST",
                format!("/api/v1/users/{user}/disable"),
                Value::Null,
                204,
            )
        });
    }
    let (lat_in, lng_in) = (f.point_in.lat(), f.point_in.lng());
    let mut locate_in = p(
        "locate",
        &[GeoRead],
        Some(true),
        "GET",
        format!("/api/v1/locate?lat={lat_in}&lng={lng_in}"),
        Value::Null,
        200,
    );
    locate_in.audits_scope = false;
    list.push(locate_in);
    let mut locate_out =
        p("locate", &[GeoRead], Some(false), "GET", "/api/v1/locate?lat=31.205&lng=121.502".into(), Value::Null, 200);
    locate_out.audits_scope = false;
    list.push(locate_out);
    list.push(p("region list", &[GeoRead], None, "GET", "/api/v1/regions?level=grid".into(), Value::Null, 200));
    list.push(p(
        "resident account search",
        &[ResidentsRead],
        None,
        "GET",
        "/api/v1/resident-accounts?phone=13700001111".into(),
        Value::Null,
        200,
    ));
    list.push(p(
        "masked export",
        &[ResidentsRead],
        None,
        "GET",
        "/api/v1/resident-accounts.csv".into(),
        Value::Null,
        200,
    ));
    list.push(p(
        "full export",
        &[ResidentsRead, PiiExport],
        None,
        "GET",
        "/api/v1/resident-accounts.csv?full=true".into(),
        Value::Null,
        200,
    ));
    for (inside, resident) in [(true, f.resident_in), (false, f.resident_out)] {
        list.push(Probe {
            resident: (404, false),
            ..p(
                "a resident's bookings",
                &[BookingBook],
                Some(inside),
                "GET",
                format!("/api/v1/booking/bookings?resident_id={resident}"),
                Value::Null,
                200,
            )
        });
    }
    list.push(Probe {
        resident: (200, false),
        ..p("the service catalogue", &[], None, "GET", "/api/v1/booking/catalog".into(), Value::Null, 200)
    });
    // Auditors manage the auditors' accounts (三员分立), so they reach the list too.
    list.push(Probe {
        or_needs: &[AuditRead],
        ..p("users", &[UsersManage], None, "GET", "/api/v1/users".into(), Value::Null, 200)
    });
    // An auditor's account: nobody but an auditor may act on it, not even the administrator.
    list.push(Probe {
        or_needs: &[AuditRead],
        then_needs: &[AuditRead],
        ..p(
            "disable an auditor",
            &[UsersManage],
            Some(true),
            "POST",
            format!("/api/v1/users/{}/disable", f.auditor_in),
            Value::Null,
            204,
        )
    });
    list.push(p("api keys", &[ApiKeysManage], None, "GET", "/api/v1/apikeys".into(), Value::Null, 200));
    list.push(p("audit log", &[AuditRead], None, "GET", "/api/v1/audit".into(), Value::Null, 200));
    list
}

async fn send(client: &mut Client<'_>, probe: &Probe) -> u16 {
    match probe.method {
        "GET" => client.get(&probe.path).await.status().as_u16(),
        _ => client.post_json(&probe.path, probe.body.clone()).await.0,
    }
}

async fn denials(app: &TestApp) -> i64 {
    let count = |action: &'static str| async move {
        app.db
            .store
            .audit_entries(&AuditFilter { action: Some(action.into()), limit: 1, ..Default::default() })
            .await
            .unwrap()
            .1
    };
    count("access.denied").await + count("access.out_of_scope").await
}

/// What a caller holding `permissions` over `scope_covers_in` should get.
fn expected(probe: &Probe, can: &dyn Fn(Permission) -> bool, covers_out: bool) -> (u16, bool) {
    let alternative = !probe.or_needs.is_empty() && probe.or_needs.iter().all(|p| can(*p));
    if !probe.needs.iter().all(|p| can(*p)) && !alternative {
        return (403, true);
    }
    match probe.in_scope {
        Some(false) if !covers_out => (404, probe.audits_scope),
        _ if !probe.then_needs.iter().all(|p| can(*p)) => (403, true),
        _ => (probe.ok, false),
    }
}

async fn every_role_gets_what_its_permissions_and_regions_allow(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let f = fixtures(&app).await;
    let probes = probes(&f);
    let mut expected_denials = denials(&app).await;
    let mut failures = Vec::new();

    let staff = [
        "admin",
        "intake",
        "dispatcher",
        "shiftlead",
        "gridworker1",
        "dept1",
        "operator",
        "kiosk1",
        "viewer",
        "auditor",
    ];
    for username in staff {
        let mut client = app.login(username).await;
        let user = app.db.store.user_by_username(username).await.unwrap().unwrap();
        let actor = user.actor();
        for probe in &probes {
            let (want, audited) = expected(probe, &|p| actor.can(p), false);
            let got = send(&mut client, probe).await;
            if got != want {
                failures.push(format!(
                    "{username} {} {} ({:?}): got {got}, want {want}",
                    probe.method, probe.name, probe.in_scope
                ));
            }
            expected_denials += i64::from(audited);
        }
    }

    // A resident holds no staff permission.
    let mut resident = resident_session(&app).await;
    for probe in &probes {
        let got = send(&mut resident, probe).await;
        let (want, audited) = probe.resident;
        if got != want {
            failures.push(format!("resident {} {}: got {got}, want {want}", probe.method, probe.name));
        }
        expected_denials += i64::from(audited);
    }

    // An API key with the read scope, bound to the demo subdistrict.
    let (_, secret) = app
        .db
        .store
        .create_api_key(&Caller::system("test"), "wall", &[ApiScope::Read], Some(&[code("310106013")]))
        .await
        .unwrap();
    let mut key = Client::with_key(&app, &secret);
    for probe in &probes {
        let (want, audited) = expected(probe, &|p| p == Permission::GeoRead, false);
        let got = send(&mut key, probe).await;
        if got != want {
            failures.push(format!(
                "read key {} {} ({:?}): got {got}, want {want}",
                probe.method, probe.name, probe.in_scope
            ));
        }
        expected_denials += i64::from(audited);
    }

    // Nobody signed in.
    let mut nobody = app.anonymous();
    for probe in &probes {
        let got = send(&mut nobody, probe).await;
        if got != 401 && !(probe.method == "POST" && got == 403) {
            failures.push(format!("anonymous {} {}: got {got}, want 401", probe.method, probe.name));
        }
    }

    assert!(failures.is_empty(), "{} cells of the matrix are wrong:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(denials(&app).await, expected_denials, "every refusal of a signed-in caller is audited");
    app.stop().await;
}

/// A resident signed in with a code from the development inbox.
async fn resident_session(app: &TestApp) -> Client<'_> {
    let mut client = app.anonymous();
    let phone = tongxin_demo::access::RESIDENTS[0].0;
    let (status, _) = client.post_json("/api/v1/auth/otp", json!({"phone": phone})).await;
    assert_eq!(status, 202);
    let sms = app.db.store.sent_sms(1).await.unwrap();
    let code: String = sms[0].body.chars().filter(char::is_ascii_digit).take(6).collect();
    let (status, body) = client.post_json("/api/v1/auth/resident-login", json!({"phone": phone, "code": code})).await;
    assert_eq!(status, 200, "{body}");
    client.csrf = body["csrf_token"].as_str().map(str::to_owned);
    client
}

/// The grid worker of 景华 sees their own grid and not their neighbour's, by id, through
/// list filters, search and the map.
async fn a_grid_worker_sees_only_their_grid(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let worker = app.login("gridworker1").await;
    let neighbour = "310106013002002"; // gridworker2's grid, in 美丽园
    let (status, grids) = worker.json("/api/v1/regions?level=grid").await;
    assert_eq!(status, 200);
    assert_eq!(grids["total"], 1);
    assert_eq!(grids["items"][0]["code"], GRID_IN);
    assert_eq!(worker.json(&format!("/api/v1/regions/{neighbour}")).await.0, 404);
    assert_eq!(worker.json(&format!("/api/v1/regions?parent={}", &neighbour[..12])).await.0, 404);
    assert_eq!(worker.json(&format!("/api/v1/regions/{neighbour}/buildings")).await.0, 404);
    let (_, collection) = worker.json("/api/v1/regions.geojson?level=block").await;
    assert_eq!(collection["features"].as_array().unwrap().len(), 2, "only the two building groups of the grid");

    let (_, accounts) = worker.json("/api/v1/resident-accounts").await;
    let seen: Vec<_> =
        accounts["items"].as_array().unwrap().iter().map(|a| a["region_code"].as_str().unwrap().to_owned()).collect();
    assert!(!seen.is_empty() && seen.iter().all(|r| r == GRID_IN), "{seen:?}");
    let neighbour_phone = tongxin_demo::access::RESIDENTS[3].0; // lives in 美丽园
    let (_, found) = worker.json(&format!("/api/v1/resident-accounts?phone={neighbour_phone}")).await;
    assert_eq!(found["total"], 0, "search stays in the caller's regions");
    let csv = worker.get("/api/v1/resident-accounts.csv").await.text().await.unwrap();
    assert!(!csv.contains(&neighbour_phone[7..]) && csv.lines().count() == 1 + seen.len(), "{csv}");

    let (_, map) = worker.text("/map").await;
    assert_eq!(map.matches("class=\"grid c").count(), 1, "one grid on the map");
    assert_eq!(worker.text(&format!("/regions/{neighbour}")).await.0, 404);
    app.stop().await;
}

backend_tests!(every_role_gets_what_its_permissions_and_regions_allow, a_grid_worker_sees_only_their_grid);
