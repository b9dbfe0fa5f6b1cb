//! Single-row scoring of ensembles of small trees by QuickScorer (Lucchese et al., SIGIR 2015):
//! feature by feature instead of tree by tree.
//!
//! Every tree keeps a bitmask of the leaves a row can still reach, one bit per leaf in
//! left-to-right order, all set at the start. A split the row does not satisfy (it goes
//! right) rules out the leaves of the split's left subtree, so the mask is ANDed with a
//! precomputed mask clearing them. The row's leaf is then the lowest bit left: every leaf to
//! its left sits in the left subtree of some split on its path that sent the row right.
//!
//! The splits are grouped by feature and sorted by threshold, so the splits a value `x`
//! sends right are a prefix of its feature's list (thresholds below `x`), found by binary
//! search and applied with no data-dependent branch: a row costs one AND per split it
//! sends right and one leaf read per tree, instead of lockstep walks as deep as each
//! group's deepest tree. Trees with more than 64 leaves (deep forests) keep the lockstep
//! walk of [`crate::predict`].

use std::borrow::Borrow;
use std::ops::BitAnd;

use crate::tree::{Tree, LEAF};

/// Trees per [`Scorer`]: a `u8` names each, so indexing the stack-held mask array needs no
/// bounds check. Larger ensembles are scored in blocks of this many trees.
const BLOCK_TREES: usize = 256;

/// A leaf mask: one bit per leaf of a tree.
pub(crate) trait LeafMask:
    Copy + PartialEq + BitAnd<Output = Self> + std::fmt::Debug
{
    /// Leaves a mask can hold.
    const BITS: usize;
    /// Every bit set.
    const ALL: Self;
    /// Every bit set but `leaves`.
    fn without(leaves: std::ops::Range<usize>) -> Self;
    /// Index of the lowest set bit.
    fn lowest(self) -> usize;
}

macro_rules! leaf_mask {
    ($($t:ty),*) => {$(
        impl LeafMask for $t {
            const BITS: usize = <$t>::BITS as usize;
            const ALL: Self = <$t>::MAX;
            fn without(leaves: std::ops::Range<usize>) -> Self {
                leaves.fold(Self::ALL, |m, leaf| m & !(1 << leaf))
            }
            #[inline(always)]
            fn lowest(self) -> usize {
                self.trailing_zeros() as usize
            }
        }
    )*};
}
leaf_mask!(u16, u32, u64);

/// One split of the ensemble, in its feature's threshold-sorted list.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split<M> {
    /// The tree the split belongs to, within its block.
    tree: u8,
    /// The tree's leaves minus the split's left subtree.
    mask: M,
}

/// Up to [`BLOCK_TREES`] trees laid out for feature-by-feature scoring with `M`-bit leaf
/// masks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scorer<M> {
    /// `offsets[f]..offsets[f + 1]` are feature `f`'s splits in `thresholds` and `splits`.
    offsets: Vec<u32>,
    /// Split thresholds, ascending within each feature.
    thresholds: Vec<f32>,
    /// The tree and mask of each threshold's split.
    splits: Vec<Split<M>>,
    /// Tree `t`'s leaf values in left-to-right order from `t * M::BITS`.
    leaves: Vec<f32>,
    /// Number of trees.
    n_trees: usize,
}

/// An ensemble's [`Scorer`] blocks, with the narrowest mask that holds every tree's leaves.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum QuickScorer {
    /// Trees of up to 16 leaves.
    U16(Vec<Scorer<u16>>),
    /// Up to 32 leaves.
    U32(Vec<Scorer<u32>>),
    /// Up to 64 leaves.
    U64(Vec<Scorer<u64>>),
}

/// Scorers for `trees` in blocks of [`BLOCK_TREES`].
fn blocks<M: LeafMask>(trees: &[impl Borrow<Tree>], n_features: usize) -> Vec<Scorer<M>> {
    trees
        .chunks(BLOCK_TREES)
        .map(|block| Scorer::new(block, n_features))
        .collect()
}

