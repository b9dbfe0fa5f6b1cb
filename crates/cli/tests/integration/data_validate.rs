//! `reelcast data validate`: the report, the bad-row gate (exit 1), hard errors (exit 2),
//! and that it never touches its inputs.

use std::collections::BTreeMap;
use std::path::Path;

use crate::helpers::{
    bad, num, sample_file, sha256_file, Sandbox, EXCERPT_BASICS, EXCERPT_RATINGS, SAMPLE_MOVIES,
};

/// Name, size, SHA-256 and modification time of every file in `dir`.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, String, std::time::SystemTime)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let meta = std::fs::metadata(&path).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                (meta.len(), sha256_file(&path), meta.modified().unwrap()),
            )
        })
        .collect()
}

#[test]
fn validate_on_the_embedded_sample_passes_with_nulls_stats_and_genres() {
    let sandbox = Sandbox::new();

    let report = sandbox.run(["data", "validate", "--json"]).json();

    assert_eq!(report["passed"], true);
    assert_eq!(report["total_rows"], SAMPLE_MOVIES);
    assert_eq!(
        report["nulls"]["endYear"], SAMPLE_MOVIES,
        "movies have no end year"
    );
    assert_eq!(report["nulls"]["runtimeMinutes"], 36);
    assert_eq!(report["nulls"]["tconst"], 0);
    let rating = &report["stats"]["averageRating"];
    assert_eq!(rating["count"], SAMPLE_MOVIES);
    assert!((num(rating, "min") - 1.9).abs() < 1e-6, "{rating}");
    assert!((num(rating, "max") - 9.2).abs() < 1e-6, "{rating}");
    assert!((num(rating, "mean") - 6.6089).abs() < 1e-3, "{rating}");
    assert!(
        num(&report["stats"]["numVotes"], "min") >= 50.0,
        "the votes filter ran"
    );
    assert!(
        num(&report["stats"]["startYear"], "min") >= 1900.0,
        "the year filter ran"
    );
    assert_eq!(report["genres"]["Drama"], 3385);
    assert_eq!(report["genres"]["Comedy"], 2049);
    assert_eq!(
        report["genres"].as_object().unwrap().len(),
        24,
        "IMDb's 28 genres less Game-Show, Reality-TV, Short and Talk-Show"
    );
    assert_eq!(report["no_genre"], 5);
    assert_eq!(report["nulls"]["genres"], 5);
    assert_eq!(report["bad_rows"], serde_json::json!({}));
    assert_eq!(report["duplicate_tconsts"], serde_json::json!([]));
}

#[test]
fn validate_never_modifies_its_inputs() {
    let sandbox = Sandbox::new();
    let raw = sandbox.join("raw");
    std::fs::create_dir(&raw).unwrap();
    for name in ["title.basics.tsv.gz", "title.ratings.tsv.gz"] {
        std::fs::copy(sample_file(name), raw.join(name)).unwrap();
    }
    let before = snapshot(&raw);

    let run = sandbox.run(["data", "validate", "--data", "raw"]).success();
    let again = sandbox
        .run(["data", "validate", "--data", "raw", "--json"])
        .json();

    assert_eq!(snapshot(&raw), before, "same files, bytes and mtimes");
    assert_eq!(
        std::fs::read_dir(sandbox.path()).unwrap().count(),
        1,
        "nothing written beside raw/"
    );
    assert!(
        run.stdout.starts_with("validation PASSED: 6091 rows"),
        "{}",
        run.stdout
    );
    let sha = again["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(
        sha, before["title.basics.tsv.gz"].1,
        "the report hashes the raw bytes"
    );
}

/// (label, fixture case, which file is broken, bad-row reason, line, message).
const BROKEN: [(&str, &str, &str, &str, u64, &str); 4] = [
    (
        "invalid UTF-8",
        "invalid-utf8",
        "title.basics.tsv",
        "invalid_utf8",
        20,
        "row is not valid UTF-8 (byte 0xff at offset 18)",
    ),
    (
        "wrong column count",
        "wrong-column-count",
        "title.basics.tsv",
        "column_count",
        20,
        "row has 8 tab-separated fields, expected 9",
    ),
    (
        "19x5 year",
        "bad-year",
        "title.basics.tsv",
        "bad_year",
        20,
        "startYear \"19x5\" is not a whole number",
    ),
    (
        "negative votes",
        "negative-votes",
        "title.ratings.tsv",
        "bad_votes",
        3,
        "numVotes -317 is outside 0..=4294967295",
    ),
];

