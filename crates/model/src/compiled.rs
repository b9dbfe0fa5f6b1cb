//! The prediction-time form of an ensemble: every tree's nodes in one array of 8-byte
//! [`PackedNode`]s with absolute child indices, leaves carrying their value.
//!
//! Half the size of [`Node`] means twice the nodes per cache line (the top levels of all
//! trees of the benchmark forest then fit in L2), and one shared array lets a single row walk
//! many trees in lockstep with only a node index per lane. Derived from the trees after
//! fitting and after loading, never serialized.

use crate::quickscorer::QuickScorer;
use crate::tree::{Node, Tree, LEAF};

/// Largest total node count (child indices are stored in 24 bits).
const MAX_NODES: usize = 1 << 24;
/// Feature code of a leaf: `min(255, n_features)` reads the row's pad slot.
const LEAF_CODE: u32 = 255;

/// A node in 8 bytes: the threshold and `left << 8 | min(feature, 255)` (a leaf's
/// `feature` is `u32::MAX`, so its code is 255 and it reads the pad slot). A leaf points to
/// itself and stores its value in `threshold`: the `-inf` pad is `<=` any finite value, so
/// it stays put, and the walk's last load already holds the prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PackedNode {
    /// Split threshold; the leaf value on leaves.
    pub threshold: f32,
    /// `left << 8 | feature code`.
    pub bits: u32,
}

/// All trees of an ensemble, packed end to end.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compiled {
    /// Every tree's nodes, children indices made absolute.
    pub nodes: Vec<PackedNode>,
    /// Index of each tree's root in `nodes`.
    pub roots: Vec<u32>,
    /// The feature-by-feature form that scores single rows, for trees of at most 64 leaves.
    pub scorer: Option<QuickScorer>,
}

impl Compiled {
    /// Packs `trees`, or `None` if they have 255 or more features or more than 2^24 nodes
    /// in total (prediction then walks the [`Node`]s directly).
    pub(crate) fn new(trees: &[Tree], n_features: usize) -> Option<Self> {
        let total: usize = trees.iter().map(|t| t.nodes.len()).sum();
        if n_features >= LEAF_CODE as usize || total > MAX_NODES {
            return None;
        }
        let mut nodes = Vec::with_capacity(total);
        let mut roots = Vec::with_capacity(trees.len());
        for tree in trees {
            let offset = u32::try_from(nodes.len()).expect("at most 2^24 nodes");
            roots.push(offset);
            nodes.extend(tree.nodes.iter().map(|n: &Node| PackedNode {
                threshold: if n.feature == LEAF {
                    n.value
                } else {
                    n.threshold
                },
                bits: ((offset + n.left) << 8) | n.feature.min(LEAF_CODE),
            }));
        }
        Some(Self {
            nodes,
            roots,
            scorer: QuickScorer::new(trees, n_features),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::Stats;
    use crate::tree::TreeBuilder;

    fn stump() -> Tree {
        let mut b = TreeBuilder::new(3, 0.0, 1.0);
        b.push_root(&Stats { g: 0.0, w: 2, n: 2 });
        let (l, r) = (
            Stats {
                g: -1.0,
                w: 1,
                n: 1,
            },
            Stats { g: 1.0, w: 1, n: 1 },
        );
        b.split(0, 2, 0.5, 1.0, &l, &r);
        b.finish().0
    }

    #[test]
    fn packs_trees_end_to_end_with_absolute_children() {
        let c = Compiled::new(&[stump(), stump()], 3).unwrap();
        assert_eq!(c.roots, vec![0, 3]);
        assert_eq!(
            c.nodes[3],
            PackedNode {
                threshold: 0.5,
                bits: (4 << 8) | 2
            }
        );
        assert_eq!(
            c.nodes[5],
            PackedNode {
                threshold: 1.0,
                bits: (5 << 8) | 255
            }
        );
        assert_eq!(c.nodes[4].threshold, -1.0, "leaves carry their value");
    }

    #[test]
    fn refuses_feature_counts_that_do_not_fit_a_byte() {
        assert!(Compiled::new(&[stump()], 255).is_none());
    }
}
