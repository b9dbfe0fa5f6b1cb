//! Ensemble traversal shared by both estimators.
//!
//! A tree walk is a chain of dependent loads (node, then feature value, then next node), so a
//! single walk leaves the CPU idle most of the time. Both entry points therefore advance
//! several independent walks in lockstep so the out-of-order core overlaps their loads: one
//! row through [`ROW_LANES`] trees, or [`BATCH_LANES`] rows of a block through one tree (the
//! tree stays in cache for the whole block). Rows are padded with a trailing `-inf`, so a
//! leaf (see [`crate::tree::Node`]) steps to itself and a finished lane needs no branch; a
//! group stops when no lane moved. A single row through trees of at most 64 leaves is
//! scored feature by feature instead ([`crate::quickscorer`]). Walks use the [`Compiled`]
//! 8-byte nodes when the model has them. Leaf values are summed in tree order in both
//! paths, so batch and single-row results are bit-identical.

use rayon::prelude::*;

use crate::compiled::{Compiled, PackedNode};
use crate::tree::{Node, Tree};

/// Trees walked in lockstep for one row.
const ROW_LANES: usize = 8;
/// Rows walked in lockstep through one tree.
const BATCH_LANES: usize = 8;
/// Rows per batch block: 2048 padded rows of 45 features plus one tree fit in L2.
const BLOCK_ROWS: usize = 2048;

/// A node layout that can take one traversal step.
trait Step: Copy {
    /// The next node index for a padded row (`row.len() == n_features + 1`); leaves read
    /// the pad value and return their own index.
    fn step(&self, row: &[f32]) -> u32;

    /// The prediction of a leaf.
    fn leaf_value(&self) -> f32;
}

impl Step for Node {
    #[inline(always)]
    fn step(&self, row: &[f32]) -> u32 {
        self.child(row[(self.feature as usize).min(row.len() - 1)])
    }

    #[inline(always)]
    fn leaf_value(&self) -> f32 {
        self.value
    }
}

impl PackedNode {
    /// The byte-sized feature code (255 on leaves).
    #[inline(always)]
    fn code(self) -> usize {
        usize::from(self.bits as u8)
    }

    /// The next node for feature value `x`: left if `x <= threshold`, else right.
    #[inline(always)]
    #[expect(
        clippy::neg_cmp_op_on_partial_ord,
        reason = "`!(x <= t)` is true for NaN, which must go right"
    )]
    fn child(self, x: f32) -> u32 {
        (self.bits >> 8) + u32::from(!(x <= self.threshold))
    }
}

impl Step for PackedNode {
    #[inline(always)]
    fn step(&self, row: &[f32]) -> u32 {
        self.child(row[self.code().min(row.len() - 1)])
    }

    #[inline(always)]
    fn leaf_value(&self) -> f32 {
        self.threshold
    }
}

/// Final node indices of `L` walks (lane `k` starts at `start[k]`; `step(k, node)` is the
/// node lane `k` goes to next), advanced in lockstep until none moves.
#[inline(always)]
fn lockstep<const L: usize>(start: [u32; L], step: impl Fn(usize, u32) -> u32) -> [u32; L] {
    let mut idx = start;
    loop {
        let mut moved = false;
        for (k, at) in idx.iter_mut().enumerate() {
            let next = step(k, *at);
            moved |= next != *at;
            *at = next;
        }
        if !moved {
            return idx;
        }
    }
}

/// Final node indices of `L` walks over `nodes` (lane `k` starts at `start[k]` and reads
/// `rows[k]`).
#[inline(always)]
fn walk<N: Step, const L: usize>(nodes: &[N], start: [u32; L], rows: [&[f32]; L]) -> [u32; L] {
    lockstep(start, |k, i| nodes[i as usize].step(rows[k]))
}

/// Value of the pad slot read by leaves: `<=` every leaf threshold (`0.0` in [`Node`], the
/// finite leaf value in [`PackedNode`]), so leaves step to themselves.
const PAD: f32 = f32::NEG_INFINITY;

/// Copies `row` into `buf` with the trailing pad value.
pub(crate) fn pad_row(row: &[f32], buf: &mut Vec<f32>) {
    buf.clear();
    buf.extend_from_slice(row);
    buf.push(PAD);
}

