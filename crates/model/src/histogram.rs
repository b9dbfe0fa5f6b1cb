//! Per-node gradient histograms: for each feature and bin code, the sums of the node's rows
//! falling in that bin. Used for large nodes, where one pass over the rows plus a scan of at
//! most 256 bins per feature beats sorting; small nodes go to [`crate::presorted`].

use rayon::prelude::*;

use crate::binning::BinnedMatrix;
use crate::split::{BestSplit, Sample};

/// Sums of the rows of one bin (16 bytes, so a feature's 256 bins fill 4 KiB).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Bin {
    /// Sum of `w * g`.
    pub g: f64,
    /// Sum of weights.
    pub w: u32,
    /// Number of rows.
    pub n: u32,
}

/// One feature's bins, indexed by the one-byte code (no bounds checks needed).
pub(crate) type FeatureHist = [Bin; 256];

/// Node histograms are large (`n_features * 4 KiB`), so buffers are recycled rather than
/// allocated per node.
#[derive(Debug, Default)]
pub(crate) struct HistPool {
    free: Vec<Vec<FeatureHist>>,
}

impl HistPool {
    /// A buffer with one (stale, not zeroed) histogram per feature.
    pub(crate) fn take(&mut self, n_features: usize) -> Vec<FeatureHist> {
        match self.free.pop() {
            Some(h) if h.len() == n_features => h,
            _ => vec![[Bin::default(); 256]; n_features],
        }
    }

    /// Returns a buffer for reuse.
    pub(crate) fn give(&mut self, hist: Vec<FeatureHist>) {
        self.free.push(hist);
    }
}

/// Rows per feature above which building in parallel over features pays for the rayon
/// fork/join (only used by boosting; forests parallelise over trees instead).
const PARALLEL_MIN_WORK: usize = 1 << 16;

/// Fills `hist[f]` for every `f` in `active` (ascending) with the sums of `samples`.
/// Histograms of features outside `active` are left untouched (stale).
///
/// Dense nodes (an eighth of all rows or more) stream each feature's column; sparse nodes
/// gather each row's codes from the row-major copy, one cache line per row instead of one per
/// value. Dense nodes use the columns because one small pass per feature is faster than one
/// row-major pass updating every feature's histogram at once.
/// The per-bin sums are accumulated in sample order either way, so the result does not
/// depend on the layout or on thread scheduling.
pub(crate) fn build(
    hist: &mut [FeatureHist],
    data: &BinnedMatrix,
    samples: &[Sample],
    active: &[u32],
    parallel: bool,
) {
    let dense = samples.len() * 8 >= data.n_rows();
    if parallel && samples.len() * active.len() >= PARALLEL_MIN_WORK {
        let mut mask = vec![false; hist.len()];
        for &f in active {
            mask[f as usize] = true;
        }
        hist.par_iter_mut()
            .enumerate()
            .filter(|(f, _)| mask[*f])
            .for_each(|(f, h)| build_column(h, data, f, samples));
    } else if dense {
        for &f in active {
            build_column(&mut hist[f as usize], data, f as usize, samples);
        }
    } else {
        build_rows(hist, data, samples, active);
    }
}

fn build_column(h: &mut FeatureHist, data: &BinnedMatrix, f: usize, samples: &[Sample]) {
    h[..data.n_bins(f)].fill(Bin::default());
    let col = data.col(f);
    for s in samples {
        let b = &mut h[usize::from(col[s.row as usize])];
        b.g += s.gw;
        b.w += s.w;
        b.n += 1;
    }
}

fn build_rows(hist: &mut [FeatureHist], data: &BinnedMatrix, samples: &[Sample], active: &[u32]) {
    for &f in active {
        hist[f as usize][..data.n_bins(f as usize)].fill(Bin::default());
    }
    if active.len() == hist.len() {
        for s in samples {
            for (h, &code) in hist.iter_mut().zip(data.row(s.row as usize)) {
                let b = &mut h[usize::from(code)];
                b.g += s.gw;
                b.w += s.w;
                b.n += 1;
            }
        }
    } else {
        for s in samples {
            let codes = data.row(s.row as usize);
            for &f in active {
                let b = &mut hist[f as usize][usize::from(codes[f as usize])];
                b.g += s.gw;
                b.w += s.w;
                b.n += 1;
            }
        }
    }
}