/// The validate arguments for a broken case, paired with the intact other file.
fn broken_args(case: &str, file: &str) -> Vec<String> {
    let broken = bad(case, file);
    let (basics, ratings) = if file == "title.basics.tsv" {
        (broken, EXCERPT_RATINGS.to_owned())
    } else {
        (EXCERPT_BASICS.to_owned(), broken)
    };
    [
        "data",
        "validate",
        "--json",
        "--basics",
        &basics,
        "--ratings",
        &ratings,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn broken_rows_are_reported_with_reason_file_and_line() {
    let sandbox = Sandbox::new();
    for (label, case, file, reason, line, message) in BROKEN {
        let run = sandbox.run(broken_args(case, file));

        // One bad row in 75 (basics) or 12 (ratings) is above the default 1%.
        assert_eq!(
            run.code, 1,
            "{label}: exit 1 over the threshold\n{}",
            run.stderr
        );
        let report = run.stdout_json();
        assert_eq!(report["passed"], false, "{label}");
        let bad_rows = report["bad_rows"].as_object().unwrap();
        assert_eq!(bad_rows.len(), 1, "{label}: only {reason} in {bad_rows:?}");
        let tally = &report["bad_rows"][reason];
        assert_eq!(tally["count"], 1, "{label}");
        assert_eq!(
            tally["examples"],
            serde_json::json!([{"file": file, "line": line, "message": message}]),
            "{label}"
        );
        let skipped: Vec<_> = report["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["name"].as_str().unwrap(), i["skipped"].as_u64().unwrap()))
            .collect();
        assert!(skipped.contains(&(file, 1)), "{label}: {skipped:?}");
    }
}

#[test]
fn the_bad_row_gate_follows_max_bad_row_ratio() {
    let sandbox = Sandbox::new();
    // One bad row of 12 in title.ratings: a ratio of 0.0833.
    let args = broken_args("negative-votes", "title.ratings.tsv");
    let with = |ratio: &str| {
        let mut a = args.clone();
        a.extend(["--max-bad-row-ratio".to_owned(), ratio.to_owned()]);
        sandbox.run(a)
    };

    let strict = with("0");
    let loose = with("0.1");

    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert_eq!(strict.stdout_json()["max_bad_row_ratio"], 0.0);
    assert_eq!(strict.stderr, "", "a gate failure is not an error");
    assert_eq!(loose.code, 0, "{}", loose.stderr);
    assert_eq!(loose.stdout_json()["passed"], true);
}

#[test]
fn validate_text_output_lists_the_verdict_and_each_bad_row() {
    let sandbox = Sandbox::new();
    let ratings = bad("negative-votes", "title.ratings.tsv");

    let run = sandbox.run([
        "data",
        "validate",
        "--basics",
        EXCERPT_BASICS,
        "--ratings",
        &ratings,
    ]);

    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("validation FAILED: 3 rows"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "  bad votes: 1\n    title.ratings.tsv line 3: numVotes -317 is outside 0..=4294967295"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file_and_suggesting_fetch() {
    let sandbox = Sandbox::new();
    let basics = bad("truncated-gzip", "title.basics.tsv.gz");

    let message = sandbox
        .run([
            "data",
            "validate",
            "--basics",
            &basics,
            "--ratings",
            EXCERPT_RATINGS,
        ])
        .error();

    assert!(message.starts_with("reading "), "{message}");
    assert!(
        message.contains(&format!(
            ": {basics} is truncated or corrupt; re-download it with `reelcast data fetch`: incomplete deflate stream"
        )),
        "{message}"
    );
}

#[test]
fn validate_reports_on_a_processed_directory_like_on_its_raw_files() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();
    let csv = sandbox.join("processed/movies_with_ratings.csv");
    let before = crate::helpers::sha256_file(&csv);

    let processed = sandbox
        .run(["data", "validate", "--data", "processed", "--json"])
        .json();
    let raw = sandbox.run(["data", "validate", "--json"]).json();

    assert_eq!(
        crate::helpers::sha256_file(&csv),
        before,
        "validate never writes"
    );
    assert_eq!(processed["passed"], true);
    assert_eq!(processed["total_rows"], 6091);
    for key in [
        "nulls",
        "stats",
        "genres",
        "counts",
        "duplicate_tconsts",
        "inputs",
    ] {
        assert_eq!(processed[key], raw[key], "{key}");
    }
}

#[test]
fn a_tampered_processed_directory_is_refused() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();
    let csv = sandbox.join("processed/movies_with_ratings.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("8.4", "9.4", 1);
    std::fs::write(&csv, text).unwrap();

    let message = sandbox
        .run(["data", "validate", "--data", "processed"])
        .error();

    assert!(message.starts_with("reading processed: "), "{message}");
    assert!(message.contains("differs from"), "{message}");
}

#[test]
fn validate_with_people_flags_reports_people_per_film_like_imdb_dir() {
    let sandbox = Sandbox::new();
    let excerpt = crate::helpers::EXCERPT_DIR;
    let file = |name: &str| format!("{excerpt}/{name}");

    let from_flags = sandbox
        .run([
            "data",
            "validate",
            "--json",
            "--basics",
            EXCERPT_BASICS,
            "--ratings",
            EXCERPT_RATINGS,
            "--crew",
            &file("title.crew.tsv"),
            "--principals",
            &file("title.principals.tsv"),
            "--names",
            &file("name.basics.tsv"),
        ])
        .json();
    let from_dir = sandbox
        .run(["data", "validate", "--json", "--imdb-dir", excerpt])
        .json();
    let basics_only = sandbox
        .run([
            "data",
            "validate",
            "--json",
            "--basics",
            EXCERPT_BASICS,
            "--ratings",
            EXCERPT_RATINGS,
        ])
        .json();

    let people = &from_flags["people"];
    assert_eq!(people["counts"]["films_with_people"], 4, "{people:#}");
    for role in ["directors", "writers", "cast"] {
        assert!(
            num(&people["per_film"][role], "mean") >= 1.0,
            "{role}: {people:#}"
        );
    }
    assert_eq!(from_dir["people"], from_flags["people"]);
    assert_eq!(from_dir["inputs"], from_flags["inputs"]);
    assert!(basics_only["people"].is_null(), "{basics_only:#}");
}

#[test]
fn data_directory_conflicts_with_the_people_flags() {
    let sandbox = Sandbox::new();

    let run = sandbox.run([
        "data",
        "validate",
        "--data",
        "processed",
        "--crew",
        "title.crew.tsv",
    ]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
}

#[test]
fn a_stricter_filter_on_a_processed_directory_reports_the_narrowed_counts() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();
    sandbox
        .run([
            "data",
            "ingest",
            "--title-types",
            "movie,short",
            "--out",
            "with-shorts",
        ])
        .success();
    // (label, processed directory, filter flags).
    let cases: [(&str, &str, &[&str]); 2] = [
        ("min votes", "processed", &["--min-votes", "100000"]),
        ("title types", "with-shorts", &["--title-types", "short"]),
    ];

    for (label, dir, filters) in cases {
        let mut processed = vec!["data", "validate", "--json", "--data", dir];
        processed.extend_from_slice(filters);
        let mut raw = vec!["data", "validate", "--json"];
        raw.extend_from_slice(filters);

        let narrowed = sandbox.run(&processed).json();
        let raw = sandbox.run(&raw).json();

        assert!(
            num(&raw, "total_rows") < SAMPLE_MOVIES as f64,
            "{label}: {}",
            raw["total_rows"]
        );
        assert_eq!(narrowed["total_rows"], raw["total_rows"], "{label}");
        assert_eq!(
            narrowed["counts"]["after_year_filter"], raw["total_rows"],
            "{label}"
        );
        for key in ["nulls", "stats", "genres", "people"] {
            assert_eq!(narrowed[key], raw[key], "{label}: {key}");
        }
    }
    let text = sandbox
        .run([
            "data",
            "validate",
            "--data",
            "processed",
            "--min-votes",
            "100000",
        ])
        .success();
    assert!(
        text.stdout.starts_with("validation PASSED: 435 rows\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("after join 6163, after votes filter 435, after year filter 435"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_filter_looser_than_a_processed_directorys_is_an_error() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();

    let message = sandbox
        .run([
            "data",
            "validate",
            "--data",
            "processed",
            "--title-types",
            "movie,tvSeries",
        ])
        .error();

    assert_eq!(
        message,
        "reading processed: --title-types movie,tvSeries is looser than the movie this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files with `reelcast data ingest --title-types movie,tvSeries`, or read them directly with --imdb-dir"
    );
}