/// Runs `f` on a padded copy of `row`, on the stack for typical widths (no allocation on the
/// single-row hot path).
#[inline]
pub(crate) fn with_padded<R>(row: &[f32], f: impl FnOnce(&[f32]) -> R) -> R {
    const STACK: usize = 128;
    if row.len() < STACK {
        let mut buf = [PAD; STACK];
        buf[..row.len()].copy_from_slice(row);
        f(&buf[..=row.len()])
    } else {
        let mut buf = Vec::new();
        pad_row(row, &mut buf);
        f(&buf)
    }
}

/// Calls `visit(tree_index, leaf_value)` for every tree, in tree order, for one padded row.
#[inline]
pub(crate) fn for_each_leaf(
    trees: &[Tree],
    compiled: Option<&Compiled>,
    row: &[f32],
    mut visit: impl FnMut(usize, f32),
) {
    let Some(c) = compiled else {
        for (t, tree) in trees.iter().enumerate() {
            let leaf = walk(&tree.nodes, [0], [row])[0];
            visit(t, tree.nodes[leaf as usize].value);
        }
        return;
    };
    if let Some(scorer) = &c.scorer {
        scorer.for_each_leaf(row, visit);
        return;
    }
    let mut chunks = c.roots.chunks_exact(ROW_LANES);
    let mut t = 0usize;
    for roots in &mut chunks {
        let start: [u32; ROW_LANES] = std::array::from_fn(|k| roots[k]);
        for leaf in walk(&c.nodes, start, [row; ROW_LANES]) {
            visit(t, c.nodes[leaf as usize].threshold);
            t += 1;
        }
    }
    for &root in chunks.remainder() {
        let leaf = walk(&c.nodes, [root], [row])[0];
        visit(t, c.nodes[leaf as usize].threshold);
        t += 1;
    }
}

/// Sum of leaf values over all trees for one padded row, in tree order.
pub(crate) fn sum_row(trees: &[Tree], compiled: Option<&Compiled>, padded_row: &[f32]) -> f64 {
    let mut sum = 0.0;
    for_each_leaf(trees, compiled, padded_row, |_, v| sum += f64::from(v));
    sum
}

/// `finish(sum_row(row))` for every row of the row-major `rows`, in parallel over blocks of
/// rows; within a block, tree by tree.
pub(crate) fn predict_rows(
    trees: &[Tree],
    compiled: Option<&Compiled>,
    rows: &[f32],
    n_features: usize,
    finish: impl Fn(f64) -> f64 + Sync,
) -> Vec<f64> {
    let n_rows = rows.len() / n_features;
    let mut out = vec![0.0; n_rows];
    if n_rows <= BLOCK_ROWS {
        // One block runs on the calling thread: rayon would only hand it to a pool thread
        // and wait for it (a server's batch of 100 movies is one block).
        score_block(
            trees,
            compiled,
            rows,
            n_features,
            &finish,
            &mut Vec::new(),
            &mut out,
        );
        return out;
    }
    out.par_chunks_mut(BLOCK_ROWS)
        .zip(rows.par_chunks(BLOCK_ROWS * n_features))
        .for_each_init(Vec::new, |padded, (out, block)| {
            score_block(trees, compiled, block, n_features, &finish, padded, out);
        });
    out
}

/// Scores the rows of `block` into `out`: pads them into `padded`, adds every tree's leaf
/// value, then applies `finish`.
fn score_block(
    trees: &[Tree],
    compiled: Option<&Compiled>,
    block: &[f32],
    n_features: usize,
    finish: &impl Fn(f64) -> f64,
    padded: &mut Vec<f32>,
    out: &mut [f64],
) {
    padded.clear();
    for row in block.chunks_exact(n_features) {
        padded.extend_from_slice(row);
        padded.push(PAD);
    }
    out.fill(0.0);
    let stride = n_features + 1;
    match compiled {
        Some(c) => {
            for &root in &c.roots {
                add_tree(&c.nodes, root, padded, stride, out);
            }
        }
        None => {
            for tree in trees {
                add_tree(&tree.nodes, 0, padded, stride, out);
            }
        }
    }
    for v in out.iter_mut() {
        *v = finish(*v);
    }
}