/// [`QuickScorer::sums`] over `blocks`.
#[inline(always)]
fn sum_blocks<M: LeafMask, const N: usize>(
    blocks: &[Scorer<M>],
    row: &[f32],
    ends: [usize; N],
) -> [f64; N] {
    let mut sums = [0.0; N];
    let mut first = 0;
    for block in blocks {
        let masks = block.narrow(row);
        let last = first + block.n_trees;
        let mut start = 0;
        for (sum, &end) in sums.iter_mut().zip(&ends) {
            // This block's trees of the range `start..end`, numbered within the block.
            let (lo, hi) = (
                start.clamp(first, last) - first,
                end.clamp(first, last) - first,
            );
            for (&mask, leaves) in masks[lo..hi]
                .iter()
                .zip(block.leaves[lo * M::BITS..hi * M::BITS].chunks_exact(M::BITS))
            {
                *sum += f64::from(leaves[mask.lowest() & (M::BITS - 1)]);
            }
            start = end;
        }
        first = last;
    }
    sums
}

/// Visits the leaves of every block in turn, numbering trees across blocks.
#[inline(always)]
fn visit_blocks<M: LeafMask>(blocks: &[Scorer<M>], row: &[f32], mut visit: impl FnMut(usize, f32)) {
    let mut first = 0;
    for block in blocks {
        block.for_each_leaf(row, |t, v| visit(first + t, v));
        first += block.n_trees;
    }
}

impl QuickScorer {
    /// Lays out `trees` (split features below `n_features`), or `None` if a tree has more
    /// than 64 leaves.
    pub(crate) fn new(trees: &[impl Borrow<Tree>], n_features: usize) -> Option<Self> {
        let most = trees
            .iter()
            .map(|t| {
                t.borrow()
                    .nodes
                    .iter()
                    .filter(|n| n.feature == LEAF)
                    .count()
            })
            .max()
            .unwrap_or(1);
        Some(match most {
            0..=16 => Self::U16(blocks(trees, n_features)),
            17..=32 => Self::U32(blocks(trees, n_features)),
            33..=64 => Self::U64(blocks(trees, n_features)),
            _ => return None,
        })
    }

    /// The sums of the leaf values of trees `0..ends[0]`, `ends[0]..ends[1]`, … (each in
    /// tree order, so equal bit for bit to summing [`QuickScorer::for_each_leaf`]'s values)
    /// for `row`. `ends` is increasing and ends at the number of trees.
    #[inline]
    pub(crate) fn sums<const N: usize>(&self, row: &[f32], ends: [usize; N]) -> [f64; N] {
        match self {
            Self::U16(b) => sum_blocks(b, row, ends),
            Self::U32(b) => sum_blocks(b, row, ends),
            Self::U64(b) => sum_blocks(b, row, ends),
        }
    }

    /// Calls `visit(tree_index, leaf_value)` for every tree, in tree order, for `row` (at
    /// least `n_features` values; NaN goes right at every split).
    #[inline]
    pub(crate) fn for_each_leaf(&self, row: &[f32], visit: impl FnMut(usize, f32)) {
        match self {
            Self::U16(b) => visit_blocks(b, row, visit),
            Self::U32(b) => visit_blocks(b, row, visit),
            Self::U64(b) => visit_blocks(b, row, visit),
        }
    }
}

