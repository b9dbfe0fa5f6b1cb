//! The tree grower shared by both ensembles.
//!
//! Large nodes find splits from histograms (only the smaller child of a split is built from
//! rows; the larger one is the parent minus it). With no leaf limit, trees grow depth first
//! and any node with at most `small_node_rows` rows hands its whole subtree to the presorted
//! grower. With a leaf limit they grow best first (largest gain next), like LightGBM and
//! scikit-learn's HistGradientBoosting, and stay on histograms.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::binning::BinnedMatrix;
use crate::histogram::{self, FeatureHist, HistPool};
use crate::presorted::{Presorted, MAX_ROWS};
use crate::split::{BestSplit, Candidate, Sample, Stats};
use crate::tree::{Tree, TreeBuilder};

/// Resolved growth settings (validated upstream).
#[derive(Debug, Clone)]
pub(crate) struct GrowConfig {
    /// Nodes at this depth (root = 0) are leaves; `usize::MAX` for unlimited.
    pub max_depth: usize,
    /// Nodes with fewer distinct rows are leaves.
    pub min_samples_split: u32,
    /// Minimum distinct rows per child.
    pub min_samples_leaf: u32,
    /// Features examined per node (1..=n_features).
    pub max_features: usize,
    /// L2 regularisation added to leaf weights.
    pub lambda: f64,
    /// Factor applied to node values (learning rate for boosting, 1 for forests).
    pub shrinkage: f64,
    /// A split must have a gain strictly above this.
    pub min_gain: f64,
    /// Maximum leaves per tree (best-first growth), or `None` (depth-first).
    pub max_leaves: Option<usize>,
    /// Depth-first nodes with at most this many rows use the presorted grower.
    pub small_node_rows: usize,
    /// Build histograms in parallel over features.
    pub parallel: bool,
}

impl GrowConfig {
    /// Whether a node may be split at all (before looking for a split).
    pub(crate) fn can_split(&self, node: &NodeInfo) -> bool {
        !node.pure
            && node.depth < self.max_depth
            && node.stats.n >= self.min_samples_split
            && node.stats.n >= 2 * self.min_samples_leaf
    }
}

/// A node of the tree under construction: its id, its rows (`samples[start..end]`) and sums.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeInfo {
    pub id: u32,
    pub start: usize,
    pub end: usize,
    pub depth: usize,
    pub stats: Stats,
    /// All rows have the same target (nothing left to explain).
    pub pure: bool,
}

/// Picks `k` of `active` (all of them if `k >= active.len()`) into `out`, ascending. Partial
/// Fisher-Yates, so the draw depends only on the RNG state.
pub(crate) fn sample_features(active: &[u32], k: usize, rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
    out.clear();
    out.extend_from_slice(active);
    if k < out.len() {
        for i in 0..k {
            let j = rng.random_range(i..out.len());
            out.swap(i, j);
        }
        out.truncate(k);
        out.sort_unstable();
    }
}

/// A node waiting to be split, with its histogram and best split already computed.
#[derive(Debug)]
struct Pending {
    info: NodeInfo,
    hist: Vec<FeatureHist>,
    split: Candidate,
    /// Features still varying here (the children inherit these).
    active: Vec<u32>,
}

/// Per-thread reusable buffers.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    pool: HistPool,
    scratch: Vec<Sample>,
    presorted: Presorted,
    candidates: Vec<u32>,
    constant: Vec<u32>,
}

/// A leaf of a grown tree and the `samples` range (after growth) that reached it.
pub(crate) type LeafRows = (u32, std::ops::Range<usize>);

