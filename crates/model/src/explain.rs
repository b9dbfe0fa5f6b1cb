//! Explanation types returned by both ensembles: prediction intervals (the spread of a
//! forest's trees, or a boosted model's quantile ensembles), and per-feature path
//! attributions.

use serde::{Deserialize, Serialize};

/// A prediction with a range, always with `lower <= mean <= upper`.
///
/// From a forest ([`crate::RandomForest::predict_interval`]) it is the `lower_q` and
/// `upper_q` quantiles of the per-tree predictions: it shows how much the trees disagree and
/// is not calibrated. From a boosted model ([`crate::GradientBoosting::predict_interval`]) it
/// estimates the conditional quantiles of the target itself, calibrated on held-out rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictionInterval {
    /// The ensemble prediction (the mean of a forest's trees; a boosted model's prediction).
    pub mean: f64,
    /// The lower end (or `mean`, if that is lower).
    pub lower: f64,
    /// The upper end (or `mean`, if that is higher).
    pub upper: f64,
}

/// Saabas path attribution of one prediction: `bias + values.iter().sum() == prediction`
/// (to floating-point rounding). `values[f]` is the total change of node value along the
/// decision paths at splits on feature `f`, averaged over trees for forests and summed over
/// trees for boosting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    /// The prediction before any split: the root value (training mean for forests; initial
    /// prediction plus root values for boosting).
    pub bias: f64,
    /// One attribution per feature, in target units.
    pub values: Vec<f64>,
}

/// The interval of per-tree predictions `preds` (see [`PredictionInterval`]; `preds` is
/// non-empty).
pub(crate) fn interval(mut preds: Vec<f64>, lower_q: f64, upper_q: f64) -> PredictionInterval {
    let mean = preds.iter().sum::<f64>() / preds.len() as f64;
    preds.sort_unstable_by(f64::total_cmp);
    PredictionInterval {
        mean,
        lower: quantile(&preds, lower_q).min(mean),
        upper: quantile(&preds, upper_q).max(mean),
    }
}

/// The `q` quantile of ascending `sorted` with linear interpolation (NumPy's default).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Normalises `v` to sum to 1 (left as zeros if it sums to 0, e.g. no tree ever split).
pub(crate) fn normalize(v: &mut [f64]) {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        for x in v.iter_mut() {
            *x /= total;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert!((quantile(&v, 0.1) - 1.3).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
    }

    #[test]
    fn interval_is_widened_to_contain_a_mean_pulled_out_by_a_few_trees() {
        let mut preds = vec![8.0; 19];
        preds.push(1.0);
        let iv = interval(preds, 0.1, 0.9);
        assert!((iv.mean - 7.65).abs() < 1e-12);
        assert_eq!((iv.lower, iv.upper), (iv.mean, 8.0));
    }

    #[test]
    fn normalize_leaves_all_zero_vectors_alone() {
        let mut v = vec![0.0, 0.0];
        normalize(&mut v);
        assert_eq!(v, vec![0.0, 0.0]);
        let mut v = vec![1.0, 3.0];
        normalize(&mut v);
        assert_eq!(v, vec![0.25, 0.75]);
    }
}
