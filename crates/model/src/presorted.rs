//! Split finding for small nodes by presorted per-feature lists.
//!
//! With full-depth trees most nodes hold a handful of rows, and scanning up to 256 bins for
//! every feature of every such node would dominate the fit. Instead, when a node becomes
//! small its rows are sorted by bin code once per feature; each split then scans the node's
//! run of every list (cost proportional to its rows, not to the bin count) and stably
//! partitions the runs into the children's runs, which keeps them sorted. Features found
//! constant in a node are dropped for its whole subtree and never partitioned again.

use rand_chacha::ChaCha8Rng;

use crate::binning::BinnedMatrix;
use crate::grow::{sample_features, GrowConfig, NodeInfo};
use crate::split::{BestSplit, Sample, Stats};
use crate::tree::TreeBuilder;

/// Row-local indices live in the low 24 bits of a list entry, the bin code in the high 8.
pub(crate) const MAX_ROWS: usize = 1 << 24;
const INDEX_MASK: u32 = (1 << 24) - 1;

/// A node of the subtree being grown; its rows are positions `start..end` of every list.
#[derive(Debug)]
struct SmallNode {
    info: NodeInfo,
    /// Positions (into `Presorted::features`) of the features still varying here.
    active: Vec<u32>,
}

/// Reusable buffers of the presorted grower (one per worker thread).
#[derive(Debug, Default)]
pub(crate) struct Presorted {
    /// `lists[j * m + k]`: entry `code << 24 | local_row`, sorted by code within node runs.
    lists: Vec<u32>,
    scratch: Vec<u32>,
    gw: Vec<f64>,
    w: Vec<u32>,
    g: Vec<f64>,
    goes_left: Vec<bool>,
    features: Vec<u32>,
    candidates: Vec<u32>,
    stack: Vec<SmallNode>,
    spare_lists: Vec<Vec<u32>>,
}

impl Presorted {
    /// Grows the whole subtree rooted at `root` (already a leaf of `builder`, covering
    /// `samples`) depth first. `active` are the features still varying at the root.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn grow_subtree(
        &mut self,
        data: &BinnedMatrix,
        cfg: &GrowConfig,
        samples: &[Sample],
        root: NodeInfo,
        active: &[u32],
        rng: &mut ChaCha8Rng,
        builder: &mut TreeBuilder,
    ) {
        let m = samples.len();
        debug_assert!(m < MAX_ROWS && root.start == 0 && root.end == m);
        self.load(data, samples, active);
        let mut root_active = self.spare_lists.pop().unwrap_or_default();
        root_active.clear();
        root_active.extend(0..active.len() as u32);
        self.stack.push(SmallNode {
            info: root,
            active: root_active,
        });
        while let Some(mut node) = self.stack.pop() {
            match self.split_node(data, cfg, &mut node, rng, builder) {
                Some((left, right)) => {
                    let mut right_active = self.spare_lists.pop().unwrap_or_default();
                    right_active.clear();
                    right_active.extend_from_slice(&node.active);
                    self.stack.push(SmallNode {
                        info: right,
                        active: right_active,
                    });
                    self.stack.push(SmallNode {
                        info: left,
                        active: node.active,
                    });
                }
                None => self.spare_lists.push(node.active),
            }
        }
    }

    /// Copies the subtree's rows into local arrays and sorts each feature's list by code.
    fn load(&mut self, data: &BinnedMatrix, samples: &[Sample], active: &[u32]) {
        let m = samples.len();
        self.features.clear();
        self.features.extend_from_slice(active);
        self.gw.clear();
        self.w.clear();
        self.g.clear();
        self.lists.resize(active.len() * m, 0);
        self.scratch.resize(m, 0);
        self.goes_left.resize(m, false);
        for (i, s) in samples.iter().enumerate() {
            self.gw.push(s.gw);
            self.w.push(s.w);
            self.g.push(s.gw / f64::from(s.w));
            let codes = data.row(s.row as usize);
            for (j, &f) in active.iter().enumerate() {
                self.lists[j * m + i] = (u32::from(codes[f as usize]) << 24) | i as u32;
            }
        }
        for list in self.lists.chunks_exact_mut(m) {
            sort_by_code(list, &mut self.scratch);
        }
    }

    /// Finds and applies the best split of `node`; returns the children, or `None` if the
    /// node stays a leaf.
    fn split_node(
        &mut self,
        data: &BinnedMatrix,
        cfg: &GrowConfig,
        node: &mut SmallNode,
        rng: &mut ChaCha8Rng,
        builder: &mut TreeBuilder,
    ) -> Option<(NodeInfo, NodeInfo)> {
        let info = node.info;
        if !cfg.can_split(&info) {
            return None;
        }
        let m = self.g.len();
        let (start, end) = (info.start, info.end);
        let lists = &self.lists;
        node.active.retain(|&j| {
            let run = &lists[j as usize * m + start..j as usize * m + end];
            run[0] >> 24 != run[run.len() - 1] >> 24
        });
        if node.active.is_empty() {
            return None;
        }
        sample_features(&node.active, cfg.max_features, rng, &mut self.candidates);
        let mut best = BestSplit::new(info.stats, cfg.lambda, cfg.min_samples_leaf, cfg.min_gain);
        for &j in &self.candidates {
            let run = &self.lists[j as usize * m + start..j as usize * m + end];
            let mut left = Stats::default();
            let mut prev = run[0] >> 24;
            for &e in run {
                let code = e >> 24;
                if code != prev {
                    best.consider(j, prev as u8, left);
                    prev = code;
                }
                let i = (e & INDEX_MASK) as usize;
                left.g += self.gw[i];
                left.w += self.w[i];
                left.n += 1;
            }
        }
        let c = best.best?;

        // Mark each row's side from the winning list, tracking target ranges for purity.
        let jb = c.feature as usize;
        let (mut lmin, mut lmax, mut rmin, mut rmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &e in &self.lists[jb * m + start..jb * m + end] {
            let i = (e & INDEX_MASK) as usize;
            let left = e >> 24 <= u32::from(c.lo);
            self.goes_left[i] = left;
            let g = self.g[i];
            if left {
                (lmin, lmax) = (lmin.min(g), lmax.max(g));
            } else {
                (rmin, rmax) = (rmin.min(g), rmax.max(g));
            }
        }
        let n_left = c.left.n as usize;
        for &j in &node.active {
            let run = &mut self.lists[j as usize * m + start..j as usize * m + end];
            stable_partition(run, &mut self.scratch, &self.goes_left);
        }

        let feature = self.features[jb];
        let right = info.stats.minus(&c.left);
        let threshold = data.split_threshold(feature as usize, c.lo);
        let left_id = builder.split(info.id, feature, threshold, c.gain, &c.left, &right);
        let depth = info.depth + 1;
        Some((
            NodeInfo {
                id: left_id,
                start,
                end: start + n_left,
                depth,
                stats: c.left,
                pure: lmin == lmax,
            },
            NodeInfo {
                id: left_id + 1,
                start: start + n_left,
                end,
                depth,
                stats: right,
                pure: rmin == rmax,
            },
        ))
    }
}