/// Grows one tree on `samples` (reordered in place). If `leaves` is given, it receives every
/// leaf with its rows (boosting uses this to update predictions without traversal; the
/// presorted grower is then disabled since it reorders rows privately).
pub(crate) fn grow(
    data: &BinnedMatrix,
    cfg: &GrowConfig,
    samples: &mut [Sample],
    rng: &mut ChaCha8Rng,
    ws: &mut Workspace,
    leaves: Option<&mut Vec<LeafRows>>,
) -> (Tree, Vec<f64>) {
    let n_features = data.n_features();
    let mut builder = TreeBuilder::new(n_features, cfg.lambda, cfg.shrinkage);
    let mut stats = Stats::default();
    let (mut gmin, mut gmax) = (f64::MAX, f64::MIN);
    for s in samples.iter() {
        stats.add(s);
        let g = s.gw / f64::from(s.w);
        (gmin, gmax) = (gmin.min(g), gmax.max(g));
    }
    let root = NodeInfo {
        id: builder.push_root(&stats),
        start: 0,
        end: samples.len(),
        depth: 0,
        stats,
        pure: gmin == gmax,
    };
    let small_rows = if leaves.is_some() || cfg.max_leaves.is_some() {
        0
    } else {
        cfg.small_node_rows.min(MAX_ROWS - 1)
    };
    let mut grower = Grower {
        data,
        cfg,
        small_rows,
        ws,
        builder: &mut builder,
        rng,
    };
    let all: Vec<u32> = (0..n_features as u32).collect();
    let mut open: Vec<Pending> = Vec::new();
    let mut n_leaves = 1usize;
    let mut done: Vec<NodeInfo> = Vec::new();
    if let Some(p) = grower.open(samples, root, None, all, &mut done) {
        open.push(p);
    }
    loop {
        let next = match cfg.max_leaves {
            // Depth first: the most recently opened node.
            None => open.pop(),
            Some(max) if n_leaves >= max => None,
            Some(_) => best_first(&mut open),
        };
        let Some(node) = next else { break };
        n_leaves += 1;
        let [left, right] = grower.split(samples, node, &mut done);
        // Push right first so the left child is split next in depth-first order.
        open.extend(right);
        open.extend(left);
    }
    for p in open {
        done.push(p.info);
        grower.ws.pool.give(p.hist);
    }
    let (tree, importance, new_id) = builder.finish();
    if let Some(out) = leaves {
        out.clear();
        out.extend(done.iter().map(|i| (new_id[i.id as usize], i.start..i.end)));
    }
    (tree, importance)
}

/// Removes and returns the open node with the largest gain (lowest id on ties).
fn best_first(open: &mut Vec<Pending>) -> Option<Pending> {
    let mut best: Option<usize> = None;
    for (k, p) in open.iter().enumerate() {
        let better = match best {
            None => true,
            Some(b) => {
                let q = &open[b];
                p.split.gain > q.split.gain
                    || (p.split.gain == q.split.gain && p.info.id < q.info.id)
            }
        };
        if better {
            best = Some(k);
        }
    }
    best.map(|k| open.swap_remove(k))
}

struct Grower<'a> {
    data: &'a BinnedMatrix,
    cfg: &'a GrowConfig,
    small_rows: usize,
    ws: &'a mut Workspace,
    builder: &'a mut TreeBuilder,
    rng: &'a mut ChaCha8Rng,
}

