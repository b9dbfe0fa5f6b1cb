//! Narrowing a processed dataset to stricter filters: the rows, people files, counts and
//! version of a raw ingest with those filters, and refusal of looser ones.

use std::collections::BTreeSet;

use reelcast_core::TitleType;
use reelcast_data::{
    ingest, ingested_version, read_processed, validate_processed, write_processed, DataSources,
    Error, Filter, IngestOptions, PeopleSources, ProcessedDataset, Source,
};

use crate::helpers::{excerpt_basics, excerpt_ratings, fixtures};

/// The real excerpt with its three people files.
fn excerpt() -> DataSources {
    let file = |name: &str| Some(Source::file(fixtures().join("imdb-excerpt").join(name)));
    DataSources::files(excerpt_basics(), excerpt_ratings()).with_people(PeopleSources {
        crew: file("title.crew.tsv"),
        principals: file("title.principals.tsv"),
        names: file("name.basics.tsv"),
    })
}

/// `sources` ingested with `options`, written to a temporary directory and read back.
fn processed(sources: &DataSources, options: &IngestOptions) -> ProcessedDataset {
    let dir = tempfile::tempdir().unwrap();
    write_processed(dir.path(), &ingest(sources, options).unwrap()).unwrap();
    read_processed(dir.path()).unwrap()
}

#[test]
fn narrowing_gives_the_rows_people_and_version_of_a_raw_ingest_with_the_same_filters() {
    let every_type = IngestOptions {
        title_types: TitleType::ALL.to_vec(),
        min_votes: 0,
        max_bad_row_ratio: 0.5,
        ..IngestOptions::default()
    };
    let with_shorts = IngestOptions {
        title_types: vec![TitleType::Movie, TitleType::Short],
        ..IngestOptions::default()
    };
    // (label, data, ingested with, narrowed to, whether every step count is exact).
    let cases = [
        (
            "sample, --min-votes 100000",
            DataSources::embedded(),
            IngestOptions::default(),
            IngestOptions {
                min_votes: 100_000,
                ..IngestOptions::default()
            },
            true,
        ),
        (
            "sample, --min-year 2010 --drop-null-years",
            DataSources::embedded(),
            IngestOptions::default(),
            IngestOptions {
                min_year: 2010,
                keep_null_year: false,
                ..IngestOptions::default()
            },
            true,
        ),
        (
            "sample basics only, movie,short -> short",
            DataSources::embedded_basics_only(),
            with_shorts.clone(),
            IngestOptions {
                title_types: vec![TitleType::Short],
                ..IngestOptions::default()
            },
            false,
        ),
        (
            "sample, movie,short -> movie --min-votes 1000",
            DataSources::embedded(),
            with_shorts,
            IngestOptions {
                title_types: vec![TitleType::Movie],
                min_votes: 1000,
                requested: BTreeSet::from([Filter::TitleTypes]),
                ..IngestOptions::default()
            },
            false,
        ),
        (
            "excerpt, every type -> tvSeries,tvEpisode --min-votes 100",
            excerpt(),
            every_type.clone(),
            IngestOptions {
                title_types: vec![TitleType::TvSeries, TitleType::TvEpisode],
                min_votes: 100,
                max_bad_row_ratio: 0.5,
                ..IngestOptions::default()
            },
            false,
        ),
    ];
    for (label, sources, ingested_with, stricter, counts_exact) in cases {
        let raw = ingest(&sources, &stricter).unwrap();

        let narrowed = processed(&sources, &ingested_with)
            .narrow(&stricter)
            .unwrap();

        assert!(!raw.movies.is_empty(), "{label}: a case that keeps titles");
        assert_eq!(narrowed.movies, raw.movies, "{label}");
        assert_eq!(narrowed.people, raw.people, "{label}");
        let manifest = &narrowed.manifest;
        assert_eq!(
            manifest.dataset_version,
            ingested_version(&raw).unwrap(),
            "{label}"
        );
        assert_eq!(manifest.rows, raw.movies.len() as u64, "{label}");
        assert!(manifest.options.same_rows_as(&stricter), "{label}");
        let people_counts = |p: &Option<reelcast_data::PeopleReport>| p.as_ref().map(|p| p.counts);
        assert_eq!(
            people_counts(&manifest.people),
            people_counts(&raw.report.people),
            "{label}"
        );
        let counts = manifest.counts;
        assert_eq!(
            counts.after_year_filter, raw.report.counts.after_year_filter,
            "{label}"
        );
        if counts_exact {
            assert_eq!(counts, raw.report.counts, "{label}");
        }
    }
}