/// Adds the leaf value of the tree rooted at `root` to `out` for every padded row (`stride`
/// values each) of `padded`.
#[inline(always)]
fn add_tree<N: Step>(nodes: &[N], root: u32, padded: &[f32], stride: usize, out: &mut [f64]) {
    let mut groups = out.chunks_exact_mut(BATCH_LANES);
    let mut r = 0usize;
    for group in &mut groups {
        let rows: [&[f32]; BATCH_LANES] =
            std::array::from_fn(|k| &padded[(r + k) * stride..(r + k + 1) * stride]);
        let leaves = walk(nodes, [root; BATCH_LANES], rows);
        for (acc, &leaf) in group.iter_mut().zip(&leaves) {
            *acc += f64::from(nodes[leaf as usize].leaf_value());
        }
        r += BATCH_LANES;
    }
    for acc in groups.into_remainder() {
        let leaf = walk(nodes, [root], [&padded[r * stride..(r + 1) * stride]])[0];
        *acc += f64::from(nodes[leaf as usize].leaf_value());
        r += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::Stats;
    use crate::tree::TreeBuilder;

    fn stump(feature: u32, threshold: f32) -> Tree {
        let mut b = TreeBuilder::new(2, 0.0, 1.0);
        b.push_root(&Stats { g: 0.0, w: 2, n: 2 });
        let l = Stats {
            g: -1.0,
            w: 1,
            n: 1,
        };
        let r = Stats { g: 1.0, w: 1, n: 1 };
        b.split(0, feature, threshold, 1.0, &l, &r);
        b.finish().0
    }

    /// A tree that splits its right child again `depth - 1` times, alternating features:
    /// one leaf at each depth from 1 to `depth`, and two at `depth`.
    fn chain(depth: u32, threshold: f32) -> Tree {
        let mut b = TreeBuilder::new(2, 0.0, 1.0);
        b.push_root(&Stats { g: 0.0, w: 2, n: 2 });
        let mut node = 0;
        for level in 0..depth {
            let l = Stats {
                g: -1.0 - f64::from(level),
                w: 1,
                n: 1,
            };
            let r = Stats {
                g: 1.0 + f64::from(level),
                w: 1,
                n: 1,
            };
            let threshold = threshold + level as f32 * 0.1;
            node = b.split(node, level % 2, threshold, 1.0, &l, &r) + 1;
        }
        b.finish().0
    }

    /// `trees`' leaf values for an unpadded `row`, summed by plain traversal.
    fn plain_sum(trees: &[Tree], row: &[f32]) -> f64 {
        trees
            .iter()
            .map(|t| f64::from(t.nodes[t.leaf_index(row)].value))
            .sum()
    }

    #[test]
    fn single_rows_score_and_walk_uneven_trees_and_send_nan_right_as_plain_traversal_does() {
        // Depths 0 to 6 side by side in one group of lanes, then stumps and a remainder.
        let mut trees: Vec<Tree> = (0..7).map(|d| chain(d, 0.2 + d as f32 * 0.05)).collect();
        trees.extend((0..6).map(|t| stump(t % 2, t as f32 * 0.2)));
        let scored = Compiled::new(&trees, 2).expect("fits");
        assert!(scored.scorer.is_some());
        let walked = Compiled {
            scorer: None,
            ..scored.clone()
        };
        let mut rows: Vec<f32> = (0..60).map(|i| (i as f32 * 0.173) % 1.4 - 0.1).collect();
        rows.extend([f32::NAN, 0.5, 0.5, f32::NAN, f32::NAN, f32::NAN]);
        let mut buf = Vec::new();
        for compiled in [&scored, &walked] {
            for (r, row) in rows.chunks_exact(2).enumerate() {
                let plain = plain_sum(&trees, row);
                pad_row(row, &mut buf);
                assert_eq!(sum_row(&trees, Some(compiled), &buf), plain, "row {r}");
            }
        }
    }

    #[test]
    fn lockstep_walks_match_plain_traversal() {
        let trees: Vec<Tree> = (0..37).map(|t| stump(t % 2, t as f32 * 0.1)).collect();
        let compiled = Compiled::new(&trees, 2);
        assert!(compiled.is_some());
        let mut buf = Vec::new();
        // 20 rows: one block on the calling thread; 2.5 blocks: rayon over the blocks.
        for n_rows in [20, BLOCK_ROWS * 5 / 2] {
            let rows: Vec<f32> = (0..n_rows * 2).map(|i| (i as f32 * 0.37) % 1.3).collect();
            for layout in [compiled.as_ref(), None] {
                let batch = predict_rows(&trees, layout, &rows, 2, |s| s);
                assert_eq!(batch.len(), n_rows);
                for (r, row) in rows.chunks_exact(2).enumerate() {
                    let plain = plain_sum(&trees, row);
                    pad_row(row, &mut buf);
                    assert_eq!(sum_row(&trees, layout, &buf), plain, "row {r}");
                    assert_eq!(batch[r], plain, "row {r}");
                }
            }
        }
    }
}
