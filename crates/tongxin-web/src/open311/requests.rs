//! Service requests: filing one (through the same intake as every channel), reading them
//! back, and the token of the batch style.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};
use tongxin_app::cases::intake::{ReportRequest, prepare};
use tongxin_core::access::ApiScope;
use tongxin_core::access::token::random_hex;
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::time::Timestamp;
use tongxin_store::audit::{AuditEntry, Caller, Outcome};
use tongxin_store::cases::{CaseFilter, CaseRecord};

use super::services::notice;
use super::view::View;
use super::{Node, Problem, jurisdiction};
use crate::auth::Who;
use crate::params::Params;
use crate::{ApiError, App};

/// The longest window a list may ask for, and the default one.
const MAX_DAYS: i64 = 90;
/// The most requests one answer holds (the spec's default).
const MAX_RESULTS: i64 = 1000;

/// The key a POST carries, checked: it exists, is live and has the `open311` scope.
async fn key_holder(app: &App, ip: &str, params: &Params) -> Result<(Who, String), Problem> {
    let forbidden = |text: &str| Problem::new(StatusCode::FORBIDDEN, text);
    let Some(secret) = params.get("api_key") else {
        return Err(forbidden("api_key was not provided: filing a request needs an API key"));
    };
    let Some(key) = app.store.authenticate_api_key(secret, Timestamp::now().millis()).await? else {
        let caller = Caller::new(tongxin_core::access::Actor::system("unknown api key"), ip);
        let entry = AuditEntry::ok("auth.api_key", "api_key", "open311").with_outcome(Outcome::Failed);
        app.store.audit(&caller, entry).await?;
        return Err(forbidden("invalid api_key: it is unknown or revoked"));
    };
    if !key.scopes.contains(&ApiScope::Open311) {
        return Err(forbidden("this api_key lacks the open311 scope"));
    }
    let who = Who { actor: key.actor(), display_name: key.name.clone(), ip: ip.into(), session: None, unread: None };
    Ok((who, key.prefix))
}

/// `attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2`.
fn attributes(params: &Params) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (name, value) in params.pairs() {
        let Some(rest) = name.strip_prefix("attribute[") else { continue };
        if let Some(code) = rest.strip_suffix("][]") {
            let entry = out.entry(code.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(Value::from(value));
            }
        } else if let Some(code) = rest.strip_suffix(']') {
            out.insert(code.to_owned(), Value::from(value));
        }
    }
    out
}

fn number(params: &Params, name: &str) -> Result<Option<f64>, Problem> {
    params
        .get(name)
        .map(|raw| {
            raw.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| Problem::bad(format!("{name} must be a number (WGS-84 degrees), not '{raw}'")))
        })
        .transpose()
}

fn short(params: &Params, name: &str, max: usize) -> Result<Option<String>, Problem> {
    match params.get(name).map(str::trim) {
        Some(v) if v.chars().count() > max => Err(Problem::bad(format!("{name} has at most {max} characters"))),
        other => Ok(other.map(str::to_owned)),
    }
}

