//! The demo's casework set-up: the shipped category catalog and departments, and dispatch
//! rules that send the everyday categories of the whole subdistrict to their usual
//! department (so registering such a case dispatches it at once).

use tongxin_core::cases::calendar::{Calendar, WorkingHours};
use tongxin_core::cases::catalog::{Catalog, CategoryCode};
use tongxin_core::geo::RegionCode;
use tongxin_store::Store;
use tongxin_store::audit::Caller;

use crate::DemoError;
use crate::names::SUBDISTRICT;

/// (category, department) rules over the whole subdistrict.
const RULES: [(&str, &str); 6] =
    [("E0501", "cgzd"), ("E0505", "cgzd"), ("E0101", "lhsr"), ("E0201", "lhsr"), ("C0102", "szyh"), ("C0101", "szyh")];

/// Writes `options.case_months` of past cases in one transaction; returns how many.
pub async fn seed_history(
    store: &Store,
    caller: &Caller,
    rng: &mut impl rand::Rng,
    options: &crate::DemoOptions,
) -> Result<usize, DemoError> {
    if options.case_months == 0 {
        return Ok(0);
    }
    let subdistrict = RegionCode::parse(SUBDISTRICT.0).expect("a valid code");
    let filter = tongxin_store::geo::BuildingFilter { within: subdistrict, limit: i64::MAX, offset: 0 };
    let buildings = store.buildings(&filter).await?;
    let calendar = Calendar::prc(WorkingHours::default());
    let now = tongxin_core::time::Timestamp::now().to_utc();
    let past =
        crate::history::generate(rng, &buildings, &Catalog::default_catalog(), &calendar, now, options.case_months);
    let mut tx = store.begin_write().await?;
    let n = store.insert_past_cases_in(&mut tx, caller, &past).await?;
    tx.commit().await.map_err(tongxin_store::StoreError::from)?;
    Ok(n)
}

pub async fn seed(store: &Store, caller: &Caller) -> Result<(), DemoError> {
    store.import_catalog(caller, &Catalog::default_catalog()).await?;
    let subdistrict = RegionCode::parse(SUBDISTRICT.0).expect("a valid code");
    for (category, department) in RULES {
        let category = CategoryCode::parse(category).expect("a valid code");
        store.add_dispatch_rule(caller, &category, &subdistrict, department).await?;
    }
    Ok(())
}
