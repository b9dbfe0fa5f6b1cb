//! `reelcast data fetch | ingest | validate`.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use reelcast_data::{
    fetch as fetch_files, ingest as ingest_raw, ingest_lenient, read_processed,
    validate as validate_ingested, validate_processed, write_processed, FetchStatus, ImdbFile,
};
use reelcast_pipeline::{raw_sources, DataSource};

use crate::args::{FetchArgs, IngestArgs, ValidateArgs};
use crate::commands::{data_source, ingest_options, raw_source};
use crate::output::outln;
use crate::progress::while_reading;
use crate::settings::Settings;
use crate::Outcome;

pub(crate) fn fetch(a: FetchArgs, settings: &Settings) -> Result<Outcome> {
    let files = match &a.only {
        Some(names) => ImdbFile::parse_list(names).context("--only")?,
        None => ImdbFile::ALL.to_vec(),
    };
    let names: Vec<&str> = files.iter().map(|f| f.file_name()).collect();
    let progress = !a.no_progress && std::io::stderr().is_terminal();
    let dir = a.dir.unwrap_or_else(|| settings.data.raw_dir.clone());
    let base_url = a.base_url.unwrap_or_else(|| settings.data.base_url.clone());
    let fetched = fetch_files(&base_url, &dir, &names, progress)
        .with_context(|| format!("fetching IMDb datasets from {base_url}"))?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&fetched)?)?;
    } else {
        for f in &fetched {
            let status = match f.status {
                FetchStatus::Downloaded => "downloaded",
                FetchStatus::NotModified => "unchanged",
            };
            outln!(
                "{:<10} {} ({} bytes, sha256 {})",
                status,
                f.path.display(),
                f.bytes,
                f.sha256
            )?;
        }
        outln!("next: reelcast data ingest --imdb-dir {}", dir.display())?;
    }
    Ok(Outcome::Ok)
}

pub(crate) fn ingest(a: IngestArgs, settings: &Settings) -> Result<Outcome> {
    let options = ingest_options(&a.filters, settings)?;
    let out = a.out.unwrap_or_else(|| settings.data.processed_dir.clone());
    let source = raw_source(&a.files)?.unwrap_or(DataSource::Embedded);
    let sources = raw_sources(&source)?.expect("raw files or the embedded sample, not a directory");
    let ingested = match while_reading("ingest", || ingest_raw(&sources, &options)) {
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
        outln!("{}", serde_json::to_string_pretty(&manifest)?)?;
    } else {
        outln!(
            "wrote {} movies to {} (dataset {})",
            manifest.rows,
            out.display(),
            manifest.dataset_version
        )?;
        outln!("steps: {}", ingested.report.counts)?;
        if let Some(people) = &ingested.report.people {
            let p = &people.counts;
            outln!(
                "people: {} films with people, {} distinct people, {} unknown nconsts",
                p.films_with_people,
                p.distinct_people,
                p.unknown_nconsts
            )?;
        }
        let skipped = ingested.report.bad_rows.skipped();
        if skipped > 0 {
            outln!("skipped {skipped} bad rows; run `reelcast data validate` with the same inputs for details")?;
        }
    }
    Ok(Outcome::Ok)
}

pub(crate) fn validate(a: ValidateArgs, settings: &Settings) -> Result<Outcome> {
    let options = ingest_options(&a.data.filters, settings)?;
    let source = data_source(&a.data)?;
    let report = match raw_sources(&source)? {
        Some(sources) => validate_ingested(
            &while_reading("validate", || ingest_lenient(&sources, &options))
                .with_context(|| format!("reading {source}"))?,
        ),
        None => {
            let dir = a
                .data
                .data
                .as_deref()
                .expect("only --data names a processed directory");
            let dataset = read_processed(dir)
                .and_then(|d| d.narrow(&options))
                .with_context(|| format!("reading {source}"))?;
            validate_processed(&dataset)?
        }
    };
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        outln!("{report}")?;
    }
    Ok(if report.passed {
        Outcome::Ok
    } else {
        Outcome::GateFailed
    })
}
