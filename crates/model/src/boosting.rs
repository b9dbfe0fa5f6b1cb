//! Gradient-boosted regression trees with squared loss (each tree fits the residuals of the
//! trees before it), histogram-based like scikit-learn's `HistGradientBoostingRegressor`.

use rand::seq::index;
use serde::{Deserialize, Serialize};

use crate::binning::BinnedMatrix;
use crate::boosting_params::BoostingValidParams;
use crate::compiled::Compiled;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::explain::{normalize, Contributions};
use crate::grow::{grow, GrowConfig, LeafRows, Workspace};
use crate::predict::{predict_rows, sum_row, with_padded};
use crate::rng::stream_rng;
use crate::split::Sample;
use crate::tree::{validate_ensemble, Tree};

impl BoostingValidParams {
    /// Fits a boosted ensemble to `data`. Iterations are sequential; histogram building of
    /// large nodes runs in parallel over features. Deterministic for any thread count.
    ///
    /// # Errors
    /// None today (the dataset and params are already validated); the `Result` leaves room
    /// for data-dependent checks without an API change.
    pub fn fit(&self, data: &Dataset) -> Result<GradientBoosting> {
        let binned = BinnedMatrix::fit(data, self.max_bins());
        let n_rows = data.n_rows();
        let n_features = data.n_features();
        let targets = data.targets();
        let cfg = GrowConfig {
            max_depth: self.max_depth().unwrap_or(usize::MAX),
            min_samples_split: 2,
            min_samples_leaf: u32::try_from(self.min_samples_leaf()).unwrap_or(u32::MAX),
            max_features: ((self.max_features() * n_features as f64) as usize).clamp(1, n_features),
            lambda: self.l2_regularization(),
            shrinkage: self.learning_rate(),
            min_gain: 0.0,
            max_leaves: self.max_leaf_nodes(),
            small_node_rows: 0,
            parallel: true,
        };
        // Squared loss: the best constant is the mean target.
        let init = targets.iter().map(|&y| f64::from(y)).sum::<f64>() / n_rows as f64;
        let mut pred = vec![init; n_rows];
        let n_sub = ((self.subsample() * n_rows as f64) as usize).clamp(1, n_rows);
        let mut ws = Workspace::default();
        let mut samples: Vec<Sample> = Vec::with_capacity(n_sub);
        let mut leaves: Vec<LeafRows> = Vec::new();
        let mut in_sample = vec![false; n_rows];
        let mut trees = Vec::with_capacity(self.n_trees());
        let mut importances = vec![0.0; n_features];
        for it in 0..self.n_trees() {
            let mut rng = stream_rng(self.seed(), it);
            samples.clear();
            let residual = |r: usize| Sample {
                row: r as u32,
                w: 1,
                gw: f64::from(targets[r]) - pred[r],
            };
            if n_sub < n_rows {
                let mut rows = index::sample(&mut rng, n_rows, n_sub).into_vec();
                rows.sort_unstable();
                in_sample.fill(false);
                for &r in &rows {
                    in_sample[r] = true;
                }
                samples.extend(rows.into_iter().map(residual));
            } else {
                samples.extend((0..n_rows).map(residual));
            }
            let (tree, gains) = grow(
                &binned,
                &cfg,
                &mut samples,
                &mut rng,
                &mut ws,
                Some(&mut leaves),
            );
            // Rows the tree was grown on sit in known leaves; only rows left out by
            // subsampling need a traversal.
            for (id, range) in &leaves {
                let value = f64::from(tree.nodes[*id as usize].value);
                for s in &samples[range.clone()] {
                    pred[s.row as usize] += value;
                }
            }
            if n_sub < n_rows {
                for (r, p) in pred.iter_mut().enumerate().filter(|(r, _)| !in_sample[*r]) {
                    *p += f64::from(tree.nodes[tree.leaf_index(data.row(r))].value);
                }
            }
            for (total, g) in importances.iter_mut().zip(&gains) {
                *total += g;
            }
            trees.push(tree);
        }
        normalize(&mut importances);
        Ok(GradientBoosting {
            params: self.clone(),
            n_features,
            feature_names: data.feature_names().to_vec(),
            init,
            compiled: Compiled::new(&trees, n_features),
            trees,
            importances,
        })
    }
}

