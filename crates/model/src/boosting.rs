//! Gradient-boosted regression trees with squared loss (each tree fits the residuals of the
//! trees before it), histogram-based like scikit-learn's `HistGradientBoostingRegressor`,
//! optionally with a calibrated prediction interval from two quantile-loss ensembles
//! ([`crate::quantile`]).

use rand::seq::index;
use serde::{Deserialize, Deserializer, Serialize};

use crate::binning::BinnedMatrix;
use crate::boosting_params::{BoostingParams, BoostingValidParams};
use crate::compiled::Compiled;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::explain::{normalize, quantile, Contributions, Interval};
use crate::grow::{grow, GrowConfig, LeafRows, Workspace};
use crate::predict::{predict_rows, sum_row, with_padded};
use crate::quantile::{conformal_margin, QuantileEnsemble, QuantileInterval};
use crate::quickscorer::QuickScorer;
use crate::rng::stream_rng;
use crate::split::Sample;
use crate::tree::{validate_ensemble, Tree};

impl BoostingValidParams {
    /// Fits a boosted ensemble to `data`. Iterations are sequential; histogram building of
    /// large nodes runs in parallel over features. Deterministic for any thread count.
    /// The model has no prediction interval; see [`BoostingValidParams::fit_with_interval`].
    ///
    /// # Errors
    /// None today (the dataset and params are already validated); the `Result` leaves room
    /// for data-dependent checks without an API change.
    pub fn fit(&self, data: &Dataset) -> Result<GradientBoosting> {
        let binned = BinnedMatrix::fit(data, self.max_bins());
        let point = boost(self, data, &binned, Loss::Squared, 0);
        Ok(GradientBoosting::new(self, data, point, None))
    }

    /// Fits the same model as [`BoostingValidParams::fit`] (bit for bit) plus a calibrated
    /// `lower_q`..`upper_q` prediction interval (e.g. 0.1 and 0.9 for an 80% interval), see
    /// [`GradientBoosting::predict_interval`].
    ///
    /// Two more ensembles, with these params, are boosted on the pinball (quantile) loss at
    /// `lower_q` and `upper_q`. They are fitted on a seeded 80% of `data`; the other 20%
    /// measures how often the raw interval misses and sets a split-conformal margin that
    /// moves both ends (conformalized quantile regression, Romano et al. 2019), because
    /// quantile trees fitted and judged on the same rows cover less than they should. With
    /// fewer than 250 rows there is no calibration part (all rows fit, margin 0). The three
    /// ensembles are fitted in parallel; the result is deterministic for any thread count.
    ///
    /// # Errors
    /// [`Error::IntervalQuantiles`] unless `0 < lower_q < upper_q < 1`.
    pub fn fit_with_interval(
        &self,
        data: &Dataset,
        lower_q: f64,
        upper_q: f64,
    ) -> Result<GradientBoosting> {
        if !(lower_q > 0.0 && lower_q < upper_q && upper_q < 1.0) {
            return Err(Error::IntervalQuantiles { lower_q, upper_q });
        }
        let binned = BinnedMatrix::fit(data, self.max_bins());
        let n_trees = self.n_trees();
        let (point, interval) = rayon::join(
            || boost(self, data, &binned, Loss::Squared, 0),
            || fit_interval(self, data, lower_q, upper_q, n_trees),
        );
        Ok(GradientBoosting::new(self, data, point, Some(interval?)))
    }
}

/// Rows held out for the conformal margin of [`BoostingValidParams::fit_with_interval`].
const CALIBRATION_FRACTION: f64 = 0.2;
/// Below this many rows the interval is fitted on all rows, uncalibrated.
const MIN_CALIBRATION_ROWS: usize = 250;