impl Grower<'_> {
    /// Prepares a new node: finishes it as a leaf (recorded in `done`), grows its subtree
    /// with the presorted grower if it is small, or returns it with histogram and best split.
    /// `hist` is the node's histogram if the caller already has it.
    fn open(
        &mut self,
        samples: &mut [Sample],
        info: NodeInfo,
        hist: Option<Vec<FeatureHist>>,
        mut active: Vec<u32>,
        done: &mut Vec<NodeInfo>,
    ) -> Option<Pending> {
        let rows = &mut samples[info.start..info.end];
        if !self.needs_histogram(&info) {
            if let Some(h) = hist {
                self.ws.pool.give(h);
            }
            if self.cfg.can_split(&info) {
                let local = NodeInfo {
                    start: 0,
                    end: rows.len(),
                    ..info
                };
                self.ws.presorted.grow_subtree(
                    self.data,
                    self.cfg,
                    rows,
                    local,
                    &active,
                    self.rng,
                    self.builder,
                );
            } else {
                done.push(info);
            }
            return None;
        }
        let hist = hist.unwrap_or_else(|| {
            let mut h = self.ws.pool.take(self.data.n_features());
            histogram::build(&mut h, self.data, rows, &active, self.cfg.parallel);
            h
        });
        sample_features(
            &active,
            self.cfg.max_features,
            self.rng,
            &mut self.ws.candidates,
        );
        let cfg = self.cfg;
        let mut best = BestSplit::new(info.stats, cfg.lambda, cfg.min_samples_leaf, cfg.min_gain);
        self.ws.constant.clear();
        histogram::find_split(
            &hist,
            self.data,
            &self.ws.candidates,
            &mut best,
            &mut self.ws.constant,
        );
        let Some(split) = best.best else {
            self.ws.pool.give(hist);
            done.push(info);
            return None;
        };
        // Features constant here stay constant below: drop them for the subtree.
        let constant = &self.ws.constant;
        active.retain(|f| !constant.contains(f));
        Some(Pending {
            info,
            hist,
            split,
            active,
        })
    }

    /// Whether a node is searched with histograms (splittable and not small).
    fn needs_histogram(&self, info: &NodeInfo) -> bool {
        self.cfg.can_split(info) && info.stats.n as usize > self.small_rows
    }

    /// Applies a pending node's split and opens both children; returns the children that
    /// still need splitting as `[left, right]`.
    fn split(
        &mut self,
        samples: &mut [Sample],
        node: Pending,
        done: &mut Vec<NodeInfo>,
    ) -> [Option<Pending>; 2] {
        let Pending {
            info,
            hist,
            split,
            active,
        } = node;
        let feature = split.feature as usize;
        let rows = &mut samples[info.start..info.end];
        let (n_left, left_pure, right_pure) =
            partition(rows, &mut self.ws.scratch, self.data.col(feature), split.lo);
        debug_assert_eq!(n_left, split.left.n as usize);
        let right_stats = info.stats.minus(&split.left);
        let threshold = self.data.split_threshold(feature, split.lo);
        let left_id = self.builder.split(
            info.id,
            split.feature,
            threshold,
            split.gain,
            &split.left,
            &right_stats,
        );
        let child = |id, start, end, stats, pure| NodeInfo {
            id,
            start,
            end,
            depth: info.depth + 1,
            stats,
            pure,
        };
        let mid = info.start + n_left;
        let left = child(left_id, info.start, mid, split.left, left_pure);
        let right = child(left_id + 1, mid, info.end, right_stats, right_pure);

        // Histograms: build the smaller child from rows, derive the larger from the parent,
        // unless building the needed child directly is cheaper.
        let (need_l, need_r) = (self.needs_histogram(&left), self.needs_histogram(&right));
        let (small, large) = if n_left <= rows.len() - n_left {
            (&left, &right)
        } else {
            (&right, &left)
        };
        let need_large = if small.id == left.id { need_r } else { need_l };
        let need_small = if small.id == left.id { need_l } else { need_r };
        let (small_len, large_len) = (small.end - small.start, large.end - large.start);
        let mut parent = Some(hist);
        let mut small_hist = None;
        let mut large_hist = None;
        if need_large && (need_small || small_len + 256 < large_len) {
            let mut s = self.ws.pool.take(self.data.n_features());
            let s_rows = &samples[small.start..small.end];
            histogram::build(&mut s, self.data, s_rows, &active, self.cfg.parallel);
            let mut p = parent.take().expect("parent histogram not yet consumed");
            histogram::subtract(&mut p, &s, self.data, &active);
            large_hist = Some(p);
            if need_small {
                small_hist = Some(s);
            } else {
                self.ws.pool.give(s);
            }
        }
        if let Some(p) = parent {
            self.ws.pool.give(p);
        }
        let (left_hist, right_hist) = if small.id == left.id {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        let right_active = active.clone();
        let l = self.open(samples, left, left_hist, active, done);
        let r = self.open(samples, right, right_hist, right_active, done);
        [l, r]
    }
}

