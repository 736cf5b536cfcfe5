//! Which deadline runs after each step: registering, dispatching or handling, each with the
//! category's limit; none while the case waits for a check, is deferred, or is finished.

use super::calendar::TimeLimit;
use super::catalog::Limits;
use super::lifecycle::{Action, Status};

/// What happens to the step clock after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// A new step starts now with this limit.
    Start(TimeLimit),
    /// The running step goes on with its deadline.
    Keep,
    /// The deadline moves later by this much (an approved extension).
    Extend(TimeLimit),
    /// No deadline runs.
    Stop,
}

/// The clock for a new case.
pub fn at_report(limits: &Limits) -> Clock {
    Clock::Start(limits.register)
}

/// The clock after `action` has taken the case to `now`. `extension` is the time asked
/// for with an extension request.
pub fn after(action: Action, now: Status, limits: &Limits, extension: Option<TimeLimit>) -> Clock {
    match (action, now) {
        (Action::Verify, _) => Clock::Keep,
        (Action::Register | Action::Return | Action::Recall, Status::Registered) => Clock::Start(limits.dispatch),
        (Action::Dispatch | Action::Rework | Action::Resume, _) => Clock::Start(limits.handle),
        (Action::Accept, _) => Clock::Keep,
        (Action::RequestExtension | Action::RequestDeferral | Action::DenyExtension | Action::DenyDeferral, _) => {
            Clock::Keep
        }
        (Action::ApproveExtension, _) => extension.map_or(Clock::Keep, Clock::Extend),
        _ => Clock::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            register: TimeLimit::WorkingHours(2),
            dispatch: TimeLimit::WorkingHours(1),
            handle: TimeLimit::WorkingHours(24),
        }
    }

    #[test]
    fn each_step_runs_its_own_limit() {
        let l = limits();
        assert_eq!(at_report(&l), Clock::Start(TimeLimit::WorkingHours(2)));
        assert_eq!(after(Action::Verify, Status::Verified, &l, None), Clock::Keep);
        assert_eq!(after(Action::Register, Status::Registered, &l, None), Clock::Start(TimeLimit::WorkingHours(1)));
        assert_eq!(after(Action::Dispatch, Status::Dispatched, &l, None), Clock::Start(TimeLimit::WorkingHours(24)));
        assert_eq!(after(Action::Accept, Status::Handling, &l, None), Clock::Keep);
        assert_eq!(after(Action::Feedback, Status::Handled, &l, None), Clock::Stop);
        assert_eq!(after(Action::Rework, Status::Handling, &l, None), Clock::Start(TimeLimit::WorkingHours(24)));
        assert_eq!(after(Action::Return, Status::Registered, &l, None), Clock::Start(TimeLimit::WorkingHours(1)));
        assert_eq!(after(Action::ApproveDeferral, Status::Deferred, &l, None), Clock::Stop);
        assert_eq!(after(Action::Resume, Status::Handling, &l, None), Clock::Start(TimeLimit::WorkingHours(24)));
        let more = Some(TimeLimit::WorkingHours(8));
        assert_eq!(
            after(Action::ApproveExtension, Status::Handling, &l, more),
            Clock::Extend(TimeLimit::WorkingHours(8))
        );
        assert_eq!(after(Action::Reject, Status::Rejected, &l, None), Clock::Stop);
        assert_eq!(after(Action::Close, Status::Closed, &l, None), Clock::Stop);
    }
}
