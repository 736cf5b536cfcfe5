//! Permissions and roles. Each role is a named set of permissions, defined in
//! [`Role::permissions`] and nowhere else.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One thing an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// Read the region tree, buildings and the map; locate points.
    #[serde(rename = "geo.read")]
    GeoRead,
    /// Read resident accounts, with personal fields masked.
    #[serde(rename = "residents.read")]
    ResidentsRead,
    /// Reveal one personal field of one record in full, giving a purpose (audited).
    #[serde(rename = "pii.reveal")]
    PiiReveal,
    /// Export personal data in bulk with full values (audited).
    #[serde(rename = "pii.export")]
    PiiExport,
    /// Manage staff accounts.
    #[serde(rename = "users.manage")]
    UsersManage,
    /// Manage API keys for machine clients.
    #[serde(rename = "apikeys.manage")]
    ApiKeysManage,
    /// Read the audit log.
    #[serde(rename = "audit.read")]
    AuditRead,
    /// See cases in one's regions (a department: the cases dispatched to it).
    #[serde(rename = "cases.read")]
    CasesRead,
    /// File a case.
    #[serde(rename = "cases.report")]
    CasesReport,
    /// 核实: confirm a reported problem on the spot.
    #[serde(rename = "cases.verify")]
    CasesVerify,
    /// 立案 / 不予立案 / 结案, and record a reporter's evaluation.
    #[serde(rename = "cases.register")]
    CasesRegister,
    /// 派遣: send a case to a department.
    #[serde(rename = "cases.dispatch")]
    CasesDispatch,
    /// 处置: take, return, report back, ask for more time or a deferral (own department).
    #[serde(rename = "cases.handle")]
    CasesHandle,
    /// 核查: check the work and pass it or send it back.
    #[serde(rename = "cases.check")]
    CasesCheck,
    /// Decide extension and deferral requests.
    #[serde(rename = "cases.approve")]
    CasesApprove,
    /// Edit the category catalog, departments and dispatch rules.
    #[serde(rename = "catalog.manage")]
    CatalogManage,
    /// Add and change registry records (households, residents, buildings' registry
    /// fields) and import ledgers, within one's regions (audited with before and after).
    #[serde(rename = "registry.write")]
    RegistryWrite,
    /// Record an inspection of a charging shed (充电棚检查).
    #[serde(rename = "sheds.check")]
    ShedsCheck,
    /// Book, cancel and check in services for residents in one's regions (一网通办).
    #[serde(rename = "booking.book")]
    BookingBook,
    /// Run the service catalogue: services, sites, slots (block, change capacity).
    #[serde(rename = "booking.manage")]
    BookingManage,
    /// Read aggregated figures within one's regions: booking statistics and the e-bike
    /// safety figures per community. Counts only, never a person or a building's rows.
    #[serde(rename = "stats.read")]
    StatsRead,
    /// Run campaigns (专项行动): create one, assign and reassign its visit tasks.
    #[serde(rename = "campaigns.manage")]
    CampaignsManage,
    /// Do one's own visit tasks: answer a campaign's checklist at a target.
    #[serde(rename = "campaigns.visit")]
    CampaignsVisit,
    /// Read campaigns and their progress within one's regions (counts and targets, never a
    /// household's answers beyond one's own visits).
    #[serde(rename = "campaigns.read")]
    CampaignsRead,
}

