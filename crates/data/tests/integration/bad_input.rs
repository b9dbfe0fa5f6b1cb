//! Each broken fixture: the row is skipped (or the file refused) with a message naming the
//! file, line, value and rule.

use reelcast_data::{
    ingest, ingest_lenient, BadRowReason, DataSources, Error, IngestOptions, Ingested,
};

use crate::helpers::{
    bad, excerpt_basics, excerpt_ratings, ids, scan, tolerant, with_bad_basics, with_bad_ratings,
    write_gzip,
};

/// The only examples recorded, as `file line N: message` strings.
fn examples(ingested: &Ingested) -> Vec<String> {
    ingested
        .report
        .bad_rows
        .iter()
        .flat_map(|(_, t)| t.examples.iter().map(ToString::to_string))
        .collect()
}

#[test]
fn each_bad_row_is_skipped_counted_and_located() {
    let cases = [
        (
            "wrong-column-count",
            true,
            BadRowReason::ColumnCount,
            "title.basics.tsv line 20: row has 8 tab-separated fields, expected 9",
        ),
        (
            "bad-year",
            true,
            BadRowReason::BadYear,
            "title.basics.tsv line 20: startYear \"19x5\" is not a whole number",
        ),
        (
            "invalid-utf8",
            true,
            BadRowReason::InvalidUtf8,
            "title.basics.tsv line 20: row is not valid UTF-8 (byte 0xff at offset 18)",
        ),
        (
            "bad-tconst",
            true,
            BadRowReason::BadTconst,
            "title.basics.tsv line 20: title id \"t1754912\" is not \"tt\" followed by digits",
        ),
        (
            "bad-runtime",
            true,
            BadRowReason::BadRuntime,
            "title.basics.tsv line 20: runtimeMinutes \"96min\" is not a whole number",
        ),
        (
            "bad-is-adult",
            true,
            BadRowReason::BadIsAdult,
            "title.basics.tsv line 20: isAdult \"2\" is not 0 or 1",
        ),
        (
            "negative-votes",
            false,
            BadRowReason::BadVotes,
            "title.ratings.tsv line 3: numVotes -317 is outside 0..=4294967295",
        ),
    ];
    for (case, basics, reason, message) in cases {
        let sources = if basics {
            with_bad_basics(case)
        } else {
            with_bad_ratings(case)
        };
        let ingested = scan(&sources, &tolerant());
        assert_eq!(examples(&ingested), [message], "{case}");
        assert_eq!(ingested.report.bad_rows.count(reason), 1, "{case}");
        assert_eq!(ingested.report.bad_rows.skipped(), 1, "{case}");
        assert!(
            !ids(&ingested).contains(&"tt1754912"),
            "{case}: the broken row is gone"
        );
        assert_eq!(
            ingested.movies.len(),
            3,
            "{case}: the other three movies remain"
        );
    }
}

#[test]
fn bad_rating_is_skipped() {
    let ingested = scan(&with_bad_ratings("bad-rating"), &tolerant());
    assert_eq!(
        examples(&ingested),
        ["title.ratings.tsv line 6: averageRating \"3,1\" is not a number"]
    );
    assert!(!ids(&ingested).contains(&"tt2363483"));
}

#[test]
fn columns_are_counted_on_rows_of_every_type() {
    let ingested = scan(
        &with_bad_basics("wrong-column-count-non-movie"),
        &tolerant(),
    );
    assert_eq!(
        examples(&ingested),
        ["title.basics.tsv line 2: row has 10 tab-separated fields, expected 9"]
    );
    assert_eq!(ingested.report.basics.skipped, 1);
    assert_eq!(ingested.movies.len(), 4);
}

#[test]
fn second_occurrence_of_a_duplicate_tconst_is_skipped() {
    let ingested = scan(&with_bad_basics("duplicate-tconst"), &tolerant());
    assert_eq!(
        examples(&ingested),
        ["title.basics.tsv line 77: tconst \"tt2363483\" already appeared on line 24; the first row is kept"]
    );
    assert_eq!(
        ids(&ingested),
        ["tt1754912", "tt2363483", "tt2535470", "tt4586114"]
    );

    let ingested = scan(&with_bad_ratings("duplicate-ratings"), &tolerant());
    assert_eq!(
        examples(&ingested),
        ["title.ratings.tsv line 14: tconst \"tt2535470\" already appeared on line 7; the first row is kept"]
    );
    assert_eq!(
        ingested.movies[2].votes.get(),
        15169,
        "the first rating is kept"
    );
}

