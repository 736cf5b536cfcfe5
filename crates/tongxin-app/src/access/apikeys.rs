//! API keys (`apikeys.manage`): list, create (the secret is shown once), revoke. A key is
//! bound to regions within its creator's; by default, to exactly the creator's. Its scopes
//! may grant only permissions its creator holds, and only such a key may be revoked
//! ([`tongxin_core::access::delegation::may_confer`]): a 403 naming the one lacking.

use serde::{Deserialize, Serialize};
use tongxin_core::access::{ApiScope, Permission, RegionScope, delegation};
use tongxin_core::geo::RegionCode;
use tongxin_store::access::ApiKey;
use utoipa::ToSchema;

use crate::caller::Who;
use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    /// The public start of the key, e.g. `tx_1a2b3c4d`.
    pub prefix: String,
    pub scopes: Vec<String>,
    /// Region codes, or null for every region.
    pub regions: Option<Vec<String>>,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub fn time(ms: i64) -> String {
    tongxin_core::time::Timestamp::from_millis(ms).to_shanghai_rfc3339()
}

impl From<&ApiKey> for ApiKeyView {
    fn from(k: &ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            regions: k.regions.as_ref().map(|r| r.iter().map(|c| c.to_string()).collect()),
            created_by: k.created_by.clone(),
            created_at: time(k.created_at),
            last_used_at: k.last_used_at.map(time),
            revoked_at: k.revoked_at.map(time),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewKeyRequest {
    #[schema(example = "fixmystreet")]
    pub name: String,
    /// read, open311, sensor, hotline or kiosk
    #[schema(example = json!(["open311"]))]
    pub scopes: Vec<String>,
    /// Regions the key may act in; omitted means the creator's own.
    pub regions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewKeyResponse {
    pub key: ApiKeyView,
    /// The whole key, shown this once: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Whether the key lies within the caller's regions.
pub fn within(who: &Who, key: &ApiKey) -> bool {
    match (&who.actor.scope, &key.regions) {
        (RegionScope::All, _) => true,
        (_, None) => false,
        (scope, Some(regions)) => regions.iter().all(|r| scope.covers(r)),
    }
}

/// The keys within the caller's regions.
pub async fn visible_keys(app: &App, who: &Who) -> Result<Vec<ApiKey>, Error> {
    who.require(app, Permission::ApiKeysManage).await?;
    Ok(app.store.api_keys().await?.into_iter().filter(|k| within(who, k)).collect())
}

/// Refuses (403 naming the permission, audited) a key whose scopes grant a permission the
/// caller lacks: nobody hands out, or takes back, a power they do not hold.
pub async fn require_confer(app: &App, who: &Who, scopes: &[ApiScope], key: &str) -> Result<(), Error> {
    let granted = scopes.iter().flat_map(|s| s.permissions().iter().copied());
    let Err(denied) = delegation::may_confer(&who.actor, granted) else { return Ok(()) };
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    Err(who.denied(app, denied.permission, serde_json::json!({ "api_key": key, "scopes": scopes })).await)
}

/// Creates a key; the response holds the only copy of its secret.
pub async fn create_key(app: &App, who: &Who, request: NewKeyRequest) -> Result<(ApiKey, String), Error> {
    who.require(app, Permission::ApiKeysManage).await?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("name", "a key needs a name of 1 to 100 characters"));
    }
    let scopes = request
        .scopes
        .iter()
        .map(|s| s.parse::<ApiScope>().map_err(|e| Error::invalid("scopes", e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    if scopes.is_empty() {
        return Err(Error::invalid("scopes", "a key needs at least one scope"));
    }
    require_confer(app, who, &scopes, name).await?;
    let regions = match request.regions {
        Some(raw) => {
            let mut codes = Vec::new();
            for r in raw {
                let code = RegionCode::parse(&r).map_err(|e| Error::invalid("regions", format!("regions: {e}")))?;
                who.covers(app, &code, Error::not_found(format!("no region with code {code}"))).await?;
                codes.push(code);
            }
            Some(codes)
        }
        None => who.actor.scope.roots().map(<[RegionCode]>::to_vec),
    };
    Ok(app.store.create_api_key(&who.caller(), name, &scopes, regions.as_deref()).await?)
}

/// Revokes a key within the caller's regions.
pub async fn revoke_key(app: &App, who: &Who, id: i64) -> Result<(), Error> {
    who.require(app, Permission::ApiKeysManage).await?;
    let not_found = || Error::not_found(format!("no API key with id {id}"));
    let key = app.store.api_key(id).await?.ok_or_else(not_found)?;
    if !within(who, &key) {
        return Err(who.out_of_scope(app, "api_key", &id.to_string(), not_found()).await);
    }
    require_confer(app, who, &key.scopes, &key.name).await?;
    app.store.revoke_api_key(&who.caller(), id).await?;
    Ok(())
}
