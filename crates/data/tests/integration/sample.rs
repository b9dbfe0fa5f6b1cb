//! Ingest of the embedded sample (6,208 real films), and gzip/plain equivalence.

use reelcast_data::{
    dataset_version, ingest, DataSources, EmbeddedFile, IngestOptions, StepCounts,
};

use crate::helpers::{excerpt_basics, excerpt_ratings, scan, write_gzip};

#[test]
fn embedded_sample_gives_the_known_counts_at_each_step() {
    let ingested = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    assert_eq!(
        ingested.report.counts,
        StepCounts {
            basics_rows: 6208,
            after_type_filter: 6173,
            ratings_rows: 6197,
            after_join: 6163,
            after_votes_filter: 6091,
            after_year_filter: 6091,
        }
    );
    assert!(ingested.report.bad_rows.is_empty());
    assert_eq!(ingested.movies[0].tconst.as_str(), "tt0012349");
    assert_eq!(ingested.movies[0].primary_title, "The Kid");
}

#[test]
fn embedded_sample_records_the_sha256_of_the_raw_bytes() {
    let ingested = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    let report = &ingested.report;
    assert_eq!(report.basics.name, "title.basics.tsv.gz");
    assert!(report.basics.gzip && report.ratings.gzip);
    assert_eq!(
        report.basics.bytes,
        EmbeddedFile::Basics.bytes().len() as u64
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.gz");
    std::fs::write(&path, EmbeddedFile::Basics.bytes()).unwrap();
    assert_eq!(
        report.basics.sha256,
        reelcast_data::sha256_file(&path).unwrap()
    );
}

#[test]
fn ingest_is_stable_across_runs() {
    let a = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    let b = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        dataset_version(&a.movies).unwrap(),
        dataset_version(&b.movies).unwrap()
    );
}

#[test]
fn gzip_and_plain_inputs_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let basics_gz = dir.path().join("title.basics.tsv.gz");
    // Gzip under a .tsv name: detection is by magic bytes, not extension.
    let ratings_gz = dir.path().join("title.ratings.tsv");
    write_gzip(&basics_gz, &std::fs::read(excerpt_basics()).unwrap());
    write_gzip(&ratings_gz, &std::fs::read(excerpt_ratings()).unwrap());
    let options = IngestOptions {
        title_types: reelcast_core::TitleType::ALL.to_vec(),
        min_votes: 0,
        ..IngestOptions::default()
    };

    let plain = scan(
        &DataSources::files(excerpt_basics(), excerpt_ratings()),
        &options,
    );
    let gzip = scan(&DataSources::files(&basics_gz, &ratings_gz), &options);

    assert_eq!(plain.movies, gzip.movies);
    assert_eq!(plain.report.counts, gzip.report.counts);
    assert!(!plain.report.basics.gzip && gzip.report.basics.gzip && gzip.report.ratings.gzip);
    assert_ne!(plain.report.basics.sha256, gzip.report.basics.sha256);
}
