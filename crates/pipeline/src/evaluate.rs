//! The evaluate use case: score a saved bundle on any ingested dataset.

use reelcast_core::{MovieInput, MovieRecord};

use crate::bundle::ModelBundle;
use crate::metrics::Metrics;
use crate::{Error, Result};

/// Scores `bundle` on every movie (through the batch path; ratings clipped to 1..=10).
#[tracing::instrument(skip_all, fields(model = %bundle.metadata.model_name, rows = movies.len()))]
pub fn evaluate(bundle: &ModelBundle, movies: &[MovieRecord]) -> Result<Metrics> {
    if movies.is_empty() {
        return Err(Error::EmptyDataset);
    }
    let inputs: Vec<MovieInput> = movies.iter().map(MovieRecord::input).collect();
    let predicted = bundle.predict_batch(&inputs);
    let actual: Vec<f32> = movies.iter().map(|m| m.rating.get()).collect();
    Ok(Metrics::compute(&predicted, &actual))
}
