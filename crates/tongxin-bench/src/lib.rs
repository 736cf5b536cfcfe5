//! Shared inputs for Tongxin's benchmarks (`benches/`). Every benchmark measures its
//! subject next to a baseline in the same run, so a figure can be read as a ratio on a
//! noisy machine. Results and how to reproduce them are in BENCHMARKS.md.
//!
//! # Layout
//!
//! - `benches/locate.rs`: point-in-grid lookups, R-tree against a scan of every polygon.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tongxin_core::geo::{LatLng, Locator};
use tongxin_demo::DemoOptions;

/// The demo subdistrict's locator at `scale`.
pub fn demo_locator(scale: usize) -> Locator {
    let mut rng = ChaCha8Rng::seed_from_u64(DemoOptions::default().seed);
    let geography = tongxin_demo::geo::generate(&mut rng, scale);
    Locator::build(&geography.regions)
}

/// `n` points spread uniformly over the locator's bounding box (a few fall outside
/// every grid, as real reports near the border do).
pub fn sample_points(locator: &Locator, n: usize) -> Vec<LatLng> {
    let (west, south, east, north) = locator.bounds().expect("the demo has regions");
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    (0..n)
        .map(|_| LatLng::new(rng.random_range(south..north), rng.random_range(west..east)).expect("in range"))
        .collect()
}
