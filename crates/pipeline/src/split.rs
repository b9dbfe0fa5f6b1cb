//! Seeded train/test splits and k-fold partitions.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::{Error, Result};

/// Fewest rows a held-out split may have and still give meaningful RMSE and R².
pub const MIN_TEST_ROWS: usize = 10;
/// Fewest rows a training split may have.
pub const MIN_TRAIN_ROWS: usize = 20;

/// Row indices of a train/test split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Training rows, in shuffled order.
    pub train: Vec<usize>,
    /// Held-out rows, in shuffled order.
    pub test: Vec<usize>,
}

/// Shuffles `0..n` with `seed` and holds out `round(n * test_fraction)` rows.
///
/// The same `n`, fraction and seed always give the same split.
pub fn train_test_split(n: usize, test_fraction: f64, seed: u64) -> Result<Split> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::InvalidOption {
            option: "test-fraction",
            message: format!("{test_fraction} is not strictly between 0 and 1"),
        });
    }
    let n_test = (n as f64 * test_fraction).round() as usize;
    if n_test < MIN_TEST_ROWS || n - n_test < MIN_TRAIN_ROWS {
        return Err(Error::SplitTooSmall {
            rows: n,
            n_test,
            min_test: MIN_TEST_ROWS,
            min_train: MIN_TRAIN_ROWS,
        });
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let train = idx.split_off(n_test);
    Ok(Split { train, test: idx })
}

/// Splits `rows` into `k` folds of near-equal size; returns (train, validation) per fold.
pub fn k_folds(rows: &[usize], k: usize) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if k < 2 || rows.len() / k < MIN_TEST_ROWS {
        return Err(Error::InvalidOption {
            option: "cv",
            message: format!(
                "{k} folds over {} training rows: need k >= 2 and at least {MIN_TEST_ROWS} rows per fold",
                rows.len()
            ),
        });
    }
    Ok((0..k)
        .map(|fold| {
            let (mut train, mut valid) = (Vec::new(), Vec::new());
            for (i, r) in rows.iter().enumerate() {
                if i % k == fold {
                    valid.push(*r)
                } else {
                    train.push(*r)
                }
            }
            (train, valid)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_split_and_other_seed_differs() {
        let a = train_test_split(100, 0.2, 42).unwrap();
        assert_eq!(a, train_test_split(100, 0.2, 42).unwrap());
        assert_ne!(a, train_test_split(100, 0.2, 7).unwrap());
        assert_eq!(a.test.len(), 20);
        let mut all: Vec<_> = a.train.iter().chain(&a.test).copied().collect();
        all.sort();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn too_small_test_split_names_the_counts() {
        let err = train_test_split(30, 0.2, 42).unwrap_err();
        assert_eq!(
            err.to_string(),
            "test split too small to score: 30 rows with 6 held out; need at least 10 held-out and 20 training rows (use more data or a larger --test-fraction)"
        );
    }

    #[test]
    fn fraction_outside_zero_one_is_rejected() {
        assert!(train_test_split(100, 1.0, 1).is_err());
        assert!(train_test_split(100, 0.0, 1).is_err());
    }

    #[test]
    fn folds_partition_the_rows() {
        let rows: Vec<usize> = (0..50).collect();
        let folds = k_folds(&rows, 5).unwrap();
        assert_eq!(folds.len(), 5);
        let mut valid: Vec<usize> = folds.iter().flat_map(|f| f.1.clone()).collect();
        valid.sort();
        assert_eq!(valid, rows);
        assert!(folds.iter().all(|(t, v)| t.len() + v.len() == 50));
    }
}
