//! Regression metrics over `f64` predictions and `f32` targets (the dataset's target type).
//!
//! All functions panic if the two slices differ in length (a programmer error) and return
//! NaN for empty input. Sums run in `f64`, in index order, so results are deterministic.

use serde::{Deserialize, Serialize};

fn check_lengths(predictions: &[f64], targets: &[f32]) {
    assert_eq!(
        predictions.len(),
        targets.len(),
        "metrics need one prediction per target: {} predictions, {} targets",
        predictions.len(),
        targets.len()
    );
}

/// Root mean squared error, in target units.
pub fn rmse(predictions: &[f64], targets: &[f32]) -> f64 {
    check_lengths(predictions, targets);
    let sse: f64 = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| (p - f64::from(t)).powi(2))
        .sum();
    (sse / predictions.len() as f64).sqrt()
}

/// Mean absolute error, in target units.
pub fn mae(predictions: &[f64], targets: &[f32]) -> f64 {
    check_lengths(predictions, targets);
    let sae: f64 = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| (p - f64::from(t)).abs())
        .sum();
    sae / predictions.len() as f64
}

/// Coefficient of determination, `1 - SSE / SST` (1 is perfect, 0 is the mean predictor,
/// negative is worse than the mean). Like scikit-learn, constant targets give 1.0 for a
/// perfect fit and 0.0 otherwise instead of dividing by zero.
pub fn r2(predictions: &[f64], targets: &[f32]) -> f64 {
    check_lengths(predictions, targets);
    if targets.is_empty() {
        return f64::NAN;
    }
    let mean = targets.iter().map(|&t| f64::from(t)).sum::<f64>() / targets.len() as f64;
    let sst: f64 = targets.iter().map(|&t| (f64::from(t) - mean).powi(2)).sum();
    let sse: f64 = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| (p - f64::from(t)).powi(2))
        .sum();
    if sst == 0.0 {
        return if sse == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - sse / sst
}

/// The standard regression scores of one evaluation, ready to be recorded with a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    /// Root mean squared error, target units.
    pub rmse: f64,
    /// Mean absolute error, target units.
    pub mae: f64,
    /// Coefficient of determination.
    pub r2: f64,
    /// Number of rows scored.
    pub n: usize,
}

impl RegressionMetrics {
    /// Scores `predictions` against `targets`.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn compute(predictions: &[f64], targets: &[f32]) -> Self {
        Self {
            rmse: rmse(predictions, targets),
            mae: mae(predictions, targets),
            r2: r2(predictions, targets),
            n: predictions.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_hand_checked_scores() {
        let preds = [1.0, 2.0, 4.0];
        let targets = [1.0_f32, 3.0, 2.0];
        // errors 0, -1, 2: sse 5, sae 3; mean target 2, sst 1 + 1 + 0 = 2
        let m = RegressionMetrics::compute(&preds, &targets);
        assert!((m.rmse - (5.0_f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((m.mae - 1.0).abs() < 1e-12);
        assert!((m.r2 - (1.0 - 5.0 / 2.0)).abs() < 1e-12);
        assert_eq!(m.n, 3);
    }

    #[test]
    fn r2_of_constant_targets_is_one_when_perfect_and_zero_otherwise() {
        assert_eq!(r2(&[2.0, 2.0], &[2.0, 2.0]), 1.0);
        assert_eq!(r2(&[2.0, 3.0], &[2.0, 2.0]), 0.0);
    }

    #[test]
    #[should_panic(expected = "metrics need one prediction per target")]
    fn panics_on_length_mismatch() {
        rmse(&[1.0], &[1.0, 2.0]);
    }
}
