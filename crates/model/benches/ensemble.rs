//! Fit and predict benchmarks on seeded movie-shaped synthetic data (45 features).
//! Kept short: `cargo bench -p reelcast-model` takes about a minute.

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use reelcast_model::{BoostingParams, Dataset, ForestParams};

#[path = "../tests/integration/helpers.rs"]
mod helpers;

fn fit(c: &mut Criterion) {
    let train = helpers::movie_like(5000, 0.5, 1);
    let mut group = c.benchmark_group("fit_5k_x45");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    let forest = ForestParams::default()
        .n_trees(100)
        .check()
        .expect("valid params");
    group.bench_function("random_forest_100_trees", |b| {
        b.iter(|| forest.fit(black_box(&train)).expect("fit"))
    });
    let boosting = BoostingParams::default()
        .n_trees(100)
        .check()
        .expect("valid params");
    group.bench_function("gradient_boosting_100_trees", |b| {
        b.iter(|| boosting.fit(black_box(&train)).expect("fit"))
    });
    group.finish();
}

/// Benchmarks `predict` on one row of `test` per iteration, taking the rows in turn.
fn bench_rows<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    test: &Dataset,
    predict: impl Fn(&[f32]) -> T,
) {
    let mut r = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            r = (r + 1) % test.n_rows();
            predict(black_box(test.row(r)))
        })
    });
}

fn predict(c: &mut Criterion) {
    let train = helpers::movie_like(5000, 0.5, 1);
    let test = helpers::movie_like(5000, 0.5, 2);
    let batch: Vec<f32> = test
        .features()
        .iter()
        .cycle()
        .take(100_000 * test.n_features())
        .copied()
        .collect();
    // Full-depth trees (min_samples_leaf 1, ~6k nodes each) and shallower ones (5, ~1k).
    for min_samples_leaf in [1, 5] {
        let forest = ForestParams::default()
            .n_trees(100)
            .min_samples_leaf(min_samples_leaf)
            .check()
            .expect("valid params")
            .fit(&train)
            .expect("fit");
        let mut group = c.benchmark_group(format!(
            "predict_rf_100_trees_5k_min_leaf_{min_samples_leaf}"
        ));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(3));
        bench_rows(&mut group, "predict_row", &test, |row| {
            forest.predict_row(row)
        });
        group.throughput(Throughput::Elements(100_000));
        group.bench_function("predict_batch_100k_rows", |b| {
            b.iter(|| forest.predict_batch(black_box(&batch)))
        });
        group.finish();
    }
    // The served model's shape: 150 boosting rounds of 31-leaf trees, with the 10th-90th
    // percentile interval (two quantile ensembles of 50 rounds each).
    let boosting = BoostingParams::default()
        .n_trees(150)
        .learning_rate(0.05)
        .max_leaf_nodes(Some(31))
        .check()
        .expect("valid params")
        .fit_with_interval(&train, 0.1, 0.9)
        .expect("fit");
    let mut group = c.benchmark_group("predict_gbt_150_trees_15_leaves");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    bench_rows(&mut group, "predict_row", &test, |row| {
        boosting.predict_row(row)
    });
    // The served call: the point prediction and its band in one walk of each ensemble.
    bench_rows(&mut group, "predict_interval", &test, |row| {
        boosting.predict_interval(row)
    });
    group.finish();
}

criterion_group!(benches, fit, predict);
criterion_main!(benches);
