//! Which films a bundle trained on: a fair champion/challenger comparison scores two
//! bundles only on films neither of them trained on, and `evaluate --held-out-only` one
//! bundle on the films it never trained on.
//!
//! Bundles of format 3 hold out films by a hash of their tconst ([`HeldOutRule::TconstHash`]),
//! so which films a bundle never saw is known on any dataset. Older bundles used a seeded
//! shuffle ([`HeldOutRule::SeededShuffle`]), reproducible only on the dataset they were
//! trained on.

use reelcast_core::MovieRecord;

use crate::bundle::ModelBundle;
use crate::split::{heldout_score, train_test_split, HeldOutRule};
use crate::{Error, Result};

/// For each of `movies` (a dataset whose version is `dataset_version`), whether `bundle`
/// may have trained on it. `None` when the bundle's split cannot be known on this dataset
/// (a seeded-shuffle bundle trained on another dataset version).
pub fn trained_on(
    bundle: &ModelBundle,
    movies: &[MovieRecord],
    dataset_version: &str,
) -> Option<Vec<bool>> {
    let meta = &bundle.metadata;
    match meta.heldout_rule {
        HeldOutRule::TconstHash => Some(
            movies
                .iter()
                .map(|m| heldout_score(m.tconst.as_str()) >= meta.test_fraction)
                .collect(),
        ),
        HeldOutRule::SeededShuffle => {
            if meta.dataset_version != dataset_version {
                return None;
            }
            let split = train_test_split(movies.len(), meta.test_fraction, meta.seed).ok()?;
            let mut trained = vec![false; movies.len()];
            for i in split.train {
                trained[i] = true;
            }
            Some(trained)
        }
    }
}

/// Row indices of `movies` (a dataset whose version is `dataset_version`) that `bundle`
/// cannot have trained on, in dataset order: the rows `reelcast evaluate --held-out-only`
/// scores. For a [`HeldOutRule::TconstHash`] bundle, the films its rule holds out, on any
/// dataset; for a [`HeldOutRule::SeededShuffle`] one, its test rows on its own dataset.
///
/// # Errors
/// [`Error::InvalidOption`] (`--held-out-only`) when the bundle's training films cannot be
/// known on this dataset, or when none of `movies` is held out.
pub fn held_out_rows(
    bundle: &ModelBundle,
    movies: &[MovieRecord],
    dataset_version: &str,
) -> Result<Vec<usize>> {
    let meta = &bundle.metadata;
    let trained = trained_on(bundle, movies, dataset_version).ok_or_else(|| Error::InvalidOption {
        option: "held-out-only",
        message: format!(
            "{} was trained with a seeded split on dataset {}, so which of dataset {dataset_version}'s films it trained on is unknown; evaluate it on its own dataset, or retrain it with this reelcast (films are held out by tconst)",
            meta.model_name, meta.dataset_version
        ),
    })?;
    let rows: Vec<usize> = (0..movies.len()).filter(|&i| !trained[i]).collect();
    if rows.is_empty() {
        return Err(Error::InvalidOption {
            option: "held-out-only",
            message: format!(
                "none of the {} films of dataset {dataset_version} is held out from {} (test fraction {}); score more films, or leave out --held-out-only and read the numbers as optimistic",
                movies.len(),
                meta.model_name,
                meta.test_fraction
            ),
        });
    }
    Ok(rows)
}

/// Row indices of `movies` that neither `champion` nor `candidate` trained on, in
/// dataset order: the rows a `--promote-if-better` comparison may score.
///
/// # Errors
/// [`Error::NoFairComparison`] when a bundle's training films cannot be known on this
/// dataset, or when no film is held out from both.
pub fn comparison_rows(
    champion: &ModelBundle,
    candidate: &ModelBundle,
    movies: &[MovieRecord],
    dataset_version: &str,
) -> Result<Vec<usize>> {
    let known = |b: &ModelBundle, who: &str| {
        trained_on(b, movies, dataset_version).ok_or_else(|| Error::NoFairComparison {
            message: format!(
                "the {who} ({}) was trained with a seeded split on dataset {}, so which of dataset {dataset_version}'s films it trained on is unknown; retrain it with this reelcast (films are held out by tconst) or compare on its own dataset",
                b.metadata.model_name, b.metadata.dataset_version
            ),
        })
    };
    let a = known(champion, "champion")?;
    let b = known(candidate, "candidate")?;
    let rows: Vec<usize> = (0..movies.len()).filter(|&i| !a[i] && !b[i]).collect();
    if rows.is_empty() {
        return Err(Error::NoFairComparison {
            message: format!(
                "no film of dataset {dataset_version} is held out from both the champion (test fraction {}) and the candidate (test fraction {}); train the candidate with the champion's --test-fraction",
                champion.metadata.test_fraction, candidate.metadata.test_fraction
            ),
        });
    }
    Ok(rows)
}
