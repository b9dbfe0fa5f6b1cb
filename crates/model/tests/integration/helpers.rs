//! Seeded synthetic datasets shared by the integration tests, the benchmarks and the timing
//! examples: a movie-shaped table (45 features: continuous, year-like integers, binary
//! flags, noise) with a noisy nonlinear target, and a tiny perfectly separable table.

#![allow(
    dead_code,
    reason = "each of tests, benches and examples uses a subset"
)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reelcast_model::Dataset;

/// Number of features of [`movie_like`].
pub const N_FEATURES: usize = 45;

fn normal(rng: &mut ChaCha8Rng) -> f32 {
    // Box-Muller; avoids a rand_distr dependency.
    let u1: f32 = rng.random::<f32>().max(f32::MIN_POSITIVE);
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// `n_rows` rows of 45 features and a noisy nonlinear target (noise sd `noise`).
pub fn movie_like(n_rows: usize, noise: f32, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Vec::with_capacity(n_rows * N_FEATURES);
    let mut y = Vec::with_capacity(n_rows);
    for _ in 0..n_rows {
        let mut row = [0.0f32; N_FEATURES];
        for v in row.iter_mut().take(5) {
            *v = rng.random();
        }
        row[5] = rng.random_range(1920..=2024) as f32;
        row[6] = (100.0 + 20.0 * normal(&mut rng)).clamp(40.0, 240.0).round();
        row[7] = (rng.random::<f32>() * 14.0).exp().ln_1p();
        for v in &mut row[8..30] {
            *v = f32::from(u8::from(rng.random_bool(0.15)));
        }
        for (k, v) in row[30..].iter_mut().enumerate() {
            *v = if k % 2 == 0 {
                rng.random()
            } else {
                rng.random_range(0..50) as f32
            };
        }
        let signal = 6.0 + 1.5 * (3.0 * row[0]).sin() + 2.0 * row[1] * row[2]
            - 1.2 * (row[3] - 0.5).abs()
            + 0.012 * (row[5] - 1970.0)
            + 0.004 * (row[6] - 100.0)
            + 0.15 * row[7]
            + 0.4 * row[8]
            - 0.5 * row[9]
            + 0.3 * row[10] * row[0];
        y.push((signal + noise * normal(&mut rng)).clamp(1.0, 10.0));
        x.extend_from_slice(&row);
    }
    let names = (0..N_FEATURES).map(|f| format!("f{f}")).collect();
    Dataset::new(x, N_FEATURES, y, names).expect("synthetic data is valid")
}

/// 4 distinct rows (two binary features) repeated 40 times each, with target
/// `1 + 3 * x0 + 2 * x1`: every tree and every booster can fit it exactly.
pub fn separable() -> Dataset {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..160 {
        let (a, b) = ((i % 2) as f32, ((i / 2) % 2) as f32);
        x.extend_from_slice(&[a, b]);
        y.push(1.0 + 3.0 * a + 2.0 * b);
    }
    Dataset::new(x, 2, y, vec!["a".into(), "b".into()]).expect("separable data is valid")
}

/// Mean of the targets of `data`, as a constant prediction per row.
pub fn mean_predictions(data: &Dataset) -> Vec<f64> {
    let mean = data.targets().iter().map(|&y| f64::from(y)).sum::<f64>() / data.n_rows() as f64;
    vec![mean; data.n_rows()]
}
