//! Who may do what, where.
//!
//! - [`role`]: [`Permission`]s, the [`Role`]s that bundle them (kept here, in one table,
//!   and listed in docs/access.md) and the [`ApiScope`]s of machine keys.
//! - [`scope`]: [`RegionScope`], the subtrees of the region tree an account is bound to.
//! - [`actor`]: [`Actor`], the caller of a request or command, and the two questions every
//!   endpoint asks it: may you ([`Actor::require`]), and is this yours ([`Actor::covers`])?
//! - [`delegation`]: who may manage whose account and hand out which permission (三员分立).
//!
//! A permission the caller lacks is a 403; an object outside its scope is a 404, so that
//! nobody learns what exists beyond their subtree.

pub mod actor;
pub mod delegation;
pub mod password;
pub mod role;
pub mod scope;
pub mod token;

pub use actor::{Actor, ActorKind, Denied};
pub use role::{ApiScope, Permission, Role};
pub use scope::RegionScope;