/// `POST /requests.{fmt}`: files a case through the intake, source `open311`.
pub async fn create(app: &App, ip: &str, params: &Params) -> Result<Node, Problem> {
    let place = jurisdiction(app, params).await?;
    let (who, key) = key_holder(app, ip, params).await?;
    if let Err(wait) = app.open311_limits.check(ip, &key) {
        let seconds = wait.as_secs() + 1;
        return Err(Problem {
            status: StatusCode::TOO_MANY_REQUESTS,
            description: format!("too many requests: try again in {seconds} s"),
            retry_after: Some(seconds),
        });
    }
    let code = params.get("service_code").ok_or_else(|| Problem::bad("service_code was not provided"))?;
    let category = CategoryCode::parse(code)
        .ok()
        .filter(|c| !c.is_class())
        .ok_or_else(|| Problem::not_found(format!("service_code {code} was not found")))?;
    let Some(service) = app.store.category(&category).await?.filter(|c| c.active) else {
        return Err(Problem::not_found(format!("service_code {code} was not found")));
    };

    let (mut lat, mut lng) = match (number(params, "lat")?, number(params, "long")?) {
        (Some(lat), Some(lng)) => (Some(lat), Some(lng)),
        (None, None) => (None, None),
        _ => return Err(Problem::bad("lat and long go together: send both, or neither")),
    };
    let mut address = short(params, "address_string", 200)?;
    let building_id = match params.get("address_id") {
        None => None,
        Some(raw) => {
            let building = match raw.trim().parse::<i64>() {
                Ok(id) => app.store.building(id).await?,
                Err(_) => None,
            };
            let building = building.ok_or_else(|| Problem::bad(format!("address_id {raw} is not a known address")))?;
            if lat.is_none() {
                (lat, lng) = (Some(building.fields.location.lat()), Some(building.fields.location.lng()));
            }
            address.get_or_insert(building.fields.address.clone());
            Some(building.id)
        }
    };
    if lat.is_none() && address.as_deref().is_none_or(str::is_empty) {
        return Err(Problem::bad("a location is required: lat and long, address_string or address_id"));
    }
    let description = params.get("description").map_or_else(|| service.name.clone(), str::to_owned);
    let name = [params.get("last_name"), params.get("first_name")].into_iter().flatten().collect::<Vec<_>>().join("");
    let email = short(params, "email", 254)?;
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(Problem::bad("email must be an e-mail address"));
    }
    let device_id = short(params, "device_id", 100)?;
    let account_id = short(params, "account_id", 100)?;
    let media_url = short(params, "media_url", 1000)?;
    if media_url.as_deref().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        return Err(Problem::bad("media_url must be an http or https URL"));
    }
    let request = ReportRequest {
        category: category.to_string(),
        description,
        lat,
        lng,
        crs: None,
        address,
        attributes: attributes(params),
        building_id,
        reporter_name: (!name.is_empty()).then_some(name),
        reporter_phone: params.get("phone").map(str::to_owned),
        external_ref: None,
        source: None,
    };
    let reporter = (request.reporter_name.clone(), request.reporter_phone.clone());
    let mut new = prepare(app, &who, request).await?;
    if !new.region.as_str().starts_with(&place.id) {
        return Err(Problem::bad(format!("the location is outside jurisdiction {} ({})", place.id, place.name)));
    }
    // The reporter's identity, whole, sealed; never shown by GET.
    let identity = json!({ "name": reporter.0, "phone": reporter.1, "email": email, "device_id": device_id, "account_id": account_id });
    if identity.as_object().is_some_and(|m| m.values().any(|v| !v.is_null())) {
        new.reporter_sealed = Some(app.pii.seal("case_reporter", &identity.to_string()));
    }
    new.media_url = media_url;
    new.token = Some(random_hex(16));
    let (case, _) =
        app.store.create_case(&who.caller(), &new, &app.calendar.current()).await.map_err(ApiError::from)?;
    let first = if app.config.open311.batch {
        Node::maybe("token", new.token.clone())
    } else {
        Node::text("service_request_id", case.number.clone())
    };
    Ok(Node::List(
        "service_requests",
        vec![Node::Object(
            "request",
            vec![first, Node::text("service_notice", notice(&service)), Node::maybe("account_id", account_id)],
        )],
    ))
}

/// A W3C datetime with its zone.
fn datetime(params: &Params, name: &str) -> Result<Option<Timestamp>, Problem> {
    params
        .get(name)
        .map(|raw| {
            chrono::DateTime::parse_from_rfc3339(raw.trim())
                .map(|t| Timestamp::from_millis(t.timestamp_millis()))
                .map_err(|_| {
                    Problem::bad(format!(
                        "{name} must be a W3C datetime with its time zone, like 2026-11-01T00:00:00+08:00, not '{raw}'"
                    ))
                })
        })
        .transpose()
}

fn positive(params: &Params, name: &str, default: i64, max: i64) -> Result<i64, Problem> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| Problem::bad(format!("{name} must be a whole number from 1 to {max}, not '{raw}'"))),
    }
}

