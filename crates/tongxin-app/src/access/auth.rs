//! The use cases behind `POST /auth/login`, `/auth/logout`, `/auth/otp`,
//! `/auth/resident-login` and `GET /me`.

use serde::{Deserialize, Serialize};
use tongxin_core::pii::PhoneNumber;
use utoipa::ToSchema;

use crate::Error;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    pub password: String,
    /// The 6-digit code from the authenticator app, for accounts with two-factor login.
    pub totp: Option<String>,
}

/// The signed-in caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// staff, resident or api_key
    pub kind: String,
    pub id: i64,
    /// Username, key name, or a resident's masked phone.
    pub name: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
    /// The region codes the caller is bound to; null for every region.
    pub regions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: Me,
    /// Send it as `X-CSRF-Token` with every state-changing call made with the cookie.
    pub csrf_token: String,
}

pub fn describe(who: &crate::caller::Who) -> Me {
    let actor = &who.actor;
    Me {
        kind: actor.kind.as_str().into(),
        id: actor.id,
        name: actor.name.clone(),
        display_name: who.display_name.clone(),
        roles: actor.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        permissions: actor.permissions.iter().map(|p| p.as_str().to_owned()).collect(),
        regions: actor.scope.roots().map(|r| r.iter().map(|c| c.to_string()).collect()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    #[schema(example = "13812345678")]
    pub phone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResidentLoginRequest {
    pub phone: String,
    #[schema(example = "123456")]
    pub code: String,
}

pub fn phone(raw: &str) -> Result<PhoneNumber, Error> {
    PhoneNumber::parse(raw).map_err(|e| Error::invalid("phone", e.to_string()))
}