/// Fits the two quantile ensembles (streams after the point model's) and their margin.
fn fit_interval(
    params: &BoostingValidParams,
    data: &Dataset,
    lower_q: f64,
    upper_q: f64,
    n_trees: usize,
) -> Result<QuantileInterval> {
    let n_rows = data.n_rows();
    let n_cal = (CALIBRATION_FRACTION * n_rows as f64) as usize;
    let (fit_rows, cal_rows) = if n_rows >= MIN_CALIBRATION_ROWS {
        let mut rng = stream_rng(params.seed(), 3 * n_trees);
        let mut cal = index::sample(&mut rng, n_rows, n_cal).into_vec();
        cal.sort_unstable();
        let mut is_cal = vec![false; n_rows];
        cal.iter().for_each(|&r| is_cal[r] = true);
        ((0..n_rows).filter(|&r| !is_cal[r]).collect(), cal)
    } else {
        ((0..n_rows).collect::<Vec<_>>(), Vec::new())
    };
    let fit_data = data.select(&fit_rows)?;
    let binned = BinnedMatrix::fit(&fit_data, params.max_bins());
    let qparams = interval_params(params)?;
    let quantile = |alpha, k| {
        let b = boost(
            &qparams,
            &fit_data,
            &binned,
            Loss::Pinball(alpha),
            k * n_trees,
        );
        b.into_quantile(alpha, data.n_features())
    };
    let (lower, upper) = rayon::join(|| quantile(lower_q, 1), || quantile(upper_q, 2));
    let mut interval = QuantileInterval {
        lower,
        upper,
        margin: 0.0,
    };
    if !cal_rows.is_empty() {
        let cal = data.select(&cal_rows)?;
        let lo = interval
            .lower
            .predict_rows(cal.features(), cal.n_features());
        let hi = interval
            .upper
            .predict_rows(cal.features(), cal.n_features());
        interval.margin = conformal_margin(&lo, &hi, cal.targets(), upper_q - lower_q);
    }
    Ok(interval)
}

/// How many times fewer rounds the interval's quantile ensembles take than the point model,
/// at that many times its learning rate (capped at 1). Their leaves hold exact pinball
/// line-search steps and the conformal margin recalibrates the result, so coarser steps
/// cost little accuracy while every served prediction walks far fewer trees.
const INTERVAL_ROUND_DIVISOR: usize = 3;

/// The quantile ensembles' params: the point model's, with
/// `ceil(n_trees / INTERVAL_ROUND_DIVISOR)` rounds at a proportionally larger learning rate.
pub(crate) fn interval_params(params: &BoostingValidParams) -> Result<BoostingValidParams> {
    let rounds = params.n_trees().div_ceil(INTERVAL_ROUND_DIVISOR);
    let scale = params.n_trees() as f64 / rounds as f64;
    BoostingParams::from(params.clone())
        .n_trees(rounds)
        .learning_rate((params.learning_rate() * scale).min(1.0))
        .check()
}

/// The loss a boosting run minimises.
#[derive(Debug, Clone, Copy)]
enum Loss {
    /// Squared error: trees fit residuals, leaves hold their mean.
    Squared,
    /// Pinball loss at this quantile level: trees fit the sign gradient, leaves hold the
    /// level's quantile of their residuals.
    Pinball(f64),
}

/// What one boosting run produces.
struct Boosted {
    init: f64,
    trees: Vec<Tree>,
    importances: Vec<f64>,
}

impl Boosted {
    /// The run as the quantile ensemble at `alpha` (a pinball-loss run), ready to predict
    /// rows of `n_features`.
    fn into_quantile(self, alpha: f64, n_features: usize) -> QuantileEnsemble {
        QuantileEnsemble {
            alpha,
            init: self.init,
            compiled: Compiled::new(&self.trees, n_features),
            trees: self.trees,
        }
    }
}

