//! Tree ensembles for reelcast, written by hand: a random forest and gradient-boosted trees
//! sharing one deterministic, multithreaded histogram tree engine.
//!
//! - [`Dataset`]: a validated dense `f32` table with targets and feature names.
//! - [`ForestParams`] -> [`ForestValidParams`] -> [`RandomForest`]: scikit-learn
//!   `RandomForestRegressor` semantics (bootstrap, `max_features` per split, squared error).
//! - [`BoostingParams`] -> [`BoostingValidParams`] -> [`GradientBoosting`]: scikit-learn
//!   `HistGradientBoostingRegressor` semantics (squared loss, best-first leaf-wise trees),
//!   optionally with a calibrated prediction interval from two quantile-loss (pinball)
//!   ensembles ([`BoostingValidParams::fit_with_interval`]).
//! - [`metrics`]: RMSE, MAE, R² and [`RegressionMetrics`].
//!
//! Fitted models predict from raw `f32` rows (NaN goes right at every split, so impute
//! first), explain predictions ([`Contributions`]), give [`PredictionInterval`]s (the
//! spread of a forest's trees; a boosted model's quantile ensembles) and serialize with
//! serde. The same seed and data give bit-identical model bytes on any number of threads.
//!
//! This crate knows nothing about IMDb and uses no other workspace crate; `pipeline` turns
//! movie features into a [`Dataset`] and stores fitted models.
//!
//! ```
//! use reelcast_model::{Dataset, ForestParams, metrics};
//!
//! // y = 2 * x0, x1 is noise.
//! let rows: Vec<[f32; 2]> = (0..200).map(|i| [(i % 20) as f32, (i * 7 % 13) as f32]).collect();
//! let targets: Vec<f32> = rows.iter().map(|r| 2.0 * r[0]).collect();
//! let data = Dataset::new(rows.concat(), 2, targets, vec!["x0".into(), "x1".into()])?;
//!
//! let forest = ForestParams::default().n_trees(20).seed(7).check()?.fit(&data)?;
//! let predictions = forest.predict_batch(data.features());
//! assert!(metrics::rmse(&predictions, data.targets()) < 0.5);
//! assert!((forest.predict_row(&[3.0, 5.0]) - 6.0).abs() < 0.5);
//! # Ok::<(), reelcast_model::Error>(())
//! ```

#![forbid(unsafe_code)]

mod binning;
mod boosting;
mod boosting_params;
mod compiled;
mod dataset;
mod error;
mod explain;
mod forest;
mod forest_params;
mod grow;
mod histogram;
pub mod metrics;
mod predict;
mod presorted;
mod quantile;
mod quickscorer;
mod rng;
mod split;
mod tree;

pub use boosting::GradientBoosting;
pub use boosting_params::{BoostingParams, BoostingValidParams};
pub use dataset::Dataset;
pub use error::{Error, Result};
pub use explain::{Contributions, PredictionInterval};
pub use forest::RandomForest;
pub use forest_params::{ForestParams, ForestValidParams};
pub use metrics::RegressionMetrics;
