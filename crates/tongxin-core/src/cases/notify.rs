//! Who hears about what happens to a case, and what they are told.
//!
//! Each step of a case's timeline may tell three audiences: the people who reported it
//! (its reporter, and the reporters of duplicates merged into it), the department it is
//! dispatched to, and the shift leads over its region. [`notices`] is the whole table.
//! The texts carry the case number and category, never a person's name or phone.

use serde::Serialize;

/// Who a notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The reporter and the followers (reporters of merged duplicates).
    Reporters,
    /// The staff of the department the case is dispatched to.
    Department,
    /// Shift leads whose regions cover the case.
    ShiftLeads,
    /// Dispatchers whose regions cover the case.
    Dispatchers,
    /// Grid workers whose regions cover the case (its grid's).
    GridWorkers,
}

impl Audience {
    /// The role whose holders over the case's region hear it, for the staff audiences.
    pub fn role(self) -> Option<&'static str> {
        match self {
            Audience::ShiftLeads => Some("shiftlead"),
            Audience::Dispatchers => Some("dispatcher"),
            Audience::GridWorkers => Some("gridworker"),
            Audience::Reporters | Audience::Department => None,
        }
    }
}

/// What happened, as the recipients are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// A resident's or caller's report was received.
    Received,
    Registered,
    Rejected,
    Dispatched,
    /// The department reported the work done (the reporter may check it).
    Handled,
    Closed,
    /// Deferred (挂账): waiting on something outside the department's hands.
    Deferred,
    /// A new case for the department.
    NewDispatch,
    /// The check failed: the department works on it again.
    Rework,
    ExtensionApproved,
    ExtensionDenied,
    DeferralApproved,
    DeferralDenied,
    /// A request waiting for the shift lead.
    ExtensionRequested,
    DeferralRequested,
    /// The department returned the case (退单): it needs dispatching again.
    Returned,
    /// Past its step's deadline.
    Overdue,
    /// Merged into another case, whose updates follow.
    Merged,
    /// Registered (or returned, or recalled) and waiting for the dispatcher.
    AwaitingDispatch,
    /// Handled by the department and waiting for the grid worker's check.
    AwaitingCheck,
    /// Checked and waiting for the shift lead to close it.
    AwaitingClose,
}

impl Notice {
    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Received => "received",
            Notice::Registered => "registered",
            Notice::Rejected => "rejected",
            Notice::Dispatched => "dispatched",
            Notice::Handled => "handled",
            Notice::Closed => "closed",
            Notice::Deferred => "deferred",
            Notice::NewDispatch => "new_dispatch",
            Notice::Rework => "rework",
            Notice::ExtensionApproved => "extension_approved",
            Notice::ExtensionDenied => "extension_denied",
            Notice::DeferralApproved => "deferral_approved",
            Notice::DeferralDenied => "deferral_denied",
            Notice::ExtensionRequested => "extension_requested",
            Notice::DeferralRequested => "deferral_requested",
            Notice::Returned => "returned",
            Notice::Overdue => "overdue",
            Notice::Merged => "merged",
            Notice::AwaitingDispatch => "awaiting_dispatch",
            Notice::AwaitingCheck => "awaiting_check",
            Notice::AwaitingClose => "awaiting_close",
        }
    }

    /// The message, in Chinese, for a case `number` of `category`.
    pub fn text(self, number: &str, category: &str) -> String {
        let case = format!("案件 {number}（{category}）");
        let yours = format!("您反映的问题（编号 {number}，{category}）");
        match self {
            Notice::Received => format!("【同心】{yours}已收到，我们会尽快核实处理。"),
            Notice::Registered => format!("【同心】{yours}已立案，正在安排处置。"),
            Notice::Rejected => format!("【同心】{yours}经核实不予立案，如有疑问请致电街道网格化中心。"),
            Notice::Dispatched => format!("【同心】{yours}已派遣至责任部门处置。"),
            Notice::Handled => format!("【同心】{yours}已处置完毕，等待现场核查。"),
            Notice::Closed => format!("【同心】{yours}已办结，欢迎对处理结果进行评价。"),
            Notice::Deferred => format!("【同心】{yours}需协调外部条件，暂缓处置（挂账），条件具备后将恢复处理。"),
            Notice::NewDispatch => format!("新派遣：{case}，请及时接单处置。"),
            Notice::Rework => format!("返工：{case}核查未通过，请重新处置。"),
            Notice::ExtensionApproved => format!("{case}的延期申请已批准。"),
            Notice::ExtensionDenied => format!("{case}的延期申请未获批准，请按原时限处置。"),
            Notice::DeferralApproved => format!("{case}的挂账申请已批准。"),
            Notice::DeferralDenied => format!("{case}的挂账申请未获批准，请继续处置。"),
            Notice::ExtensionRequested => format!("待审批：{case}申请延期。"),
            Notice::DeferralRequested => format!("待审批：{case}申请挂账。"),
            Notice::Returned => format!("退单：{case}被部门退回，请重新派遣。"),
            Notice::Overdue => format!("超期：{case}已超过当前环节时限。"),
            Notice::Merged => format!("【同心】{yours}与已受理的同一问题合并办理，后续进展将一并通知您。"),
            Notice::AwaitingDispatch => format!("待派遣：{case}已立案，请派遣处置部门。"),
            Notice::AwaitingCheck => format!("待核查：{case}部门已反馈处置完毕，请到现场核查。"),
            Notice::AwaitingClose => format!("待结案：{case}已核查通过，请结案。"),
        }
    }
}