/// Runs `params.n_trees()` boosting iterations of `loss` on `data` (binned as `binned`);
/// iteration `it` draws from random stream `stream + it`.
fn boost(
    params: &BoostingValidParams,
    data: &Dataset,
    binned: &BinnedMatrix,
    loss: Loss,
    stream: usize,
) -> Boosted {
    let n_rows = data.n_rows();
    let n_features = data.n_features();
    let targets = data.targets();
    let cfg = GrowConfig {
        max_depth: params.max_depth().unwrap_or(usize::MAX),
        min_samples_split: 2,
        min_samples_leaf: u32::try_from(params.min_samples_leaf()).unwrap_or(u32::MAX),
        max_features: ((params.max_features() * n_features as f64) as usize).clamp(1, n_features),
        lambda: params.l2_regularization(),
        shrinkage: params.learning_rate(),
        min_gain: 0.0,
        max_leaves: params.max_leaf_nodes(),
        small_node_rows: 0,
        parallel: true,
    };
    let init = match loss {
        // Squared loss: the best constant is the mean target.
        Loss::Squared => targets.iter().map(|&y| f64::from(y)).sum::<f64>() / n_rows as f64,
        // Pinball loss: the alpha quantile of the targets.
        Loss::Pinball(alpha) => {
            let mut sorted: Vec<f64> = targets.iter().map(|&y| f64::from(y)).collect();
            sorted.sort_unstable_by(f64::total_cmp);
            quantile(&sorted, alpha)
        }
    };
    let mut pred = vec![init; n_rows];
    let n_sub = ((params.subsample() * n_rows as f64) as usize).clamp(1, n_rows);
    let mut ws = Workspace::default();
    let mut samples: Vec<Sample> = Vec::with_capacity(n_sub);
    let mut leaves: Vec<LeafRows> = Vec::new();
    let mut in_sample = vec![false; n_rows];
    let mut residuals: Vec<f64> = Vec::new();
    let mut trees = Vec::with_capacity(params.n_trees());
    let mut importances = vec![0.0; n_features];
    for it in 0..params.n_trees() {
        let mut rng = stream_rng(params.seed(), stream + it);
        samples.clear();
        let sample = |r: usize| {
            let residual = f64::from(targets[r]) - pred[r];
            let gw = match loss {
                Loss::Squared => residual,
                // Negative gradient of the pinball loss (hessian 1, as in LightGBM).
                Loss::Pinball(alpha) if residual > 0.0 => alpha,
                Loss::Pinball(alpha) => alpha - 1.0,
            };
            Sample {
                row: r as u32,
                w: 1,
                gw,
            }
        };
        if n_sub < n_rows {
            let mut rows = index::sample(&mut rng, n_rows, n_sub).into_vec();
            rows.sort_unstable();
            in_sample.fill(false);
            for &r in &rows {
                in_sample[r] = true;
            }
            samples.extend(rows.into_iter().map(sample));
        } else {
            samples.extend((0..n_rows).map(sample));
        }
        let (mut tree, gains) = grow(
            binned,
            &cfg,
            &mut samples,
            &mut rng,
            &mut ws,
            Some(&mut leaves),
        );
        if let Loss::Pinball(alpha) = loss {
            // The gradient step only chose the splits; the pinball loss's optimal leaf
            // value is the alpha quantile of the leaf's residuals.
            for (id, range) in &leaves {
                residuals.clear();
                residuals.extend(
                    samples[range.clone()]
                        .iter()
                        .map(|s| f64::from(targets[s.row as usize]) - pred[s.row as usize]),
                );
                residuals.sort_unstable_by(f64::total_cmp);
                let value = params.learning_rate() * quantile(&residuals, alpha);
                tree.nodes[*id as usize].value = value as f32;
            }
        }
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
    Boosted {
        init,
        trees,
        importances,
    }
}

/// A fitted gradient boosting regressor; made by [`BoostingValidParams::fit`] or
/// [`BoostingValidParams::fit_with_interval`].
///
/// Predictions take raw `f32` feature rows in training column order; a NaN feature value
/// always follows the right branch (impute before predicting). The spread of the trees says
/// nothing about uncertainty (boosted trees are additive corrections, not alternative
/// estimates), so the prediction interval, when fitted, comes from two quantile-loss
/// ensembles instead ([`GradientBoosting::predict_interval`]).
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
    /// `trees`, then the interval's lower and upper quantile trees, in one scorer: a row's
    /// prediction and band in one pass over its features (see [`banded_scorer`]).
    #[serde(skip)]
    banded: Option<QuickScorer>,
    /// The quantile ensembles of the prediction interval, when fitted. Last, so the
    /// serialized form is the first format's followed by this field.
    interval: Option<Box<QuantileInterval>>,
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
    interval: Option<Box<QuantileInterval>>,
}