impl Permission {
    pub const ALL: [Permission; 24] = [
        Permission::GeoRead,
        Permission::ResidentsRead,
        Permission::PiiReveal,
        Permission::PiiExport,
        Permission::UsersManage,
        Permission::ApiKeysManage,
        Permission::AuditRead,
        Permission::CasesRead,
        Permission::CasesReport,
        Permission::CasesVerify,
        Permission::CasesRegister,
        Permission::CasesDispatch,
        Permission::CasesHandle,
        Permission::CasesCheck,
        Permission::CasesApprove,
        Permission::CatalogManage,
        Permission::RegistryWrite,
        Permission::ShedsCheck,
        Permission::BookingBook,
        Permission::BookingManage,
        Permission::StatsRead,
        Permission::CampaignsManage,
        Permission::CampaignsVisit,
        Permission::CampaignsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::GeoRead => "geo.read",
            Permission::ResidentsRead => "residents.read",
            Permission::PiiReveal => "pii.reveal",
            Permission::PiiExport => "pii.export",
            Permission::UsersManage => "users.manage",
            Permission::ApiKeysManage => "apikeys.manage",
            Permission::AuditRead => "audit.read",
            Permission::CasesRead => "cases.read",
            Permission::CasesReport => "cases.report",
            Permission::CasesVerify => "cases.verify",
            Permission::CasesRegister => "cases.register",
            Permission::CasesDispatch => "cases.dispatch",
            Permission::CasesHandle => "cases.handle",
            Permission::CasesCheck => "cases.check",
            Permission::CasesApprove => "cases.approve",
            Permission::CatalogManage => "catalog.manage",
            Permission::RegistryWrite => "registry.write",
            Permission::ShedsCheck => "sheds.check",
            Permission::BookingBook => "booking.book",
            Permission::BookingManage => "booking.manage",
            Permission::StatsRead => "stats.read",
            Permission::CampaignsManage => "campaigns.manage",
            Permission::CampaignsVisit => "campaigns.visit",
            Permission::CampaignsRead => "campaigns.read",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 街道管理员: accounts, keys, the catalogue and the map, and every permission of the
    /// roles it may hand out; not the audit log, not personal data in full.
    Admin,
    /// 受理员
    Intake,
    /// 派遣员
    Dispatcher,
    /// 值班长
    ShiftLead,
    /// 网格员 / 监督员
    GridWorker,
    /// 职能部门处置人员
    Department,
    /// 坐席 (telephone operator)
    Operator,
    /// 自助终端 (a kiosk device at a service site)
    Kiosk,
    /// 领导 / 只读
    Viewer,
    /// 审计员: reads the audit log and nothing else.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::Intake,
        Role::Dispatcher,
        Role::ShiftLead,
        Role::GridWorker,
        Role::Department,
        Role::Operator,
        Role::Kiosk,
        Role::Viewer,
        Role::Auditor,
    ];

