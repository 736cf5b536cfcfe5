//! After a step taken on a page: the confirmation ("已派遣到 城管中队") and the next case
//! waiting for the same step in the reader's reach ("下一件").
//!
//! A form that takes a step redirects back with the step in the URL (`?done=dispatch`, and
//! `&case=7` where the page is not the case's own). No session holds the flash: the page
//! reads the step from the URL and shows the confirmation only when the case's latest steps
//! include it, so an old or hand-made link confirms nothing that did not happen.
//!
//! The next case is the one the board would show first (overdue first, then by deadline)
//! in the column the step is taken from, among the cases where the reader may take the
//! same step now.

use tongxin_app::cases::Reach;
use tongxin_core::cases::lifecycle::{Action, Status};
use tongxin_store::cases::{CaseFilter, CaseOrder, CaseRecord, Event};

use super::{action_key, status_key};
use crate::App;
use crate::auth::Who;
use crate::i18n::Lang;

/// How many of the column's first cases are looked at for the next one.
const LOOK_AHEAD: i64 = 50;

/// How many of the latest timeline steps may stand after the confirmed one (a dispatch
/// rule's automatic dispatch after 立案, an overdue mark).
const RECENT_STEPS: usize = 3;

/// What the page shows after a step.
pub struct Done {
    pub message: String,
    /// The next case waiting for the same step: (id, number).
    pub next: Option<(i64, String)>,
    /// Where the reader's list of work is (`/cases`, or `/checks` for a grid worker).
    pub back: &'static str,
    /// Said when no case waits for the same step.
    pub none_left: String,
}

/// The statuses of the board column a step is taken from; `None` for a step on a closed case.
pub fn column_of(action: Action) -> Option<&'static [Status]> {
    use Action::*;
    Some(match action {
        Verify | Register | Reject => &[Status::Reported, Status::Verified],
        Dispatch => &[Status::Registered],
        Accept | Return | Recall | Feedback | RequestExtension | ApproveExtension | DenyExtension | RequestDeferral
        | ApproveDeferral | DenyDeferral | Resume => &[Status::Dispatched, Status::Handling, Status::Deferred],
        Pass | Rework => &[Status::Handled],
        Close => &[Status::Checked],
        Evaluate => return None,
    })
}

/// The step named in the URL, when the case's latest steps include it.
pub fn confirmed(done: Option<&str>, events: &[Event]) -> Option<Action> {
    let action = done?.parse::<Action>().ok()?;
    events.iter().rev().take(RECENT_STEPS).any(|e| e.action == action.as_str()).then_some(action)
}

/// The confirmation of `action` on `case` (as it stands now), and the next case.
pub async fn done(
    app: &App,
    lang: Lang,
    who: &Who,
    reach: &Reach,
    case: &CaseRecord,
    action: Action,
    departments: &[(String, String)],
) -> Done {
    let t = lang.catalog();
    let status = t.get(status_key(case.state.status));
    let label = t.get(action_key(action));
    let message = match (action, case.department.as_deref()) {
        (Action::Dispatch, Some(code)) => {
            let name = departments.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str());
            t.fmt("c14_done.dispatched", &[("department", &name), ("status", &status)])
        }
        _ => t.fmt("c14_done.generic", &[("action", &label), ("status", &status)]),
    };
    Done {
        message,
        next: next_case(app, who, reach, case.id, action).await.map(|c| (c.id, c.number)),
        back: crate::pages::home_of(who),
        none_left: t.fmt("c14_done.none_left", &[("action", &label)]),
    }
}

/// The first case, other than `after`, in the column `action` is taken from where the
/// reader may take `action` now.
async fn next_case(app: &App, who: &Who, reach: &Reach, after: i64, action: Action) -> Option<CaseRecord> {
    let statuses = column_of(action)?;
    let filter = CaseFilter {
        statuses: statuses.to_vec(),
        order: CaseOrder::OverdueFirst,
        limit: LOOK_AHEAD,
        ..Default::default()
    };
    let cases = app.store.cases(&reach.scope(who), &filter).await.ok()?;
    cases.into_iter().find(|c| c.id != after && reach.actions(who, c).contains(&action))
}

/// `back` with the step taken on case `id` added to its query, for the page to confirm.
pub fn with_flash(back: &str, action: Action, id: i64) -> String {
    let (path, fragment) = back.split_once('#').map_or((back, ""), |(p, f)| (p, f));
    let own_page = path == format!("/cases/{id}");
    let joiner = if path.contains('?') { '&' } else { '?' };
    let flash = if own_page { format!("done={action}") } else { format!("done={action}&case={id}") };
    let fragment = if fragment.is_empty() && own_page { "done" } else { fragment };
    if fragment.is_empty() { format!("{path}{joiner}{flash}") } else { format!("{path}{joiner}{flash}#{fragment}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flash_rides_on_the_way_back() {
        assert_eq!(with_flash("/cases/7", Action::Dispatch, 7), "/cases/7?done=dispatch#done");
        assert_eq!(with_flash("/cases", Action::Dispatch, 7), "/cases?done=dispatch&case=7");
        assert_eq!(
            with_flash("/cases?intake=2&category=E01", Action::Dispatch, 7),
            "/cases?intake=2&category=E01&done=dispatch&case=7"
        );
        assert_eq!(with_flash("/cases/7#photos", Action::Pass, 7), "/cases/7?done=pass#photos");
    }

    #[test]
    fn every_step_but_evaluation_has_a_column() {
        for action in Action::ALL {
            assert_eq!(column_of(action).is_none(), action == Action::Evaluate, "{action}");
        }
    }
}
