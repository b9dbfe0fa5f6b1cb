//! Gradient boosting hyperparameters: unchecked [`BoostingParams`] and checked
//! [`BoostingValidParams`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Unchecked gradient boosting hyperparameters with scikit-learn
/// `HistGradientBoostingRegressor` defaults (squared loss, no early stopping). Build with
/// the consuming setters, then call [`BoostingParams::check`].
///
/// ```
/// use reelcast_model::BoostingParams;
/// let params = BoostingParams::default().n_trees(200).learning_rate(0.05).check().unwrap();
/// assert_eq!(params.learning_rate(), 0.05);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostingParams {
    n_trees: usize,
    learning_rate: f64,
    max_leaf_nodes: Option<usize>,
    max_depth: Option<usize>,
    min_samples_leaf: usize,
    l2_regularization: f64,
    max_features: f64,
    max_bins: usize,
    subsample: f64,
    seed: u64,
}

impl Default for BoostingParams {
    fn default() -> Self {
        Self {
            n_trees: 100,
            learning_rate: 0.1,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            max_features: 1.0,
            max_bins: 255,
            subsample: 1.0,
            seed: 42,
        }
    }
}

impl BoostingParams {
    /// Boosting iterations, one tree each (scikit-learn `max_iter`; default 100, at least 1).
    pub fn n_trees(mut self, n_trees: usize) -> Self {
        self.n_trees = n_trees;
        self
    }

    /// Shrinkage applied to every tree's values (default 0.1, finite and > 0).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Maximum leaves per tree, grown best first (default `Some(31)`, at least 2 when set;
    /// `None` grows depth first until other limits stop it).
    pub fn max_leaf_nodes(mut self, max_leaf_nodes: Option<usize>) -> Self {
        self.max_leaf_nodes = max_leaf_nodes;
        self
    }

    /// Maximum tree depth, root at depth 0 (default `None`; at least 1 when set).
    pub fn max_depth(mut self, max_depth: Option<usize>) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Minimum rows per leaf (default 20, at least 1).
    pub fn min_samples_leaf(mut self, min_samples_leaf: usize) -> Self {
        self.min_samples_leaf = min_samples_leaf;
        self
    }

    /// L2 penalty on leaf values, added to each leaf's row count (default 0.0, >= 0).
    pub fn l2_regularization(mut self, l2_regularization: f64) -> Self {
        self.l2_regularization = l2_regularization;
        self
    }

    /// Fraction of features examined per split (default 1.0, in (0, 1]).
    pub fn max_features(mut self, max_features: f64) -> Self {
        self.max_features = max_features;
        self
    }

    /// Maximum bins per feature (default 255 as in scikit-learn, in 2..=256).
    pub fn max_bins(mut self, max_bins: usize) -> Self {
        self.max_bins = max_bins;
        self
    }

    /// Fraction of rows, drawn without replacement, each tree is fitted on (default 1.0, in
    /// (0, 1]; below 1 this is stochastic gradient boosting).
    pub fn subsample(mut self, subsample: f64) -> Self {
        self.subsample = subsample;
        self
    }

    /// Seed of all randomness (row and feature subsampling; default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks every rule and returns params ready to fit.
    ///
    /// # Errors
    /// The first broken rule: [`Error::NTrees`], [`Error::LearningRate`],
    /// [`Error::MaxLeafNodes`], [`Error::MaxDepth`], [`Error::MinSamplesLeaf`],
    /// [`Error::L2Regularization`], [`Error::MaxFeatures`], [`Error::MaxBins`],
    /// [`Error::Subsample`].
    pub fn check(self) -> Result<BoostingValidParams> {
        if self.n_trees < 1 {
            return Err(Error::NTrees {
                value: self.n_trees,
            });
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::LearningRate {
                value: self.learning_rate,
            });
        }
        if let Some(value @ 0..=1) = self.max_leaf_nodes {
            return Err(Error::MaxLeafNodes { value });
        }
        if let Some(value @ 0) = self.max_depth {
            return Err(Error::MaxDepth { value });
        }
        if self.min_samples_leaf < 1 {
            return Err(Error::MinSamplesLeaf {
                value: self.min_samples_leaf,
            });
        }
        if !(self.l2_regularization.is_finite() && self.l2_regularization >= 0.0) {
            return Err(Error::L2Regularization {
                value: self.l2_regularization,
            });
        }
        if !(self.max_features > 0.0 && self.max_features <= 1.0) {
            return Err(Error::MaxFeatures {
                value: self.max_features,
            });
        }
        if !(2..=256).contains(&self.max_bins) {
            return Err(Error::MaxBins {
                value: self.max_bins,
            });
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return Err(Error::Subsample {
                value: self.subsample,
            });
        }
        Ok(BoostingValidParams(self))
    }
}