#[test]
fn a_narrowed_manifest_describes_the_files_a_raw_ingest_with_the_filters_writes() {
    let stricter = IngestOptions {
        min_votes: 100_000,
        ..IngestOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let written = write_processed(
        dir.path(),
        &ingest(&DataSources::embedded(), &stricter).unwrap(),
    )
    .unwrap();

    let narrowed = processed(&DataSources::embedded(), &IngestOptions::default())
        .narrow(&stricter)
        .unwrap();

    let (a, b) = (&narrowed.manifest, &written);
    assert_eq!(a.dataset_version, b.dataset_version);
    assert_eq!(a.csv_sha256, b.csv_sha256);
    assert_eq!(a.people_files, b.people_files);
}

#[test]
fn options_left_at_their_defaults_take_the_datasets_own() {
    let ingested_with = IngestOptions {
        min_votes: 1000,
        ..IngestOptions::default()
    };
    let dataset = processed(&DataSources::embedded(), &ingested_with);
    let before = dataset.clone();

    let narrowed = dataset.narrow(&IngestOptions::default()).unwrap();

    assert_eq!(narrowed, before, "nothing requested: the dataset as read");
}

#[test]
fn a_requested_ratio_replaces_the_gate_without_touching_the_rows() {
    let dataset = processed(&DataSources::embedded(), &IngestOptions::default());
    let before = dataset.clone();
    let strict = IngestOptions {
        max_bad_row_ratio: 0.0,
        ..IngestOptions::default()
    };

    let narrowed = dataset.narrow(&strict).unwrap();

    assert_eq!(narrowed.movies, before.movies);
    assert_eq!(
        narrowed.manifest.dataset_version,
        before.manifest.dataset_version
    );
    assert_eq!(narrowed.report().unwrap().options.max_bad_row_ratio, 0.0);
    narrowed.report().unwrap().check().unwrap();
}

#[test]
fn a_looser_filter_is_refused() {
    let ingested_with = IngestOptions {
        min_votes: 1000,
        ..IngestOptions::default()
    };
    let dataset = processed(&DataSources::embedded(), &ingested_with);
    let flagged_default = IngestOptions {
        requested: BTreeSet::from([Filter::MinVotes]),
        ..IngestOptions::default()
    };

    let err = dataset.narrow(&flagged_default).unwrap_err();

    assert!(
        matches!(
            &err,
            Error::LooserFilter { filter: Filter::MinVotes, requested, ingested }
                if requested == "50" && ingested == "1000"
        ),
        "{err:?}"
    );
}

#[test]
fn validating_a_narrowed_dataset_reports_the_narrowed_counts() {
    let stricter = IngestOptions {
        min_votes: 100_000,
        ..IngestOptions::default()
    };
    let raw = reelcast_data::validate(&ingest(&DataSources::embedded(), &stricter).unwrap());

    let narrowed = processed(&DataSources::embedded(), &IngestOptions::default())
        .narrow(&stricter)
        .unwrap();
    let report = validate_processed(&narrowed).unwrap();

    assert_eq!(report.total_rows, raw.total_rows);
    assert_eq!(report.counts, raw.counts);
    assert_eq!(report.stats, raw.stats);
    assert_eq!(report.people, raw.people);
    assert!(report.passed);
}
