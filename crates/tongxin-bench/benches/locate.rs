//! `locate` on the demo grid: the R-tree lookup against a linear scan of every polygon,
//! at scale 1 (the real subdistrict) and scale 10, single-threaded.
//!
//! Run with `cargo bench -p tongxin-bench --bench locate`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tongxin_bench::{demo_locator, sample_points};

fn locate(c: &mut Criterion) {
    let mut group = c.benchmark_group("locate");
    for scale in [1, 10] {
        let locator = demo_locator(scale);
        let points = sample_points(&locator, 1_000);
        // The two must agree before their speed means anything.
        for p in &points {
            assert_eq!(locator.locate(*p), locator.locate_linear(*p));
        }
        group.throughput(Throughput::Elements(points.len() as u64));
        group.bench_with_input(BenchmarkId::new("rtree", scale), &points, |b, points| {
            b.iter(|| points.iter().filter(|p| locator.locate(black_box(**p)).is_some()).count())
        });
        group.bench_with_input(BenchmarkId::new("linear_scan", scale), &points, |b, points| {
            b.iter(|| points.iter().filter(|p| locator.locate_linear(black_box(**p)).is_some()).count())
        });
    }
    group.finish();
}

criterion_group!(benches, locate);
criterion_main!(benches);
