//! Random forest regression: bootstrap-aggregated full-depth trees, grown in parallel.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::binning::BinnedMatrix;
use crate::compiled::Compiled;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::explain::{interval, normalize, Contributions, PredictionInterval};
use crate::forest_params::ForestValidParams;
use crate::grow::{grow, GrowConfig, Workspace};
use crate::predict::{for_each_leaf, predict_rows, sum_row, with_padded};
use crate::rng::stream_rng;
use crate::split::Sample;
use crate::tree::{validate_ensemble, Tree};

/// Depth-first nodes with at most this many rows switch from histograms to presorted lists:
/// below a few hundred rows, passes over the rows beat zeroing, filling and scanning 256 bins
/// per feature. Fit CPU time for 100 full-depth trees on 45 features, by threshold (64, 256,
/// 512, 1024, 4096): 5k rows 0.80, 0.74, 0.76, 0.79, 0.81 s; 300k rows (8 trees, 128 to
/// 2048) 5.5, 5.2, 5.1, 5.2, 5.5 s.
const SMALL_NODE_ROWS: usize = 512;

impl ForestValidParams {
    /// Fits a forest to `data`, one tree per rayon task. Each tree draws its bootstrap
    /// sample and per-node feature subsets from its own seeded stream, so the result is
    /// bit-identical for any thread count.
    ///
    /// # Errors
    /// None today (the dataset and params are already validated); the `Result` leaves room
    /// for data-dependent checks without an API change.
    pub fn fit(&self, data: &Dataset) -> Result<RandomForest> {
        let binned = BinnedMatrix::fit(data, self.max_bins());
        let n_features = data.n_features();
        let cfg = GrowConfig {
            max_depth: self.max_depth().unwrap_or(usize::MAX),
            min_samples_split: u32::try_from(self.min_samples_split()).unwrap_or(u32::MAX),
            min_samples_leaf: u32::try_from(self.min_samples_leaf()).unwrap_or(u32::MAX),
            max_features: ((self.max_features() * n_features as f64) as usize).clamp(1, n_features),
            lambda: 0.0,
            shrinkage: 1.0,
            // Like scikit-learn, any valid split of an impure node is taken, even one with
            // zero gain.
            min_gain: f64::NEG_INFINITY,
            max_leaves: None,
            small_node_rows: SMALL_NODE_ROWS,
            parallel: false,
        };
        let grown: Vec<(Tree, Vec<f64>)> = (0..self.n_trees())
            .into_par_iter()
            .map_init(
                || (Workspace::default(), Vec::new(), Vec::new()),
                |(ws, counts, samples), t| {
                    let mut rng = stream_rng(self.seed(), t);
                    bootstrap(data.targets(), self.bootstrap(), &mut rng, counts, samples);
                    grow(&binned, &cfg, samples, &mut rng, ws, None)
                },
            )
            .collect();

        // scikit-learn: normalise each tree's impurity decreases, average, normalise again.
        let mut importances = vec![0.0; n_features];
        let mut trees = Vec::with_capacity(grown.len());
        for (tree, mut gains) in grown {
            normalize(&mut gains);
            for (total, g) in importances.iter_mut().zip(&gains) {
                *total += g;
            }
            trees.push(tree);
        }
        normalize(&mut importances);
        Ok(RandomForest {
            params: self.clone(),
            n_features,
            feature_names: data.feature_names().to_vec(),
            compiled: Compiled::new(&trees, n_features),
            trees,
            importances,
        })
    }
}

/// Draws the bootstrap multiplicities of every row (n draws with replacement) and keeps the
/// drawn rows, ascending, with their multiplicity as weight; without bootstrap every row
/// has weight 1.
fn bootstrap(
    targets: &[f32],
    enabled: bool,
    rng: &mut impl Rng,
    counts: &mut Vec<u32>,
    samples: &mut Vec<Sample>,
) {
    let n = targets.len();
    counts.clear();
    counts.resize(n, u32::from(!enabled));
    if enabled {
        let n32 = u32::try_from(n).expect("datasets have fewer than u32::MAX rows");
        for _ in 0..n {
            counts[rng.random_range(0..n32) as usize] += 1;
        }
    }
    samples.clear();
    samples.extend(
        counts
            .iter()
            .zip(targets)
            .enumerate()
            .filter(|(_, (&c, _))| c > 0)
            .map(|(row, (&w, &y))| Sample {
                row: row as u32,
                w,
                gw: f64::from(w) * f64::from(y),
            }),
    );
}