/// The first serialized form of [`GradientBoosting`], before prediction intervals.
#[derive(Deserialize)]
struct BoostingReprV1 {
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
        let mut interval = r.interval;
        if let Some(i) = interval.as_mut() {
            // This version fits `interval_params`' rounds; bundles saved before that have
            // as many quantile trees as point trees.
            let rounds = [interval_params(&r.params)?.n_trees(), r.params.n_trees()];
            i.prepare(r.n_features, &rounds)?;
        }
        let trees = r.trees;
        Ok(Self {
            params: r.params,
            n_features: r.n_features,
            feature_names: r.feature_names,
            init: r.init,
            compiled: Compiled::new(&trees, r.n_features),
            banded: banded_scorer(&trees, interval.as_deref(), r.n_features),
            trees,
            importances: r.importances,
            interval,
        })
    }
}

/// The scorer over `trees` followed by `interval`'s lower and upper quantile trees, when
/// there is an interval and every tree fits a [`QuickScorer`]. One pass over the row's
/// features then serves all three ensembles: the served boosted model's 250 trees take
/// about half the instructions of three separate passes.
fn banded_scorer(
    trees: &[Tree],
    interval: Option<&QuantileInterval>,
    n_features: usize,
) -> Option<QuickScorer> {
    let interval = interval?;
    let all: Vec<&Tree> = trees
        .iter()
        .chain(&interval.lower.trees)
        .chain(&interval.upper.trees)
        .collect();
    QuickScorer::new(&all, n_features)
}

impl GradientBoosting {
    fn new(
        params: &BoostingValidParams,
        data: &Dataset,
        point: Boosted,
        interval: Option<QuantileInterval>,
    ) -> Self {
        Self {
            params: params.clone(),
            n_features: data.n_features(),
            feature_names: data.feature_names().to_vec(),
            init: point.init,
            compiled: Compiled::new(&point.trees, data.n_features()),
            banded: banded_scorer(&point.trees, interval.as_ref(), data.n_features()),
            trees: point.trees,
            importances: point.importances,
            interval: interval.map(Box::new),
        }
    }

