//! One module per command; each resolves its arguments and calls one pipeline function.

pub(crate) mod data;
pub(crate) mod evaluate;
pub(crate) mod predict;
pub(crate) mod train;

use anyhow::{bail, Result};
use reelcast_core::TitleType;
use reelcast_data::IngestOptions;
use reelcast_pipeline::DataSource;

use crate::args::{DataArgs, FilterArgs};

/// Resolves filter flags into ingest options, rejecting unknown title types.
pub(crate) fn ingest_options(f: &FilterArgs) -> Result<IngestOptions> {
    let mut title_types = Vec::new();
    for raw in &f.title_types {
        match TitleType::parse(raw) {
            Ok(t) => title_types.push(t),
            Err(e) => bail!("--title-types: {e}; use IMDb's spelling, e.g. movie,tvMovie"),
        }
    }
    if !(0.0..=1.0).contains(&f.max_bad_row_ratio) {
        bail!(
            "--max-bad-row-ratio: {} is not between 0 and 1",
            f.max_bad_row_ratio
        );
    }
    Ok(IngestOptions {
        title_types,
        min_votes: f.min_votes,
        min_year: f.min_year,
        keep_null_year: !f.drop_null_years,
        max_bad_row_ratio: f.max_bad_row_ratio,
    })
}

/// Resolves the data flags: a directory, two raw files, or the embedded sample.
pub(crate) fn data_source(a: &DataArgs) -> DataSource {
    match (&a.data, &a.basics, &a.ratings) {
        (Some(dir), _, _) => DataSource::Directory(dir.clone()),
        (None, Some(basics), Some(ratings)) => DataSource::Raw {
            basics: basics.clone(),
            ratings: ratings.clone(),
        },
        _ => DataSource::Embedded,
    }
}