/// `GET /requests.{fmt}`.
pub async fn list(app: &App, params: &Params) -> Result<Node, Problem> {
    let place = jurisdiction(app, params).await?;
    let page = positive(params, "page", 1, 1_000_000)?;
    let page_size = positive(params, "page_size", MAX_RESULTS, MAX_RESULTS)?;
    let mut filter = CaseFilter {
        within: Some(tongxin_core::geo::RegionCode::parse(&place.id).map_err(|e| Problem::bad(e.to_string()))?),
        offset: (page - 1) * page_size,
        limit: page_size,
        ..Default::default()
    };
    let ids = params.list("service_request_id");
    if ids.is_empty() {
        for code in params.list("service_code") {
            let parsed = CategoryCode::parse(&code)
                .map_err(|_| Problem::bad(format!("service_code '{code}' is not a service code")))?;
            filter.categories.push(parsed);
        }
        for status in params.list("status") {
            match status.as_str() {
                "open" => filter.statuses.extend(Status::ALL.into_iter().filter(|s| s.is_open())),
                "closed" => filter.statuses.extend(Status::ALL.into_iter().filter(|s| !s.is_open())),
                other => {
                    return Err(Problem::bad(format!(
                        "status is open or closed (or both, comma separated), not '{other}'"
                    )));
                }
            }
        }
        let day = 86_400_000;
        let (start, end) = match (datetime(params, "start_date")?, datetime(params, "end_date")?) {
            (None, None) => {
                let now = Timestamp::now();
                (Timestamp::from_millis(now.millis() - MAX_DAYS * day), now)
            }
            (Some(start), None) => (start, Timestamp::from_millis(start.millis() + MAX_DAYS * day)),
            (None, Some(end)) => (Timestamp::from_millis(end.millis() - MAX_DAYS * day), end),
            (Some(start), Some(end)) => (start, end),
        };
        if end < start {
            return Err(Problem::bad("end_date is before start_date"));
        }
        if end.millis() - start.millis() > MAX_DAYS * day {
            return Err(Problem::bad(format!("start_date and end_date may be at most {MAX_DAYS} days apart")));
        }
        filter.since = Some(start);
        filter.until = Some(Timestamp::from_millis(end.millis() + 1));
    } else {
        filter.numbers = ids;
    }
    let cases = app.store.cases(&tongxin_store::cases::CaseScope { all: true, ..Default::default() }, &filter).await?;
    let view = View::new(app, params).await?;
    let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
    let mut timelines = app.store.case_events_of(&ids).await?;
    let mut items = Vec::with_capacity(cases.len());
    for case in &cases {
        items.push(view.request(app, case, &timelines.remove(&case.id).unwrap_or_default()).await?);
    }
    Ok(Node::List("service_requests", items))
}

/// The case found, when it lies in the call's jurisdiction; otherwise `what` was not found.
async fn within(app: &App, params: &Params, found: Option<CaseRecord>, what: &str) -> Result<CaseRecord, Problem> {
    let place = jurisdiction(app, params).await?;
    found
        .filter(|c| c.region.as_str().starts_with(&place.id))
        .ok_or_else(|| Problem::not_found(format!("{what} was not found")))
}

/// `GET /requests/{id}.{fmt}`.
pub async fn one(app: &App, params: &Params, id: &str) -> Result<Node, Problem> {
    let found = app.store.case_by_number(id).await?;
    let case = within(app, params, found, &format!("service_request_id {id}")).await?;
    let view = View::new(app, params).await?;
    let events = app.store.case_events(case.id).await?;
    Ok(Node::List("service_requests", vec![view.request(app, &case, &events).await?]))
}

/// `GET /tokens/{token}.{fmt}`.
pub async fn token(app: &App, params: &Params, token: &str) -> Result<Node, Problem> {
    let found = app.store.case_by_token(token).await?;
    let case = within(app, params, found, &format!("token {token}")).await?;
    Ok(Node::List(
        "service_requests",
        vec![Node::Object("request", vec![Node::text("service_request_id", case.number), Node::text("token", token)])],
    ))
}
