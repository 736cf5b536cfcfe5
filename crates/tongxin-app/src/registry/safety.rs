//! The e-bike safety view (behind `GET /api/v1/registry/ebike-safety`) and the record of
//! charging-shed inspections (`POST /api/v1/sheds/{id}/checks`). Reading needs
//! `residents.read` and keeps to the caller's regions; recording a check needs
//! `sheds.check` and a shed in reach. A leader (`stats.read`) reads the figures without the
//! rows per building. What each figure counts: docs/registry.md.

use serde::{Deserialize, Serialize};
use tongxin_core::access::Permission;
use tongxin_core::registry::safety::SafetyYear;
use tongxin_store::registry::RegistryScope;
use tongxin_store::registry::safety::{NewShedCheck, SafetyFigures, SafetyFilter, SafetyReport, SafetyRow};
use utoipa::ToSchema;

use super::{scope, today, within};
use crate::caller::Who;
use crate::params::Params;
use crate::{App, Error};

/// The year's figures, counted from the records.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresView {
    /// Sheds with an inspection dated in the year.
    pub sheds_checked: i64,
    /// Sheds opened in the year.
    pub sheds_built: i64,
    /// Safety pledges signed in the year.
    pub pledges_signed: i64,
    /// Fire-safety cases filed in the year (not rejected, not merged).
    pub hazards_found: i64,
    /// Fire-safety cases closed (结案) in the year.
    pub hazards_fixed: i64,
    /// E-bike cases (飞线充电, 进楼道/进电梯) closed in the year.
    pub bikes_cleared: i64,
}

impl From<&SafetyFigures> for FiguresView {
    fn from(f: &SafetyFigures) -> Self {
        Self {
            sheds_checked: f.sheds_checked,
            sheds_built: f.sheds_built,
            pledges_signed: f.pledges_signed,
            hazards_found: f.hazards_found,
            hazards_fixed: f.hazards_fixed,
            bikes_cleared: f.bikes_cleared,
        }
    }
}

/// One row: a community, a building or the total.
#[derive(Debug, Serialize, ToSchema)]
pub struct SafetyRowView {
    /// Active e-bikes, and of them lithium.
    pub ebikes: i64,
    pub lithium: i64,
    /// Owners of active e-bikes, and of them those who signed a pledge.
    pub owners: i64,
    pub pledged_owners: i64,
    /// pledged_owners / owners, 0–1; null without owners.
    pub pledge_coverage: Option<f64>,
    /// Sheds in use and their charging spaces (0 for a building).
    pub sheds: i64,
    pub shed_capacity: i64,
    /// Lithium e-bikes beyond the spaces (0 when the spaces suffice); null for a building,
    /// since sheds serve a community.
    pub shed_shortfall: Option<i64>,
    /// Fire-safety cases filed and closed in the year.
    pub hazards_found: i64,
    pub hazards_fixed: i64,
}

