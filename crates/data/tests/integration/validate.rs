//! The validation report on real data; validation never modifies its inputs.

use reelcast_data::{ingest_lenient, sha256_file, validate, DataSources, IngestOptions};

use crate::helpers::{excerpt_basics, excerpt_ratings, with_bad_basics, write_gzip};

#[test]
fn embedded_sample_passes_with_sensible_statistics() {
    let ingested = ingest_lenient(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    let report = validate(&ingested);
    assert!(report.passed);
    assert_eq!(report.total_rows, 6091);
    assert!(report.duplicate_tconsts.is_empty());
    let rating = report.stats["averageRating"].unwrap();
    assert_eq!(rating.count, 6091);
    assert!(rating.min >= 1.0 && rating.max <= 10.0 && rating.mean > 5.0 && rating.mean < 8.0);
    let years = report.stats["startYear"].unwrap();
    assert!(years.min >= 1900.0 && years.max <= 2014.0);
    assert_eq!(report.nulls["endYear"], 6091, "movies have no end year");
    assert_eq!(report.nulls["tconst"], 0);
    let with_genre: u64 = ingested
        .movies
        .iter()
        .filter(|m| !m.genres.is_empty())
        .count() as u64;
    assert_eq!(report.no_genre, 6091 - with_genre);
    assert!(report.genres["Drama"] > report.genres["Comedy"]);
    assert!(
        !report.genres.contains_key("Short"),
        "shorts are filtered out"
    );
}

#[test]
fn text_and_json_renderings() {
    let ingested = ingest_lenient(&DataSources::embedded(), &IngestOptions::default()).unwrap();
    let report = validate(&ingested);
    let text = report.to_string();
    assert!(text.starts_with("validation PASSED: 6091 rows\n"), "{text}");
    assert!(text.contains("averageRating"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["passed"], true);
    assert_eq!(json["total_rows"], 6091);
}

#[test]
fn bad_rows_above_threshold_fail_validation_with_examples() {
    let ingested = ingest_lenient(&with_bad_basics("bad-year"), &IngestOptions::default()).unwrap();
    let report = validate(&ingested);
    assert!(!report.passed);
    assert!(report
        .to_string()
        .contains("title.basics.tsv line 20: startYear \"19x5\" is not a whole number"));
}

#[test]
fn header_only_files_fail_validation_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let basics = dir.path().join("title.basics.tsv");
    let ratings = dir.path().join("title.ratings.tsv");
    let header = |path: &std::path::Path| {
        let text = std::fs::read_to_string(path).unwrap();
        format!("{}\n", text.lines().next().unwrap())
    };
    std::fs::write(&basics, header(&excerpt_basics())).unwrap();
    std::fs::write(&ratings, header(&excerpt_ratings())).unwrap();

    let ingested = ingest_lenient(
        &DataSources::files(&basics, &ratings),
        &IngestOptions::default(),
    )
    .unwrap();
    let report = validate(&ingested);

    assert!(!report.passed);
    assert_eq!(
        report.failures,
        ["no movies: title.basics.tsv and title.ratings.tsv have no data rows, only the header"]
    );
    assert!(
        report.to_string().starts_with(
            "validation FAILED: 0 rows\n  failed: no movies: title.basics.tsv and title.ratings.tsv have no data rows, only the header\n"
        ),
        "{report}"
    );
}

#[test]
fn every_broken_rule_is_a_failure_reason() {
    let over =
        validate(&ingest_lenient(&with_bad_basics("bad-year"), &IngestOptions::default()).unwrap());
    let filtered = validate(
        &ingest_lenient(
            &DataSources::embedded(),
            &IngestOptions {
                min_votes: 4_000_000_000,
                ..IngestOptions::default()
            },
        )
        .unwrap(),
    );
    let passed =
        validate(&ingest_lenient(&DataSources::embedded(), &IngestOptions::default()).unwrap());

    assert_eq!(over.failures.len(), 1, "{:?}", over.failures);
    assert!(
        over.failures[0].starts_with("title.basics.tsv: 1 of ")
            && over.failures[0].ends_with("above max_bad_row_ratio 0.01"),
        "{:?}",
        over.failures
    );
    assert_eq!(filtered.failures.len(), 1, "{:?}", filtered.failures);
    assert!(
        filtered.failures[0].starts_with("no movies left after the filters (basics rows ")
            && filtered.failures[0].ends_with("check --title-types, --min-votes and --min-year"),
        "{:?}",
        filtered.failures
    );
    assert!(passed.failures.is_empty());
    assert_eq!(
        serde_json::to_value(&over).unwrap()["failures"],
        serde_json::json!(over.failures)
    );
}

#[test]
fn validation_never_modifies_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let basics = dir.path().join("title.basics.tsv.gz");
    let ratings = dir.path().join("title.ratings.tsv");
    write_gzip(&basics, &std::fs::read(excerpt_basics()).unwrap());
    std::fs::copy(excerpt_ratings(), &ratings).unwrap();
    let before = (
        sha256_file(&basics).unwrap(),
        sha256_file(&ratings).unwrap(),
    );

    let ingested = ingest_lenient(
        &DataSources::files(&basics, &ratings),
        &IngestOptions::default(),
    )
    .unwrap();
    let report = validate(&ingested);

    let after = (
        sha256_file(&basics).unwrap(),
        sha256_file(&ratings).unwrap(),
    );
    assert_eq!(before, after);
    assert_eq!(
        report.inputs[0].sha256, before.0,
        "the report hashes what it read"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no file was added"
    );
}
