//! Charging sheds, e-bikes and pledges out, as XLSX or CSV (UTF-8 with a BOM), with the
//! lists' filters: `GET /api/v1/{sheds,ebikes,pledges}/export?format=xlsx|csv`. The ledgers
//! hold names and addresses but no ID numbers or phones, so there is nothing to unmask;
//! each export is audited as `registry.export` with its kind, filters and row count, and
//! every cell a spreadsheet would run as a formula is neutralised.

use super::ebikes::{search_ebikes, search_pledges, search_sheds};
use super::export::MAX_ROWS;
use crate::caller::Who;
use crate::cases::export::neutralise;
use crate::params::Params;
use crate::{App, Error};

#[derive(Debug, Clone, Copy)]
pub enum Ledger {
    Sheds,
    Ebikes,
    Pledges,
}

impl Ledger {
    /// (file stem, sheet name, header, column widths)
    pub fn layout(self) -> (&'static str, &'static str, &'static [&'static str], &'static [(u16, f64)]) {
        match self {
            Ledger::Sheds => (
                "sheds",
                "充电棚",
                // the shed import template's columns, then what the import leaves alone
                &["名称", "纬度", "经度", "车位数", "设施", "状态", "启用日期", "网格", "在用电动车", "最近检查"],
                &[(0, 28.0), (4, 30.0), (7, 18.0)],
            ),
            Ledger::Ebikes => (
                "ebikes",
                "电动车",
                // the e-bike import template's columns, then whether the owner pledged
                &[
                    "车牌号",
                    "品牌",
                    "电池类型",
                    "状态",
                    "登记日期",
                    "车主",
                    "地址",
                    "单元",
                    "室",
                    "充电棚",
                    "已签承诺书",
                ],
                &[(0, 14.0), (6, 28.0), (9, 28.0)],
            ),
            Ledger::Pledges => (
                "pledges",
                "安全承诺书",
                // the pledge import template's columns
                &["签署人", "地址", "单元", "室", "签署日期", "方式", "收取人"],
                &[(1, 28.0)],
            ),
        }
    }

    /// One page of rows (without the header) from the list's search.
    async fn page(self, app: &App, who: &Who, params: &Params) -> Result<Vec<Vec<String>>, Error> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Ok(match self {
            Ledger::Sheds => search_sheds(app, who, params)
                .await?
                .iter()
                .map(|s| {
                    let facilities: Vec<&str> = s.facilities.iter().map(|f| f.zh()).collect();
                    vec![
                        s.name.clone(),
                        s.lat.to_string(),
                        s.lng.to_string(),
                        s.capacity.to_string(),
                        facilities.join("、"),
                        s.status.zh().into(),
                        date(s.opened_on),
                        s.region.to_string(),
                        s.ebikes.to_string(),
                        date(s.last_checked),
                    ]
                })
                .collect(),
            Ledger::Ebikes => search_ebikes(app, who, params)
                .await?
                .iter()
                .map(|e| {
                    vec![
                        e.plate.clone(),
                        e.brand.clone(),
                        e.battery.zh().into(),
                        e.status.zh().into(),
                        e.registered_on.to_string(),
                        e.owner_name.clone(),
                        e.building_address.clone(),
                        e.unit.clone(),
                        e.room.clone(),
                        e.shed_name.clone().unwrap_or_default(),
                        if e.pledged { "是" } else { "否" }.into(),
                    ]
                })
                .collect(),
            Ledger::Pledges => search_pledges(app, who, params)
                .await?
                .iter()
                .map(|p| {
                    vec![
                        p.resident_name.clone(),
                        p.building_address.clone(),
                        p.unit.clone(),
                        p.room.clone(),
                        p.signed_on.to_string(),
                        p.channel.zh().into(),
                        p.collected_by.clone(),
                    ]
                })
                .collect(),
        })
    }

    pub async fn rows(self, app: &App, who: &Who, params: &Params) -> Result<Vec<Vec<String>>, Error> {
        let (_, _, header, _) = self.layout();
        let mut out = vec![header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
        let mut offset = 0;
        loop {
            let page = self.page(app, who, &params.with("limit", 500).with("offset", offset)).await?;
            let n = page.len();
            out.extend(page.into_iter().map(|row| row.iter().map(|c| neutralise(c)).collect()));
            if out.len() > MAX_ROWS + 1 {
                return Err(Error::invalid("limit", format!("more than {MAX_ROWS} rows match; narrow the search")));
            }
            if n < 500 {
                return Ok(out);
            }
            offset += 500;
        }
    }
}
