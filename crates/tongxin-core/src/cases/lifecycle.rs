//! The case lifecycle (GB/T 30428): one state machine for every case.
//!
//! 上报 reported → 核实 verified → 立案 registered (or 不予立案 rejected) → 派遣 dispatched →
//! 处置 handling → 反馈 handled → 核查 checked → 结案 closed, with 返工 rework (a failed
//! check sends the case back to handling), 退单 (a department returns a wrongly dispatched
//! case), 延期 (an extension) and 挂账 (a deferral) requested by the department and decided by
//! the shift lead, and 评价 (the reporter's evaluation) once closed.
//!
//! [`next`] is the whole table. Anything it does not list is refused with the steps that
//! are allowed, which the HTTP layer returns with its 409.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::Permission;

/// Where a case is in the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 上报
    Reported,
    /// 核实
    Verified,
    /// 立案
    Registered,
    /// 不予立案 (final)
    Rejected,
    /// 派遣: waiting for the department to take it.
    Dispatched,
    /// 处置
    Handling,
    /// 反馈: the department says it is done; waiting for the check.
    Handled,
    /// 核查 passed; waiting to be closed.
    Checked,
    /// 结案 (final but for the evaluation)
    Closed,
    /// 挂账: suspended with the shift lead's approval.
    Deferred,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Reported,
        Status::Verified,
        Status::Registered,
        Status::Rejected,
        Status::Dispatched,
        Status::Handling,
        Status::Handled,
        Status::Checked,
        Status::Closed,
        Status::Deferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Verified => "verified",
            Status::Registered => "registered",
            Status::Rejected => "rejected",
            Status::Dispatched => "dispatched",
            Status::Handling => "handling",
            Status::Handled => "handled",
            Status::Checked => "checked",
            Status::Closed => "closed",
            Status::Deferred => "deferred",
        }
    }

    /// Whether the case still needs work (Open311's "open").
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Rejected | Status::Closed)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| format!("unknown status '{s}'"))
    }
}

/// A request waiting for the shift lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pending {
    /// 延期申请
    Extension,
    /// 挂账申请
    Deferral,
}

impl Pending {
    pub fn as_str(self) -> &'static str {
        match self {
            Pending::Extension => "extension",
            Pending::Deferral => "deferral",
        }
    }
}

/// Something a person does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Verify,
    Register,
    /// 不予立案, with a reason.
    Reject,
    Dispatch,
    /// The department takes the case on.
    Accept,
    /// 退单: the department returns a wrongly dispatched case.
    Return,
    /// 收回: the shift lead takes a dispatched case back from a department that does not
    /// act on it, to dispatch it again.
    Recall,
    /// 反馈: the department reports the work done.
    Feedback,
    /// 核查通过
    Pass,
    /// 返工: the check failed.
    Rework,
    Close,
    RequestExtension,
    ApproveExtension,
    DenyExtension,
    RequestDeferral,
    ApproveDeferral,
    DenyDeferral,
    /// Back to handling from a deferral.
    Resume,
    /// 评价: the reporter's satisfaction, once.
    Evaluate,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::Verify,
        Action::Register,
        Action::Reject,
        Action::Dispatch,
        Action::Accept,
        Action::Return,
        Action::Recall,
        Action::Feedback,
        Action::Pass,
        Action::Rework,
        Action::Close,
        Action::RequestExtension,
        Action::ApproveExtension,
        Action::DenyExtension,
        Action::RequestDeferral,
        Action::ApproveDeferral,
        Action::DenyDeferral,
        Action::Resume,
        Action::Evaluate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Verify => "verify",
            Action::Register => "register",
            Action::Reject => "reject",
            Action::Dispatch => "dispatch",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Recall => "recall",
            Action::Feedback => "feedback",
            Action::Pass => "pass",
            Action::Rework => "rework",
            Action::Close => "close",
            Action::RequestExtension => "request_extension",
            Action::ApproveExtension => "approve_extension",
            Action::DenyExtension => "deny_extension",
            Action::RequestDeferral => "request_deferral",
            Action::ApproveDeferral => "approve_deferral",
            Action::DenyDeferral => "deny_deferral",
            Action::Resume => "resume",
            Action::Evaluate => "evaluate",
        }
    }

    /// The permission a staff member needs to take this action. Department actions also
    /// need the case to be dispatched to the actor's department; evaluation belongs to
    /// the reporter, or to staff recording it for them.
    pub fn permission(self) -> Permission {
        use Permission::*;
        match self {
            Action::Verify => CasesVerify,
            Action::Register | Action::Reject | Action::Close | Action::Evaluate => CasesRegister,
            Action::Dispatch => CasesDispatch,
            Action::Accept | Action::Return | Action::Feedback | Action::RequestExtension | Action::RequestDeferral => {
                CasesHandle
            }
            Action::Pass | Action::Rework => CasesCheck,
            Action::ApproveExtension
            | Action::DenyExtension
            | Action::ApproveDeferral
            | Action::DenyDeferral
            | Action::Resume
            | Action::Recall => CasesApprove,
        }
    }

    /// Whether the action must say why (a refusal, a return, a recall).
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Reject | Action::Return | Action::Recall | Action::DenyExtension | Action::DenyDeferral)
    }

    /// Whether the action is the department's own (it must hold the case).
    pub fn by_department(self) -> bool {
        self.permission() == Permission::CasesHandle
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| format!("unknown action '{s}'"))
    }
}

