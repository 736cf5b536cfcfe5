//! Resident accounts as staff see them (`residents.read`), within their regions: masked by
//! default; one field of one record revealed with a stated purpose (`pii.reveal`); the
//! list exported as CSV, masked, or in full with `pii.export`. Reveals and exports are
//! audited.

use serde::{Deserialize, Serialize};
use serde_json::json;
use tongxin_core::access::{Permission, RegionScope};
use tongxin_core::pii::{PhoneNumber, mask_name};
use tongxin_store::access::ResidentAccount;
use tongxin_store::audit::AuditEntry;
use utoipa::ToSchema;

use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentAccountView {
    pub id: i64,
    /// Masked: `138****5678`.
    pub phone: String,
    /// Masked: `张*`.
    pub display_name: String,
    pub region_code: Option<String>,
    pub disabled: bool,
}

impl From<&ResidentAccount> for ResidentAccountView {
    fn from(a: &ResidentAccount) -> Self {
        Self {
            id: a.id,
            phone: a.phone_masked.clone(),
            display_name: mask_name(&a.display_name),
            region_code: a.region_code.as_ref().map(|c| c.to_string()),
            disabled: a.disabled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentAccountPage {
    pub items: Vec<ResidentAccountView>,
    pub total: i64,
}

/// Whether the account lies in the caller's regions. Accounts not yet tied to a grid are
/// seen only by callers bound to every region.
pub fn visible(who: &Who, account: &ResidentAccount) -> bool {
    match (&who.actor.scope, &account.region_code) {
        (RegionScope::All, _) => true,
        (scope, Some(code)) => scope.covers(code),
        (_, None) => false,
    }
}

/// The accounts the caller may see; `phone` finds one by its full number (blind index).
pub async fn search(app: &App, who: &Who, params: &Params) -> Result<(Vec<ResidentAccount>, i64), Error> {
    who.require(app, Permission::ResidentsRead).await?;
    if let Some(raw) = params.get("phone") {
        let phone = PhoneNumber::parse(raw).map_err(|e| Error::invalid("phone", e.to_string()))?;
        let found = app.store.resident_account_by_phone(&app.pii.blind_index("phone", phone.expose())).await?;
        let found: Vec<_> = found.into_iter().filter(|a| visible(who, a)).collect();
        let total = found.len() as i64;
        return Ok((found, total));
    }
    let limit = params.bounded("limit", 100, 1, 1000)?;
    let offset = params.bounded("offset", 0, 0, i64::MAX)?;
    Ok(app.store.resident_accounts(who.actor.scope.roots(), limit, offset).await?)
}

/// One account within the caller's regions.
pub async fn visible_account(app: &App, who: &Who, id: i64) -> Result<ResidentAccount, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    let not_found = || Error::not_found(format!("no resident account with id {id}"));
    let account = app.store.resident_account(id).await?.ok_or_else(not_found)?;
    if !visible(who, &account) {
        return Err(who.out_of_scope(app, "resident_account", &id.to_string(), not_found()).await);
    }
    Ok(account)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RevealRequest {
    /// The field to show in full: `phone`.
    pub field: String,
    /// Why: written to the audit log with the reveal.
    #[schema(example = "回访居民反映的问题")]
    pub purpose: String,
}

/// Opens one personal field of one account for the caller, recording why.
pub async fn reveal_field(app: &App, who: &Who, id: i64, field: &str, purpose: &str) -> Result<String, Error> {
    who.require(app, Permission::PiiReveal).await?;
    let account = visible_account(app, who, id).await?;
    if field != "phone" {
        return Err(Error::invalid("field", format!("only phone can be revealed, not '{field}'")));
    }
    let purpose = purpose.trim();
    if purpose.chars().count() < 2 || purpose.chars().count() > 200 {
        return Err(Error::invalid("purpose", "say why you need the full value (2 to 200 characters)"));
    }
    let sealed = app.store.resident_phone_sealed(account.id).await?;
    let phone = app.pii.open("phone", &sealed).map_err(|e| Error::Internal(e.to_string()))?;
    let entry = AuditEntry::ok("pii.reveal", "resident_account", account.id)
        .with_detail(json!({ "field": field, "purpose": purpose, "value": account.phone_masked }));
    app.store.audit(&who.caller(), entry).await?;
    Ok(phone)
}

/// A cell that a spreadsheet would run as a formula is prefixed with `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

pub fn csv_field(cell: &str) -> String {
    let cell = neutralise(cell);
    if cell.contains([',', '"', '\n']) { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell }
}

/// Builds the CSV (UTF-8 with a BOM, so Excel reads the Chinese) of the caller's accounts;
/// with `full`, phone numbers in full (needs `pii.export`). Every export is audited.
pub async fn export_csv(app: &App, who: &Who, full: bool) -> Result<String, Error> {
    who.require(app, Permission::ResidentsRead).await?;
    if full {
        who.require(app, Permission::PiiExport).await?;
    }
    let (accounts, _) = app.store.resident_accounts(who.actor.scope.roots(), i64::MAX, 0).await?;
    let mut out = String::from("\u{feff}编号,手机号,姓名,网格\r\n");
    for a in &accounts {
        let phone = if full {
            app.pii
                .open("phone", &app.store.resident_phone_sealed(a.id).await?)
                .map_err(|e| Error::Internal(e.to_string()))?
        } else {
            a.phone_masked.clone()
        };
        let region = a.region_code.as_ref().map(|c| c.to_string()).unwrap_or_default();
        let name = if full { a.display_name.clone() } else { mask_name(&a.display_name) };
        let row = [a.id.to_string(), phone, name, region];
        out.push_str(&row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let entry = AuditEntry::ok("pii.export", "resident_account", "")
        .with_detail(json!({ "rows": accounts.len(), "full": full }));
    app.store.audit(&who.caller(), entry).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+86"), "'+86");
        assert_eq!(csv_field("张三"), "张三");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
