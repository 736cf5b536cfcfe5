//! The campaign report (专项行动情况汇总表): the form a subdistrict sends upward. One row
//! per community and per grid within the reader's regions, and the total: targets,
//! visited, nobody home, findings by checklist item, cases filed and closed, and — where
//! the campaign collects them — pledges signed and sheds checked. Every figure is counted
//! from the stored tasks, visits and cases.

use std::collections::BTreeMap;

use serde::Serialize;
use tongxin_core::campaigns::TargetKind;
use tongxin_core::campaigns::checklist::ItemKind;
use tongxin_core::geo::{RegionCode, RegionLevel};
use tongxin_store::campaigns::progress::Progress;

use super::{CampaignView, one, view};
use crate::caller::Who;
use crate::registry::scope;
use crate::{App, Error};

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// community, grid or total
    pub level: &'static str,
    pub code: String,
    pub name: String,
    pub figures: Progress,
    /// Findings per case-opening item, in the order of [`Report::items`].
    pub findings: Vec<i64>,
}

/// A campaign's report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub campaign: CampaignView,
    /// The checklist items that open cases: (code, label).
    pub items: Vec<(String, String)>,
    /// Whether the campaign collects pledges, and whether its targets are sheds (each
    /// visit an inspection).
    pub pledges: bool,
    pub sheds: bool,
    /// Communities, each followed by its grids, then the total.
    pub lines: Vec<Line>,
}

/// The report of campaign `id` within the caller's regions.
pub async fn report(app: &App, who: &Who, id: i64) -> Result<Report, Error> {
    let campaign = one(app, who, id).await?;
    let reach = scope(who);
    let items: Vec<(String, String)> = campaign
        .checklist
        .items
        .iter()
        .filter(|i| i.opens_case.is_some())
        .map(|i| (i.code.clone(), i.label.clone()))
        .collect();
    let pledges = campaign.checklist.items.iter().any(|i| i.kind == ItemKind::Pledge);
    let sheds = campaign.target_kind == TargetKind::Shed;
    let grids = app.store.campaign_progress(id, &reach).await?;
    let found = app.store.campaign_findings_by_item(id, &reach).await?;
    let locator = app.geo.current();
    let name = |code: &RegionCode| locator.name(code).unwrap_or_default().to_owned();
    let findings_of = |grid: &str| -> Vec<i64> {
        items
            .iter()
            .map(|(code, _)| found.iter().filter(|(g, i, _)| g == grid && i == code).map(|(_, _, n)| n).sum())
            .collect()
    };
    let mut communities: BTreeMap<String, (Line, Vec<Line>)> = BTreeMap::new();
    let mut total = Line {
        level: "total",
        code: String::new(),
        name: String::new(),
        figures: Progress::default(),
        findings: vec![0; items.len()],
    };
    for (grid, figures) in &grids {
        let grid_line = Line {
            level: "grid",
            code: grid.to_string(),
            name: name(grid),
            figures: figures.clone(),
            findings: findings_of(grid.as_str()),
        };
        let community =
            grid.ancestors().into_iter().find(|a| a.level() == RegionLevel::Community).unwrap_or_else(|| grid.clone());
        let entry = communities.entry(community.to_string()).or_insert_with(|| {
            let line = Line {
                level: "community",
                code: community.to_string(),
                name: name(&community),
                figures: Progress::default(),
                findings: vec![0; items.len()],
            };
            (line, Vec::new())
        });
        add(&mut entry.0, &grid_line);
        add(&mut total, &grid_line);
        entry.1.push(grid_line);
    }
    let mut lines = Vec::new();
    for (_, (community, grids)) in communities {
        lines.push(community);
        lines.extend(grids);
    }
    lines.push(total);
    Ok(Report { campaign: view(app, who, campaign).await?, items, pledges, sheds, lines })
}

fn add(to: &mut Line, from: &Line) {
    to.figures.add(&from.figures);
    for (a, b) in to.findings.iter_mut().zip(&from.findings) {
        *a += b;
    }
}

impl Report {
    /// The column headings, in Chinese (the report goes upward in Chinese).
    pub fn headings(&self) -> Vec<String> {
        let mut h: Vec<String> = ["层级", "区域代码", "区域", "对象数", "已走访", "无人应答", "未派人"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        h.extend(self.items.iter().map(|(_, label)| format!("发现：{label}")));
        h.extend(["立案数", "已结案"].iter().map(|s| (*s).to_owned()));
        if self.pledges {
            h.push("签署承诺书".into());
        }
        if self.sheds {
            h.push("检查充电棚".into());
        }
        h
    }

    /// A line's figures, in the order of [`Report::headings`] after the first three.
    pub fn figures(&self, line: &Line) -> Vec<i64> {
        let f = &line.figures;
        let mut v = vec![f.targets, f.visited, f.nobody_home, f.unassigned];
        v.extend(&line.findings);
        v.extend([f.cases, f.cases_closed]);
        if self.pledges {
            v.push(f.pledges);
        }
        if self.sheds {
            v.push(f.visited);
        }
        v
    }

    /// The report as an XLSX workbook: a title row, the headings, a row per line (numbers
    /// as numbers, so they add up in Excel).
    pub fn workbook(&self) -> Result<Vec<u8>, Error> {
        use rust_xlsxwriter::{Format, Workbook};
        let failed = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("cannot write the report: {e}"));
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("情况汇总").map_err(failed)?;
        let bold = Format::new().set_bold();
        let c = &self.campaign;
        let title = format!("{}（{} 至 {}）情况汇总", c.name, c.starts_on, c.ends_on);
        sheet.write_string_with_format(0, 0, crate::cases::export::neutralise(&title), &bold).map_err(failed)?;
        for (i, h) in self.headings().iter().enumerate() {
            sheet.write_string_with_format(1, i as u16, h, &bold).map_err(failed)?;
        }
        for (r, line) in self.lines.iter().enumerate() {
            let row = r as u32 + 2;
            let level = match line.level {
                "community" => "社区",
                "grid" => "网格",
                _ => "合计",
            };
            let format = if line.level == "grid" { Format::new() } else { bold.clone() };
            sheet.write_string_with_format(row, 0, level, &format).map_err(failed)?;
            sheet.write_string(row, 1, &line.code).map_err(failed)?;
            sheet.write_string(row, 2, crate::cases::export::neutralise(&line.name)).map_err(failed)?;
            for (i, n) in self.figures(line).iter().enumerate() {
                sheet.write_number_with_format(row, i as u16 + 3, *n as f64, &format).map_err(failed)?;
            }
        }
        sheet.set_column_width(1, 18).map_err(failed)?;
        sheet.set_column_width(2, 16).map_err(failed)?;
        sheet.set_freeze_panes(2, 3).map_err(failed)?;
        workbook.save_to_buffer().map_err(failed)
    }
}