impl<M: LeafMask> Scorer<M> {
    /// Lays out `trees` (at most [`BLOCK_TREES`]), each of at most `M::BITS` leaves.
    fn new(trees: &[impl Borrow<Tree>], n_features: usize) -> Self {
        let mut leaves = vec![0.0; trees.len() * M::BITS];
        // (feature, threshold, split) for every split of every tree.
        let mut all: Vec<(u32, f32, Split<M>)> = Vec::new();
        for (t, tree) in trees.iter().enumerate() {
            let tree = tree.borrow();
            let tree_leaves = &mut leaves[t * M::BITS..(t + 1) * M::BITS];
            let ranges = leaf_ranges(tree, tree_leaves);
            for (node, range) in tree.nodes.iter().zip(&ranges) {
                if node.feature != LEAF {
                    let left = ranges[node.left as usize].clone();
                    debug_assert_eq!(left.start, range.start);
                    let tree = u8::try_from(t).expect("at most 256 trees per block");
                    let mask = M::without(left);
                    all.push((node.feature, node.threshold, Split { tree, mask }));
                }
            }
        }
        all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut offsets = Vec::with_capacity(n_features + 1);
        let mut at = 0usize;
        for f in 0..=n_features {
            while at < all.len() && (all[at].0 as usize) < f {
                at += 1;
            }
            offsets.push(u32::try_from(at).expect("fewer than 2^32 splits"));
        }
        Self {
            offsets,
            thresholds: all.iter().map(|s| s.1).collect(),
            splits: all.iter().map(|s| s.2).collect(),
            leaves,
            n_trees: trees.len(),
        }
    }

    /// Visits each tree's leaf for `row`.
    #[inline(always)]
    fn for_each_leaf(&self, row: &[f32], mut visit: impl FnMut(usize, f32)) {
        let masks = self.narrow(row);
        for (t, (&mask, leaves)) in masks[..self.n_trees]
            .iter()
            .zip(self.leaves.chunks_exact(M::BITS))
            .enumerate()
        {
            // A tree's mask always keeps its row's leaf, so `lowest() < M::BITS`; the `&`
            // only tells the compiler so (no bounds check).
            visit(t, leaves[mask.lowest() & (M::BITS - 1)]);
        }
    }

    /// Every tree's leaf mask narrowed by `row`'s values (the first `n_trees` are used).
    #[inline(always)]
    fn narrow(&self, row: &[f32]) -> [M; BLOCK_TREES] {
        let mut masks = [M::ALL; BLOCK_TREES];
        for (f, bounds) in self.offsets.windows(2).enumerate() {
            let (lo, hi) = (bounds[0] as usize, bounds[1] as usize);
            if lo == hi {
                continue;
            }
            let x = row[f];
            let thresholds = &self.thresholds[lo..hi];
            // Splits send `x` right where `!(x <= threshold)`: the thresholds below `x`, or
            // all of them for NaN.
            let right = if x.is_nan() {
                thresholds.len()
            } else {
                thresholds.partition_point(|&t| t < x)
            };
            for split in &self.splits[lo..lo + right] {
                let m = &mut masks[usize::from(split.tree)];
                *m = *m & split.mask;
            }
        }
        masks
    }
}

