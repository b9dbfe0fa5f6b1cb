//! Random forest hyperparameters: unchecked [`ForestParams`] and checked [`ForestValidParams`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Unchecked random forest hyperparameters with scikit-learn `RandomForestRegressor`
/// defaults. Build with the consuming setters, then call [`ForestParams::check`].
///
/// ```
/// use reelcast_model::ForestParams;
/// let params = ForestParams::default().n_trees(50).min_samples_leaf(3).seed(7).check().unwrap();
/// assert_eq!(params.n_trees(), 50);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    n_trees: usize,
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: f64,
    bootstrap: bool,
    max_bins: usize,
    seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self {
            n_trees: 100,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 1.0,
            bootstrap: true,
            max_bins: 256,
            seed: 42,
        }
    }
}

impl ForestParams {
    /// Number of trees (default 100, at least 1).
    pub fn n_trees(mut self, n_trees: usize) -> Self {
        self.n_trees = n_trees;
        self
    }

    /// Maximum tree depth, root at depth 0 (default `None`: grow until leaves are pure or
    /// too small to split; at least 1 when set).
    pub fn max_depth(mut self, max_depth: Option<usize>) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Minimum distinct rows a node needs to be split (default 2, at least 2).
    pub fn min_samples_split(mut self, min_samples_split: usize) -> Self {
        self.min_samples_split = min_samples_split;
        self
    }

    /// Minimum distinct rows in each leaf (default 1, at least 1).
    pub fn min_samples_leaf(mut self, min_samples_leaf: usize) -> Self {
        self.min_samples_leaf = min_samples_leaf;
        self
    }

    /// Fraction of features examined per split, `max(1, floor(fraction * n_features))`
    /// of them, drawn afresh at every node (default 1.0, in (0, 1]).
    pub fn max_features(mut self, max_features: f64) -> Self {
        self.max_features = max_features;
        self
    }

    /// Whether each tree trains on a bootstrap sample of the rows (default `true`); if not,
    /// every tree sees every row once and only `max_features` makes trees differ.
    pub fn bootstrap(mut self, bootstrap: bool) -> Self {
        self.bootstrap = bootstrap;
        self
    }

    /// Maximum bins per feature for split search (default 256, in 2..=256). Features with
    /// at most this many distinct values are split exactly.
    pub fn max_bins(mut self, max_bins: usize) -> Self {
        self.max_bins = max_bins;
        self
    }

    /// Seed of all randomness (default 42). Same seed and data give identical model bytes,
    /// whatever the number of threads.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks every rule and returns params ready to fit.
    ///
    /// # Errors
    /// The first broken rule: [`Error::NTrees`], [`Error::MaxDepth`],
    /// [`Error::MinSamplesSplit`], [`Error::MinSamplesLeaf`], [`Error::MaxFeatures`],
    /// [`Error::MaxBins`].
    pub fn check(self) -> Result<ForestValidParams> {
        if self.n_trees < 1 {
            return Err(Error::NTrees {
                value: self.n_trees,
            });
        }
        if let Some(value @ 0) = self.max_depth {
            return Err(Error::MaxDepth { value });
        }
        if self.min_samples_split < 2 {
            return Err(Error::MinSamplesSplit {
                value: self.min_samples_split,
            });
        }
        if self.min_samples_leaf < 1 {
            return Err(Error::MinSamplesLeaf {
                value: self.min_samples_leaf,
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
        Ok(ForestValidParams(self))
    }
}

/// Checked random forest hyperparameters; only [`ForestParams::check`] makes them (also when
/// deserializing, which re-runs the checks). Fit with [`ForestValidParams::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ForestParams", into = "ForestParams")]
pub struct ForestValidParams(ForestParams);

impl TryFrom<ForestParams> for ForestValidParams {
    type Error = Error;

    fn try_from(params: ForestParams) -> Result<Self> {
        params.check()
    }
}

impl From<ForestValidParams> for ForestParams {
    fn from(valid: ForestValidParams) -> Self {
        valid.0
    }
}

impl ForestValidParams {
    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.0.n_trees
    }

    /// Maximum depth (`None`: unlimited).
    pub fn max_depth(&self) -> Option<usize> {
        self.0.max_depth
    }

    /// Minimum distinct rows to split a node.
    pub fn min_samples_split(&self) -> usize {
        self.0.min_samples_split
    }

    /// Minimum distinct rows per leaf.
    pub fn min_samples_leaf(&self) -> usize {
        self.0.min_samples_leaf
    }

    /// Fraction of features examined per split.
    pub fn max_features(&self) -> f64 {
        self.0.max_features
    }

    /// Whether trees train on bootstrap samples.
    pub fn bootstrap(&self) -> bool {
        self.0.bootstrap
    }

    /// Maximum bins per feature.
    pub fn max_bins(&self) -> usize {
        self.0.max_bins
    }

    /// Seed of all randomness.
    pub fn seed(&self) -> u64 {
        self.0.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_scikit_learn_and_pass() {
        let p = ForestParams::default().check().unwrap();
        assert_eq!(p.n_trees(), 100);
        assert_eq!(p.max_depth(), None);
        assert_eq!(p.min_samples_split(), 2);
        assert_eq!(p.min_samples_leaf(), 1);
        assert_eq!(p.max_features(), 1.0);
        assert!(p.bootstrap());
        assert_eq!(p.max_bins(), 256);
        assert_eq!(p.seed(), 42);
    }

    fn message(params: ForestParams) -> String {
        params.check().unwrap_err().to_string()
    }

    #[test]
    fn rejects_zero_trees() {
        assert_eq!(
            message(ForestParams::default().n_trees(0)),
            "n_trees is 0, must be at least 1"
        );
    }

    #[test]
    fn rejects_zero_max_depth() {
        assert_eq!(
            message(ForestParams::default().max_depth(Some(0))),
            "max_depth is 0, must be at least 1 when set"
        );
    }

    #[test]
    fn rejects_min_samples_split_below_two() {
        assert_eq!(
            message(ForestParams::default().min_samples_split(1)),
            "min_samples_split is 1, must be at least 2"
        );
    }

    #[test]
    fn rejects_zero_min_samples_leaf() {
        assert_eq!(
            message(ForestParams::default().min_samples_leaf(0)),
            "min_samples_leaf is 0, must be at least 1"
        );
    }

    #[test]
    fn rejects_max_features_outside_unit_interval() {
        for (label, value, text) in [
            ("zero", 0.0, "max_features is 0, must be in (0, 1]"),
            ("above one", 1.5, "max_features is 1.5, must be in (0, 1]"),
            ("nan", f64::NAN, "max_features is NaN, must be in (0, 1]"),
        ] {
            assert_eq!(
                message(ForestParams::default().max_features(value)),
                text,
                "case {label}"
            );
        }
    }

    #[test]
    fn rejects_max_bins_outside_two_to_256() {
        assert_eq!(
            message(ForestParams::default().max_bins(1)),
            "max_bins is 1, must be in 2..=256"
        );
        assert_eq!(
            message(ForestParams::default().max_bins(257)),
            "max_bins is 257, must be in 2..=256"
        );
    }

    #[test]
    fn deserializing_invalid_params_fails() {
        let bytes = serde_json::to_vec(&ForestParams::default().n_trees(0)).unwrap();
        let err = serde_json::from_slice::<ForestValidParams>(&bytes).unwrap_err();
        assert!(err.to_string().contains("n_trees is 0"), "{err}");
    }
}