    /// The one table of who may do what. Later capabilities add their permissions here.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            // The administrator holds every permission of the roles it hands out (nobody
            // confers what they lack, see `delegation`), and none of personal data in
            // full or of the audit log: operators, shift leads and auditors are created at
            // the console.
            Role::Admin => &[
                GeoRead,
                ResidentsRead,
                RegistryWrite,
                UsersManage,
                ApiKeysManage,
                CasesRead,
                CasesReport,
                CasesVerify,
                CasesRegister,
                CasesDispatch,
                CasesHandle,
                CasesCheck,
                CatalogManage,
                ShedsCheck,
                BookingBook,
                BookingManage,
                StatsRead,
                CampaignsManage,
                CampaignsVisit,
                CampaignsRead,
            ],
            Role::Intake => &[GeoRead, ResidentsRead, CasesRead, CasesReport, CasesVerify, CasesRegister],
            Role::Dispatcher => &[GeoRead, CasesRead, CasesDispatch, CampaignsRead],
            Role::ShiftLead => &[
                GeoRead,
                ResidentsRead,
                RegistryWrite,
                PiiReveal,
                PiiExport,
                CasesRead,
                CasesReport,
                CasesVerify,
                CasesRegister,
                CasesDispatch,
                CasesCheck,
                CasesApprove,
                ShedsCheck,
                BookingBook,
                CampaignsManage,
                CampaignsRead,
            ],
            Role::GridWorker => &[
                GeoRead,
                ResidentsRead,
                RegistryWrite,
                CasesRead,
                CasesReport,
                CasesVerify,
                CasesCheck,
                ShedsCheck,
                CampaignsVisit,
                CampaignsRead,
            ],
            // A department sees the cases dispatched to it, not its regions' others.
            Role::Department => &[GeoRead, CasesHandle],
            Role::Operator => &[GeoRead, ResidentsRead, PiiReveal, CasesRead, CasesReport, BookingBook],
            // A kiosk's permissions (booking at its site) arrive with the service door.
            Role::Kiosk => &[],
            // A leader reads cases and the map, and the figures, never a person's record.
            Role::Viewer => &[GeoRead, CasesRead, StatsRead, CampaignsRead],
            Role::Auditor => &[AuditRead],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Intake => "intake",
            Role::Dispatcher => "dispatcher",
            Role::ShiftLead => "shiftlead",
            Role::GridWorker => "gridworker",
            Role::Department => "department",
            Role::Operator => "operator",
            Role::Kiosk => "kiosk",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
        }
    }

    /// The role's key in the pages' message catalogs (`Role.shiftlead`), like a
    /// vocabulary's `term_key`.
    pub fn term_key(self) -> &'static str {
        match self {
            Role::Admin => "Role.admin",
            Role::Intake => "Role.intake",
            Role::Dispatcher => "Role.dispatcher",
            Role::ShiftLead => "Role.shiftlead",
            Role::GridWorker => "Role.gridworker",
            Role::Department => "Role.department",
            Role::Operator => "Role.operator",
            Role::Kiosk => "Role.kiosk",
            Role::Viewer => "Role.viewer",
            Role::Auditor => "Role.auditor",
        }
    }

    /// The role's name in Chinese, as staff know it.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "街道管理员",
            Role::Intake => "受理员",
            Role::Dispatcher => "派遣员",
            Role::ShiftLead => "值班长",
            Role::GridWorker => "网格员",
            Role::Department => "职能部门",
            Role::Operator => "坐席",
            Role::Kiosk => "自助终端",
            Role::Viewer => "领导（只读）",
            Role::Auditor => "审计员",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| UnknownName {
            what: "role",
            value: s.into(),
            expected: Self::ALL.map(Role::as_str).join(", "),
        })
    }
}

/// What a machine client's API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiScope {
    /// Read the region tree and buildings, locate points.
    Read,
    /// File and follow cases through Open311 GeoReport v2.
    Open311,
    /// Report alarms from sensors.
    Sensor,
    /// Import orders from the 12345 hotline.
    Hotline,
    /// A self-service kiosk at a service site.
    Kiosk,
}

impl ApiScope {
    pub const ALL: [ApiScope; 5] =
        [ApiScope::Read, ApiScope::Open311, ApiScope::Sensor, ApiScope::Hotline, ApiScope::Kiosk];

    /// The permissions a key with this scope holds. Kiosks gain theirs with booking.
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            ApiScope::Read => &[Permission::GeoRead, Permission::CasesRead],
            ApiScope::Open311 | ApiScope::Sensor | ApiScope::Hotline => &[Permission::CasesReport],
            ApiScope::Kiosk => &[],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::Read => "read",
            ApiScope::Open311 => "open311",
            ApiScope::Sensor => "sensor",
            ApiScope::Hotline => "hotline",
            ApiScope::Kiosk => "kiosk",
        }
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiScope {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| UnknownName {
            what: "API scope",
            value: s.into(),
            expected: Self::ALL.map(ApiScope::as_str).join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auditor_reads_the_audit_log_and_nothing_else() {
        assert_eq!(Role::Auditor.permissions(), [Permission::AuditRead]);
        let others = Role::ALL.into_iter().filter(|r| *r != Role::Auditor);
        assert!(others.clone().all(|r| !r.permissions().contains(&Permission::AuditRead)));
    }

    #[test]
    fn administrators_do_not_see_personal_data_in_full() {
        let admin = Role::Admin.permissions();
        assert!(!admin.contains(&Permission::PiiReveal) && !admin.contains(&Permission::PiiExport));
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        for scope in ApiScope::ALL {
            assert_eq!(scope.as_str().parse::<ApiScope>().unwrap(), scope);
        }
        let err = "boss".parse::<Role>().unwrap_err().to_string();
        assert!(err.contains("unknown role 'boss'") && err.contains("gridworker"), "{err}");
        for p in Permission::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }
}
