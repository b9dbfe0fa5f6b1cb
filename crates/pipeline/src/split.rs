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

/// How a bundle's held-out rows were chosen, so a later comparison knows which films it
/// never trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldOutRule {
    /// A film is held out when [`heldout_score`] of its tconst is below the bundle's
    /// `test_fraction`, whatever the seed or dataset: every model trained with
    /// the same fraction holds out the same films.
    TconstHash,
    /// A seeded shuffle of the dataset's rows ([`train_test_split`]); bundles of format 1
    /// and 2. Which films it held out is known only on the dataset it was trained on.
    SeededShuffle,
}

/// A film's position in `[0, 1)` for the held-out rule: the first 8 bytes of the SHA-256
/// of its tconst, as a fraction of 2^64.
pub fn heldout_score(tconst: &str) -> f64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(tconst.as_bytes());
    let head = u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"));
    head as f64 / 2f64.powi(64)
}

/// Holds out the films whose [`heldout_score`] is below `test_fraction`
/// ([`HeldOutRule::TconstHash`]); the training rows are shuffled with `seed` (which orders
/// cross-validation and out-of-fold folds, never which films are held out).
pub fn heldout_split(tconsts: &[&str], test_fraction: f64, seed: u64) -> Result<Split> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::InvalidOption {
            option: "test-fraction",
            message: format!("{test_fraction} is not strictly between 0 and 1"),
        });
    }
    let (mut test, mut train): (Vec<usize>, Vec<usize>) =
        (0..tconsts.len()).partition(|&i| heldout_score(tconsts[i]) < test_fraction);
    if test.len() < MIN_TEST_ROWS || train.len() < MIN_TRAIN_ROWS {
        return Err(Error::SplitTooSmall {
            rows: tconsts.len(),
            n_test: test.len(),
            min_test: MIN_TEST_ROWS,
            min_train: MIN_TRAIN_ROWS,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    train.shuffle(&mut rng);
    test.shuffle(&mut rng);
    Ok(Split { train, test })
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
    fn heldout_films_depend_on_the_film_not_the_seed() {
        let ids: Vec<String> = (1..=500).map(|i| format!("tt{i:07}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut a = heldout_split(&refs, 0.2, 1).unwrap().test;
        let mut b = heldout_split(&refs, 0.2, 2).unwrap().test;
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert!((70..130).contains(&a.len()), "{} of 500 held out", a.len());
        // A film's fate does not depend on which other films are in the dataset.
        let half = heldout_split(&refs[..250], 0.2, 3).unwrap();
        for i in half.test {
            assert!(a.contains(&i));
        }
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
