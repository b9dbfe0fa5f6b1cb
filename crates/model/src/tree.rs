//! Fitted regression trees: a flat array of compact nodes, built by [`TreeBuilder`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::split::Stats;

/// `Node::feature` of a leaf.
pub(crate) const LEAF: u32 = u32::MAX;

/// One node, 16 bytes. Internal nodes send `row[feature] <= threshold` to `left` and
/// everything else (including NaN) to `left + 1`. Every node carries `value`, the
/// prediction of a path stopping there, which path attributions need.
///
/// A leaf has `feature == LEAF`, `threshold == 0.0` and `left` pointing at itself: when
/// traversal pads the row with a trailing `-inf` and reads index `min(feature, n_features)`,
/// a leaf steps to itself, so many rows or trees can be walked in lockstep without a
/// data-dependent branch per step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Node {
    /// Split feature, or `LEAF`.
    pub feature: u32,
    /// Raw-value split threshold (`0.0` on leaves).
    pub threshold: f32,
    /// Index of the left child (the right child is `left + 1`); the node itself on leaves.
    pub left: u32,
    /// Prediction at this node (leaf value on leaves, shrunk by the learning rate in boosting).
    pub value: f32,
}

impl Node {
    /// The child a row with value `x` for this node's feature goes to: `left` if
    /// `x <= threshold`, else `left + 1` (so NaN goes right).
    #[inline(always)]
    #[expect(
        clippy::neg_cmp_op_on_partial_ord,
        reason = "`!(x <= t)` is true for NaN, which must go right"
    )]
    pub(crate) fn child(&self, x: f32) -> u32 {
        self.left + u32::from(!(x <= self.threshold))
    }
}

/// A fitted tree. Node 0 is the root; children are always stored after their parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
    /// Per node, the total training weight that reached it (for explanations).
    pub(crate) cover: Vec<f32>,
}

impl Tree {
    /// Index of the leaf reached by `row` (unpadded; one branch per level).
    #[inline]
    pub(crate) fn leaf_index(&self, row: &[f32]) -> usize {
        let mut i = 0usize;
        loop {
            let node = &self.nodes[i];
            if node.feature == LEAF {
                return i;
            }
            i = node.child(row[node.feature as usize]) as usize;
        }
    }

    /// Adds this tree's Saabas attributions for `row` to `values` (the change of node value
    /// along the path, credited to the feature split on) and returns the root value; the
    /// root value plus the added amounts equals the leaf value.
    pub(crate) fn add_contributions(&self, row: &[f32], values: &mut [f64]) -> f64 {
        let mut i = 0usize;
        loop {
            let node = &self.nodes[i];
            if node.feature == LEAF {
                return f64::from(self.nodes[0].value);
            }
            let next = node.child(row[node.feature as usize]) as usize;
            values[node.feature as usize] +=
                f64::from(self.nodes[next].value) - f64::from(node.value);
            i = next;
        }
    }

    /// Checks the invariants traversal relies on, so corrupt bytes fail at load time instead
    /// of panicking or looping at prediction time.
    pub(crate) fn validate(&self, n_features: usize) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidModel { reason });
        let len = self.nodes.len();
        if len == 0 {
            return invalid("tree has no nodes".into());
        }
        if self.cover.len() != len {
            return invalid(format!(
                "tree has {len} nodes but {} covers",
                self.cover.len()
            ));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            if !node.value.is_finite() {
                return invalid(format!("node {i} has value {}", node.value));
            }
            if node.feature == LEAF {
                if node.left as usize != i || node.threshold != 0.0 {
                    return invalid(format!("leaf {i} does not point to itself"));
                }
            } else if node.feature as usize >= n_features
                || node.left as usize <= i
                || node.left as usize + 1 >= len
                || node.threshold.is_nan()
            {
                return invalid(format!(
                    "node {i} splits feature {} at {} into {}",
                    node.feature, node.threshold, node.left
                ));
            }
        }
        Ok(())
    }
}

/// Old node ids in their final storage order: depth first, each node's children pair
/// adjacent and followed by the left subtree, then the right one. A walk's deep steps then
/// stay within a few cache lines. The top levels use the same order: they are hot in cache
/// anyway, and a breadth-first top is slower to predict.
fn layout_order(nodes: &[Node]) -> Vec<u32> {
    let mut order: Vec<u32> = Vec::with_capacity(nodes.len());
    order.push(0);
    let mut stack: Vec<u32> = vec![0];
    while let Some(id) = stack.pop() {
        let node = nodes[id as usize];
        if node.feature != LEAF {
            order.extend([node.left, node.left + 1]);
            stack.push(node.left + 1);
            stack.push(node.left);
        }
    }
    debug_assert_eq!(order.len(), nodes.len());
    order
}

/// Appends nodes while a tree grows and accumulates per-feature split gains.
#[derive(Debug)]
pub(crate) struct TreeBuilder {
    nodes: Vec<Node>,
    cover: Vec<f32>,
    importance: Vec<f64>,
    lambda: f64,
    shrinkage: f64,
}

