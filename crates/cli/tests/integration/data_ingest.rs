//! `reelcast data ingest`: the processed dataset, its version, the filters' edges, the
//! bad-row threshold, and the people files (one flag each or `--imdb-dir`).

use serde_json::Value;

use crate::helpers::{
    bad, sample_arg, Sandbox, EXCERPT_BASICS, EXCERPT_RATINGS, SAMPLE_FILES, SAMPLE_MOVIES,
};

const HEADER: &str = "tconst,titleType,primaryTitle,originalTitle,isAdult,startYear,endYear,runtimeMinutes,genres,averageRating,numVotes";

/// tconsts of a processed CSV, in file order (first field of each data row).
fn tconsts(csv: &str) -> Vec<&str> {
    csv.lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap())
        .collect()
}

/// Ingests `basics` + `ratings` with `extra` flags into `out` and returns the CSV text.
fn ingest(sandbox: &Sandbox, basics: &str, ratings: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "data",
        "ingest",
        "--basics",
        basics,
        "--ratings",
        ratings,
        "--out",
        "out",
    ];
    args.extend_from_slice(extra);
    sandbox.run(&args).success();
    sandbox.read("out/movies_with_ratings.csv")
}

#[test]
fn ingest_of_the_embedded_sample_writes_the_original_eleven_columns_and_all_rows() {
    let sandbox = Sandbox::new();

    let manifest = sandbox
        .run(["data", "ingest", "--out", "processed", "--json"])
        .json();

    let csv = sandbox.read("processed/movies_with_ratings.csv");
    assert_eq!(csv.lines().next(), Some(HEADER));
    assert_eq!(csv.lines().count() as u64 - 1, SAMPLE_MOVIES);
    assert_eq!(
        csv.lines().nth(1),
        Some("tt0012349,movie,The Kid,The Kid,0,1921,,68,\"Comedy,Drama,Family\",8.4,40584")
    );
    let on_disk: Value = serde_json::from_str(&sandbox.read("processed/manifest.json")).unwrap();
    assert_eq!(on_disk, manifest, "--json prints the manifest it wrote");
    assert_eq!(manifest["rows"], SAMPLE_MOVIES);
    assert_eq!(
        manifest["counts"],
        serde_json::json!({
            "basics_rows": 6208, "after_type_filter": 6173, "ratings_rows": 6197,
            "after_join": 6163, "after_votes_filter": 6091, "after_year_filter": 6091
        })
    );
    let names: Vec<_> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["title.basics.tsv.gz", "title.ratings.tsv.gz"]);
    assert_eq!(
        manifest["csv_sha256"],
        crate::helpers::sha256(csv.as_bytes()),
        "the manifest hashes the CSV it sits next to"
    );
}

#[test]
fn ingest_text_output_reports_rows_directory_and_version() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["data", "ingest"]).success();

    let manifest: Value =
        serde_json::from_str(&sandbox.read("data/processed/manifest.json")).unwrap();
    let version = manifest["dataset_version"].as_str().unwrap();
    assert!(
        run.stdout.contains(&format!(
            "wrote 6091 movies to data/processed (dataset {version})"
        )),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("skipped"),
        "the sample has no bad rows"
    );
}

#[test]
fn ingest_without_json_prints_a_human_summary_and_no_json() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["data", "ingest", "--out", "out"]).success();

    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("wrote 6091 movies to out (dataset ds-"),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines[1],
        "steps: basics rows 6208, after type filter 6173, ratings rows 6197, after join 6163, after votes filter 6091, after year filter 6091"
    );
    assert!(
        !run.stdout.contains(['{', '}', '"']),
        "no JSON without --json: {}",
        run.stdout
    );
}

#[test]
fn dataset_version_is_the_same_from_the_manifest_the_directory_and_the_embedded_sample() {
    let sandbox = Sandbox::new();
    let manifest = sandbox
        .run(["data", "ingest", "--out", "processed", "--json"])
        .json();

    let from_dir = sandbox.train("a", &["--data", "processed"]);
    let embedded = sandbox.train("b", &[]);

    assert_eq!(from_dir["dataset_version"], manifest["dataset_version"]);
    assert_eq!(embedded["dataset_version"], manifest["dataset_version"]);
    assert_eq!(
        from_dir["rmse"], embedded["rmse"],
        "same rows, same seed, same model"
    );
}

#[test]
fn editing_the_processed_csv_is_caught_by_the_version_check() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();
    let csv = sandbox.read("processed/movies_with_ratings.csv");
    sandbox.write(
        "processed/movies_with_ratings.csv",
        csv.replacen(",8.4,40584", ",9.4,40584", 1),
    );

    let message = sandbox.run(["train", "--data", "processed"]).error();

    assert!(
        message.contains("differs from")
            && message.contains(
                "the files were changed after ingest, re-create them with `reelcast data ingest`"
            ),
        "{message}"
    );
}

