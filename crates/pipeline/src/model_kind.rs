//! The two model families and the fitted-model enum the bundle stores.

use rayon::prelude::*;
use reelcast_model::{Contributions, GradientBoosting, PredictionInterval, RandomForest};
use serde::{Deserialize, Serialize};

/// Lower quantile level of every [`Band`]: the 10th percentile.
pub const BAND_LOWER_Q: f64 = 0.1;
/// Upper quantile level of every [`Band`]: the 90th percentile.
pub const BAND_UPPER_Q: f64 = 0.9;

/// Which family to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Random Forest regressor (`rf`).
    RandomForest,
    /// Gradient-boosted trees regressor (`gbt`).
    GradientBoosting,
}

impl ModelKind {
    /// Short name used on the command line and in model names: `rf` or `gbt`.
    pub fn short_name(self) -> &'static str {
        match self {
            ModelKind::RandomForest => "rf",
            ModelKind::GradientBoosting => "gbt",
        }
    }

    /// Parses `rf` / `gbt` (also `random_forest`, `gradient_boosting`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "rf" | "random_forest" => Some(ModelKind::RandomForest),
            "gbt" | "gradient_boosting" => Some(ModelKind::GradientBoosting),
            _ => None,
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.short_name())
    }
}

/// A fitted model of either family.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum TrainedModel {
    /// A fitted Random Forest.
    RandomForest(RandomForest),
    /// A fitted gradient-boosted ensemble.
    GradientBoosting(GradientBoosting),
}

/// A prediction's uncertainty band, the 10th-90th percentile ([`BAND_LOWER_Q`],
/// [`BAND_UPPER_Q`]), always containing the prediction. For a forest it is the spread of
/// its trees' predictions (not calibrated: on the embedded sample it holds 73% of
/// held-out ratings); for gradient boosting it is two quantile-loss ensembles with a
/// split-conformal margin, so about 80% of ratings fall inside (see `TrainMetrics::interval`
/// and `docs/benchmarks.md`, "Prediction intervals").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl From<PredictionInterval> for Band {
    fn from(i: PredictionInterval) -> Self {
        Band {
            lower: i.lower,
            upper: i.upper,
        }
    }
}

impl TrainedModel {
    /// The family.
    pub fn kind(&self) -> ModelKind {
        match self {
            TrainedModel::RandomForest(_) => ModelKind::RandomForest,
            TrainedModel::GradientBoosting(_) => ModelKind::GradientBoosting,
        }
    }

    /// Predicts one feature row (unclipped).
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        match self {
            TrainedModel::RandomForest(m) => m.predict_row(row),
            TrainedModel::GradientBoosting(m) => m.predict_row(row),
        }
    }

    /// Predicts a row-major feature matrix (unclipped), in parallel.
    pub fn predict_batch(&self, rows: &[f32]) -> Vec<f64> {
        match self {
            TrainedModel::RandomForest(m) => m.predict_batch(rows),
            TrainedModel::GradientBoosting(m) => m.predict_batch(rows),
        }
    }

    /// The 10th-90th percentile band of one row's prediction (unclipped): the forest's
    /// trees, or the boosted model's quantile ensembles. `None` only for a boosted model
    /// loaded from a format-1 bundle, made before boosted intervals existed.
    pub fn band(&self, row: &[f32]) -> Option<Band> {
        self.predict_with_band(row).1
    }

    /// The prediction of one row (unclipped, equal to [`TrainedModel::predict_row`]) with
    /// its [`TrainedModel::band`], sharing the traversal where the model allows.
    pub fn predict_with_band(&self, row: &[f32]) -> (f64, Option<Band>) {
        match self {
            TrainedModel::RandomForest(m) => {
                let i = m.predict_interval(row, BAND_LOWER_Q, BAND_UPPER_Q);
                (m.predict_row(row), Some(Band::from(i)))
            }
            TrainedModel::GradientBoosting(m) => match m.predict_interval(row) {
                Some(i) => (i.mean, Some(Band::from(i))),
                None => (m.predict_row(row), None),
            },
        }
    }

    /// [`TrainedModel::band`] of every row of a row-major feature matrix, in parallel and
    /// in row order; `None` when the model has no band.
    pub fn band_batch(&self, rows: &[f32]) -> Option<Vec<Band>> {
        match self {
            TrainedModel::RandomForest(m) => {
                let width = m.n_features();
                assert_eq!(
                    rows.len() % width,
                    0,
                    "batch has {} values, not a whole number of rows of {width} features",
                    rows.len()
                );
                Some(
                    rows.par_chunks(width)
                        .map(|row| Band::from(m.predict_interval(row, BAND_LOWER_Q, BAND_UPPER_Q)))
                        .collect(),
                )
            }
            TrainedModel::GradientBoosting(m) => m
                .predict_interval_batch(rows)
                .map(|v| v.into_iter().map(Band::from).collect()),
        }
    }

    /// Per-feature path attributions: bias + sum(values) equals the prediction.
    pub fn contributions(&self, row: &[f32]) -> Contributions {
        match self {
            TrainedModel::RandomForest(m) => m.contributions(row),
            TrainedModel::GradientBoosting(m) => m.contributions(row),
        }
    }

    /// Normalized feature importances (sum to 1), in feature column order.
    pub fn feature_importances(&self) -> Vec<f64> {
        match self {
            TrainedModel::RandomForest(m) => m.feature_importances(),
            TrainedModel::GradientBoosting(m) => m.feature_importances(),
        }
    }

    /// The fitted parameters as JSON, for reports and run tracking.
    pub fn params_json(&self) -> serde_json::Value {
        let value = match self {
            TrainedModel::RandomForest(m) => serde_json::to_value(m.params()),
            TrainedModel::GradientBoosting(m) => serde_json::to_value(m.params()),
        };
        value.unwrap_or(serde_json::Value::Null)
    }
}
