//! The demo's year of cases: every step follows the lifecycle and the clock, every state
//! shows up, and the seasons show in the mix.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tongxin_core::cases::calendar::{Calendar, WorkingHours};
use tongxin_core::cases::catalog::Catalog;
use tongxin_core::cases::lifecycle::{self, Action, State, Status};
use tongxin_core::geo::Building;
use tongxin_core::time::SHANGHAI;
use tongxin_demo::DemoOptions;
use tongxin_demo::history::generate;
use tongxin_store::cases::PastCase;

fn now() -> DateTime<Utc> {
    SHANGHAI.with_ymd_and_hms(2026, 11, 27, 10, 30, 0).unwrap().with_timezone(&Utc)
}

fn year(seed: u64) -> Vec<PastCase> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let geography = tongxin_demo::geo::generate(&mut rng, 1);
    let buildings: Vec<Building> =
        geography.buildings.into_iter().enumerate().map(|(i, fields)| Building { id: i as i64 + 1, fields }).collect();
    let calendar = Calendar::prc(WorkingHours::default());
    generate(&mut rng, &buildings, &Catalog::default_catalog(), &calendar, now(), 12)
}

fn month(case: &PastCase) -> u32 {
    case.created_at.to_utc().with_timezone(&SHANGHAI).month()
}

#[test]
fn every_timeline_is_a_walk_of_the_lifecycle() {
    let cases = year(DemoOptions::default().seed);
    assert!((2_000..=4_000).contains(&cases.len()), "{} cases", cases.len());
    for case in &cases {
        let mut state = State::new();
        let (first, rest) = case.events.split_first().unwrap();
        assert_eq!((first.action, first.to, first.at), ("report", Status::Reported, case.created_at));
        let mut at = first.at;
        for e in rest {
            let action = Action::ALL.into_iter().find(|a| a.as_str() == e.action).unwrap();
            assert_eq!(e.from, Some(state.status), "{} of {:?}", e.action, case.case.description);
            state = lifecycle::next(state, action).unwrap();
            assert_eq!(e.to, state.status);
            assert!(e.at > at, "events in time order");
            at = e.at;
        }
        assert_eq!(state, case.state, "the stored state is where the timeline ends");
        assert!(at.to_utc() <= now(), "nothing happens after now");
        let clocked = matches!(
            case.state.status,
            Status::Reported | Status::Verified | Status::Registered | Status::Dispatched | Status::Handling
        );
        assert_eq!(case.step_due_at.is_some(), clocked, "{:?}", case.state);
        assert_eq!(case.department.is_some(), case.events.iter().any(|e| e.action == "dispatch"));
        assert_eq!(case.closed_at.is_some(), matches!(case.state.status, Status::Closed));
        assert_eq!(case.rating.is_some(), case.state.evaluated);
        if let Some(due) = case.step_due_at {
            assert!(due > case.step_started_at);
        }
    }
}

#[test]
fn every_state_category_and_trouble_shows_up() {
    let cases = year(DemoOptions::default().seed);
    let states: BTreeSet<&str> = cases.iter().map(|c| c.state.status.as_str()).collect();
    for status in ["registered", "dispatched", "handling", "deferred", "handled", "checked", "closed", "rejected"] {
        assert!(states.contains(status), "no case is {status}: {states:?}");
    }
    assert!(states.contains("reported") || states.contains("verified"), "nothing waits to be registered");
    let categories: BTreeSet<&str> = cases.iter().map(|c| c.case.category.as_str()).collect();
    assert!(categories.len() >= 20, "{categories:?}");
    let overdue_open = cases.iter().filter(|c| c.step_due_at.is_some_and(|d| d.to_utc() < now())).count();
    assert!(overdue_open > 0, "some open cases are past their deadline");
    assert!(cases.iter().any(|c| c.rework_count > 0));
    assert!(cases.iter().any(|c| c.events.iter().any(|e| e.action == "approve_extension")));
    let late_closed = cases.iter().filter(|c| c.state.status == Status::Closed).filter(|c| late_handling(c)).count();
    let closed = cases.iter().filter(|c| c.state.status == Status::Closed).count();
    let share = late_closed as f64 / closed as f64;
    assert!((0.03..0.3).contains(&share), "{late_closed} of {closed} closed cases were handled late");
}

/// Whether the department's feedback came after the handling deadline.
fn late_handling(case: &PastCase) -> bool {
    let calendar = Calendar::prc(WorkingHours::default());
    let dispatch = case.events.iter().find(|e| e.action == "dispatch");
    let feedback = case.events.iter().find(|e| e.action == "feedback");
    let extended = case.events.iter().any(|e| e.action == "approve_extension");
    let limits =
        Catalog::default_catalog().categories.into_iter().find(|c| c.code == case.case.category).unwrap().limits;
    match (dispatch, feedback) {
        (Some(d), Some(f)) if !extended => f.at.to_utc() > calendar.due(d.at.to_utc(), limits.handle),
        _ => false,
    }
}

#[test]
fn the_seasons_show() {
    let cases = year(DemoOptions::default().seed);
    let count = |code: &str, months: &[u32]| {
        cases.iter().filter(|c| c.case.category.as_str() == code && months.contains(&month(c))).count() as f64
    };
    // flying-lead charging: summer against winter
    let (summer, winter) = (count("E0503", &[7, 8]), count("E0503", &[1, 2]));
    assert!(summer > 1.6 * winter, "E0503 summer {summer} winter {winter}");
    // waterlogging in the plum rains
    let (rains, dry) = (count("E0402", &[6, 7]), count("E0402", &[11, 12]));
    assert!(rains > 2.5 * dry.max(1.0), "E0402 June–July {rains} November–December {dry}");
}

#[test]
fn the_same_seed_tells_the_same_year() {
    let (a, b) = (year(7), year(7));
    assert_eq!(a.len(), b.len());
    assert!(
        a.iter().zip(&b).all(|(x, y)| x.events.len() == y.events.len() && x.case.description == y.case.description)
    );
    let c = year(8);
    assert!(a.len() != c.len() || a.iter().zip(&c).any(|(x, y)| x.case.description != y.case.description));
}

#[test]
fn hotline_order_numbers_are_unique() {
    // Two hotline cases in the same minute once shared a number and stopped the demo.
    for seed in [DemoOptions::default().seed, 1, 2, 3] {
        let cases = year(seed);
        let refs: Vec<&str> = cases
            .iter()
            .filter(|c| c.case.source == tongxin_core::cases::report::Source::Hotline)
            .map(|c| c.case.external_ref.as_deref().expect("a hotline case has its order number"))
            .collect();
        assert!(refs.len() > 100, "{} hotline cases", refs.len());
        assert_eq!(refs.iter().collect::<BTreeSet<_>>().len(), refs.len(), "seed {seed}: a number repeats");
        assert!(refs.iter().all(|r| r.starts_with("SH12345-2026") || r.starts_with("SH12345-2025")));
    }
}
