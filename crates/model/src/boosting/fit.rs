//! Fitting: the boosting loop and the quantile ensembles of the prediction interval.

use rand::seq::index;

use super::GradientBoosting;
use crate::binning::BinnedMatrix;
use crate::boosting_params::{BoostingParams, BoostingValidParams};
use crate::compiled::Compiled;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::explain::{normalize, quantile};
use crate::grow::{grow, GrowConfig, LeafRows, Workspace};
use crate::quantile::{conformal_margin, QuantileEnsemble, QuantileInterval};
use crate::rng::stream_rng;
use crate::split::Sample;
use crate::tree::Tree;

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
pub(super) enum Loss {
    /// Squared error: trees fit residuals, leaves hold their mean.
    Squared,
    /// Pinball loss at this quantile level: trees fit the sign gradient, leaves hold the
    /// level's quantile of their residuals.
    Pinball(f64),
}

/// What one boosting run produces.
pub(super) struct Boosted {
    pub(super) init: f64,
    pub(super) trees: Vec<Tree>,
    pub(super) importances: Vec<f64>,
}

impl Boosted {
    /// The run as the quantile ensemble at `alpha` (a pinball-loss run), ready to predict
    /// rows of `n_features`.
    pub(super) fn into_quantile(self, alpha: f64, n_features: usize) -> QuantileEnsemble {
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
pub(super) fn boost(
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
