//! Ingest two IMDb files into a processed dataset: a stand-in for `reelcast data ingest`
//! used by `bench/ingest.sh` until (or instead of) the CLI.
//!
//! ```text
//! cargo run --release -p reelcast-data --example ingest -- \
//!     [--basics F] [--ratings F] [--out DIR]
//! ```
//!
//! Without `--basics`/`--ratings` the embedded sample is used; without `--out` nothing is
//! written. Prints the step counts and the dataset version.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::time::Instant;

use reelcast_data::{ingest, write_processed, DataSources, IngestOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut basics, mut ratings, mut out) = (None, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = PathBuf::from(it.next().ok_or_else(|| format!("{flag} needs a value"))?);
        match flag.as_str() {
            "--basics" => basics = Some(value),
            "--ratings" => ratings = Some(value),
            "--out" => out = Some(value),
            other => {
                return Err(
                    format!("unknown flag {other:?}; flags: --basics --ratings --out").into(),
                )
            }
        }
    }
    let sources = match (basics, ratings) {
        (Some(b), Some(r)) => DataSources::files(b, r),
        (None, None) => DataSources::embedded(),
        _ => return Err("give both --basics and --ratings, or neither".into()),
    };
    let started = Instant::now();
    let ingested = ingest(&sources, &IngestOptions::default())?;
    let ingest_secs = started.elapsed().as_secs_f64();
    println!("{}", ingested.report.counts);
    if let Some(dir) = out {
        let manifest = write_processed(&dir, &ingested)?;
        println!(
            "wrote {} rows to {} (dataset {})",
            manifest.rows,
            dir.display(),
            manifest.dataset_version
        );
    }
    println!(
        "ingest {ingest_secs:.2}s, total {:.2}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
