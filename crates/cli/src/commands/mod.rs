//! One module per command; each resolves its arguments and calls one pipeline function.

pub(crate) mod bind;
pub(crate) mod data;
pub(crate) mod evaluate;
pub(crate) mod healthcheck;
pub(crate) mod models;
pub(crate) mod predict;
pub(crate) mod runs;
pub(crate) mod sentiment;
pub(crate) mod serve;
pub(crate) mod tracking;
pub(crate) mod train;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use reelcast_core::TitleType;
use reelcast_data::{Filter, IngestOptions};
use reelcast_pipeline::{DataSource, ModelBundle, PeopleFiles};

use crate::args::{DataArgs, FilterArgs, RawFileArgs};
use crate::settings::Settings;

/// Resolves filter flags over the `[ingest]` settings, rejecting unknown title types.
/// Each flag given is marked [requested](IngestOptions::requested), so on a processed
/// directory it applies even at its default value (a setting neither flagged nor set
/// away from its default takes the directory's value).
pub(crate) fn ingest_options(f: &FilterArgs, settings: &Settings) -> Result<IngestOptions> {
    let mut options = settings.ingest.clone();
    if let Some(raw_types) = &f.title_types {
        options.title_types.clear();
        for raw in raw_types {
            match TitleType::parse(raw) {
                Ok(t) => options.title_types.push(t),
                Err(e) => bail!("--title-types: {e}; use IMDb's spelling, e.g. movie,tvMovie"),
            }
        }
        options.requested.insert(Filter::TitleTypes);
    }
    if let Some(ratio) = f.max_bad_row_ratio {
        if !(0.0..=1.0).contains(&ratio) {
            bail!("--max-bad-row-ratio: {ratio} is not between 0 and 1");
        }
        options.max_bad_row_ratio = ratio;
        options.requested.insert(Filter::MaxBadRowRatio);
    }
    if let Some(min_votes) = f.min_votes {
        options.min_votes = min_votes;
        options.requested.insert(Filter::MinVotes);
    }
    if let Some(min_year) = f.min_year {
        options.min_year = min_year;
        options.requested.insert(Filter::MinYear);
    }
    if f.drop_null_years {
        options.keep_null_year = false;
        options.requested.insert(Filter::DropNullYears);
    }
    Ok(options)
}

/// True when `e` is a failed data gate (more bad rows than `--max-bad-row-ratio`
/// allows), which exits 1 like `data validate`, not 2.
pub(crate) fn is_bad_row_gate(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<reelcast_data::Error>(),
            Some(reelcast_data::Error::TooManyBadRows { .. })
        ) || matches!(
            cause.downcast_ref::<reelcast_pipeline::Error>(),
            Some(reelcast_pipeline::Error::Data(
                reelcast_data::Error::TooManyBadRows { .. }
            ))
        )
    })
}

/// Loads `--model` or, without it, `{train.out_dir}/model.bundle`; errors suggest how
/// to train one there.
pub(crate) fn load_bundle(
    model: Option<&Path>,
    settings: &Settings,
) -> Result<(PathBuf, ModelBundle)> {
    let path = model.map_or_else(
        || settings.train.out_dir.join("model.bundle"),
        Path::to_path_buf,
    );
    let bundle = ModelBundle::load(&path).with_context(|| {
        format!(
            "loading the model (train one with `reelcast train --out {}`)",
            // A bare file name has an empty parent; `--out ` with nothing after it is no advice.
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .display()
        )
    })?;
    Ok((path, bundle))
}

/// Resolves the data flags: a directory, the raw files, or the embedded sample.
pub(crate) fn data_source(a: &DataArgs) -> Result<DataSource> {
    match &a.data {
        Some(dir) => Ok(DataSource::Directory(dir.clone())),
        None => Ok(raw_source(&a.files)?.unwrap_or(DataSource::Embedded)),
    }
}

/// The raw files named by `--imdb-dir` or one flag each; `None` when none is named.
pub(crate) fn raw_source(f: &RawFileArgs) -> Result<Option<DataSource>> {
    if let Some(dir) = &f.imdb_dir {
        return Ok(Some(DataSource::imdb_dir(dir)?));
    }
    let (Some(basics), Some(ratings)) = (&f.basics, &f.ratings) else {
        return Ok(None);
    };
    let people = PeopleFiles {
        crew: f.crew.clone(),
        principals: f.principals.clone(),
        names: f.names.clone(),
    };
    Ok(Some(DataSource::raw_files(
        basics.clone(),
        ratings.clone(),
        people,
    )))
}