/// A fitted random forest regressor; made by [`ForestValidParams::fit`].
///
/// Predictions take raw `f32` feature rows in training column order; a NaN feature value
/// always follows the right branch (impute before predicting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ForestRepr")]
pub struct RandomForest {
    params: ForestValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    trees: Vec<Tree>,
    importances: Vec<f64>,
    /// Prediction-time copy of `trees`, rebuilt after loading.
    #[serde(skip)]
    compiled: Option<Compiled>,
}

/// Deserialization mirror of [`RandomForest`], validated before use.
#[derive(Deserialize)]
struct ForestRepr {
    params: ForestValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    trees: Vec<Tree>,
    importances: Vec<f64>,
}

impl TryFrom<ForestRepr> for RandomForest {
    type Error = Error;

    fn try_from(r: ForestRepr) -> Result<Self> {
        validate_ensemble(
            &r.trees,
            r.params.n_trees(),
            r.n_features,
            r.feature_names.len(),
            r.importances.len(),
        )?;
        let trees = r.trees;
        Ok(Self {
            params: r.params,
            n_features: r.n_features,
            feature_names: r.feature_names,
            compiled: Compiled::new(&trees, r.n_features),
            trees,
            importances: r.importances,
        })
    }
}

impl RandomForest {
    fn check_width(&self, row: &[f32]) {
        assert_eq!(
            row.len(),
            self.n_features,
            "row has {} features, the forest was trained on {}",
            row.len(),
            self.n_features
        );
    }

    /// Prediction for one row: the mean of the trees' leaf values.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        self.check_width(row);
        with_padded(row, |padded| {
            sum_row(&self.trees, self.compiled.as_ref(), padded)
        }) / self.trees.len() as f64
    }

    /// Predictions for the row-major `rows` (`n_rows * n_features` values), in parallel.
    /// Equal, bit for bit, to calling [`RandomForest::predict_row`] on each row.
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
        let n = self.trees.len() as f64;
        predict_rows(
            &self.trees,
            self.compiled.as_ref(),
            rows,
            self.n_features,
            |sum| sum / n,
        )
    }

    /// Clears `out` and fills it with each tree's prediction for `row`, in tree order.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn tree_predictions(&self, row: &[f32], out: &mut Vec<f64>) {
        self.check_width(row);
        out.clear();
        with_padded(row, |padded| {
            for_each_leaf(&self.trees, self.compiled.as_ref(), padded, |_, v| {
                out.push(f64::from(v))
            });
        });
    }

    /// The prediction with the `lower_q` and `upper_q` quantiles (e.g. 0.1 and 0.9) of the
    /// per-tree predictions, linearly interpolated, widened if needed so that
    /// `lower <= mean <= upper` (when most trees agree and a few are far off, the mean can
    /// fall outside the quantiles).
    ///
    /// # Panics
    /// If the row width is wrong or not `0 <= lower_q <= upper_q <= 1`.
    pub fn predict_interval(&self, row: &[f32], lower_q: f64, upper_q: f64) -> PredictionInterval {
        assert!(
            (0.0..=1.0).contains(&lower_q) && (lower_q..=1.0).contains(&upper_q),
            "quantiles must satisfy 0 <= lower_q <= upper_q <= 1, got {lower_q} and {upper_q}"
        );
        let mut preds = Vec::with_capacity(self.trees.len());
        self.tree_predictions(row, &mut preds);
        interval(preds, lower_q, upper_q)
    }

    /// Impurity-decrease feature importances, normalised to sum to 1 (all zeros if no tree
    /// ever split), computed like scikit-learn's `feature_importances_`.
    pub fn feature_importances(&self) -> Vec<f64> {
        self.importances.clone()
    }

    /// Saabas path attributions of the prediction for `row`, averaged over trees:
    /// `bias + values.iter().sum()` equals [`RandomForest::predict_row`] up to rounding.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn contributions(&self, row: &[f32]) -> Contributions {
        self.check_width(row);
        let mut values = vec![0.0; self.n_features];
        let mut bias = 0.0;
        for tree in &self.trees {
            bias += tree.add_contributions(row, &mut values);
        }
        let n = self.trees.len() as f64;
        values.iter_mut().for_each(|v| *v /= n);
        Contributions {
            bias: bias / n,
            values,
        }
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

    /// The hyperparameters the forest was fitted with.
    pub fn params(&self) -> &ForestValidParams {
        &self.params
    }
}
