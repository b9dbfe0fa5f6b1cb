//! Reference distributions of the training split, kept in the bundle for drift checks.
//!
//! Each feature column gets at most [`MAX_BINS`] bins: decile edges for continuous columns,
//! one bin per value for columns with few distinct values (flags, counts). Drift is then
//! the population stability index (PSI) of new rows against these fractions.

use reelcast_core::MovieInput;
use serde::{Deserialize, Serialize};

use crate::FittedFeatures;

/// Maximum number of reference bins per feature.
pub const MAX_BINS: usize = 10;

/// Floor for empty-bin fractions in PSI, so an empty bin gives a large but finite term.
const PSI_EPSILON: f64 = 1e-4;

/// The training distribution of one feature column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureReference {
    /// Feature name.
    pub name: String,
    /// Upper edges of all bins but the last (a value `v` falls in the first bin whose edge
    /// is `>= v`, else the last bin).
    pub edges: Vec<f32>,
    /// Share of training rows in each bin (`edges.len() + 1` values, summing to 1).
    pub fractions: Vec<f64>,
    /// Training mean.
    pub mean: f64,
    /// Training standard deviation.
    pub std: f64,
}

/// Reference distributions for every feature column, in column order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReferenceProfile {
    /// One entry per feature column.
    pub features: Vec<FeatureReference>,
}

impl FeatureReference {
    fn fit(name: &str, mut values: Vec<f32>) -> Self {
        let n = values.len().max(1) as f64;
        let mean = values.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|v| (f64::from(*v) - mean).powi(2))
            .sum::<f64>()
            / n;
        values.sort_by(f32::total_cmp);
        let mut distinct = values.clone();
        distinct.dedup();
        let edges: Vec<f32> = if distinct.len() <= MAX_BINS {
            distinct
                .iter()
                .take(distinct.len().saturating_sub(1))
                .copied()
                .collect()
        } else {
            let mut e: Vec<f32> = (1..MAX_BINS)
                .map(|q| values[q * values.len() / MAX_BINS])
                .collect();
            e.dedup();
            e
        };
        let mut reference = Self {
            name: name.to_owned(),
            edges,
            fractions: Vec::new(),
            mean,
            std: var.sqrt(),
        };
        reference.fractions = reference.fractions_of(values.iter().copied());
        reference
    }

    fn bin(&self, v: f32) -> usize {
        self.edges.partition_point(|e| *e < v)
    }

    /// Share of `values` falling in each reference bin.
    pub fn fractions_of(&self, values: impl Iterator<Item = f32>) -> Vec<f64> {
        let mut counts = vec![0usize; self.edges.len() + 1];
        let mut n = 0usize;
        for v in values {
            counts[self.bin(v)] += 1;
            n += 1;
        }
        counts
            .into_iter()
            .map(|c| if n == 0 { 0.0 } else { c as f64 / n as f64 })
            .collect()
    }

    /// Population stability index of `values` against this reference:
    /// `sum((actual - expected) * ln(actual / expected))`, empty bins floored at 1e-4.
    pub fn psi(&self, values: impl Iterator<Item = f32>) -> f64 {
        self.fractions_of(values)
            .iter()
            .zip(&self.fractions)
            .map(|(a, e)| {
                let (a, e) = (a.max(PSI_EPSILON), e.max(PSI_EPSILON));
                (a - e) * (a / e).ln()
            })
            .sum()
    }
}

impl ReferenceProfile {
    pub(crate) fn fit(fitted: &FittedFeatures, train: &[MovieInput]) -> Self {
        let width = fitted.width();
        let matrix = fitted.transform_batch(train);
        let features = fitted
            .names()
            .iter()
            .enumerate()
            .map(|(j, name)| {
                FeatureReference::fit(
                    name,
                    matrix.iter().skip(j).step_by(width).copied().collect(),
                )
            })
            .collect();
        Self { features }
    }

    /// PSI of every feature column of a row-major `matrix` (built by the same fitted
    /// features), as `(name, psi)` in column order.
    pub fn psi(&self, matrix: &[f32]) -> Vec<(String, f64)> {
        let width = self.features.len();
        self.features
            .iter()
            .enumerate()
            .map(|(j, f)| {
                (
                    f.name.clone(),
                    f.psi(matrix.iter().skip(j).step_by(width).copied()),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuous_column_gets_deciles_that_sum_to_one() {
        let r = FeatureReference::fit("x", (0..1000).map(|i| i as f32).collect());
        assert_eq!(r.edges.len(), MAX_BINS - 1);
        assert!((r.fractions.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(r.fractions.iter().all(|f| (*f - 0.1).abs() < 0.002));
    }

    #[test]
    fn same_distribution_has_near_zero_psi_and_shifted_has_high_psi() {
        let r = FeatureReference::fit("x", (0..1000).map(|i| i as f32).collect());
        assert!(r.psi((0..1000).map(|i| i as f32)) < 1e-9);
        assert!(r.psi((0..1000).map(|i| (i + 700) as f32)) > 0.25);
    }

    #[test]
    fn flag_column_gets_one_bin_per_value() {
        let r = FeatureReference::fit("flag", vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(r.edges, vec![0.0]);
        assert_eq!(r.fractions, vec![0.75, 0.25]);
    }
}
