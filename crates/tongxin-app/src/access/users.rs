//! Staff accounts: list, create, disable, enable, reset a password, remove a second
//! factor. The caller manages only accounts whose regions all lie within their own (any
//! other answers 404), and only accounts holding no permission the caller lacks (a 403
//! naming it, audited): the rule of [`tongxin_core::access::delegation`] (三员分立).

use serde::{Deserialize, Serialize};
use serde_json::json;
use tongxin_core::access::password::Password;
use tongxin_core::access::{Permission, RegionScope, Role, delegation};
use tongxin_core::geo::RegionCode;
use tongxin_store::access::{NewUser, User};
use utoipa::ToSchema;

use crate::caller::Who;
use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub regions: Vec<String>,
    pub disabled: bool,
    /// Shanghai time until which logins are refused, when locked.
    pub locked_until: Option<String>,
    pub has_totp: bool,
    /// The permission this account holds and the caller lacks, when there is one: the
    /// caller may see the account but not act on it.
    pub needs_permission: Option<String>,
}

impl UserView {
    /// The account as `who` sees it, with what stops them from managing it.
    pub fn for_caller(who: &Who, u: &User) -> Self {
        let needs = delegation::may_manage(&who.actor, &u.roles).err().map(|d| d.permission.as_str().to_owned());
        Self { needs_permission: needs, ..Self::from(u) }
    }
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: u.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            regions: u.regions.iter().map(|c| c.to_string()).collect(),
            disabled: u.disabled,
            locked_until: u.locked_until.map(|t| tongxin_core::time::Timestamp::from_millis(t).to_shanghai_rfc3339()),
            has_totp: u.has_totp,
            needs_permission: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    /// At least 12 characters.
    pub password: String,
    #[schema(example = json!(["gridworker"]))]
    pub roles: Vec<String>,
    #[schema(example = json!(["310106013001002"]))]
    pub regions: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordRequest {
    pub password: String,
}

/// Whether `who` may manage `user`: every region of the account lies in the caller's.
pub fn manages(who: &Who, user: &User) -> bool {
    match &who.actor.scope {
        RegionScope::All => true,
        scope => !user.regions.is_empty() && user.regions.iter().all(|r| scope.covers(r)),
    }
}

/// Refuses (403, audited) a caller who manages no accounts at all.
pub async fn require_manager(app: &App, who: &Who) -> Result<(), Error> {
    if delegation::manages_accounts(&who.actor) { Ok(()) } else { who.require(app, Permission::UsersManage).await }
}

/// Refuses, with a 403 naming the permission and an audit entry, an action on an account
/// holding `roles` (or creating one with them) that the caller may not take.
pub async fn require_manage(app: &App, who: &Who, roles: &[Role], account: &str) -> Result<(), Error> {
    let Err(denied) = delegation::may_manage(&who.actor, roles) else { return Ok(()) };
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Err(who.denied(app, denied.permission, json!({ "account": account, "roles": roles })).await)
}

/// The account, if it exists, lies in the caller's regions (else 404) and holds nothing the
/// caller lacks (else 403).
pub async fn managed_user(app: &App, who: &Who, id: i64) -> Result<User, Error> {
    require_manager(app, who).await?;
    let not_found = || Error::not_found(format!("no user with id {id}"));
    let user = app.store.user(id).await?.ok_or_else(not_found)?;
    if !manages(who, &user) {
        return Err(who.out_of_scope(app, "user", &id.to_string(), not_found()).await);
    }
    require_manage(app, who, &user.roles, &user.username).await?;
    Ok(user)
}

/// The accounts the caller sees on the list: within their regions; for a caller without
/// `users.manage` (an auditor), only those they manage.
pub async fn listed_users(app: &App, who: &Who) -> Result<Vec<User>, Error> {
    require_manager(app, who).await?;
    let all = who.actor.can(Permission::UsersManage);
    Ok(app
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| manages(who, u) && (all || delegation::may_manage(&who.actor, &u.roles).is_ok()))
        .collect())
}

/// Parses and checks a new account: roles known and the caller's to grant, regions within
/// the caller's own.
pub async fn parse_new_user(app: &App, who: &Who, request: NewUserRequest) -> Result<NewUser, Error> {
    let username = request.username.trim().to_owned();
    if !(2..=64).contains(&username.chars().count()) || username.contains(char::is_whitespace) {
        return Err(Error::invalid("username", "a username has 2 to 64 characters and no spaces"));
    }
    let password = Password::parse(&request.password).map_err(|e| Error::invalid("password", e.to_string()))?;
    let roles = request
        .roles
        .iter()
        .map(|r| r.parse::<Role>().map_err(|e| Error::invalid("roles", e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    if roles.is_empty() {
        return Err(Error::invalid("roles", "an account needs at least one role"));
    }
    require_manage(app, who, &roles, &username).await?;
    let mut regions = Vec::new();
    for raw in &request.regions {
        let code = RegionCode::parse(raw).map_err(|e| Error::invalid("regions", format!("regions: {e}")))?;
        who.covers(app, &code, Error::not_found(format!("no region with code {code}"))).await?;
        regions.push(code);
    }
    if regions.is_empty() {
        return Err(Error::invalid("regions", "an account is bound to at least one region"));
    }
    let display_name = request.display_name.trim().to_owned();
    let display_name = if display_name.is_empty() { username.clone() } else { display_name };
    let password_hash = crate::access::login::hash_password(password).await?;
    Ok(NewUser { username, display_name, password_hash, roles, regions })
}

/// Disables or enables an account; disabling ends its sessions at once.
pub async fn set_disabled(app: &App, who: &Who, id: i64, disabled: bool) -> Result<(), Error> {
    let user = managed_user(app, who, id).await?;
    if disabled && user.id == who.actor.id && who.actor.is_staff() {
        return Err(Error::Conflict { field: "id".into(), message: "you cannot disable your own account".into() });
    }
    app.store.set_user_disabled(&who.caller(), user.id, disabled).await?;
    Ok(())
}