    /// Deserializes a model in its first serialized form, written before prediction
    /// intervals existed (reelcast bundle format 1); the result has no interval. For
    /// `#[serde(deserialize_with = "...")]` in readers of old files.
    ///
    /// # Errors
    /// The deserializer's error, or an invalid-model message if the ensemble is corrupt.
    pub fn deserialize_without_interval<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let r = BoostingReprV1::deserialize(deserializer)?;
        Self::try_from(BoostingRepr {
            params: r.params,
            n_features: r.n_features,
            feature_names: r.feature_names,
            init: r.init,
            trees: r.trees,
            importances: r.importances,
            interval: None,
        })
        .map_err(serde::de::Error::custom)
    }

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

    /// The prediction with its calibrated prediction interval, or `None` if the model was
    /// fitted without one ([`BoostingValidParams::fit`], or a model saved before intervals
    /// existed). `lower` and `upper` estimate the `lower_q` and `upper_q` conditional
    /// quantiles of the target (see [`BoostingValidParams::fit_with_interval`]), widened if
    /// needed so that `lower <= mean <= upper`; `mean` equals
    /// [`GradientBoosting::predict_row`] bit for bit. About three times the cost of
    /// `predict_row` (three ensembles).
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_interval(&self, row: &[f32]) -> Option<Interval> {
        self.check_width(row);
        let interval = self.interval.as_ref()?;
        if let Some(scorer) = &self.banded {
            // Each ensemble's leaf values summed in tree order, as `sum_row` does.
            let point_end = self.trees.len();
            let lower_end = point_end + interval.lower.trees.len();
            let upper_end = lower_end + interval.upper.trees.len();
            let [point, lower, upper] = scorer.sums(row, [point_end, lower_end, upper_end]);
            return Some(interval.around_raw(
                self.init + point,
                interval.lower.init + lower,
                interval.upper.init + upper,
            ));
        }
        Some(with_padded(row, |padded| {
            let point = self.init + sum_row(&self.trees, self.compiled.as_ref(), padded);
            interval.around(point, padded)
        }))
    }

    /// [`GradientBoosting::predict_interval`] for every row of the row-major `rows`, in
    /// parallel; equal, bit for bit, to calling it on each row.
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `self.n_features()`.
    pub fn predict_interval_batch(&self, rows: &[f32]) -> Option<Vec<Interval>> {
        let interval = self.interval.as_ref()?;
        let points = self.predict_batch(rows);
        Some(interval.around_batch(&points, rows, self.n_features))
    }

    /// The raw `[lower, upper]` quantile-ensemble predictions for one row, before the
    /// conformal margin and before widening to contain the prediction (for diagnostics:
    /// [`GradientBoosting::predict_interval`] is what to serve), or `None` without an interval.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_quantiles(&self, row: &[f32]) -> Option<[f64; 2]> {
        self.check_width(row);
        let interval = self.interval.as_ref()?;
        Some(with_padded(row, |padded| interval.raw(padded)))
    }

    /// The `(lower_q, upper_q)` quantile levels of the prediction interval, if fitted.
    pub fn interval_quantiles(&self) -> Option<(f64, f64)> {
        self.interval
            .as_ref()
            .map(|i| (i.lower.alpha, i.upper.alpha))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boosting_params::BoostingParams;
    use rand::{Rng, SeedableRng};

    /// 2000 rows, y = 5 + 3 x0 + noise whose spread grows with x1.
    fn heteroscedastic() -> Dataset {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..2000 {
            let (a, b): (f32, f32) = (rng.random(), rng.random());
            let noise: f32 = rng.random::<f32>() - 0.5;
            x.extend_from_slice(&[a, b]);
            y.push(5.0 + 3.0 * a + 4.0 * b * noise);
        }
        Dataset::new(x, 2, y, vec!["a".into(), "b".into()]).unwrap()
    }

    #[test]
    fn pinball_boosting_puts_the_target_share_below_each_quantile_in_sample() {
        let data = heteroscedastic();
        let params = BoostingParams::default().n_trees(60).check().unwrap();
        let binned = BinnedMatrix::fit(&data, params.max_bins());
        for alpha in [0.1, 0.5, 0.9] {
            let b = boost(&params, &data, &binned, Loss::Pinball(alpha), 0);
            let q = b.into_quantile(alpha, 2);
            let preds = q.predict_rows(data.features(), 2);
            let below = preds
                .iter()
                .zip(data.targets())
                .filter(|(p, &y)| f64::from(y) <= **p)
                .count() as f64
                / data.n_rows() as f64;
            assert!((below - alpha).abs() < 0.03, "alpha {alpha}: {below} below");
        }
    }

    #[test]
    fn interval_fit_keeps_the_point_model_and_widens_with_the_noise() {
        let data = heteroscedastic();
        let params = BoostingParams::default().n_trees(60).check().unwrap();
        let plain = params.fit(&data).unwrap();
        let with = params.fit_with_interval(&data, 0.1, 0.9).unwrap();
        assert_eq!(
            with.predict_batch(data.features()),
            plain.predict_batch(data.features())
        );
        assert!(plain.predict_interval(data.row(0)).is_none());
        // True 10%-90% width is 0.8 * 4 * b: 0.32 at b = 0.1, 2.88 at b = 0.9.
        let narrow = with.predict_interval(&[0.5, 0.1]).unwrap();
        let wide = with.predict_interval(&[0.5, 0.9]).unwrap();
        assert!(narrow.upper - narrow.lower < 1.0, "{narrow:?}");
        assert!(wide.upper - wide.lower > 2.0, "{wide:?}");
        let batch = with.predict_interval_batch(data.features()).unwrap();
        for (i, iv) in batch.iter().enumerate().step_by(97) {
            assert_eq!(Some(*iv), with.predict_interval(data.row(i)), "row {i}");
            assert!(
                iv.lower <= iv.mean && iv.mean <= iv.upper,
                "row {i}: {iv:?}"
            );
        }
    }

    #[test]
    fn one_scorer_over_all_three_ensembles_gives_the_walks_intervals_bit_for_bit() {
        // 200 point and 2 x 67 quantile trees: two scorer blocks, the lower ensemble split
        // between them.
        let data = heteroscedastic();
        let model = BoostingParams::default()
            .n_trees(200)
            .max_leaf_nodes(Some(15))
            .check()
            .unwrap()
            .fit_with_interval(&data, 0.1, 0.9)
            .unwrap();
        assert!(model.banded.is_some());
        let walked = GradientBoosting {
            banded: None,
            ..model.clone()
        };
        let mut rows: Vec<[f32; 2]> = (0..data.n_rows())
            .map(|i| [data.row(i)[0], data.row(i)[1]])
            .collect();
        rows.extend([[f32::NAN, 0.5], [0.5, f32::NAN], [-1e9, 1e9]]);
        for row in &rows {
            assert_eq!(
                model.predict_interval(row),
                walked.predict_interval(row),
                "{row:?}"
            );
        }
    }

    #[test]
    fn interval_takes_a_third_of_the_rounds_and_older_full_size_intervals_still_load() {
        let data = heteroscedastic();
        let params = BoostingParams::default().n_trees(60).check().unwrap();
        let model = params.fit_with_interval(&data, 0.1, 0.9).unwrap();
        let interval = model.interval.as_deref().unwrap();
        assert_eq!(interval.lower.trees.len(), 20);
        assert_eq!(interval.upper.trees.len(), 20);
        assert!((interval_params(&params).unwrap().learning_rate() - 0.3).abs() < 1e-12);
        // JSON keeps the validation's message (postcard reports only that it failed).
        let load = |m: &GradientBoosting| {
            serde_json::from_str::<GradientBoosting>(&serde_json::to_string(m).unwrap())
        };
        assert_eq!(load(&model).unwrap(), model);

        // Saved before the interval took fewer rounds: as many quantile trees as point trees.
        let binned = BinnedMatrix::fit(&data, params.max_bins());
        let mut older = model.clone();
        let full =
            |alpha| boost(&params, &data, &binned, Loss::Pinball(alpha), 0).into_quantile(alpha, 2);
        let i = older.interval.as_deref_mut().unwrap();
        (i.lower, i.upper) = (full(0.1), full(0.9));
        let loaded = load(&older).unwrap();
        assert_eq!(loaded.interval.as_deref().unwrap().lower.trees.len(), 60);
        assert!(loaded.predict_interval(data.row(0)).is_some());

        // Any other count, or two different counts, is a damaged model.
        let mut damaged = model.clone();
        damaged.interval.as_deref_mut().unwrap().upper.trees.pop();
        let err = load(&damaged).unwrap_err().to_string();
        assert!(err.contains("20 and 19 trees"), "{err}");
        let i = damaged.interval.as_deref_mut().unwrap();
        i.lower.trees.pop();
        let err = load(&damaged).unwrap_err().to_string();
        assert!(err.contains("has 19 trees, params allow [20, 60]"), "{err}");
    }

    #[test]
    fn interval_quantiles_must_increase_inside_zero_one() {
        let data = heteroscedastic();
        let params = BoostingParams::default().n_trees(2).check().unwrap();
        for (lo, hi) in [(0.9, 0.1), (0.0, 0.9), (0.1, 1.0), (0.5, 0.5)] {
            let err = params.fit_with_interval(&data, lo, hi).unwrap_err();
            assert_eq!(
                err,
                Error::IntervalQuantiles {
                    lower_q: lo,
                    upper_q: hi
                }
            );
        }
        assert_eq!(
            Error::IntervalQuantiles {
                lower_q: 0.9,
                upper_q: 0.1
            }
            .to_string(),
            "interval quantiles are 0.9 and 0.1, must satisfy 0 < lower < upper < 1"
        );
    }
}
