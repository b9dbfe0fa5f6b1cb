//! The two model families and the fitted-model enum the bundle stores.

use reelcast_model::{Contributions, GradientBoosting, RandomForest};
use serde::{Deserialize, Serialize};

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

/// A prediction with an uncertainty band: the 10th-90th percentile of the forest's trees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
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

    /// The 10th-90th percentile of the trees' predictions (forests only: the boosted
    /// model's trees are additive corrections, not alternative predictions).
    pub fn band(&self, row: &[f32]) -> Option<Band> {
        match self {
            TrainedModel::RandomForest(m) => {
                let i = m.predict_interval(row, 0.1, 0.9);
                Some(Band {
                    lower: i.lower,
                    upper: i.upper,
                })
            }
            TrainedModel::GradientBoosting(_) => None,
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