/// Turns `parent` into the histogram of its other child by subtracting `child` (the
/// subtraction trick: only the smaller child is ever built from rows).
pub(crate) fn subtract(
    parent: &mut [FeatureHist],
    child: &[FeatureHist],
    data: &BinnedMatrix,
    active: &[u32],
) {
    for &f in active {
        let f = f as usize;
        let bins = data.n_bins(f);
        for (p, c) in parent[f][..bins].iter_mut().zip(&child[f][..bins]) {
            p.g -= c.g;
            p.w -= c.w;
            p.n -= c.n;
        }
    }
}

/// Offers every split of every feature in `features` to `best`; appends to `constant` the
/// features with a single non-empty bin (constant in this node, hence in all descendants).
pub(crate) fn find_split(
    hist: &[FeatureHist],
    data: &BinnedMatrix,
    features: &[u32],
    best: &mut BestSplit,
    constant: &mut Vec<u32>,
) {
    for &f in features {
        let bins = &hist[f as usize][..data.n_bins(f as usize)];
        let mut left = crate::split::Stats::default();
        let mut prev: Option<u8> = None;
        let mut non_empty = 0usize;
        for (code, bin) in bins.iter().enumerate() {
            if bin.n == 0 {
                continue;
            }
            non_empty += 1;
            let code = u8::try_from(code).expect("at most 256 bins");
            if let Some(lo) = prev {
                best.consider(f, lo, left);
            }
            left.g += bin.g;
            left.w += bin.w;
            left.n += bin.n;
            prev = Some(code);
        }
        if non_empty <= 1 {
            constant.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::split::Stats;

    fn tiny() -> (BinnedMatrix, Vec<Sample>) {
        // Two features: x0 separates the targets, x1 is constant.
        let x = vec![1.0, 7.0, 2.0, 7.0, 3.0, 7.0, 4.0, 7.0];
        let y = [1.0, 1.0, 5.0, 5.0];
        let ds = Dataset::new(x, 2, y.to_vec(), vec!["a".into(), "b".into()]).unwrap();
        let data = BinnedMatrix::fit(&ds, 256);
        let samples = (0..4)
            .map(|r| Sample {
                row: r,
                w: 1,
                gw: f64::from(y[r as usize]),
            })
            .collect();
        (data, samples)
    }

    #[test]
    fn row_and_column_layouts_build_identical_histograms() {
        let (data, samples) = tiny();
        let mut by_col = vec![[Bin::default(); 256]; 2];
        let mut by_row = vec![[Bin::default(); 256]; 2];
        for &f in &[0u32, 1] {
            build_column(&mut by_col[f as usize], &data, f as usize, &samples[1..]);
        }
        build_rows(&mut by_row, &data, &samples[1..], &[0, 1]);
        assert_eq!(by_col, by_row);
        assert_eq!(by_col[0][1], Bin { g: 1.0, w: 1, n: 1 });
    }

    #[test]
    fn subtraction_gives_the_sibling_histogram() {
        let (data, samples) = tiny();
        let mut parent = vec![[Bin::default(); 256]; 2];
        let mut left = vec![[Bin::default(); 256]; 2];
        let mut right = vec![[Bin::default(); 256]; 2];
        build(&mut parent, &data, &samples, &[0, 1], false);
        build(&mut left, &data, &samples[..2], &[0, 1], false);
        build(&mut right, &data, &samples[2..], &[0, 1], false);
        subtract(&mut parent, &left, &data, &[0, 1]);
        assert_eq!(parent, right);
    }

    #[test]
    fn finds_the_separating_split_and_flags_the_constant_feature() {
        let (data, samples) = tiny();
        let mut hist = vec![[Bin::default(); 256]; 2];
        build(&mut hist, &data, &samples, &[0, 1], false);
        let parent = Stats {
            g: 12.0,
            w: 4,
            n: 4,
        };
        let mut best = BestSplit::new(parent, 0.0, 1, f64::NEG_INFINITY);
        let mut constant = Vec::new();
        find_split(&hist, &data, &[0, 1], &mut best, &mut constant);
        let c = best.best.unwrap();
        assert_eq!((c.feature, c.lo), (0, 1));
        // SSE 16 before (mean 3), 0 after.
        assert!((c.gain - 16.0).abs() < 1e-12);
        assert_eq!(constant, vec![1]);
    }
}