impl From<&SafetyRow> for SafetyRowView {
    fn from(r: &SafetyRow) -> Self {
        Self {
            ebikes: r.ebikes,
            lithium: r.lithium,
            owners: r.owners,
            pledged_owners: r.pledged_owners,
            pledge_coverage: (r.owners > 0).then(|| r.pledged_owners as f64 / r.owners as f64),
            sheds: r.sheds,
            shed_capacity: r.shed_capacity,
            shed_shortfall: Some((r.lithium - r.shed_capacity).max(0)),
            hazards_found: r.hazards_found,
            hazards_fixed: r.hazards_fixed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommunitySafetyView {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub row: SafetyRowView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingSafetyView {
    pub id: i64,
    pub name: String,
    pub address: String,
    #[serde(flatten)]
    pub row: SafetyRowView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SafetyView {
    pub year: i32,
    /// The region asked for, if any.
    pub region: Option<String>,
    pub figures: FiguresView,
    pub total: SafetyRowView,
    pub communities: Vec<CommunitySafetyView>,
    /// Buildings with an active e-bike or a hazard in the year; only with `region`, and
    /// only for a reader of the registry (`residents.read`).
    pub buildings: Vec<BuildingSafetyView>,
}

impl SafetyView {
    pub fn new(year: SafetyYear, region: Option<String>, report: &SafetyReport) -> Self {
        Self {
            year: year.get(),
            region,
            figures: FiguresView::from(&report.figures),
            total: SafetyRowView::from(&report.total),
            communities: report
                .communities
                .iter()
                .map(|c| CommunitySafetyView {
                    code: c.code.to_string(),
                    name: c.name.clone(),
                    row: SafetyRowView::from(&c.row),
                })
                .collect(),
            buildings: report
                .buildings
                .iter()
                .map(|b| BuildingSafetyView {
                    id: b.id,
                    name: b.name.clone(),
                    address: b.address.clone(),
                    row: SafetyRowView { shed_shortfall: None, ..SafetyRowView::from(&b.row) },
                })
                .collect(),
        }
    }
}

/// Whether `who` reads the view's rows per building, which a reader of the registry
/// (`residents.read`) does; a reader of figures alone (`stats.read`, a leader) reads the
/// communities and the total.
pub fn reads_buildings(who: &Who) -> bool {
    who.actor.can(Permission::ResidentsRead)
}

/// The safety view for `who`: `year` (default: this year in Shanghai) and `region`.
pub async fn safety_report(app: &App, who: &Who, params: &Params) -> Result<(SafetyYear, SafetyView), Error> {
    if !who.actor.can(Permission::StatsRead) {
        who.require(app, Permission::ResidentsRead).await?;
    }
    let year = params.parse::<SafetyYear>("year")?.unwrap_or_else(|| SafetyYear::of(today()));
    let region = within(app, who, params).await?;
    let filter = SafetyFilter { year, within: region.clone(), buildings: region.is_some() && reads_buildings(who) };
    let report = app.store.ebike_safety(&scope(who), &filter).await?;
    Ok((year, SafetyView::new(year, region.map(|r| r.to_string()), &report)))
}

/// An inspection of a charging shed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ShedCheckRequest {
    /// YYYY-MM-DD, not in the future.
    pub checked_on: String,
    /// Whether the shed passed.
    pub ok: bool,
    /// What was wrong (required when it did not pass).
    #[serde(default)]
    pub findings: String,
    /// Who checked; default the caller's name.
    #[serde(default)]
    pub checked_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShedCheckView {
    pub id: i64,
    pub shed_id: i64,
    pub checked_on: String,
    pub checked_by: String,
    pub ok: bool,
    pub findings: String,
}

/// Checks a request against the rules: a real date not in the future, findings when it
/// failed, at most 500 characters of them.
pub fn parse_check(shed_id: i64, who: &Who, request: &ShedCheckRequest) -> Result<NewShedCheck, Error> {
    let checked_on = chrono::NaiveDate::parse_from_str(request.checked_on.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid("checked_on", "checked_on must be a date like 2020-06-01"))?;
    if checked_on > today() {
        return Err(Error::invalid("checked_on", "checked_on cannot be in the future"));
    }
    let findings = request.findings.trim();
    if !request.ok && findings.is_empty() {
        return Err(Error::invalid("findings", "say what was wrong when the shed did not pass"));
    }
    if findings.chars().count() > 500 {
        return Err(Error::invalid("findings", "findings are at most 500 characters"));
    }
    let checked_by = request.checked_by.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let checked_by = checked_by.unwrap_or(&who.display_name).to_owned();
    if checked_by.chars().count() > 50 {
        return Err(Error::invalid("checked_by", "checked_by is at most 50 characters"));
    }
    Ok(NewShedCheck { shed_id, checked_on, checked_by, ok: request.ok, findings: findings.to_owned() })
}

/// Records one inspection of a shed in the caller's reach; audited.
pub async fn record_check(app: &App, who: &Who, shed_id: i64, request: &ShedCheckRequest) -> Result<i64, Error> {
    who.require(app, Permission::ShedsCheck).await?;
    let everyone = RegistryScope { all: true, ..Default::default() };
    let missing = || Error::not_found(format!("no charging shed {shed_id}"));
    let shed = app.store.shed(&everyone, shed_id).await?.ok_or_else(missing)?;
    who.covers(app, &shed.region, missing()).await?;
    let check = parse_check(shed_id, who, request)?;
    Ok(app.store.record_shed_checks(&who.caller(), std::slice::from_ref(&check)).await?[0])
}