/// The notices a timeline step sends. `step` is an action's name, or `report`,
/// `overdue` or `merge`.
pub fn notices(step: &str) -> &'static [(Audience, Notice)] {
    use Audience::*;
    use Notice::*;
    match step {
        "report" => &[(Reporters, Received)],
        "register" => &[(Reporters, Registered)],
        "reject" => &[(Reporters, Rejected)],
        "dispatch" => &[(Reporters, Dispatched), (Department, NewDispatch)],
        "feedback" => &[(Reporters, Handled), (GridWorkers, AwaitingCheck)],
        "pass" => &[(ShiftLeads, AwaitingClose)],
        // Sent by the store when a step leaves a case registered and not dispatched at
        // once (register, return, recall), and when a handled case is put on a grid.
        "awaiting_dispatch" => &[(Dispatchers, AwaitingDispatch)],
        "awaiting_check" => &[(GridWorkers, AwaitingCheck)],
        "rework" => &[(Department, Rework)],
        "close" => &[(Reporters, Closed)],
        "return" => &[(ShiftLeads, Returned)],
        "request_extension" => &[(ShiftLeads, ExtensionRequested)],
        "approve_extension" => &[(Department, ExtensionApproved)],
        "deny_extension" => &[(Department, ExtensionDenied)],
        "request_deferral" => &[(ShiftLeads, DeferralRequested)],
        "approve_deferral" => &[(Department, DeferralApproved), (Reporters, Deferred)],
        "deny_deferral" => &[(Department, DeferralDenied)],
        "overdue" => &[(ShiftLeads, Overdue)],
        "merge" => &[(Reporters, Merged)],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::lifecycle::Action;

    #[test]
    fn every_step_that_changes_what_people_wait_for_tells_them() {
        // a reporter hears of every turn of their case's fate
        for step in ["report", "register", "reject", "dispatch", "feedback", "close", "approve_deferral", "merge"] {
            assert!(notices(step).iter().any(|(a, _)| *a == Audience::Reporters), "{step}");
        }
        // the department hears of work coming to it and of decisions on its requests
        for step in ["dispatch", "rework", "approve_extension", "deny_extension", "approve_deferral", "deny_deferral"] {
            assert!(notices(step).iter().any(|(a, _)| *a == Audience::Department), "{step}");
        }
        // the shift lead hears of what waits for them and of what is late
        for step in ["request_extension", "request_deferral", "return", "overdue", "pass"] {
            assert_eq!(notices(step)[0].0, Audience::ShiftLeads, "{step}");
        }
        // the dispatcher hears of a case to dispatch, the grid worker of one to check
        assert_eq!(notices("awaiting_dispatch"), &[(Audience::Dispatchers, Notice::AwaitingDispatch)]);
        assert!(notices("feedback").contains(&(Audience::GridWorkers, Notice::AwaitingCheck)));
        // steps inside the department's own work are quiet
        for action in [Action::Verify, Action::Accept, Action::Resume, Action::Evaluate] {
            assert!(notices(action.as_str()).is_empty(), "{action:?}");
        }
    }

    #[test]
    fn texts_name_the_case_and_nobody() {
        let text = Notice::Registered.text("20261127-00042", "楼道堆物");
        assert_eq!(text, "【同心】您反映的问题（编号 20261127-00042，楼道堆物）已立案，正在安排处置。");
        assert_eq!(
            Notice::Overdue.text("20261127-00042", "占道经营"),
            "超期：案件 20261127-00042（占道经营）已超过当前环节时限。"
        );
        for action in Action::ALL {
            for (_, notice) in notices(action.as_str()) {
                assert!(notice.text("N", "C").contains('N'), "{notice:?}");
            }
        }
    }
}
