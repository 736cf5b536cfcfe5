//! The demo subdistrict, modelled on Shanghai's 静安寺街道: deterministic (the same seed
//! gives the same data) and realistic enough to try every part of Tongxin on.
//!
//! # Layout
//!
//! One module per capability, each generating its own part of the data:
//!
//! - [`geo`]: district, subdistrict, 13 communities, 60 grids, 120 building groups and
//!   about 600 buildings.
//! - [`access`]: one staff account per role and a few residents
//!   ([`access::ensure_accounts`], run at every start).
//! - [`cases`]: the category catalog and dispatch rules.
//! - [`history`]: a year of cases in every state, following the seasons.
//! - [`names`]: the names they carry.
//! - [`registry`]: households, residents, e-bikes, sheds and pledges; [`safety`]: the
//!   2020 sweep's shed inspections.
//!
//! [`seed_if_empty`] runs the steps in order, inside one transaction, so an interrupted
//! start leaves an empty database rather than half a demo. A later capability adds its
//! module and a step there.

pub mod access;
pub mod booking;
pub mod booking_catalog;
pub mod campaigns;
pub mod cases;
pub mod geo;
pub mod history;
pub mod names;
pub mod registry;
pub mod safety;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tongxin_store::audit::Caller;
use tongxin_store::geo::RegionImportError;
use tongxin_store::{Store, StoreError};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Multiplies the size of everything (for benchmarks); 1 is the real subdistrict.
    pub scale: usize,
    pub seed: u64,
    /// Months of past cases to generate, up to now (0: none).
    pub case_months: u32,
    /// Households in the registry (0: none); residents, e-bikes, sheds and pledges follow.
    pub households: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { scale: 1, seed: 20_200_101, case_months: 12, households: 20_000 }
    }
}

/// What [`seed_if_empty`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub regions: usize,
    pub grids: usize,
    pub buildings: usize,
    pub cases: usize,
}

/// Reports progress of long steps; the CLI draws a progress bar with it.
pub trait Progress: Sync {
    fn begin(&self, _step: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn end(&self) {}
}

/// Reports nothing.
pub struct Quiet;
impl Progress for Quiet {}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo geography failed its own import checks: {0}")]
    Geography(#[from] RegionImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows written per progress step.
const CHUNK: usize = 500;

/// Creates the demo registry (households, residents, e-bikes, sheds, pledges) when it is
/// empty; it needs the cipher that seals the residents' numbers.
pub async fn seed_registry_if_empty(
    store: &Store,
    pii: &tongxin_core::pii::PiiCipher,
    options: &DemoOptions,
    progress: &dyn Progress,
) -> Result<Option<registry::RegistrySummary>, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed.wrapping_add(6));
    let today = tongxin_core::time::Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI).date_naive();
    let summary = registry::seed_if_empty(store, pii, &mut rng, options.households, today, progress).await?;
    if summary.is_some() {
        store.analyze_registry().await?;
    }
    Ok(summary)
}

/// Creates the demo's service door (catalogue, sites, care levels, slots, a kiosk and a
/// few elders' kiosk PINs) when there are no services yet; the registry should be there
/// first, for the care levels and the PINs, with the cipher that sealed its numbers.
pub async fn seed_booking_if_empty(
    store: &Store,
    pii: &tongxin_core::pii::PiiCipher,
    options: &DemoOptions,
) -> Result<Option<booking::BookingSummary>, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed.wrapping_add(7));
    let today = tongxin_core::time::Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI).date_naive();
    booking::seed_if_empty(store, pii, &mut rng, today).await
}

/// Creates the demo's campaigns (the finished 2020 e-bike sweep and shed check over what
/// the registry holds of 2020, a garbage-sorting check half done, a patrol running) when
/// there are none; the registry should be there first.
pub async fn seed_campaigns_if_empty(
    store: &Store,
    options: &DemoOptions,
) -> Result<Option<campaigns::CampaignSummary>, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed.wrapping_add(8));
    let today = tongxin_core::time::Timestamp::now().to_utc().with_timezone(&tongxin_core::time::SHANGHAI).date_naive();
    campaigns::seed_if_empty(store, &mut rng, today).await
}

/// Creates the demo subdistrict when the database has no regions yet; otherwise leaves
/// it alone and returns `None`.
pub async fn seed_if_empty(
    store: &Store,
    options: &DemoOptions,
    progress: &dyn Progress,
) -> Result<Option<DemoSummary>, DemoError> {
    if store.count_regions().await? > 0 {
        return Ok(None);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let geography = geo::generate(&mut rng, options.scale.max(1));

    let caller = Caller::system("demo");
    let mut tx = store.begin_write().await?;
    // The demo goes through the same checks as any imported file.
    let plan = store.import_regions_in(&mut tx, &caller, &geography.to_geojson(), 1.0).await?;
    progress.begin("buildings", geography.buildings.len() as u64);
    for chunk in geography.buildings.chunks(CHUNK) {
        store.insert_buildings_in(&mut tx, &caller, chunk).await?;
        progress.advance(chunk.len() as u64);
    }
    progress.end();
    tx.commit().await.map_err(StoreError::from)?;
    cases::seed(store, &caller).await?;
    let cases = cases::seed_history(store, &caller, &mut rng, options).await?;

    let grids = plan.regions.iter().filter(|r| r.level() == tongxin_core::geo::RegionLevel::Grid).count();
    Ok(Some(DemoSummary { regions: plan.regions.len(), grids, buildings: geography.buildings.len(), cases }))
}
