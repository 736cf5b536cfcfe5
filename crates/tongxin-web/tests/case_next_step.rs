//! The invariant that keeps work from getting stuck: in every open state a case can be
//! in, at every level of the grid it can be filed at, someone on the demo subdistrict's
//! staff may take the next step, and the shift lead always may. The staff are the demo's
//! real accounts (roles and regions), and the reach is the one the pages and API use.

use std::collections::BTreeSet;

use serde_json::Value;
use tongxin_core::access::Actor;
use tongxin_core::cases::catalog::CategoryCode;
use tongxin_core::cases::lifecycle::{self, Action, State, Status};
use tongxin_core::cases::report::Source;
use tongxin_core::geo::RegionCode;
use tongxin_core::time::Timestamp;
use tongxin_demo::access::STAFF;
use tongxin_store::cases::CaseRecord;
use tongxin_web::api::cases::Reach;
use tongxin_web::auth::Who;

const DEPARTMENT: &str = "D01";

/// Every state a case can reach from its report, by any sequence of steps.
fn reachable_states() -> Vec<State> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![State::new()];
    let mut states = Vec::new();
    while let Some(state) = todo.pop() {
        let key = format!("{state:?}");
        if !seen.insert(key) {
            continue;
        }
        states.push(state);
        for action in lifecycle::allowed(state) {
            todo.push(lifecycle::next(state, action).unwrap());
        }
    }
    states
}

fn case_at(state: State, region: &str) -> CaseRecord {
    let region = RegionCode::parse(region).unwrap();
    let dispatched = matches!(state.status, Status::Dispatched | Status::Handling | Status::Handled | Status::Deferred);
    CaseRecord {
        id: 1,
        number: "20261207-00001".into(),
        source: Source::Phone,
        category: CategoryCode::parse("E0103").unwrap(),
        state,
        rating: None,
        description: "楼道堆物".into(),
        attributes: Value::Null,
        location: None,
        grid: (region.as_str().len() >= 15).then(|| RegionCode::parse(&region.as_str()[..15]).unwrap()),
        region,
        address: "常德路27弄5号".into(),
        building_id: None,
        reporter_user: None,
        reporter_resident: None,
        external_ref: None,
        department: dispatched.then(|| DEPARTMENT.to_owned()),
        duplicate_of: None,
        merged_into: None,
        rework_count: 0,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
        step_started_at: Timestamp::now(),
        step_limit: None,
        step_due_at: None,
        closed_at: None,
        media_url: None,
    }
}

/// The demo's staff, each with the reach the pages give them (the department's staff
/// belong to the department the case is dispatched to).
fn demo_staff() -> Vec<(Who, Reach)> {
    let subdistrict = RegionCode::parse(tongxin_demo::names::SUBDISTRICT.0).unwrap();
    STAFF
        .iter()
        .enumerate()
        .map(|(i, (username, name, role, region))| {
            let region = region.map_or(subdistrict.clone(), |r| RegionCode::parse(r).unwrap());
            let actor = Actor::staff(i as i64 + 1, username, vec![*role], vec![region]);
            let departments = if actor.can(tongxin_core::access::Permission::CasesHandle)
                && *role == tongxin_core::access::Role::Department
            {
                vec![DEPARTMENT.to_owned()]
            } else {
                Vec::new()
            };
            let who =
                Who { actor, display_name: (*name).to_owned(), ip: "127.0.0.1".into(), session: None, unread: None };
            (who, Reach { departments })
        })
        .collect()
}

#[test]
fn in_every_open_state_at_every_level_someone_can_act_and_the_shift_lead_always_can() {
    let staff = demo_staff();
    let levels = ["310106013", "310106013001", "310106013001001", "310106013002002"];
    let states = reachable_states();
    assert!(states.len() >= 12, "the lifecycle's states: {states:?}");
    let mut checked = 0;
    for state in states.iter().filter(|s| s.status.is_open()) {
        for region in levels {
            let case = case_at(*state, region);
            let acting: Vec<(&str, Vec<Action>)> = staff
                .iter()
                .map(|(who, reach)| (who.actor.name.as_str(), reach.actions(who, &case)))
                .filter(|(_, actions)| !actions.is_empty())
                .collect();
            assert!(!acting.is_empty(), "nobody can act on a case {state:?} at {region}");
            let lead = acting.iter().find(|(name, _)| *name == "shiftlead");
            assert!(lead.is_some(), "the shift lead cannot act on a case {state:?} at {region}; only {acting:?}");
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} combinations checked");
}

#[test]
fn a_handled_case_on_a_grid_is_checked_by_its_grid_worker_and_one_off_the_grid_by_the_shift_lead() {
    let staff = demo_staff();
    let handled = State { status: Status::Handled, pending: None, evaluated: false };
    let can_pass = |region: &str| -> Vec<String> {
        let case = case_at(handled, region);
        staff
            .iter()
            .filter(|(who, reach)| reach.actions(who, &case).contains(&Action::Pass))
            .map(|(who, _)| who.actor.name.clone())
            .collect()
    };
    assert!(can_pass("310106013001001").contains(&"gridworker1".to_owned()));
    assert!(!can_pass("310106013001001").contains(&"gridworker2".to_owned()), "another grid's worker");
    assert_eq!(can_pass("310106013"), ["admin", "shiftlead"].map(String::from).to_vec(), "off the grid");
}

#[test]
fn a_dispatched_case_the_department_sits_on_can_be_recalled_by_the_shift_lead_only() {
    let staff = demo_staff();
    for status in [Status::Dispatched, Status::Handling] {
        let case = case_at(State { status, pending: None, evaluated: false }, "310106013001001");
        let recallers: Vec<&str> = staff
            .iter()
            .filter(|(who, reach)| reach.actions(who, &case).contains(&Action::Recall))
            .map(|(who, _)| who.actor.name.as_str())
            .collect();
        assert_eq!(recallers, ["shiftlead"], "{status:?}");
    }
}
