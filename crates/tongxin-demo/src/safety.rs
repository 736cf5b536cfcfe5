//! The 2020 e-bike fire-safety sweep's inspections: every charging shed that stood before
//! 2020 (the 58 old ones) was checked once between May and October 2020, a few of them
//! with something to put right.

use chrono::NaiveDate;
use rand::Rng;
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