/// Per node of `tree`, the range of leaf numbers (left to right) below it; writes each leaf's
/// value at its number in `values`.
fn leaf_ranges(tree: &Tree, values: &mut [f32]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = vec![0..0; tree.nodes.len()];
    let mut next = 0usize;
    // Depth first, left before right; a node is finished when its right child is.
    let mut stack = vec![(0u32, false)];
    while let Some((id, children_done)) = stack.pop() {
        let node = tree.nodes[id as usize];
        if node.feature == LEAF {
            values[next] = node.value;
            ranges[id as usize] = next..next + 1;
            next += 1;
        } else if children_done {
            let (l, r) = (node.left as usize, node.left as usize + 1);
            ranges[id as usize] = ranges[l].start..ranges[r].end;
        } else {
            stack.push((id, true));
            stack.push((node.left + 1, false));
            stack.push((node.left, false));
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::Stats;
    use crate::tree::TreeBuilder;

    /// A tree over `n_features` features that splits node after node, each split chosen by
    /// `pick(step)` -> (leaf to split among the current leaves, feature, threshold).
    fn grown(
        n_features: usize,
        splits: usize,
        pick: impl Fn(usize, usize) -> (usize, u32, f32),
    ) -> Tree {
        let mut b = TreeBuilder::new(n_features, 0.0, 1.0);
        b.push_root(&Stats { g: 0.0, w: 2, n: 2 });
        let mut open = vec![0u32];
        for step in 0..splits {
            let (which, feature, threshold) = pick(step, open.len());
            let id = open.swap_remove(which % open.len());
            let stats = |g: f64| Stats { g, w: 1, n: 1 };
            let left = b.split(
                id,
                feature,
                threshold,
                1.0,
                &stats(step as f64 - 3.5),
                &stats(step as f64 * 0.7 + 1.0),
            );
            open.extend([left, left + 1]);
        }
        b.finish().0
    }

    fn plain(trees: &[Tree], row: &[f32]) -> Vec<f32> {
        trees
            .iter()
            .map(|t| t.nodes[t.leaf_index(row)].value)
            .collect()
    }

    fn scored(s: &QuickScorer, n_trees: usize, row: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(n_trees);
        s.for_each_leaf(row, |t, v| {
            assert_eq!(t, out.len(), "trees visited in order");
            out.push(v);
        });
        out
    }

    /// Trees of 1 to `max_leaves` leaves with thresholds on a coarse grid, so rows hit
    /// thresholds exactly.
    fn forest(n_trees: usize, max_leaves: usize) -> Vec<Tree> {
        (0..n_trees)
            .map(|t| {
                grown(3, t % max_leaves, |step, open| {
                    let h = (t * 31 + step * 17) % 97;
                    (h % open.max(1), (h % 3) as u32, (h % 11) as f32 * 0.1)
                })
            })
            .collect()
    }

    #[test]
    fn leaves_match_plain_traversal_for_every_mask_width_with_ties_nan_and_infinities() {
        let mut rows: Vec<[f32; 3]> = (0..200)
            .map(|i| {
                let v = |k: usize| ((i * 7 + k * 13) % 13) as f32 * 0.1 - 0.1;
                [v(0), v(1), v(2)]
            })
            .collect();
        rows.extend([
            [f32::NAN, 0.5, 0.3],
            [0.5, f32::NAN, f32::NAN],
            [f32::INFINITY, f32::NEG_INFINITY, 0.0],
            [-0.0, 1.0, f32::NAN],
        ]);
        for (max_leaves, width) in [(16, 16), (32, 32), (64, 64)] {
            let trees = forest(300, max_leaves);
            let s = QuickScorer::new(&trees, 3).expect("fits");
            let got = match &s {
                QuickScorer::U16(_) => 16,
                QuickScorer::U32(_) => 32,
                QuickScorer::U64(_) => 64,
            };
            assert_eq!(got, width, "narrowest mask for {max_leaves} leaves");
            for row in &rows {
                assert_eq!(
                    scored(&s, trees.len(), row),
                    plain(&trees, row),
                    "row {row:?}"
                );
            }
        }
    }

    #[test]
    fn range_sums_across_blocks_equal_plain_sums_in_tree_order() {
        // 600 trees: three blocks, ranges ending inside and at the edge of a block.
        let trees = forest(600, 16);
        let s = QuickScorer::new(&trees, 3).expect("fits");
        let ends = [100, 256, 300, 599, 600];
        for i in 0..50 {
            let row = [
                i as f32 * 0.023,
                1.0 - i as f32 * 0.02,
                (i % 7) as f32 * 0.15,
            ];
            let leaves = plain(&trees, &row);
            let mut want = [0.0f64; 5];
            let mut start = 0;
            for (w, &end) in want.iter_mut().zip(&ends) {
                *w = leaves[start..end]
                    .iter()
                    .fold(0.0, |a, &v| a + f64::from(v));
                start = end;
            }
            assert_eq!(s.sums(&row, ends), want, "row {row:?}");
        }
    }

    #[test]
    fn trees_with_more_than_64_leaves_are_left_to_the_walk() {
        let trees = forest(70, 70);
        assert!(trees.iter().any(|t| t.nodes.len() > 2 * 64));
        assert!(QuickScorer::new(&trees, 3).is_none());
    }

    #[test]
    fn a_single_leaf_tree_scores_its_root() {
        let trees = vec![grown(3, 0, |_, _| unreachable!())];
        let s = QuickScorer::new(&trees, 3).expect("fits");
        assert_eq!(
            scored(&s, 1, &[1.0, 2.0, 3.0]),
            plain(&trees, &[1.0, 2.0, 3.0])
        );
    }
}
