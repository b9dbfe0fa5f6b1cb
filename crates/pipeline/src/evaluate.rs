//! The evaluate use case: score a saved bundle on any ingested dataset, or on the part of
//! it the bundle never trained on ([`held_out_rows`](crate::held_out_rows)).

use reelcast_core::{MovieInput, MovieRecord};

use crate::bundle::ModelBundle;
use crate::metrics::Metrics;
use crate::{Error, Result};

/// Scores `bundle` on every movie: [`evaluate_rows`] over all of them.
pub fn evaluate(bundle: &ModelBundle, movies: &[MovieRecord]) -> Result<Metrics> {
    let all: Vec<usize> = (0..movies.len()).collect();
    evaluate_rows(bundle, movies, &all)
}

/// Scores `bundle` on the movies at `rows` (indices into `movies`), through the batch
/// path with ratings clipped to 1..=10, as training scores its test split.
///
/// # Errors
/// [`Error::EmptyDataset`] when `rows` is empty.
///
/// # Panics
/// When an index of `rows` is out of bounds of `movies` (a programmer error).
#[tracing::instrument(skip_all, fields(model = %bundle.metadata.model_name, rows = rows.len()))]
pub fn evaluate_rows(
    bundle: &ModelBundle,
    movies: &[MovieRecord],
    rows: &[usize],
) -> Result<Metrics> {
    if rows.is_empty() {
        return Err(Error::EmptyDataset);
    }
    let inputs: Vec<MovieInput> = rows.iter().map(|&i| movies[i].input()).collect();
    let predicted = bundle.predict_batch(&inputs);
    let actual: Vec<f32> = rows.iter().map(|&i| movies[i].rating.get()).collect();
    Ok(Metrics::compute(&predicted, &actual))
}