#[test]
fn forty_nine_votes_are_dropped_and_fifty_kept() {
    let sandbox = Sandbox::new();
    let ratings = bad("votes-edge", "title.ratings.tsv");

    let csv = ingest(&sandbox, EXCERPT_BASICS, &ratings, &[]);
    assert_eq!(tconsts(&csv), ["tt2363483", "tt2535470", "tt4586114"]);
    assert!(csv.contains("tt2363483,movie,Turbines,Turbines,0,2019,,84,\"Horror,Thriller\",3.1,50"));

    let csv = ingest(&sandbox, EXCERPT_BASICS, &ratings, &["--min-votes", "49"]);
    assert_eq!(
        tconsts(&csv),
        ["tt1754912", "tt2363483", "tt2535470", "tt4586114"],
        "--min-votes 49 keeps the 49-vote title"
    );
}

#[test]
fn year_1899_is_dropped_while_1900_and_null_years_are_kept() {
    let sandbox = Sandbox::new();
    let basics = bad("year-edge", "title.basics.tsv");

    let csv = ingest(&sandbox, &basics, EXCERPT_RATINGS, &[]);

    assert_eq!(tconsts(&csv), ["tt2363483", "tt2535470", "tt4586114"]);
    assert!(
        csv.contains("tt2363483,movie,Turbines,Turbines,0,1900,"),
        "{csv}"
    );
    assert!(
        csv.contains("tt2535470,movie,Wyrmwood: Road of the Dead,Wyrmwood,0,,,98,"),
        "the null year is written as an empty field: {csv}"
    );
}

#[test]
fn drop_null_years_drops_the_title_without_a_year() {
    let sandbox = Sandbox::new();
    let basics = bad("year-edge", "title.basics.tsv");

    let csv = ingest(&sandbox, &basics, EXCERPT_RATINGS, &["--drop-null-years"]);
    assert_eq!(tconsts(&csv), ["tt2363483", "tt4586114"]);

    let csv = ingest(&sandbox, &basics, EXCERPT_RATINGS, &["--min-year", "1899"]);
    assert_eq!(
        tconsts(&csv),
        ["tt1754912", "tt2363483", "tt2535470", "tt4586114"],
        "--min-year 1899 keeps 1899"
    );
}

#[test]
fn ingest_over_the_bad_row_threshold_fails_and_says_how_to_raise_it() {
    let sandbox = Sandbox::new();
    let basics = bad("bad-year", "title.basics.tsv");
    let args = [
        "data",
        "ingest",
        "--basics",
        &basics,
        "--ratings",
        EXCERPT_RATINGS,
        "--out",
        "out",
    ];

    let gate = sandbox.run(args);

    assert_eq!(gate.code, 1, "a failed gate exits 1: {}", gate.stderr);
    assert_eq!(
        gate.stderr.trim(),
        "error: ingesting IMDb files: title.basics.tsv: 1 of 75 rows are bad (0.0133), above max_bad_row_ratio 0.01; run `reelcast data validate` with the same inputs to see them by reason and line, or raise --max-bad-row-ratio"
    );
    assert!(!sandbox.join("out").exists(), "nothing written on failure");

    let raised = sandbox
        .run(args.iter().chain(&["--max-bad-row-ratio", "0.02"]))
        .success();
    assert!(
        raised.stdout.contains(
            "skipped 1 bad rows; run `reelcast data validate` with the same inputs for details"
        ),
        "{}",
        raised.stdout
    );
    let manifest: Value = serde_json::from_str(&sandbox.read("out/manifest.json")).unwrap();
    assert_eq!(manifest["bad_rows"], serde_json::json!({"bad_year": 1}));
    assert_eq!(manifest["rows"], 3, "tt1754912 (the 19x5 row) is skipped");
}

#[test]
fn bad_row_ratio_outside_zero_one_is_rejected() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run(["data", "ingest", "--max-bad-row-ratio", "1.5"])
        .error();

    assert_eq!(message, "--max-bad-row-ratio: 1.5 is not between 0 and 1");
}