/// A fitted gradient boosting regressor; made by [`BoostingValidParams::fit`].
///
/// Predictions take raw `f32` feature rows in training column order; a NaN feature value
/// always follows the right branch (impute before predicting). There is no
/// `predict_interval`: boosted trees are not exchangeable estimates, so their spread says
/// nothing about uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BoostingRepr")]
pub struct GradientBoosting {
    params: BoostingValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    init: f64,
    trees: Vec<Tree>,
    importances: Vec<f64>,
    /// Prediction-time copy of `trees`, rebuilt after loading.
    #[serde(skip)]
    compiled: Option<Compiled>,
}

/// Deserialization mirror of [`GradientBoosting`], validated before use.
#[derive(Deserialize)]
struct BoostingRepr {
    params: BoostingValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    init: f64,
    trees: Vec<Tree>,
    importances: Vec<f64>,
}

impl TryFrom<BoostingRepr> for GradientBoosting {
    type Error = Error;

    fn try_from(r: BoostingRepr) -> Result<Self> {
        validate_ensemble(
            &r.trees,
            r.params.n_trees(),
            r.n_features,
            r.feature_names.len(),
            r.importances.len(),
        )?;
        if !r.init.is_finite() {
            return Err(Error::InvalidModel {
                reason: format!("initial prediction is {}", r.init),
            });
        }
        let trees = r.trees;
        Ok(Self {
            params: r.params,
            n_features: r.n_features,
            feature_names: r.feature_names,
            init: r.init,
            compiled: Compiled::new(&trees, r.n_features),
            trees,
            importances: r.importances,
        })
    }
}

impl GradientBoosting {
    fn check_width(&self, row: &[f32]) {
        assert_eq!(
            row.len(),
            self.n_features,
            "row has {} features, the model was trained on {}",
            row.len(),
            self.n_features
        );
    }

    /// Prediction for one row: initial prediction plus every tree's (shrunk) leaf value.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        self.check_width(row);
        self.init
            + with_padded(row, |padded| {
                sum_row(&self.trees, self.compiled.as_ref(), padded)
            })
    }

    /// Predictions for the row-major `rows` (`n_rows * n_features` values), in parallel.
    /// Equal, bit for bit, to calling [`GradientBoosting::predict_row`] on each row.
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `self.n_features()`.
    pub fn predict_batch(&self, rows: &[f32]) -> Vec<f64> {
        assert_eq!(
            rows.len() % self.n_features,
            0,
            "batch has {} values, not a whole number of rows of {} features",
            rows.len(),
            self.n_features
        );
        let init = self.init;
        predict_rows(
            &self.trees,
            self.compiled.as_ref(),
            rows,
            self.n_features,
            |sum| init + sum,
        )
    }

    /// Clears `out` and fills it with each tree's (shrunk) contribution for `row`, in tree
    /// order; `init() + out.iter().sum()` is the prediction.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn tree_predictions(&self, row: &[f32], out: &mut Vec<f64>) {
        self.check_width(row);
        out.clear();
        out.extend(
            self.trees
                .iter()
                .map(|t| f64::from(t.nodes[t.leaf_index(row)].value)),
        );
    }

    /// Total split gain per feature, normalised to sum to 1 (all zeros if no tree split).
    pub fn feature_importances(&self) -> Vec<f64> {
        self.importances.clone()
    }

    /// Saabas path attributions summed over trees: `bias + values.iter().sum()` equals
    /// [`GradientBoosting::predict_row`] up to rounding.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn contributions(&self, row: &[f32]) -> Contributions {
        self.check_width(row);
        let mut values = vec![0.0; self.n_features];
        let mut bias = self.init;
        for tree in &self.trees {
            bias += tree.add_contributions(row, &mut values);
        }
        Contributions { bias, values }
    }

    /// The initial prediction (mean training target).
    pub fn init(&self) -> f64 {
        self.init
    }

    /// Number of features a row must have.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Feature names, in column order, as given at training.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The hyperparameters the model was fitted with.
    pub fn params(&self) -> &BoostingValidParams {
        &self.params
    }
}
