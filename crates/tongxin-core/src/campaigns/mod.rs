//! Campaigns (专项行动): a checklist carried to every target of a kind — building,
//! household, charging shed or grid — in some regions over a period, each target a visit
//! task for the grid worker of its grid. A visit's answers are held to the checklist
//! ([`checklist`]); a failing answer becomes a case; the figures come from the visits.
//! [`templates`] holds the checklists shipped with Tongxin.

pub mod checklist;
pub mod templates;

vocabulary! {
    /// What a campaign visits.
    TargetKind {
        /// 楼栋
        Building = ("building", "楼栋"),
        /// 户
        Household = ("household", "户"),
        /// 充电棚
        Shed = ("shed", "充电棚"),
        /// 网格（街面巡查的路段）
        Grid = ("grid", "网格"),
    }
}

vocabulary! {
    /// Where a visit task stands.
    TaskStatus {
        /// 待走访
        Open = ("open", "待走访"),
        /// 已走访
        Visited = ("visited", "已走访"),
        /// 无人应答: to be visited again.
        NobodyHome = ("nobody_home", "无人应答"),
    }
}

vocabulary! {
    /// How a visit ended.
    Outcome {
        /// 已走访: the checklist was answered.
        Visited = ("visited", "已走访"),
        /// 无人应答: nobody opened; the task stays for a revisit.
        NobodyHome = ("nobody_home", "无人应答"),
    }
}

/// The longest campaign name, in characters.
pub const MAX_NAME: usize = 60;