/// Checked gradient boosting hyperparameters; only [`BoostingParams::check`] makes them
/// (also when deserializing). Fit with [`BoostingValidParams::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BoostingParams", into = "BoostingParams")]
pub struct BoostingValidParams(BoostingParams);

impl TryFrom<BoostingParams> for BoostingValidParams {
    type Error = Error;

    fn try_from(params: BoostingParams) -> Result<Self> {
        params.check()
    }
}

impl From<BoostingValidParams> for BoostingParams {
    fn from(valid: BoostingValidParams) -> Self {
        valid.0
    }
}

impl BoostingValidParams {
    /// Boosting iterations.
    pub fn n_trees(&self) -> usize {
        self.0.n_trees
    }

    /// Shrinkage per tree.
    pub fn learning_rate(&self) -> f64 {
        self.0.learning_rate
    }

    /// Maximum leaves per tree (`None`: unlimited).
    pub fn max_leaf_nodes(&self) -> Option<usize> {
        self.0.max_leaf_nodes
    }

    /// Maximum depth (`None`: unlimited).
    pub fn max_depth(&self) -> Option<usize> {
        self.0.max_depth
    }

    /// Minimum rows per leaf.
    pub fn min_samples_leaf(&self) -> usize {
        self.0.min_samples_leaf
    }

    /// L2 penalty on leaf values.
    pub fn l2_regularization(&self) -> f64 {
        self.0.l2_regularization
    }

    /// Fraction of features examined per split.
    pub fn max_features(&self) -> f64 {
        self.0.max_features
    }

    /// Maximum bins per feature.
    pub fn max_bins(&self) -> usize {
        self.0.max_bins
    }

    /// Fraction of rows per tree.
    pub fn subsample(&self) -> f64 {
        self.0.subsample
    }

    /// Seed of all randomness.
    pub fn seed(&self) -> u64 {
        self.0.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(params: BoostingParams) -> String {
        params.check().unwrap_err().to_string()
    }

    #[test]
    fn defaults_match_scikit_learn_and_pass() {
        let p = BoostingParams::default().check().unwrap();
        assert_eq!(p.n_trees(), 100);
        assert_eq!(p.learning_rate(), 0.1);
        assert_eq!(p.max_leaf_nodes(), Some(31));
        assert_eq!(p.max_depth(), None);
        assert_eq!(p.min_samples_leaf(), 20);
        assert_eq!(p.l2_regularization(), 0.0);
        assert_eq!(p.max_features(), 1.0);
        assert_eq!(p.max_bins(), 255);
        assert_eq!(p.subsample(), 1.0);
        assert_eq!(p.seed(), 42);
    }

    #[test]
    fn rejects_zero_trees() {
        assert_eq!(
            message(BoostingParams::default().n_trees(0)),
            "n_trees is 0, must be at least 1"
        );
    }

    #[test]
    fn rejects_non_positive_or_non_finite_learning_rate() {
        for (label, value, text) in [
            ("zero", 0.0, "learning_rate is 0, must be finite and > 0"),
            (
                "negative",
                -0.1,
                "learning_rate is -0.1, must be finite and > 0",
            ),
            (
                "infinite",
                f64::INFINITY,
                "learning_rate is inf, must be finite and > 0",
            ),
        ] {
            let got = message(BoostingParams::default().learning_rate(value));
            assert_eq!(got, text, "case {label}");
        }
    }

    #[test]
    fn rejects_max_leaf_nodes_below_two() {
        assert_eq!(
            message(BoostingParams::default().max_leaf_nodes(Some(1))),
            "max_leaf_nodes is 1, must be at least 2 when set"
        );
    }

    #[test]
    fn rejects_zero_max_depth() {
        assert_eq!(
            message(BoostingParams::default().max_depth(Some(0))),
            "max_depth is 0, must be at least 1 when set"
        );
    }

    #[test]
    fn rejects_zero_min_samples_leaf() {
        assert_eq!(
            message(BoostingParams::default().min_samples_leaf(0)),
            "min_samples_leaf is 0, must be at least 1"
        );
    }

    #[test]
    fn rejects_negative_l2_regularization() {
        assert_eq!(
            message(BoostingParams::default().l2_regularization(-1.0)),
            "l2_regularization is -1, must be finite and >= 0"
        );
    }

    #[test]
    fn rejects_max_features_outside_unit_interval() {
        assert_eq!(
            message(BoostingParams::default().max_features(0.0)),
            "max_features is 0, must be in (0, 1]"
        );
    }

    #[test]
    fn rejects_max_bins_outside_two_to_256() {
        assert_eq!(
            message(BoostingParams::default().max_bins(300)),
            "max_bins is 300, must be in 2..=256"
        );
    }

    #[test]
    fn rejects_subsample_outside_unit_interval() {
        assert_eq!(
            message(BoostingParams::default().subsample(1.2)),
            "subsample is 1.2, must be in (0, 1]"
        );
    }
}
