//! Hyperparameters of either family, the defaults reelcast trains with, and the search grid.

use reelcast_model::{BoostingParams, Dataset, ForestParams};
use serde::{Deserialize, Serialize};

use crate::model_kind::{ModelKind, TrainedModel, BAND_LOWER_Q, BAND_UPPER_Q};
use crate::Result;

/// Hyperparameters for one model family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelParams {
    /// Random Forest parameters.
    RandomForest(ForestParams),
    /// Gradient boosting parameters.
    GradientBoosting(BoostingParams),
}

impl Default for ModelParams {
    /// The family and settings with the lowest held-out error on the embedded sample:
    /// gradient boosting (see `docs/benchmarks.md`, "Model choice").
    fn default() -> Self {
        Self::for_kind(ModelKind::GradientBoosting)
    }
}

impl ModelParams {
    /// reelcast's default settings for a family (`docs/benchmarks.md`, "Model choice"):
    ///
    /// - Random Forest: 100 trees, seed 42, `min_samples_leaf` 3, `max_features` 0.33
    ///   (scikit-learn's full-depth defaults overfit these features);
    /// - gradient boosting: 150 rounds, learning rate 0.05, 31 leaves, `min_samples_leaf`
    ///   20, L2 regularization 3, rows subsampled at 0.8 per round: the lowest mean RMSE
    ///   of [`search_grid`] over five repetitions of 5-fold cross-validation on the
    ///   embedded sample's training rows with crew features
    ///   (`reelcast train --search --cv 5 --seed S`, S = 42, 1, 2, 3, 4).
    pub fn for_kind(kind: ModelKind) -> Self {
        match kind {
            ModelKind::RandomForest => ModelParams::RandomForest(
                ForestParams::default()
                    .min_samples_leaf(3)
                    .max_features(0.33),
            ),
            ModelKind::GradientBoosting => ModelParams::GradientBoosting(
                BoostingParams::default()
                    .n_trees(150)
                    .learning_rate(0.05)
                    .max_leaf_nodes(Some(31))
                    .l2_regularization(3.0)
                    .subsample(0.8),
            ),
        }
    }

    /// The family.
    pub fn kind(&self) -> ModelKind {
        match self {
            ModelParams::RandomForest(_) => ModelKind::RandomForest,
            ModelParams::GradientBoosting(_) => ModelKind::GradientBoosting,
        }
    }

    /// Replaces the seed.
    pub fn with_seed(self, seed: u64) -> Self {
        match self {
            ModelParams::RandomForest(p) => ModelParams::RandomForest(p.seed(seed)),
            ModelParams::GradientBoosting(p) => ModelParams::GradientBoosting(p.seed(seed)),
        }
    }

    /// Replaces the number of trees (boosting rounds for gradient boosting).
    pub fn with_trees(self, n_trees: usize) -> Self {
        match self {
            ModelParams::RandomForest(p) => ModelParams::RandomForest(p.n_trees(n_trees)),
            ModelParams::GradientBoosting(p) => ModelParams::GradientBoosting(p.n_trees(n_trees)),
        }
    }

    /// Checks the parameters and fits a model with its [`TrainedModel::band`]: gradient
    /// boosting also fits its 10th and 90th percentile ensembles (about three times the
    /// fitting work, run in parallel).
    pub fn fit(&self, data: &Dataset) -> Result<TrainedModel> {
        Ok(match self {
            ModelParams::RandomForest(p) => {
                TrainedModel::RandomForest(p.clone().check()?.fit(data)?)
            }
            ModelParams::GradientBoosting(p) => TrainedModel::GradientBoosting(
                p.clone()
                    .check()?
                    .fit_with_interval(data, BAND_LOWER_Q, BAND_UPPER_Q)?,
            ),
        })
    }

    /// Like [`ModelParams::fit`] but without the boosted band, for scoring point
    /// predictions only (cross-validation, search); the point model is the same.
    pub(crate) fn fit_point(&self, data: &Dataset) -> Result<TrainedModel> {
        Ok(match self {
            ModelParams::GradientBoosting(p) => {
                TrainedModel::GradientBoosting(p.clone().check()?.fit(data)?)
            }
            ModelParams::RandomForest(_) => self.fit(data)?,
        })
    }

    /// The parameters as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The `--search` grid around `base`: every candidate keeps `base`'s other settings
/// (tree count, seed); small enough to run in seconds on the sample.
pub fn search_grid(base: &ModelParams) -> Vec<ModelParams> {
    match base {
        ModelParams::RandomForest(p) => {
            let mut grid = Vec::new();
            for leaf in [1, 3, 5] {
                for max_features in [0.33, 0.6, 1.0] {
                    grid.push(ModelParams::RandomForest(
                        p.clone().min_samples_leaf(leaf).max_features(max_features),
                    ));
                }
            }
            grid
        }
        ModelParams::GradientBoosting(p) => {
            let mut grid = Vec::new();
            for learning_rate in [0.05, 0.1] {
                for max_leaf_nodes in [15, 31, 63] {
                    for l2 in [0.0, 3.0] {
                        grid.push(ModelParams::GradientBoosting(
                            p.clone()
                                .learning_rate(learning_rate)
                                .max_leaf_nodes(Some(max_leaf_nodes))
                                .l2_regularization(l2),
                        ));
                    }
                }
            }
            grid
        }
    }
}
