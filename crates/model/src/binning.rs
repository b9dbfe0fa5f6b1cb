//! Per-feature quantile binning: each feature's values map to at most `max_bins` one-byte
//! bin codes, so split search works on small integer histograms instead of sorted floats.
//!
//! Bin `b` of feature `f` holds the values `v` with `thresholds[f][b - 1] < v <= thresholds[f][b]`,
//! i.e. the code of `v` is the number of thresholds strictly below it. A split "codes `<= lo`
//! go left" is therefore exactly the raw-value test `v <= thresholds[f][lo]`: fitted trees
//! store that bin upper edge as the threshold, so raw-value and bin-code traversal agree.
//! Edges are midpoints between consecutive distinct training values, as in scikit-learn and
//! LightGBM.

use rayon::prelude::*;

use crate::dataset::Dataset;

/// The binned training matrix, kept in two layouts: column-major for streaming one feature
/// over many rows (dense nodes, partitioning) and row-major for gathering all features of a
/// few scattered rows (sparse nodes), where column-major would cost a cache miss per value.
#[derive(Debug, Clone)]
pub(crate) struct BinnedMatrix {
    n_rows: usize,
    n_features: usize,
    /// Per feature, strictly increasing upper bin edges; `len() + 1` bins.
    thresholds: Vec<Vec<f32>>,
    cols: Vec<u8>,
    rows: Vec<u8>,
}

impl BinnedMatrix {
    /// Bins every feature of `data` into at most `max_bins` (2..=256) bins, in parallel over
    /// features. Deterministic: each feature's result depends only on its own column.
    pub(crate) fn fit(data: &Dataset, max_bins: usize) -> Self {
        debug_assert!((2..=256).contains(&max_bins));
        let n_rows = data.n_rows();
        let n_features = data.n_features();
        let per_feature: Vec<(Vec<f32>, Vec<u8>)> = (0..n_features)
            .into_par_iter()
            .map(|f| bin_feature(data, f, max_bins))
            .collect();
        let mut cols = Vec::with_capacity(n_rows * n_features);
        let mut thresholds = Vec::with_capacity(n_features);
        for (thr, codes) in per_feature {
            thresholds.push(thr);
            cols.extend_from_slice(&codes);
        }
        let mut rows = vec![0u8; n_rows * n_features];
        for (r, row) in rows.chunks_exact_mut(n_features).enumerate() {
            for (f, code) in row.iter_mut().enumerate() {
                *code = cols[f * n_rows + r];
            }
        }
        Self {
            n_rows,
            n_features,
            thresholds,
            cols,
            rows,
        }
    }

    /// Number of rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of features.
    pub(crate) fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of bins used by feature `f` (1 means the feature is constant).
    pub(crate) fn n_bins(&self, f: usize) -> usize {
        self.thresholds[f].len() + 1
    }

