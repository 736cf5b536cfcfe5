//! [`Actor`]: whoever is asking — a staff member, a resident, a machine client with an API
//! key, or the `tongxin` command line acting for the operator of the machine.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{ApiScope, Permission, RegionScope, Role};
use crate::geo::RegionCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Staff,
    Resident,
    ApiKey,
    /// The command line on the server itself.
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Resident => "resident",
            ActorKind::ApiKey => "api_key",
            ActorKind::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    /// The staff account, resident account or key id; 0 for the system.
    pub id: i64,
    /// Username, key name, or a resident's masked phone: safe to log and show.
    pub name: String,
    pub roles: Vec<Role>,
    /// An API key's scopes (its channel: open311, sensor, hotline …); empty for people.
    pub api_scopes: Vec<ApiScope>,
    pub permissions: BTreeSet<Permission>,
    pub scope: RegionScope,
}

/// The caller lacks a permission: a 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this needs the permission {permission}")]
pub struct Denied {
    pub permission: Permission,
}

impl Actor {
    pub fn staff(id: i64, username: &str, roles: Vec<Role>, regions: Vec<RegionCode>) -> Self {
        let permissions = roles.iter().flat_map(|r| r.permissions().iter().copied()).collect();
        Self {
            kind: ActorKind::Staff,
            id,
            name: username.to_owned(),
            roles,
            api_scopes: Vec::new(),
            permissions,
            scope: RegionScope::Regions(regions),
        }
    }

    /// A resident sees only their own records, which endpoints check by id; they hold no
    /// permission over anyone else's.
    pub fn resident(id: i64, masked_phone: &str) -> Self {
        Self {
            kind: ActorKind::Resident,
            id,
            name: masked_phone.to_owned(),
            roles: Vec::new(),
            api_scopes: Vec::new(),
            permissions: BTreeSet::new(),
            scope: RegionScope::Regions(Vec::new()),
        }
    }

    pub fn api_key(id: i64, name: &str, scopes: &[ApiScope], regions: Option<Vec<RegionCode>>) -> Self {
        Self {
            kind: ActorKind::ApiKey,
            id,
            name: name.to_owned(),
            roles: Vec::new(),
            api_scopes: scopes.to_vec(),
            permissions: scopes.iter().flat_map(|s| s.permissions().iter().copied()).collect(),
            scope: regions.map_or(RegionScope::All, RegionScope::Regions),
        }
    }

    /// The operator at the server's console, running `tongxin` subcommands.
    pub fn system(command: &str) -> Self {
        Self {
            kind: ActorKind::System,
            id: 0,
            name: command.to_owned(),
            roles: Vec::new(),
            api_scopes: Vec::new(),
            permissions: Permission::ALL.into_iter().collect(),
            scope: RegionScope::All,
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub fn require(&self, permission: Permission) -> Result<(), Denied> {
        if self.can(permission) { Ok(()) } else { Err(Denied { permission }) }
    }

    /// Whether `code` lies in this actor's regions.
    pub fn covers(&self, code: &RegionCode) -> bool {
        self.scope.covers(code)
    }

    pub fn is_staff(&self) -> bool {
        self.kind == ActorKind::Staff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_worker_reads_the_map_in_their_grid_only() {
        let grid = RegionCode::parse("310106013001002").unwrap();
        let worker = Actor::staff(7, "gridworker1", vec![Role::GridWorker], vec![grid.clone()]);
        assert!(worker.require(Permission::GeoRead).is_ok());
        assert_eq!(worker.require(Permission::UsersManage), Err(Denied { permission: Permission::UsersManage }));
        assert!(worker.covers(&grid));
        assert!(!worker.covers(&RegionCode::parse("310106013001003").unwrap()));
    }

    #[test]
    fn roles_add_up() {
        let both = Actor::staff(1, "x", vec![Role::Viewer, Role::Auditor], vec![]);
        assert!(both.can(Permission::GeoRead) && both.can(Permission::AuditRead));
        assert!(!both.can(Permission::UsersManage));
    }

    #[test]
    fn keys_hold_what_their_scopes_grant() {
        let reader = Actor::api_key(3, "map-wall", &[ApiScope::Read], None);
        assert!(reader.can(Permission::GeoRead));
        assert!(reader.covers(&RegionCode::parse("310106").unwrap()));
        let open311 = Actor::api_key(4, "fixmystreet", &[ApiScope::Open311], None);
        assert!(!open311.can(Permission::GeoRead));
        let resident = Actor::resident(9, "138****5678");
        assert!(resident.permissions.is_empty());
        assert!(!resident.covers(&RegionCode::parse("310106").unwrap()));
    }
}
