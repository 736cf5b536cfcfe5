//! The demo's casework set-up: the shipped category catalog and departments, and dispatch
//! rules that send the everyday categories of the whole subdistrict to their usual
//! department (so registering such a case dispatches it at once).

use tongxin_core::cases::catalog::{Catalog, CategoryCode};
use tongxin_core::geo::RegionCode;
use tongxin_store::Store;
use tongxin_store::audit::Caller;

use crate::DemoError;
use crate::names::SUBDISTRICT;

/// (category, department) rules over the whole subdistrict.
const RULES: [(&str, &str); 6] =
    [("E0501", "cgzd"), ("E0505", "cgzd"), ("E0101", "lhsr"), ("E0201", "lhsr"), ("C0102", "szyh"), ("C0101", "szyh")];

pub async fn seed(store: &Store, caller: &Caller) -> Result<(), DemoError> {
    store.import_catalog(caller, &Catalog::default_catalog()).await?;
    let subdistrict = RegionCode::parse(SUBDISTRICT.0).expect("a valid code");
    for (category, department) in RULES {
        let category = CategoryCode::parse(category).expect("a valid code");
        store.add_dispatch_rule(caller, &category, &subdistrict, department).await?;
    }
    Ok(())
}