/// The people files of a manifest: (name, rows) of each filtered file written.
fn people_files(manifest: &Value) -> Vec<(String, u64)> {
    manifest["people_files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_owned(),
                        f["rows"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn imdb_dir_ingests_every_file_present_like_the_flags_and_the_embedded_sample() {
    let sandbox = Sandbox::new();
    sandbox.copy_sample("imdb", &SAMPLE_FILES);
    let [basics, ratings, crew, principals, names] = SAMPLE_FILES.map(sample_arg);

    let from_dir = sandbox
        .run([
            "data",
            "ingest",
            "--imdb-dir",
            "imdb",
            "--out",
            "a",
            "--json",
        ])
        .json();
    let from_flags = sandbox
        .run([
            "data",
            "ingest",
            "--out",
            "b",
            "--json",
            "--basics",
            &basics,
            "--ratings",
            &ratings,
            "--crew",
            &crew,
            "--principals",
            &principals,
            "--names",
            &names,
        ])
        .json();
    let embedded = sandbox
        .run(["data", "ingest", "--out", "c", "--json"])
        .json();

    assert_eq!(from_dir["dataset_version"], from_flags["dataset_version"]);
    assert_eq!(from_dir["dataset_version"], embedded["dataset_version"]);
    let written = people_files(&from_dir);
    let written_names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        written_names,
        ["title.crew.tsv", "title.principals.tsv", "name.basics.tsv"]
    );
    assert!(written.iter().all(|(_, rows)| *rows > 0), "{written:?}");
    for (name, _) in &written {
        assert!(sandbox.join("a").join(name).is_file(), "{name} written");
    }
    assert_eq!(from_dir["people"]["counts"]["films_with_people"], 6090);
}

#[test]
fn imdb_dir_without_people_files_ingests_basics_only_as_before() {
    let sandbox = Sandbox::new();
    sandbox.copy_sample("imdb", &SAMPLE_FILES[..2]);

    let manifest = sandbox
        .run([
            "data",
            "ingest",
            "--imdb-dir",
            "imdb",
            "--out",
            "a",
            "--json",
        ])
        .json();
    let run = sandbox
        .run(["data", "ingest", "--imdb-dir", "imdb", "--out", "b"])
        .success();

    assert_eq!(manifest["rows"], SAMPLE_MOVIES);
    assert!(manifest["people"].is_null(), "{manifest:#}");
    assert!(people_files(&manifest).is_empty());
    assert!(!run.stdout.contains("people:"), "{}", run.stdout);
}

#[test]
fn imdb_dir_of_plain_tsv_files_finds_them_under_imdb_names() {
    let sandbox = Sandbox::new();

    let run = sandbox
        .run([
            "data",
            "ingest",
            "--imdb-dir",
            crate::helpers::EXCERPT_DIR,
            "--out",
            "out",
        ])
        .success();

    let manifest: Value = serde_json::from_str(&sandbox.read("out/manifest.json")).unwrap();
    assert_eq!(manifest["rows"], 4, "the excerpt's four rated movies");
    assert_eq!(people_files(&manifest).len(), 3, "{manifest:#}");
    assert!(
        run.stdout.contains("people: 4 films with people, "),
        "{}",
        run.stdout
    );
}

#[test]
fn imdb_dir_missing_title_ratings_names_the_missing_file_and_suggests_fetch() {
    let sandbox = Sandbox::new();
    sandbox.copy_sample("imdb", &["title.basics.tsv.gz", "title.crew.tsv.gz"]);

    let message = sandbox
        .run(["data", "ingest", "--imdb-dir", "imdb", "--out", "out"])
        .error();

    assert_eq!(
        message,
        "--imdb-dir: imdb has no title.ratings.tsv[.gz] (it holds title.basics.tsv.gz, title.crew.tsv.gz); download them with `reelcast data fetch --dir imdb`, or name the files with --basics and --ratings"
    );
    assert!(!sandbox.join("out").exists(), "nothing written on failure");
}

#[test]
fn a_missing_people_file_is_named() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run([
            "data",
            "ingest",
            "--basics",
            EXCERPT_BASICS,
            "--ratings",
            EXCERPT_RATINGS,
            "--crew",
            "nowhere/title.crew.tsv",
        ])
        .error();

    assert!(
        message.starts_with("ingesting IMDb files: nowhere/title.crew.tsv not found; "),
        "{message}"
    );
}

#[test]
fn imdb_dir_conflicts_with_the_single_file_flags() {
    let sandbox = Sandbox::new();

    for flag in ["--basics", "--ratings", "--crew", "--principals", "--names"] {
        let run = sandbox.run(["data", "ingest", "--imdb-dir", "imdb", flag, "x"]);

        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(
            run.stderr.contains("cannot be used with"),
            "{flag}: {}",
            run.stderr
        );
    }
}

#[test]
fn people_flags_need_basics_and_ratings() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["data", "ingest", "--crew", EXCERPT_BASICS]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("required arguments were not provided")
            && run.stderr.contains("--basics"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn ingested_files_get_the_mode_of_a_created_file() {
    let sandbox = Sandbox::new();

    sandbox.run(["data", "ingest", "--out", "out"]).success();

    let manifest: Value = serde_json::from_str(&sandbox.read("out/manifest.json")).unwrap();
    let people = people_files(&manifest).into_iter().map(|(name, _)| name);
    let written: Vec<String> = ["movies_with_ratings.csv", "manifest.json"]
        .map(str::to_owned)
        .into_iter()
        .chain(people)
        .collect();
    assert_eq!(written.len(), 5, "{written:?}");
    for name in written {
        let path = sandbox.join("out").join(&name);
        let (mode, created) = crate::data_fetch::mode_and_created_mode(&path, sandbox.path());
        assert_eq!(mode, created, "{name}");
    }
}
