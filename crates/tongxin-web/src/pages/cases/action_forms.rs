//! The step forms of a case's page: which field each step needs, which take photos, and
//! their order (the usual step first and in the primary colour, the steps back last and
//! plain).

use tongxin_core::cases::lifecycle::Action;

use super::action_key;

/// An action the reader may take, with the extra field it needs.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    /// department, reason, extension, rating, or ""
    pub needs: &'static str,
    /// Whether photos may come with this step.
    pub photos: bool,
    /// The button's look: "" (the usual step, in the primary colour), "secondary", or
    /// "plain" (a step back, such as 退单).
    pub class: &'static str,
}

fn needs(action: Action) -> &'static str {
    match action {
        Action::Dispatch => "department",
        a if a.needs_reason() => "reason",
        Action::RequestExtension => "extension",
        Action::Evaluate => "rating",
        _ => "",
    }
}

/// Where a step's button stands among the case's: the usual step forward first, then the
/// requests, then the steps back (返工, 驳回, 不予立案, 退单 last).
fn rank(action: Action) -> u8 {
    use Action::*;
    match action {
        Register => 0,
        Verify => 1,
        Dispatch | Accept | Feedback | Pass | Close | Resume | ApproveExtension | ApproveDeferral | Evaluate => 2,
        RequestExtension | RequestDeferral => 3,
        Rework | DenyExtension | DenyDeferral => 4,
        Reject => 5,
        Recall => 6,
        Return => 7,
    }
}

/// The forms of the steps the reader may take, the usual one first and in the primary
/// colour, the steps back last and plain.
pub fn action_forms(mut actions: Vec<Action>) -> Vec<ActionForm> {
    actions.sort_by_key(|a| rank(*a));
    actions
        .into_iter()
        .enumerate()
        .map(|(i, a)| ActionForm {
            action: a.as_str(),
            label: action_key(a),
            needs: needs(a),
            photos: takes_photos(a),
            class: match rank(a) {
                _ if i == 0 && rank(a) <= 2 => "",
                0..=3 => "secondary",
                _ => "plain",
            },
        })
        .collect()
}

/// Steps that usually come with pictures: what was found, what was done, what was checked.
fn takes_photos(action: Action) -> bool {
    matches!(
        action,
        Action::Verify
            | Action::Reject
            | Action::Feedback
            | Action::Pass
            | Action::Rework
            | Action::RequestExtension
            | Action::RequestDeferral
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongxin_core::cases::lifecycle::{State, Status, allowed};

    fn shown(status: Status) -> Vec<(&'static str, &'static str)> {
        let state = State { status, ..State::new() };
        action_forms(allowed(state)).into_iter().map(|f| (f.action, f.class)).collect()
    }

    #[test]
    fn the_usual_step_leads_and_the_step_back_trails_plain() {
        assert_eq!(shown(Status::Reported), [("register", ""), ("verify", "secondary"), ("reject", "plain")]);
        assert_eq!(
            shown(Status::Dispatched),
            [("accept", ""), ("request_deferral", "secondary"), ("recall", "plain"), ("return", "plain")]
        );
        let handling = shown(Status::Handling);
        assert_eq!(handling.first(), Some(&("feedback", "")));
        assert_eq!(handling.last(), Some(&("return", "plain")), "退单 last");
        assert_eq!(shown(Status::Handled), [("pass", ""), ("rework", "plain")]);
    }
}