impl TreeBuilder {
    /// Node values are `shrinkage * G / (W + lambda)` (the weighted mean for forests).
    pub(crate) fn new(n_features: usize, lambda: f64, shrinkage: f64) -> Self {
        Self {
            nodes: Vec::new(),
            cover: Vec::new(),
            importance: vec![0.0; n_features],
            lambda,
            shrinkage,
        }
    }

    fn push_leaf(&mut self, stats: &Stats) -> u32 {
        let id = u32::try_from(self.nodes.len()).expect("fewer nodes than 2 * rows < 2^32");
        let value = self.shrinkage * stats.g / (f64::from(stats.w) + self.lambda);
        self.nodes.push(Node {
            feature: LEAF,
            threshold: 0.0,
            left: id,
            value: value as f32,
        });
        self.cover.push(stats.w as f32);
        id
    }

    /// Adds the root and returns its id (0).
    pub(crate) fn push_root(&mut self, stats: &Stats) -> u32 {
        debug_assert!(self.nodes.is_empty());
        self.push_leaf(stats)
    }

    /// Turns leaf `id` into a split on `feature` and appends its two children (leaves for
    /// now); returns the left child's id. `gain` is credited to `feature`'s importance.
    pub(crate) fn split(
        &mut self,
        id: u32,
        feature: u32,
        threshold: f32,
        gain: f64,
        left: &Stats,
        right: &Stats,
    ) -> u32 {
        let left_id = self.push_leaf(left);
        self.push_leaf(right);
        let node = &mut self.nodes[id as usize];
        node.feature = feature;
        node.threshold = threshold;
        node.left = left_id;
        // Zero-gain splits (taken by forests, like scikit-learn) can round slightly below 0.
        self.importance[feature as usize] += gain.max(0.0);
        left_id
    }

    /// The finished tree, its raw (unnormalised) per-feature gains, and for every node id
    /// used while growing its id in the finished tree (nodes are relabelled into the
    /// [`layout_order`]).
    pub(crate) fn finish(self) -> (Tree, Vec<f64>, Vec<u32>) {
        let n = self.nodes.len();
        let order = layout_order(&self.nodes);
        let mut new_id = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let nodes = order
            .iter()
            .enumerate()
            .map(|(new, &old)| {
                let mut node = self.nodes[old as usize];
                node.left = if node.feature == LEAF {
                    new as u32
                } else {
                    new_id[node.left as usize]
                };
                node
            })
            .collect();
        let cover = order.iter().map(|&old| self.cover[old as usize]).collect();
        (Tree { nodes, cover }, self.importance, new_id)
    }
}

/// Checks what every deserialized ensemble shares: the tree count its params promise, one
/// name and one importance per feature, and each tree's node links.
pub(crate) fn validate_ensemble(
    trees: &[Tree],
    expected_trees: usize,
    n_features: usize,
    feature_names: usize,
    importances: usize,
) -> Result<()> {
    let invalid = |reason: String| Err(Error::InvalidModel { reason });
    if trees.len() != expected_trees {
        return invalid(format!(
            "{} trees, params say {expected_trees}",
            trees.len()
        ));
    }
    if n_features == 0 || feature_names != n_features || importances != n_features {
        return invalid(format!("inconsistent feature count {n_features}"));
    }
    trees.iter().try_for_each(|tree| tree.validate(n_features))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stump() -> Tree {
        let mut b = TreeBuilder::new(2, 0.0, 1.0);
        b.push_root(&Stats {
            g: 12.0,
            w: 4,
            n: 4,
        });
        b.split(
            0,
            1,
            0.5,
            16.0,
            &Stats { g: 2.0, w: 2, n: 2 },
            &Stats {
                g: 10.0,
                w: 2,
                n: 2,
            },
        );
        b.finish().0
    }

    #[test]
    fn builder_links_children_and_sets_means() {
        let tree = stump();
        assert_eq!(tree.nodes[0].left, 1);
        assert_eq!(tree.nodes[0].value, 3.0);
        assert_eq!(tree.nodes[1].value, 1.0);
        assert_eq!(tree.nodes[2].value, 5.0);
        assert_eq!(tree.nodes[2].left, 2, "leaves point to themselves");
        assert_eq!(tree.cover, vec![4.0, 2.0, 2.0]);
    }

    #[test]
    fn threshold_ties_go_left_and_nan_goes_right() {
        let tree = stump();
        assert_eq!(tree.leaf_index(&[9.0, 0.5]), 1);
        assert_eq!(tree.leaf_index(&[9.0, 0.6]), 2);
        assert_eq!(tree.leaf_index(&[9.0, f32::NAN]), 2);
    }

    #[test]
    fn contributions_telescope_to_the_leaf_value() {
        let tree = stump();
        let mut values = vec![0.0; 2];
        let bias = tree.add_contributions(&[0.0, 0.0], &mut values);
        assert_eq!(bias, 3.0);
        assert_eq!(values, vec![0.0, -2.0]);
    }

    #[test]
    fn validation_rejects_forward_and_self_links() {
        let mut tree = stump();
        assert!(tree.validate(2).is_ok());
        assert!(tree.validate(1).is_err(), "feature 1 is out of range");
        tree.nodes[0].left = 0;
        let err = tree.validate(2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid model: node 0 splits feature 1 at 0.5 into 0"
        );
    }
}
