//! Split scoring shared by the histogram and the presorted split finders.
//!
//! Both ensembles minimise squared error. A node holding rows with weights `w_i` and
//! per-unit targets `g_i` (the target for a forest, the residual for boosting) has score
//! `G^2 / (W + lambda)` with `G = sum w_i g_i`, `W = sum w_i`; a split's gain is
//! `score(left) + score(right) - score(node)`. With `lambda = 0` that is exactly the weighted
//! variance (impurity) decrease scikit-learn's `RandomForestRegressor` maximises, and with
//! `lambda > 0` it is the XGBoost/LightGBM/HistGradientBoosting gain for squared loss.

/// One training row as seen by the tree grower: which row, its integer weight (bootstrap
/// multiplicity for forests, 1 for boosting) and `weight * target` (or residual).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// Row index into the binned matrix.
    pub row: u32,
    /// Integer weight, at least 1.
    pub w: u32,
    /// `w * g` where `g` is the per-unit target.
    pub gw: f64,
}

/// Sums over a set of samples: `g` is `sum w_i g_i`, `w` the total weight, `n` the number of
/// distinct rows (what `min_samples_leaf` counts, as in scikit-learn).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stats {
    /// Sum of `w * g`.
    pub g: f64,
    /// Sum of weights.
    pub w: u32,
    /// Number of distinct rows.
    pub n: u32,
}

impl Stats {
    /// Adds one sample.
    #[inline]
    pub(crate) fn add(&mut self, s: &Sample) {
        self.g += s.gw;
        self.w += s.w;
        self.n += 1;
    }

    /// `self - other` for `other` a subset of `self`.
    #[inline]
    pub(crate) fn minus(&self, other: &Stats) -> Stats {
        Stats {
            g: self.g - other.g,
            w: self.w - other.w,
            n: self.n - other.n,
        }
    }
}

/// A chosen split: rows whose `feature` bin code is `<= lo` go left, the others right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    /// Feature index.
    pub feature: u32,
    /// Largest bin code sent left.
    pub lo: u8,
    /// Score gain (see module docs).
    pub gain: f64,
    /// Sums of the left child.
    pub left: Stats,
}

/// Running best split of one node. Candidates are offered in a fixed order (features
/// ascending, codes ascending) and only a strictly better gain replaces the incumbent, so
/// ties resolve the same way on every run.
#[derive(Debug, Clone)]
pub(crate) struct BestSplit {
    parent: Stats,
    parent_score: f64,
    lambda: f64,
    min_samples_leaf: u32,
    /// Best gain so far; starts at the minimum gain a split must exceed.
    best_gain: f64,
    /// The best candidate so far.
    pub best: Option<Candidate>,
}

impl BestSplit {
    /// Starts a search for a node with sums `parent`. Splits must leave at least
    /// `min_samples_leaf` rows on each side and have a gain strictly above `min_gain`.
    pub(crate) fn new(parent: Stats, lambda: f64, min_samples_leaf: u32, min_gain: f64) -> Self {
        Self {
            parent,
            parent_score: score(parent.g, parent.w, lambda),
            lambda,
            min_samples_leaf,
            best_gain: min_gain,
            best: None,
        }
    }

    /// Offers the split sending codes `<= lo` of `feature` left, with left sums `left`.
    ///
    /// This runs for nearly every row of small nodes, so the common "not better" case is
    /// decided without division: `gl²/wl + gr²/wr > t` is tested as
    /// `gl²·wr + gr²·wl > t·wl·wr` (both weights are positive).
    #[inline]
    pub(crate) fn consider(&mut self, feature: u32, lo: u8, left: Stats) {
        let right_n = self.parent.n - left.n;
        if left.n < self.min_samples_leaf || right_n < self.min_samples_leaf {
            return;
        }
        let right_g = self.parent.g - left.g;
        let wl = f64::from(left.w) + self.lambda;
        let wr = f64::from(self.parent.w - left.w) + self.lambda;
        let to_beat = self.best_gain + self.parent_score;
        if left.g * left.g * wr + right_g * right_g * wl <= to_beat * (wl * wr) {
            return;
        }
        let gain = left.g * left.g / wl + right_g * right_g / wr - self.parent_score;
        if gain > self.best_gain {
            self.best_gain = gain;
            self.best = Some(Candidate {
                feature,
                lo,
                gain,
                left,
            });
        }
    }
}

/// `G^2 / (W + lambda)`.
#[inline]
pub(crate) fn score(g: f64, w: u32, lambda: f64) -> f64 {
    g * g / (f64::from(w) + lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(g: f64, w: u32, n: u32) -> Stats {
        Stats { g, w, n }
    }

    #[test]
    fn gain_equals_weighted_variance_decrease() {
        // Targets 1, 1, 5 (weights 1): SSE 32/3 before; {1, 1} | {5} leaves SSE 0.
        let mut best = BestSplit::new(stats(7.0, 3, 3), 0.0, 1, f64::NEG_INFINITY);
        best.consider(0, 0, stats(2.0, 2, 2));
        let c = best.best.unwrap();
        assert!((c.gain - 32.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn respects_min_samples_leaf_and_min_gain() {
        let mut best = BestSplit::new(stats(7.0, 3, 3), 0.0, 2, f64::NEG_INFINITY);
        best.consider(0, 0, stats(2.0, 2, 2));
        assert!(best.best.is_none(), "right child would have 1 row");
        let mut best = BestSplit::new(stats(4.0, 4, 4), 0.0, 1, 0.0);
        best.consider(0, 0, stats(2.0, 2, 2));
        assert!(
            best.best.is_none(),
            "equal means give zero gain, not above 0"
        );
    }

    #[test]
    fn keeps_the_first_of_equal_candidates() {
        let mut best = BestSplit::new(stats(7.0, 3, 3), 0.0, 1, f64::NEG_INFINITY);
        best.consider(3, 0, stats(2.0, 2, 2));
        best.consider(5, 0, stats(2.0, 2, 2));
        assert_eq!(best.best.unwrap().feature, 3);
    }
}
