//! `reelcast data fetch | ingest | validate`.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use reelcast_data::{
    fetch as fetch_files, ingest as ingest_raw, ingest_lenient, read_processed,
    validate as validate_ingested, validate_processed, write_processed, DataSources, FetchStatus,
    DEFAULT_FILES,
};
use reelcast_pipeline::raw_sources;

use crate::args::{FetchArgs, IngestArgs, ValidateArgs};
use crate::commands::{data_source, ingest_options};
use crate::settings::Settings;
use crate::Outcome;

pub(crate) fn fetch(a: FetchArgs, settings: &Settings) -> Result<Outcome> {
    let progress = !a.no_progress && std::io::stderr().is_terminal();
    let dir = a.dir.unwrap_or_else(|| settings.data.raw_dir.clone());
    let base_url = a.base_url.unwrap_or_else(|| settings.data.base_url.clone());
    let files = fetch_files(&base_url, &dir, &DEFAULT_FILES, progress)
        .with_context(|| format!("fetching IMDb datasets from {base_url}"))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&files)?);
    } else {
        for f in &files {
            let status = match f.status {
                FetchStatus::Downloaded => "downloaded",
                FetchStatus::NotModified => "unchanged",
            };
            println!(
                "{:<10} {} ({} bytes, sha256 {})",
                status,
                f.path.display(),
                f.bytes,
                f.sha256
            );
        }
        println!(
            "next: reelcast data ingest --basics {} --ratings {}",
            dir.join(DEFAULT_FILES[0]).display(),
            dir.join(DEFAULT_FILES[1]).display()
        );
    }
    Ok(Outcome::Ok)
}

pub(crate) fn ingest(a: IngestArgs, settings: &Settings) -> Result<Outcome> {
    let options = ingest_options(&a.filters, settings)?;
    let out = a.out.unwrap_or_else(|| settings.data.processed_dir.clone());
    let sources = match (&a.basics, &a.ratings) {
        (Some(b), Some(r)) => DataSources::files(b, r),
        _ => DataSources::embedded(),
    };
    let ingested = match ingest_raw(&sources, &options) {
        Ok(ingested) => ingested,
        // A failed gate, as in `data validate`: exit 1, not 2.
        Err(e @ reelcast_data::Error::TooManyBadRows { .. }) => {
            eprintln!("error: ingesting IMDb files: {e}");
            return Ok(Outcome::GateFailed);
        }
        Err(e) => return Err(anyhow::Error::new(e).context("ingesting IMDb files")),
    };
    let manifest = write_processed(&out, &ingested)
        .with_context(|| format!("writing the processed dataset to {}", out.display()))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        let c = &ingested.report.counts;
        println!("{}", serde_json::to_string_pretty(c)?);
        println!(
            "wrote {} movies to {} (dataset {})",
            manifest.rows,
            out.display(),
            manifest.dataset_version
        );
        let skipped = ingested.report.bad_rows.skipped();
        if skipped > 0 {
            println!("skipped {skipped} bad rows; run `reelcast data validate` with the same inputs for details");
        }
    }
    Ok(Outcome::Ok)
}

pub(crate) fn validate(a: ValidateArgs, settings: &Settings) -> Result<Outcome> {
    let options = ingest_options(&a.data.filters, settings)?;
    let source = data_source(&a.data);
    let report = match raw_sources(&source)? {
        Some(sources) => validate_ingested(
            &ingest_lenient(&sources, &options).with_context(|| format!("reading {source}"))?,
        ),
        None => {
            let dir = a
                .data
                .data
                .as_deref()
                .expect("only --data names a processed directory");
            validate_processed(&read_processed(dir).with_context(|| format!("reading {source}"))?)?
        }
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{report}");
    }
    Ok(if report.passed {
        Outcome::Ok
    } else {
        Outcome::GateFailed
    })
}
