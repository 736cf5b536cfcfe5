//! Every allowed transition, and every forbidden one.

use super::*;

fn st(status: Status, pending: Option<Pending>) -> State {
    State { status, pending, evaluated: false }
}

/// (from, pending, action, to, pending after)
type Transition = (Status, Option<Pending>, Action, Status, Option<Pending>);

/// The loop as the standard describes it, written out independently of [`step`].
const ALLOWED: &[Transition] = {
    use Action::*;
    use Pending::*;
    use Status::*;
    &[
        (Reported, None, Verify, Verified, None),
        (Reported, None, Register, Registered, None),
        (Reported, None, Reject, Rejected, None),
        (Verified, None, Register, Registered, None),
        (Verified, None, Reject, Rejected, None),
        (Registered, None, Dispatch, Dispatched, None),
        (Dispatched, None, Accept, Handling, None),
        (Dispatched, None, Return, Registered, None),
        (Dispatched, None, Recall, Registered, None),
        (Dispatched, None, RequestDeferral, Dispatched, Some(Deferral)),
        (Dispatched, Some(Deferral), ApproveDeferral, Deferred, None),
        (Dispatched, Some(Deferral), DenyDeferral, Dispatched, None),
        (Handling, None, Feedback, Handled, None),
        (Handling, None, Return, Registered, None),
        (Handling, None, Recall, Registered, None),
        (Handling, None, RequestExtension, Handling, Some(Extension)),
        (Handling, None, RequestDeferral, Handling, Some(Deferral)),
        (Handling, Some(Extension), ApproveExtension, Handling, None),
        (Handling, Some(Extension), DenyExtension, Handling, None),
        (Handling, Some(Deferral), ApproveDeferral, Deferred, None),
        (Handling, Some(Deferral), DenyDeferral, Handling, None),
        (Deferred, None, Resume, Handling, None),
        (Handled, None, Pass, Checked, None),
        (Handled, None, Rework, Handling, None),
        (Checked, None, Close, Closed, None),
    ]
};

/// Every (status, pending) a case can be in.
fn reachable() -> Vec<State> {
    let mut states = vec![State::new()];
    let mut i = 0;
    while i < states.len() {
        for a in Action::ALL {
            if let Some(s) = step(states[i], a)
                && !states.contains(&s)
            {
                states.push(s);
            }
        }
        i += 1;
    }
    states
}

#[test]
fn every_allowed_transition_goes_where_the_standard_says() {
    for (from, pending, action, to, pending_after) in ALLOWED {
        let got = next(st(*from, *pending), *action).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((got.status, got.pending), (*to, *pending_after), "{from} {pending:?} {action}");
    }
}

#[test]
fn every_other_transition_is_refused_with_the_allowed_ones() {
    let mut refused = 0;
    for status in Status::ALL {
        for pending in [None, Some(Pending::Extension), Some(Pending::Deferral)] {
            let state = st(status, pending);
            let listed: Vec<Action> =
                ALLOWED.iter().filter(|(f, p, ..)| *f == status && *p == pending).map(|(_, _, a, ..)| *a).collect();
            let closed_can_evaluate = status == Status::Closed && pending.is_none();
            for action in Action::ALL {
                let expected = listed.contains(&action) || (closed_can_evaluate && action == Action::Evaluate);
                match next(state, action) {
                    Ok(_) => assert!(expected, "{status} {pending:?} {action} should be refused"),
                    Err(e) => {
                        assert!(!expected, "{status} {pending:?} {action} should be allowed");
                        assert_eq!(e.allowed, allowed(state));
                        assert!(!e.allowed.contains(&action));
                        refused += 1;
                    }
                }
            }
        }
    }
    assert!(refused > 450, "{refused}");
}

#[test]
fn a_closed_case_is_evaluated_once() {
    let closed = st(Status::Closed, None);
    let evaluated = next(closed, Action::Evaluate).unwrap();
    assert!(evaluated.evaluated && evaluated.status == Status::Closed);
    let e = next(evaluated, Action::Evaluate).unwrap_err();
    assert!(e.allowed.is_empty());
    assert_eq!(e.to_string(), "cannot evaluate a case that is closed; allowed: ");
}

#[test]
fn the_refusal_names_the_pending_request() {
    let e = next(st(Status::Handling, Some(Pending::Extension)), Action::Feedback).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot feedback a case that is handling with a pending extension request; allowed: approve_extension, deny_extension"
    );
}

#[test]
fn every_status_is_reachable_and_the_loop_can_close() {
    let states = reachable();
    for status in Status::ALL {
        assert!(states.iter().any(|s| s.status == status), "{status} is unreachable");
    }
    // The main path, with a rework on the way.
    use Action::*;
    let mut s = State::new();
    for a in [Verify, Register, Dispatch, Accept, Feedback, Rework, Feedback, Pass, Close, Evaluate] {
        s = next(s, a).unwrap();
    }
    assert_eq!((s.status, s.evaluated), (Status::Closed, true));
}

#[test]
fn actions_need_their_permissions() {
    assert_eq!(Action::Dispatch.permission(), Permission::CasesDispatch);
    assert!(Action::Feedback.by_department() && Action::Return.by_department());
    assert!(!Action::Pass.by_department());
    assert_eq!(Action::Recall.permission(), Permission::CasesApprove, "the shift lead recalls");
    assert!(!Action::Recall.by_department() && Action::Recall.needs_reason());
    for a in Action::ALL {
        assert_eq!(a.as_str().parse::<Action>().unwrap(), a);
    }
    for s in Status::ALL {
        assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
    }
    assert!(!Status::Closed.is_open() && !Status::Rejected.is_open() && Status::Deferred.is_open());
}