#[test]
fn unknown_genre_token_is_dropped_and_the_row_kept() {
    let ingested = scan(&with_bad_basics("unknown-genre"), &IngestOptions::default());
    assert_eq!(
        examples(&ingested),
        ["title.basics.tsv line 20: genre \"Lifestyle\" is not one of IMDb's 28 genres; the token is dropped, the row kept"]
    );
    assert_eq!(ingested.report.bad_rows.skipped(), 0);
    assert_eq!(ingested.movies[0].genres.to_imdb(), "Thriller");
    ingested.report.check().unwrap();
}

#[test]
fn wrong_header_is_a_hard_error() {
    let err = ingest_lenient(&with_bad_basics("bad-header"), &tolerant()).unwrap_err();
    assert!(matches!(err, Error::Header { .. }));
    assert_eq!(
        err.to_string(),
        "title.basics.tsv line 1: header \"tconst\\ttitle_type\\tprimaryTitle\\toriginalTitle\\tisAdult\\tstartYear\\tendYear\\truntimeMinutes\\tgenres\" \
         is not \"tconst\\ttitleType\\tprimaryTitle\\toriginalTitle\\tisAdult\\tstartYear\\tendYear\\truntimeMinutes\\tgenres\"; \
         is this the right IMDb file?"
    );
}

#[test]
fn an_empty_file_is_called_empty_not_a_wrong_header() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("title.basics.tsv");
    std::fs::write(&plain, b"").unwrap();
    let gzipped = dir.path().join("title.ratings.tsv.gz");
    write_gzip(&gzipped, b"");

    let plain_err =
        ingest_lenient(&DataSources::files(&plain, excerpt_ratings()), &tolerant()).unwrap_err();
    let gzip_err =
        ingest_lenient(&DataSources::files(excerpt_basics(), &gzipped), &tolerant()).unwrap_err();

    assert!(
        matches!(plain_err, Error::EmptyFile { .. }),
        "{plain_err:?}"
    );
    assert_eq!(
        plain_err.to_string(),
        "title.basics.tsv is empty: IMDb's file starts with the header \
         \"tconst\\ttitleType\\tprimaryTitle\\toriginalTitle\\tisAdult\\tstartYear\\tendYear\\truntimeMinutes\\tgenres\"; \
         re-download it with `reelcast data fetch`"
    );
    assert!(
        gzip_err
            .to_string()
            .starts_with("title.ratings.tsv.gz is empty: IMDb's file starts with the header"),
        "{gzip_err}"
    );
}

#[test]
fn swapped_files_fail_on_the_header() {
    let sources = DataSources::files(excerpt_ratings(), excerpt_basics());
    let err = ingest_lenient(&sources, &tolerant()).unwrap_err();
    assert!(err.to_string().starts_with(
        "title.ratings.tsv line 1: header \"tconst\\taverageRating\\tnumVotes\" is not"
    ));
}

#[test]
fn truncated_gzip_names_the_file_and_suggests_fetch() {
    let path = bad("truncated-gzip", "title.basics.tsv.gz");
    let sources = DataSources::files(&path, excerpt_ratings());
    let err = ingest_lenient(&sources, &tolerant()).unwrap_err();
    assert!(matches!(err, Error::CorruptGzip { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is truncated or corrupt; re-download it with `reelcast data fetch`",
            path.display()
        )
    );
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("incomplete deflate stream"));
}

#[test]
fn missing_file_suggests_fetch_or_the_embedded_sample() {
    let sources = DataSources::files("/nonexistent/title.basics.tsv.gz", excerpt_ratings());
    let err = ingest(&sources, &IngestOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
    assert!(err
        .to_string()
        .contains("`reelcast data fetch`, or omit --basics/--ratings"));
}

#[test]
fn too_many_bad_rows_fails_naming_ratio_threshold_and_option() {
    // 1 bad row of 75 = 1.33% > the default 1%.
    let err = ingest(&with_bad_basics("bad-year"), &IngestOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        Error::TooManyBadRows {
            bad: 1,
            rows: 75,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "title.basics.tsv: 1 of 75 rows are bad (0.0133), above max_bad_row_ratio 0.01; \
         run `reelcast data validate` with the same inputs to see them by reason and line, or raise --max-bad-row-ratio"
    );
    let raised = IngestOptions {
        max_bad_row_ratio: 0.02,
        ..IngestOptions::default()
    };
    assert_eq!(
        ingest(&with_bad_basics("bad-year"), &raised)
            .unwrap()
            .movies
            .len(),
        3
    );
}

#[test]
fn empty_result_fails_showing_each_step() {
    let options = IngestOptions {
        min_votes: 1_000_000,
        ..IngestOptions::default()
    };
    let sources = DataSources::files(excerpt_basics(), excerpt_ratings());
    let err = ingest(&sources, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no movies left after filters (basics rows 75, after type filter 9, ratings rows 12, \
         after join 4, after votes filter 0, after year filter 0); check --title-types, --min-votes and --min-year"
    );
}
