//! The 2020 e-bike fire-safety sweep: every charging shed that stood before 2020 (the 58
//! old ones) was inspected once between May and October, a few of them with something to
//! put right; and the hazards the door-to-door visits found became cases — about 365 of
//! the fire-safety categories between May and mid-November, of which about 350 were closed
//! (65 or so of them flying-lead charging or e-bikes in corridors: the bikes cleared).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use tongxin_core::cases::calendar::{Calendar, WorkingHours};
use tongxin_core::cases::catalog::Catalog;
use tongxin_core::geo::Building;
use tongxin_core::time::SHANGHAI;
use tongxin_store::Store;
use tongxin_store::audit::Caller;
use tongxin_store::registry::NewShed;
use tongxin_store::registry::safety::NewShedCheck;

use crate::DemoError;

const FINDINGS: [&str; 5] = ["灭火器过期", "烟感不报警", "定时断电失效", "棚内堆放杂物", "线路老化"];
const INSPECTORS: [&str; 4] = ["网格员 张伟", "网格员 杨洋", "社区民警 陈磊", "消防站 王强"];

/// Records one 2020 inspection of every shed opened before 2020; how many.
pub async fn seed_shed_checks(
    store: &Store,
    caller: &Caller,
    rng: &mut impl Rng,
    sheds: &[(i64, &NewShed)],
) -> Result<usize, DemoError> {
    let sweep = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date");
    let checks: Vec<NewShedCheck> = sheds
        .iter()
        .filter(|(_, s)| s.opened_on.is_some_and(|d| d < sweep))
        .map(|(id, _)| {
            let ok = rng.random_bool(0.8);
            NewShedCheck {
                shed_id: *id,
                checked_on: NaiveDate::from_ymd_opt(2020, rng.random_range(5..=10), rng.random_range(1..=28))
                    .expect("a date"),
                checked_by: INSPECTORS[rng.random_range(0..INSPECTORS.len())].to_owned(),
                ok,
                findings: if ok { String::new() } else { FINDINGS[rng.random_range(0..FINDINGS.len())].to_owned() },
            }
        })
        .collect();
    store.record_shed_checks(caller, &checks).await?;
    Ok(checks.len())
}

/// (category, cases filed at full scale) in the 2020 sweep.
const SWEEP: [(&str, usize); 5] = [("E0503", 36), ("E0504", 32), ("E0103", 150), ("E0401", 80), ("C0103", 67)];

/// Writes the 2020 sweep's fire-safety cases (scaled to `households` of 20,000) with their
/// whole stories, in one transaction; how many.
pub async fn seed_sweep_cases(
    store: &Store,
    caller: &Caller,
    rng: &mut impl Rng,
    buildings: &[Building],
    households: u32,
) -> Result<usize, DemoError> {
    let catalog = Catalog::default_catalog();
    let departments: BTreeMap<&str, &str> = catalog.departments.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
    let calendar = Calendar::prc(WorkingHours::default());
    let now = tongxin_core::time::Timestamp::now().to_utc();
    let start = NaiveDate::from_ymd_opt(2020, 5, 1).expect("a date");
    let mut past = Vec::new();
    for (code, full) in SWEEP {
        let Some(category) = catalog.categories.iter().find(|c| c.code.as_str() == code) else { continue };
        let texts = crate::history::texts(code);
        let n = (full * households as usize).div_ceil(20_000);
        for _ in 0..n {
            if buildings.is_empty() || texts.is_empty() {
                break;
            }
            let day = start + Duration::days(rng.random_range(0..200));
            let at = day.and_hms_opt(rng.random_range(8..20), rng.random_range(0..60), 0).expect("a time");
            let created = SHANGHAI.from_local_datetime(&at).single().expect("no gaps").with_timezone(&Utc);
            let building = &buildings[rng.random_range(0..buildings.len())];
            let text = texts[rng.random_range(0..texts.len())];
            past.push(crate::history::case_at(rng, &calendar, &departments, category, building, created, now, text));
        }
    }
    let mut tx = store.begin_write().await?;
    let n = store.insert_past_cases_in(&mut tx, caller, &past).await?;
    tx.commit().await.map_err(tongxin_store::StoreError::from)?;
    Ok(n)
}
