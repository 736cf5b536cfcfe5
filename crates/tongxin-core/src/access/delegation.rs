//! Who may manage whose account, and who may hand out which permission: the separation of
//! duties that 等保 2.0 asks for (三员分立: the administrator manages, the auditor audits,
//! and nobody gives away a power they do not hold).
//!
//! - **Nobody confers what they lack.** An account may create an account, or a key, only
//!   with permissions it holds itself ([`may_confer`]).
//! - **Nobody manages an account more powerful than their own.** Every action on an account
//!   (create it, reset its password, which also lifts a lock, disable or enable it, remove
//!   its second factor) needs every permission that account holds ([`may_manage`]): an
//!   administrator cannot reset the auditor's password and sign in as the auditor.
//! - **Auditors are managed by auditors.** The right to manage accounts is `users.manage`;
//!   an account holding `audit.read` may also manage accounts that are auditors and nothing
//!   else. Everything else about auditors happens at the console (`tongxin user …`).
//! - **The console is the root.** The `tongxin` command line, run on the server, acts as
//!   the system and may do all of this.

use super::{Actor, ActorKind, Denied, Permission, Role};

/// Whether `actor` may confer every one of `permissions`: the first it lacks is refused.
pub fn may_confer(actor: &Actor, permissions: impl IntoIterator<Item = Permission>) -> Result<(), Denied> {
    if actor.kind == ActorKind::System {
        return Ok(());
    }
    permissions.into_iter().try_for_each(|p| actor.require(p))
}

/// Whether `actor` may manage an account holding `roles` (to create it with them, or to
/// act on it): the right to manage accounts, then every permission the roles bring.
pub fn may_manage(actor: &Actor, roles: &[Role]) -> Result<(), Denied> {
    if actor.kind == ActorKind::System {
        return Ok(());
    }
    let manager = actor.can(Permission::UsersManage) || (auditors_only(roles) && actor.can(Permission::AuditRead));
    if !manager {
        return Err(Denied { permission: Permission::UsersManage });
    }
    may_confer(actor, roles.iter().flat_map(|r| r.permissions().iter().copied()))
}

/// Whether `actor` manages any accounts at all (the list of accounts, the form).
pub fn manages_accounts(actor: &Actor) -> bool {
    actor.kind == ActorKind::System || actor.can(Permission::UsersManage) || actor.can(Permission::AuditRead)
}

/// Whether every role is the auditor's (and there is one).
fn auditors_only(roles: &[Role]) -> bool {
    !roles.is_empty() && roles.iter().all(|r| *r == Role::Auditor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(roles: &[Role]) -> Actor {
        Actor::staff(1, "x", roles.to_vec(), vec![])
    }

    fn refused(actor: &Actor, roles: &[Role]) -> Option<Permission> {
        may_manage(actor, roles).err().map(|d| d.permission)
    }

    #[test]
    fn the_administrator_grants_only_what_it_holds() {
        let admin = staff(&[Role::Admin]);
        for role in [Role::Admin, Role::Intake, Role::Dispatcher, Role::GridWorker, Role::Department, Role::Viewer] {
            assert_eq!(refused(&admin, &[role]), None, "{role}");
        }
        assert_eq!(refused(&admin, &[Role::Kiosk]), None);
        assert_eq!(refused(&admin, &[Role::ShiftLead, Role::Auditor]), Some(Permission::PiiReveal));
        assert_eq!(refused(&admin, &[Role::Operator]), Some(Permission::PiiReveal));
        assert_eq!(refused(&admin, &[Role::Auditor]), Some(Permission::AuditRead));
        assert_eq!(refused(&admin, &[Role::Viewer, Role::Auditor]), Some(Permission::AuditRead));
    }

    #[test]
    fn auditors_manage_auditors_and_nothing_else() {
        let auditor = staff(&[Role::Auditor]);
        assert_eq!(refused(&auditor, &[Role::Auditor]), None);
        assert_eq!(refused(&auditor, &[Role::Auditor, Role::Viewer]), Some(Permission::UsersManage));
        assert_eq!(refused(&auditor, &[Role::Kiosk]), Some(Permission::UsersManage));
        assert_eq!(refused(&auditor, &[]), Some(Permission::UsersManage));
        assert!(manages_accounts(&auditor));
    }

    #[test]
    fn others_manage_nobody_and_the_console_everybody() {
        let lead = staff(&[Role::ShiftLead]);
        assert_eq!(refused(&lead, &[Role::Viewer]), Some(Permission::UsersManage));
        assert!(!manages_accounts(&lead));
        let console = Actor::system("user add");
        for role in Role::ALL {
            assert_eq!(refused(&console, &[role]), None);
        }
        assert_eq!(may_confer(&console, Permission::ALL), Ok(()));
    }

    #[test]
    fn every_role_the_administrator_may_not_grant_holds_personal_data_or_the_audit_log() {
        // What the administrator cannot hand out is exactly what 三员分立 keeps from it.
        let admin = staff(&[Role::Admin]);
        let guarded = [Permission::PiiReveal, Permission::PiiExport, Permission::AuditRead];
        for role in Role::ALL {
            if let Some(p) = refused(&admin, &[role]) {
                assert!(guarded.contains(&p), "{role}: {p}");
            }
        }
    }
}