/// Stable partition of `rows` by `codes[row] <= lo`; returns the left count and whether
/// each side is pure (all per-unit targets equal).
fn partition(
    rows: &mut [Sample],
    scratch: &mut Vec<Sample>,
    codes: &[u8],
    lo: u8,
) -> (usize, bool, bool) {
    scratch.clear();
    let (mut lmin, mut lmax, mut rmin, mut rmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let mut n_left = 0usize;
    for k in 0..rows.len() {
        let s = rows[k];
        let g = s.gw / f64::from(s.w);
        if codes[s.row as usize] <= lo {
            rows[n_left] = s;
            n_left += 1;
            (lmin, lmax) = (lmin.min(g), lmax.max(g));
        } else {
            scratch.push(s);
            (rmin, rmax) = (rmin.min(g), rmax.max(g));
        }
    }
    rows[n_left..].copy_from_slice(scratch);
    (n_left, lmin == lmax, rmin == rmax)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::tree::LEAF;

    fn config(max_depth: usize, small_node_rows: usize) -> GrowConfig {
        GrowConfig {
            max_depth,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 2,
            lambda: 0.0,
            shrinkage: 1.0,
            min_gain: f64::NEG_INFINITY,
            max_leaves: None,
            small_node_rows,
            parallel: false,
        }
    }

    /// x0 = 1..=6 orders the targets 1 1 1 5 5 6; x1 alternates 0/1 and explains less.
    fn six_rows() -> (BinnedMatrix, Vec<Sample>) {
        let x = vec![1., 0., 2., 1., 3., 0., 4., 1., 5., 0., 6., 1.];
        let y = [1.0f32, 1.0, 1.0, 5.0, 5.0, 6.0];
        let ds = Dataset::new(x, 2, y.to_vec(), vec!["x0".into(), "x1".into()]).unwrap();
        let samples = (0..6)
            .map(|r| Sample {
                row: r,
                w: 1,
                gw: f64::from(y[r as usize]),
            })
            .collect();
        (BinnedMatrix::fit(&ds, 256), samples)
    }

    #[test]
    fn picks_the_hand_computed_best_split_on_six_rows() {
        // SSE before: 89 - 19^2/6 = 173/6. Split x0 <= 3.5: {1,1,1} SSE 0, {5,5,6} SSE 2/3.
        // Gain 173/6 - 2/3 = 169/6, equivalently 3^2/3 + 16^2/3 - 19^2/6.
        for small in [0, 512] {
            let (data, mut samples) = six_rows();
            let mut rng = crate::rng::stream_rng(1, 0);
            let (tree, gains) = grow(
                &data,
                &config(1, small),
                &mut samples,
                &mut rng,
                &mut Workspace::default(),
                None,
            );
            let root = tree.nodes[0];
            assert_eq!(
                (root.feature, root.threshold),
                (0, 3.5),
                "small_node_rows {small}"
            );
            assert!((gains[0] - 169.0 / 6.0).abs() < 1e-12, "gain {}", gains[0]);
            assert_eq!(gains[1], 0.0);
            assert_eq!(tree.nodes[1].value, 1.0);
            assert_eq!(tree.nodes[2].value, 16.0 / 3.0);
        }
    }

    #[test]
    fn histogram_and_presorted_paths_grow_identical_trees() {
        let (data, samples) = six_rows();
        let grow_with = |small| {
            let mut s = samples.clone();
            let mut rng = crate::rng::stream_rng(1, 0);
            grow(
                &data,
                &config(usize::MAX, small),
                &mut s,
                &mut rng,
                &mut Workspace::default(),
                None,
            )
        };
        let (hist_tree, hist_gains) = grow_with(0);
        let (sorted_tree, sorted_gains) = grow_with(512);
        assert_eq!(hist_tree, sorted_tree);
        assert_eq!(hist_gains, sorted_gains);
        let leaves = hist_tree.nodes.iter().filter(|n| n.feature == LEAF).count();
        // Pure leaves {1,1,1}, {5,5} and {6}: rows 4 and 5 differ in x0 only.
        assert_eq!(leaves, 3);
    }

    #[test]
    fn both_split_finders_agree_on_random_data_with_exact_sums() {
        // Integer targets and weights keep every sum exact, so both finders see identical
        // gains and must grow identical trees, whatever the node sizes. (With feature
        // sampling they draw in a different order, so only all-feature trees are compared.)
        use rand::Rng;
        let mut rng = crate::rng::stream_rng(9, 0);
        let (n, f) = (600, 6);
        let x: Vec<f32> = (0..n * f)
            .map(|i| rng.random_range(0..40 + i % 7) as f32)
            .collect();
        let y: Vec<f32> = (0..n).map(|_| rng.random_range(0..10) as f32).collect();
        let names = (0..f).map(|i| format!("f{i}")).collect();
        let data = BinnedMatrix::fit(&Dataset::new(x, f, y.clone(), names).unwrap(), 16);
        let samples: Vec<Sample> = (0..n)
            .map(|r| {
                let w = rng.random_range(1..4);
                Sample {
                    row: r as u32,
                    w,
                    gw: f64::from(w) * f64::from(y[r]),
                }
            })
            .collect();
        let grow_with = |small| {
            let cfg = GrowConfig {
                max_features: f,
                ..config(usize::MAX, small)
            };
            let mut s = samples.clone();
            let mut rng = crate::rng::stream_rng(3, 0);
            grow(
                &data,
                &cfg,
                &mut s,
                &mut rng,
                &mut Workspace::default(),
                None,
            )
        };
        let (reference, _) = grow_with(0);
        assert!(
            reference.nodes.len() > 500,
            "a deep tree: {} nodes",
            reference.nodes.len()
        );
        for small in [8, 64, 1000] {
            // assert! rather than assert_eq!: a failure would print two 1000-node trees.
            assert!(
                grow_with(small).0 == reference,
                "small_node_rows {small} differs"
            );
        }
    }

    #[test]
    fn best_first_growth_stops_at_the_leaf_limit_and_reports_leaf_rows() {
        let (data, mut samples) = six_rows();
        let cfg = GrowConfig {
            max_leaves: Some(2),
            ..config(usize::MAX, 0)
        };
        let mut leaves = Vec::new();
        let mut rng = crate::rng::stream_rng(1, 0);
        let (tree, _) = grow(
            &data,
            &cfg,
            &mut samples,
            &mut rng,
            &mut Workspace::default(),
            Some(&mut leaves),
        );
        assert_eq!(tree.nodes.len(), 3);
        let mut rows: Vec<(u32, Vec<u32>)> = leaves
            .iter()
            .map(|(id, r)| (*id, samples[r.clone()].iter().map(|s| s.row).collect()))
            .collect();
        rows.sort();
        assert_eq!(rows, vec![(1, vec![0, 1, 2]), (2, vec![3, 4, 5])]);
    }
}