/// Sorts entries (`code << 24 | index`, indices ascending) by code, stably: a counting sort
/// for larger lists, where it beats comparison sorting several times over.
fn sort_by_code(list: &mut [u32], scratch: &mut [u32]) {
    if list.len() < 64 {
        list.sort_unstable();
        return;
    }
    let mut starts = [0u32; 257];
    for &e in list.iter() {
        starts[(e >> 24) as usize + 1] += 1;
    }
    for c in 1..257 {
        starts[c] += starts[c - 1];
    }
    for &e in list.iter() {
        let slot = &mut starts[(e >> 24) as usize];
        scratch[*slot as usize] = e;
        *slot += 1;
    }
    list.copy_from_slice(&scratch[..list.len()]);
}

/// Moves the entries whose row goes left to the front, keeping both sides' order. Writes are
/// unconditional and only the cursors move, so the unpredictable side test is not a branch.
fn stable_partition(run: &mut [u32], scratch: &mut [u32], goes_left: &[bool]) {
    let (mut l, mut r) = (0usize, 0usize);
    for k in 0..run.len() {
        let e = run[k];
        let left = goes_left[(e & INDEX_MASK) as usize];
        run[l] = e;
        scratch[r] = e;
        l += usize::from(left);
        r += usize::from(!left);
    }
    run[l..].copy_from_slice(&scratch[..r]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_sort_orders_by_code_then_index() {
        let mut list: Vec<u32> = (0..300u32).map(|i| ((i * 7919 % 5) << 24) | i).collect();
        let mut expected = list.clone();
        expected.sort_unstable();
        let mut scratch = vec![0; 300];
        sort_by_code(&mut list, &mut scratch);
        assert_eq!(list, expected);
    }

    #[test]
    fn stable_partition_keeps_order_on_both_sides() {
        let mut run = vec![0, 1, 2, 3, 4, 5];
        let mut scratch = vec![0; 6];
        let goes_left = [false, true, false, true, true, false];
        stable_partition(&mut run, &mut scratch, &goes_left);
        assert_eq!(run, vec![1, 3, 4, 0, 2, 5]);
    }
}
