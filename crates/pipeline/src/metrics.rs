//! Held-out, baseline and cross-validation metrics.

use serde::{Deserialize, Serialize};

/// Regression metrics on one set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Root mean squared error, rating points.
    pub rmse: f64,
    /// Mean absolute error, rating points.
    pub mae: f64,
    /// Coefficient of determination.
    pub r2: f64,
    /// Rows scored.
    pub n: usize,
}

impl Metrics {
    /// Scores `predicted` against `actual` (same length).
    pub fn compute(predicted: &[f64], actual: &[f32]) -> Self {
        Self {
            rmse: reelcast_model::metrics::rmse(predicted, actual),
            mae: reelcast_model::metrics::mae(predicted, actual),
            r2: reelcast_model::metrics::r2(predicted, actual),
            n: actual.len(),
        }
    }
}

/// Cross-validation summary: one entry per fold plus mean and standard deviation of RMSE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvMetrics {
    /// Metrics of each fold's validation part, in fold order.
    pub folds: Vec<Metrics>,
    /// Mean RMSE over folds.
    pub rmse_mean: f64,
    /// Standard deviation of RMSE over folds.
    pub rmse_std: f64,
}

impl CvMetrics {
    /// Summarises per-fold metrics.
    pub fn from_folds(folds: Vec<Metrics>) -> Self {
        let k = folds.len().max(1) as f64;
        let rmse_mean = folds.iter().map(|m| m.rmse).sum::<f64>() / k;
        let rmse_std = (folds
            .iter()
            .map(|m| (m.rmse - rmse_mean).powi(2))
            .sum::<f64>()
            / k)
            .sqrt();
        Self {
            folds,
            rmse_mean,
            rmse_std,
        }
    }
}

/// All metrics recorded for a trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainMetrics {
    /// The model on the held-out test split.
    pub test: Metrics,
    /// A mean predictor (training-split mean rating) on the same test split.
    pub baseline: Metrics,
    /// Cross-validation on the training split, when requested.
    pub cv: Option<CvMetrics>,
    /// How well the model's 10th-90th percentile band covers the test split (absent for
    /// bundles saved before boosted bands existed).
    #[serde(default)]
    pub interval: Option<IntervalMetrics>,
}

/// Calibration of a prediction band on held-out rows: an 80% band should hold about 80%
/// of the actual ratings, as narrow as possible.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IntervalMetrics {
    /// The band's nominal coverage, `upper_q - lower_q` (0.8 for 10th-90th percentile).
    pub nominal: f64,
    /// Share of actual ratings inside `[lower, upper]` (bounds clipped to 1..=10 as served).
    pub coverage: f64,
    /// Mean of `upper - lower`, rating points.
    pub mean_width: f64,
    /// Rows scored.
    pub n: usize,
}

impl IntervalMetrics {
    /// Scores `bands` (clipped `(lower, upper)` pairs) against `actual` (same length).
    pub fn compute(nominal: f64, bands: &[(f64, f64)], actual: &[f32]) -> Self {
        let n = actual.len();
        let inside = bands
            .iter()
            .zip(actual)
            .filter(|((lo, hi), &y)| (*lo..=*hi).contains(&f64::from(y)))
            .count();
        let width: f64 = bands.iter().map(|(lo, hi)| hi - lo).sum();
        let denom = n.max(1) as f64;
        Self {
            nominal,
            coverage: inside as f64 / denom,
            mean_width: width / denom,
            n,
        }
    }
}