    /// Bin codes of feature `f`, one per row.
    pub(crate) fn col(&self, f: usize) -> &[u8] {
        &self.cols[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// Bin codes of row `r`, one per feature.
    pub(crate) fn row(&self, r: usize) -> &[u8] {
        &self.rows[r * self.n_features..(r + 1) * self.n_features]
    }

    /// Raw-value threshold of a split of feature `f` sending codes `<= lo` left: the upper
    /// edge of bin `lo`. The middle of the empty bins between the two sides (closer to
    /// scikit-learn's node-local midpoints) makes little difference to accuracy, so the
    /// threshold is the plain edge.
    pub(crate) fn split_threshold(&self, f: usize, lo: u8) -> f32 {
        self.thresholds[f][usize::from(lo)]
    }
}

/// A value in `[a, b]` (for `a <= b`) strictly below `b` when `a < b`, so `b` stays on the
/// right side of the split even when `f32` rounding would land the midpoint on `b`.
fn midpoint(a: f32, b: f32) -> f32 {
    let m = ((f64::from(a) + f64::from(b)) * 0.5) as f32;
    if m >= b && a < b {
        a
    } else {
        m
    }
}

/// Maps `f32` to `u32` so that unsigned order equals numeric order (finite values only;
/// `-0.0` is folded into `+0.0` by the caller).
fn order_key(v: f32) -> u32 {
    let bits = v.to_bits();
    if bits & 0x8000_0000 != 0 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

fn from_order_key(k: u32) -> f32 {
    if k & 0x8000_0000 != 0 {
        f32::from_bits(k & 0x7fff_ffff)
    } else {
        f32::from_bits(!k)
    }
}

/// Thresholds and column codes of one feature: one sort of (value, row) pairs gives both the
/// distinct values with their counts and, walking the sorted order, every row's code.
fn bin_feature(data: &Dataset, f: usize, max_bins: usize) -> (Vec<f32>, Vec<u8>) {
    let n_rows = data.n_rows();
    let n_features = data.n_features();
    let values = data.features();
    let mut keys: Vec<u64> = (0..n_rows)
        .map(|r| {
            let v = values[r * n_features + f] + 0.0; // folds -0.0 into +0.0
            (u64::from(order_key(v)) << 32) | r as u64
        })
        .collect();
    keys.sort_unstable();
    let value_of = |k: u64| from_order_key((k >> 32) as u32);

    let mut distinct: Vec<(f32, usize)> = Vec::new();
    for &k in &keys {
        let v = value_of(k);
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    let thresholds = cut_points(&distinct, n_rows, max_bins);

    let mut codes = vec![0u8; n_rows];
    let mut code = 0usize;
    for &k in &keys {
        let v = value_of(k);
        while code < thresholds.len() && v > thresholds[code] {
            code += 1;
        }
        codes[(k & 0xffff_ffff) as usize] =
            u8::try_from(code).expect("at most 255 thresholds, so codes fit in a byte");
    }
    (thresholds, codes)
}

/// Upper bin edges for sorted distinct `(value, count)` pairs. With at most `max_bins`
/// distinct values every value gets its own bin (edges at midpoints, as scikit-learn and
/// LightGBM do); otherwise bins are filled greedily to near-equal row counts, re-aiming at
/// the remaining rows after each cut so one heavy value does not starve the bins after it.
fn cut_points(distinct: &[(f32, usize)], n_rows: usize, max_bins: usize) -> Vec<f32> {
    let pairs = distinct.windows(2);
    if distinct.len() <= max_bins {
        return pairs.map(|w| midpoint(w[0].0, w[1].0)).collect();
    }
    let mut thresholds = Vec::with_capacity(max_bins - 1);
    let (mut cum, mut last_cut, mut bins_left) = (0usize, 0usize, max_bins);
    for w in pairs {
        cum += w[0].1;
        if bins_left == 1 {
            break;
        }
        let target = (n_rows - last_cut) as f64 / bins_left as f64;
        let size = (cum - last_cut) as f64;
        // Cut here when stopping now is at least as close to the target as taking the next
        // value too: size + (size + next) >= 2 * target.
        if 2.0 * size + w[1].1 as f64 >= 2.0 * target {
            thresholds.push(midpoint(w[0].0, w[1].0));
            last_cut = cum;
            bins_left -= 1;
        }
    }
    thresholds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: Vec<f32>) -> Dataset {
        let n = values.len();
        Dataset::new(values, 1, vec![0.0; n], vec!["x".into()]).unwrap()
    }

    #[test]
    fn few_distinct_values_get_one_bin_each_with_midpoint_edges() {
        let m = BinnedMatrix::fit(&column(vec![3.0, 1.0, 2.0, 1.0, -0.0, 0.0]), 256);
        assert_eq!(m.thresholds[0], vec![0.5, 1.5, 2.5]);
        assert_eq!(m.col(0), &[3, 1, 2, 1, 0, 0]);
        assert_eq!(m.row(2), &[2]);
        assert_eq!(m.n_bins(0), 4);
    }

    #[test]
    fn many_distinct_values_fill_at_most_max_bins_of_similar_size() {
        let values: Vec<f32> = (0..1000).map(|i| (i * 7919 % 1000) as f32).collect();
        let m = BinnedMatrix::fit(&column(values), 10);
        assert_eq!(m.n_bins(0), 10);
        let mut counts = [0usize; 10];
        for &c in m.col(0) {
            counts[usize::from(c)] += 1;
        }
        assert!(counts.iter().all(|&c| c == 100), "bin sizes {counts:?}");
    }

    #[test]
    fn codes_agree_with_raw_threshold_tests() {
        let values: Vec<f32> = (0..500)
            .map(|i| ((i * 37) % 101) as f32 * 0.37 - 9.0)
            .collect();
        let m = BinnedMatrix::fit(&column(values.clone()), 16);
        let thr = &m.thresholds[0];
        for (v, &code) in values.iter().zip(m.col(0)) {
            let expected = thr.iter().filter(|&&t| t < *v).count();
            assert_eq!(usize::from(code), expected, "value {v}");
        }
    }

    #[test]
    fn a_heavy_value_does_not_starve_later_bins() {
        let mut values = vec![0.0_f32; 500];
        values.extend((1..=500).map(|i| i as f32));
        let m = BinnedMatrix::fit(&column(values), 5);
        // 0.0 takes one bin, the other 500 values share the remaining four evenly.
        assert_eq!(m.thresholds[0], vec![0.5, 125.5, 250.5, 375.5]);
    }

    #[test]
    fn midpoint_never_lands_on_the_upper_value() {
        let a = 1.0_f32;
        let b = f32::from_bits(a.to_bits() + 1);
        let m = midpoint(a, b);
        assert!(a <= m && m < b);
        assert_eq!(midpoint(2.0, 2.0), 2.0);
    }
}