/// The part of a case the state machine looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct State {
    pub status: Status,
    pub pending: Option<Pending>,
    pub evaluated: bool,
}

impl State {
    pub fn new() -> Self {
        Self { status: Status::Reported, pending: None, evaluated: false }
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

/// A refused action: what is allowed instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a case that is {status}{}; allowed: {}", pending.map(|p| format!(" with a pending {} request", p.as_str())).unwrap_or_default(), allowed.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "))]
pub struct Refused {
    pub action: Action,
    pub status: Status,
    pub pending: Option<Pending>,
    pub allowed: Vec<Action>,
}

/// The state after `action`, or `None` when the action is not allowed. The whole table.
fn step(state: State, action: Action) -> Option<State> {
    use Action::*;
    use Status::*;
    let to = |status| Some(State { status, pending: None, ..state });
    let pend = |p| Some(State { pending: Some(p), ..state });
    match (state.status, state.pending, action) {
        (Reported, None, Verify) => to(Verified),
        (Reported | Verified, None, Register) => to(Registered),
        (Reported | Verified, None, Reject) => to(Rejected),
        (Registered, None, Dispatch) => to(Dispatched),
        (Dispatched, None, Accept) => to(Handling),
        (Dispatched | Handling, None, Return | Recall) => to(Registered),
        (Handling, None, Feedback) => to(Handled),
        (Handling, None, RequestExtension) => pend(Pending::Extension),
        (Dispatched | Handling, None, RequestDeferral) => pend(Pending::Deferral),
        (Handling, Some(Pending::Extension), ApproveExtension | DenyExtension) => to(Handling),
        (Dispatched | Handling, Some(Pending::Deferral), ApproveDeferral) => to(Deferred),
        (Dispatched | Handling, Some(Pending::Deferral), DenyDeferral) => to(state.status),
        (Deferred, None, Resume) => to(Handling),
        (Handled, None, Pass) => to(Checked),
        (Handled, None, Rework) => to(Handling),
        (Checked, None, Close) => to(Closed),
        (Closed, None, Evaluate) if !state.evaluated => Some(State { evaluated: true, ..state }),
        _ => None,
    }
}

/// The actions allowed now, in a stable order.
pub fn allowed(state: State) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| step(state, *a).is_some()).collect()
}

/// Applies `action`, or says what is allowed instead.
pub fn next(state: State, action: Action) -> Result<State, Refused> {
    step(state, action).ok_or_else(|| Refused {
        action,
        status: state.status,
        pending: state.pending,
        allowed: allowed(state),
    })
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
