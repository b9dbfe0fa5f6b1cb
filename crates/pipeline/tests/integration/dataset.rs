//! `load_dataset` on a processed directory: stricter filters narrow it to what the raw
//! files give, looser ones are refused, options left at their defaults take its own.

use std::collections::BTreeSet;
use std::path::Path;

use reelcast_core::TitleType;
use reelcast_data::{ingest, write_processed, DataSources, Filter, IngestOptions};
use reelcast_pipeline::{load_dataset, DataSource, Error};

/// The embedded sample (with its people files) ingested with `options` into `dir`.
fn ingest_sample_into(dir: &Path, options: &IngestOptions) {
    let ingested = ingest(&DataSources::embedded(), options).unwrap();
    write_processed(dir, &ingested).unwrap();
}

#[test]
fn a_stricter_filter_on_a_processed_directory_gives_the_films_and_version_of_the_raw_files() {
    let with_shorts = IngestOptions {
        title_types: vec![TitleType::Movie, TitleType::Short],
        ..IngestOptions::default()
    };
    // (label, ingested with, loaded with, whether every step count is exact).
    let cases = [
        (
            "--min-votes 100000",
            IngestOptions::default(),
            IngestOptions {
                min_votes: 100_000,
                ..IngestOptions::default()
            },
            true,
        ),
        (
            "--min-year 2010 --drop-null-years",
            IngestOptions::default(),
            IngestOptions {
                min_year: 2010,
                keep_null_year: false,
                ..IngestOptions::default()
            },
            true,
        ),
        (
            "--title-types movie (the default, given by a flag) on movie,short",
            with_shorts,
            IngestOptions {
                requested: BTreeSet::from([Filter::TitleTypes]),
                ..IngestOptions::default()
            },
            false,
        ),
    ];
    for (label, ingested_with, stricter, counts_exact) in cases {
        let dir = tempfile::tempdir().unwrap();
        ingest_sample_into(dir.path(), &ingested_with);
        let all = load_dataset(
            &DataSource::Directory(dir.path().to_owned()),
            &IngestOptions::default(),
        )
        .unwrap();
        let raw = load_dataset(&DataSource::Embedded, &stricter).unwrap();

        let narrowed =
            load_dataset(&DataSource::Directory(dir.path().to_owned()), &stricter).unwrap();

        assert!(
            raw.movies.len() < all.movies.len(),
            "{label}: the filter drops films"
        );
        assert_eq!(narrowed.movies.len(), raw.movies.len(), "{label}");
        assert_eq!(narrowed.version, raw.version, "{label}");
        assert_eq!(narrowed.movies, raw.movies, "{label}");
        assert!(narrowed.has_people, "{label}");
        let counts = |d: &reelcast_pipeline::LoadedDataset| d.report.as_ref().unwrap().counts;
        assert_eq!(
            counts(&narrowed).after_year_filter,
            raw.movies.len() as u64,
            "{label}"
        );
        if counts_exact {
            assert_eq!(counts(&narrowed), counts(&raw), "{label}");
        }
    }
}

#[test]
fn a_processed_directory_with_options_at_their_defaults_loads_as_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let ingested_with = IngestOptions {
        min_votes: 1000,
        ..IngestOptions::default()
    };
    ingest_sample_into(dir.path(), &ingested_with);
    let raw = load_dataset(&DataSource::Embedded, &ingested_with).unwrap();

    let loaded = load_dataset(
        &DataSource::Directory(dir.path().to_owned()),
        &IngestOptions::default(),
    )
    .unwrap();

    assert_eq!(loaded.movies.len(), raw.movies.len());
    assert_eq!(loaded.version, raw.version);
}

#[test]
fn a_looser_filter_on_a_processed_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    ingest_sample_into(
        dir.path(),
        &IngestOptions {
            min_votes: 1000,
            ..IngestOptions::default()
        },
    );
    let looser = IngestOptions {
        min_votes: 500,
        ..IngestOptions::default()
    };

    let err = load_dataset(&DataSource::Directory(dir.path().to_owned()), &looser).unwrap_err();

    assert!(
        matches!(
            err,
            Error::Data(reelcast_data::Error::LooserFilter {
                filter: Filter::MinVotes,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "--min-votes 500 is looser than the 1000 this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files with `reelcast data ingest --min-votes 500`, or read them directly with --imdb-dir"
    );
}

#[test]
fn filters_that_leave_a_processed_directory_empty_fail_like_on_raw_files() {
    let dir = tempfile::tempdir().unwrap();
    ingest_sample_into(dir.path(), &IngestOptions::default());
    let none_left = IngestOptions {
        min_votes: 4_000_000_000,
        ..IngestOptions::default()
    };

    let err = load_dataset(&DataSource::Directory(dir.path().to_owned()), &none_left).unwrap_err();

    assert!(
        matches!(err, Error::Data(reelcast_data::Error::EmptyDataset { .. })),
        "{err:?}"
    );
}
