//! `reelcast evaluate`: scoring a saved bundle, and refusing damaged bundles saying why.

use crate::helpers::{
    num, sample_arg, Sandbox, EXCERPT_BASICS, EXCERPT_RATINGS, SAMPLE_FILES, SAMPLE_MOVIES,
};

/// Bundle layout: magic (8) + format version (4) + payload length (8) + sha256 (32).
const HEADER_LEN: usize = 52;

#[test]
fn evaluate_json_scores_every_movie_of_the_embedded_sample() {
    let sandbox = Sandbox::new();
    let trained = sandbox.train("artifacts", &[]);

    let out = sandbox
        .run(["evaluate", "--model", "artifacts/model.bundle", "--json"])
        .json();

    assert_eq!(out["n"], SAMPLE_MOVIES);
    let (rmse, mae, r2) = (num(&out, "rmse"), num(&out, "mae"), num(&out, "r2"));
    assert!(
        rmse > 0.0 && mae > 0.0 && mae < rmse,
        "rmse {rmse} mae {mae}"
    );
    // 80% of these rows were trained on, so the fit is better than on the test split.
    assert!(
        rmse < num(&trained, "rmse"),
        "{rmse} vs test {}",
        trained["rmse"]
    );
    assert!(r2 > num(&trained, "r2") && r2 < 1.0, "r2 {r2}");
    assert_eq!(out["model_name"], "movie_rating_gbt");
    assert_eq!(out["dataset_version"], trained["dataset_version"]);
    assert_eq!(out["trained_on"], trained["dataset_version"]);
}

#[test]
fn evaluate_text_output_warns_when_scoring_the_training_dataset() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let run = sandbox.run(["evaluate"]).success();

    assert!(
        run.stdout
            .starts_with("movie_rating_gbt on the embedded sample (6091 titles, dataset ds-"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("these numbers are optimistic"),
        "{}",
        run.stdout
    );
}

#[test]
fn evaluate_scores_other_data_after_the_same_filters() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let out = sandbox
        .run([
            "evaluate",
            "--json",
            "--basics",
            EXCERPT_BASICS,
            "--ratings",
            EXCERPT_RATINGS,
        ])
        .json();

    assert_eq!(
        out["n"], 4,
        "the excerpt's four rated movies with >= 50 votes"
    );
    assert_ne!(out["dataset_version"], out["trained_on"]);
}

#[test]
fn damaged_bundles_are_refused_saying_why() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    let good = std::fs::read(sandbox.join("artifacts/model.bundle")).unwrap();
    assert!(good.len() > HEADER_LEN + 1000);

    let mut corrupt = good.clone();
    corrupt[HEADER_LEN + (good.len() - HEADER_LEN) / 2] ^= 0xff;
    let truncated = good[..good.len() / 2].to_vec();
    let header_only = good[..30].to_vec();
    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    let not_a_bundle = b"tconst\taverageRating\tnumVotes\n".to_vec();
    let payload = good.len() - HEADER_LEN;
    let cases = [
        (
            "corrupt",
            corrupt,
            "corrupt: payload checksum does not match".to_owned(),
        ),
        (
            "truncated",
            truncated,
            format!(
                "truncated: payload has {} of {payload} bytes",
                good.len() / 2 - HEADER_LEN
            ),
        ),
        (
            "header_only",
            header_only,
            "truncated: 30 bytes, header needs 52".to_owned(),
        ),
        (
            "newer",
            newer,
            "format version 99 is newer than this build reads (3); upgrade reelcast".to_owned(),
        ),
        (
            "not_a_bundle",
            not_a_bundle,
            "not a reelcast model bundle (missing RCBUNDLE header)".to_owned(),
        ),
    ];

    for (label, bytes, reason) in cases {
        let path = format!("{label}.bundle");
        sandbox.write(&path, bytes);

        let message = sandbox
            .run(["evaluate", "--model", &path, "--json"])
            .error();

        assert_eq!(
            message,
            format!("loading the model (train one with `reelcast train --out .`): model bundle {path}: {reason}"),
            "{label}"
        );
    }
}

#[test]
fn a_missing_bundle_suggests_training_into_its_directory() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run(["evaluate", "--model", "models/rf.bundle"])
        .error();

    assert!(
        message.starts_with(
            "loading the model (train one with `reelcast train --out models`): models/rf.bundle: "
        ),
        "{message}"
    );
}

#[test]
fn a_crew_model_without_people_files_warns_and_scores_with_the_prior() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox.copy_sample("imdb", &SAMPLE_FILES);
    let [basics, ratings, ..] = SAMPLE_FILES.map(sample_arg);

    let without = sandbox.run([
        "evaluate",
        "--json",
        "--basics",
        &basics,
        "--ratings",
        &ratings,
    ]);
    let with = sandbox.run(["evaluate", "--json", "--imdb-dir", "imdb"]);
    let text = sandbox
        .run(["evaluate", "--basics", &basics, "--ratings", &ratings])
        .success();

    let warning = "warning: movie_rating_gbt uses crew features but ";
    assert!(without.stderr.contains(warning), "{}", without.stderr);
    assert!(
        without
            .stderr
            .contains("pass --crew, --principals and --names (or --imdb-dir DIR)"),
        "{}",
        without.stderr
    );
    assert!(text.stderr.contains(warning), "{}", text.stderr);
    assert!(
        text.stdout.contains("rmse "),
        "scores all the same: {}",
        text.stdout
    );
    assert!(!with.stderr.contains("warning"), "{}", with.stderr);
    let (without, with) = (without.json(), with.json());
    assert_eq!(without["n"], SAMPLE_MOVIES);
    assert_eq!(without["crew_features_from_prior"], true);
    assert_eq!(with["crew_features_from_prior"], false);
    assert_eq!(
        with["feature_groups"],
        serde_json::json!(["basics", "crew"])
    );
    assert!(
        num(&with, "rmse") < num(&without, "rmse"),
        "the crew helps: {} vs {}",
        with["rmse"],
        without["rmse"]
    );
}

#[test]
fn a_basics_only_model_is_scored_without_a_warning() {
    let sandbox = Sandbox::new();
    let [basics, ratings, ..] = SAMPLE_FILES.map(sample_arg);
    sandbox.train("artifacts", &["--basics", &basics, "--ratings", &ratings]);

    let run = sandbox.run([
        "evaluate",
        "--json",
        "--basics",
        &basics,
        "--ratings",
        &ratings,
    ]);

    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(run.json()["crew_features_from_prior"], false);
}

#[test]
fn a_stricter_filter_on_a_processed_directory_scores_the_films_of_the_raw_files() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();

    let processed = sandbox
        .run([
            "evaluate",
            "--json",
            "--data",
            "processed",
            "--min-votes",
            "100000",
        ])
        .json();
    let raw = sandbox
        .run(["evaluate", "--json", "--min-votes", "100000"])
        .json();

    assert!(num(&raw, "n") < SAMPLE_MOVIES as f64, "{raw:#}");
    assert_eq!(processed["n"], raw["n"]);
    assert_eq!(processed["dataset_version"], raw["dataset_version"]);
    assert_eq!(processed["rmse"], raw["rmse"]);
}

#[test]
fn data_over_the_bad_row_limit_fails_the_gate_with_exit_1() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    let basics = crate::helpers::bad("bad-year", "title.basics.tsv");

    let run = sandbox.run([
        "evaluate",
        "--basics",
        &basics,
        "--ratings",
        EXCERPT_RATINGS,
    ]);

    assert_eq!(run.code, 1, "a failed gate exits 1: {}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: loading {basics} + {EXCERPT_RATINGS}: title.basics.tsv: 1 of 75 rows are bad (0.0133), above max_bad_row_ratio 0.01"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "no scores");
}

/// `crates/pipeline/tests/fixtures/gbt_format_v1.bundle`: a format-1 bundle, which held
/// out a seeded shuffle of the embedded sample's rows.
const FORMAT_1_BUNDLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../pipeline/tests/fixtures/gbt_format_v1.bundle"
);

/// `--held-out-only` on the data the model was trained on scores its test split: the
/// same films, and the metrics the training recorded (the sums differ only by the order
/// of the rows).
#[test]
fn held_out_only_on_the_training_data_scores_the_test_split_of_the_training_report() {
    let sandbox = Sandbox::new();
    let trained = sandbox.train("artifacts", &[]);

    let out = sandbox
        .run(["evaluate", "--held-out-only", "--json"])
        .json();
    let text = sandbox.run(["evaluate", "--held-out-only"]).success();

    assert_eq!(out["n"], trained["n_test"]);
    for key in ["rmse", "mae", "r2"] {
        let (scored, recorded) = (num(&out, key), num(&trained, key));
        assert!(
            (scored - recorded).abs() < 1e-9,
            "{key}: evaluate {scored} vs train {recorded}"
        );
    }
    assert_eq!(out["held_out_only"], true);
    assert_eq!(out["n_training_side"], 0);
    assert_eq!(out["dataset_version"], out["trained_on"]);
    assert!(
        text.stdout.starts_with(&format!(
            "movie_rating_gbt on the embedded sample ({} held-out titles of {SAMPLE_MOVIES}, dataset ds-",
            trained["n_test"]
        )),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("note:"), "{}", text.stdout);
}

/// A stricter filter gives another dataset version, yet every film it scores is a training
/// or a test row of the model: the training-side films are counted in a note, and
/// `--held-out-only` leaves them out.
#[test]
fn every_film_on_the_training_side_is_counted_in_a_note_whatever_the_dataset_version() {
    let sandbox = Sandbox::new();
    let trained = sandbox.train("artifacts", &[]);
    let filter = ["--min-votes", "100000"];

    let all = sandbox
        .run([&["evaluate", "--json"][..], &filter].concat())
        .json();
    let held_out = sandbox
        .run([&["evaluate", "--json", "--held-out-only"][..], &filter].concat())
        .json();
    let text = sandbox.run([&["evaluate"][..], &filter].concat()).success();
    let same_data = sandbox.run(["evaluate", "--json"]).json();

    assert_ne!(all["dataset_version"], all["trained_on"]);
    assert_eq!(all["held_out_only"], false);
    let (n, training_side) = (num(&all, "n"), num(&all, "n_training_side"));
    assert!(
        training_side > 0.0 && training_side < n,
        "{training_side} of {n}"
    );
    assert_eq!(num(&held_out, "n"), n - training_side);
    assert_eq!(held_out["n_training_side"], 0);
    assert!(
        text.stdout.contains(&format!(
            "note: {training_side} of the {n} films are on the training side of the model's held-out rule: if they were in its training data these numbers are optimistic; --held-out-only scores the {} it never trained on",
            n - training_side
        )),
        "{}",
        text.stdout
    );
    assert_eq!(same_data["n_training_side"], trained["n_train"]);
}

/// A processed directory of the films a basics-only model was trained on is another
/// dataset version that a version check alone would not recognise: its training rows are
/// still noted, and `--held-out-only` leaves them out.
#[test]
fn a_processed_directory_of_the_training_films_is_scored_with_the_note_or_held_out_only() {
    let sandbox = Sandbox::new();
    let [basics, ratings, ..] = SAMPLE_FILES.map(sample_arg);
    let trained = sandbox.train("artifacts", &["--basics", &basics, "--ratings", &ratings]);
    sandbox
        .run([
            "data",
            "ingest",
            "--basics",
            &basics,
            "--ratings",
            &ratings,
            "--out",
            "processed",
        ])
        .success();

    let text = sandbox.run(["evaluate", "--data", "processed"]).success();
    let held_out = sandbox
        .run([
            "evaluate",
            "--json",
            "--data",
            "processed",
            "--held-out-only",
        ])
        .json();

    assert!(
        text.stdout.contains(&format!(
            "note: {} of the {SAMPLE_MOVIES} films are on the training side",
            trained["n_train"]
        )),
        "{}",
        text.stdout
    );
    assert_eq!(held_out["n"], trained["n_test"]);
    assert!(
        (num(&held_out, "rmse") - num(&trained, "rmse")).abs() < 1e-9,
        "{} vs {}",
        held_out["rmse"],
        trained["rmse"]
    );
}

#[test]
fn held_out_only_refuses_a_seeded_split_bundle_on_another_dataset_saying_why() {
    let sandbox = Sandbox::new();

    let refused = sandbox.run([
        "evaluate",
        "--model",
        FORMAT_1_BUNDLE,
        "--held-out-only",
        "--min-votes",
        "100000",
    ]);
    let noted = sandbox
        .run([
            "evaluate",
            "--model",
            FORMAT_1_BUNDLE,
            "--min-votes",
            "100000",
        ])
        .success();
    let json = sandbox
        .run([
            "evaluate",
            "--model",
            FORMAT_1_BUNDLE,
            "--min-votes",
            "100000",
            "--json",
        ])
        .json();

    let message = refused.error();
    assert!(
        message.starts_with(
            "--held-out-only: movie_rating_gbt was trained with a seeded split on dataset "
        ) && message.contains("so which of dataset ")
            && message.contains(
                "'s films it trained on is unknown; evaluate it on its own dataset, or retrain it"
            ),
        "{message}"
    );
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert!(
        noted
            .stdout
            .contains("films it trained on is unknown: if they were in its training data these numbers are optimistic"),
        "{}",
        noted.stdout
    );
    assert_eq!(json["n_training_side"], serde_json::Value::Null);
}

/// The excerpt's four films are all on the training side of a 0.2 held-out rule.
#[test]
fn data_with_no_held_out_film_is_noted_and_refused_by_held_out_only() {
    let sandbox = Sandbox::new();
    // Basics-only, so that the excerpt's missing people files give no warning.
    let [basics, ratings, ..] = SAMPLE_FILES.map(sample_arg);
    sandbox.train("artifacts", &["--basics", &basics, "--ratings", &ratings]);
    let data = ["--basics", EXCERPT_BASICS, "--ratings", EXCERPT_RATINGS];

    let text = sandbox.run([&["evaluate"][..], &data].concat()).success();
    let refused = sandbox.run([&["evaluate", "--held-out-only"][..], &data].concat());

    assert!(
        text.stdout.contains("note: all 4 films are on the training side of the model's held-out rule: if they were in its training data these numbers are optimistic; none is held out for --held-out-only to score"),
        "{}",
        text.stdout
    );
    let message = refused.error();
    assert!(
        message.starts_with("--held-out-only: none of the 4 films of dataset ds-")
            && message.ends_with(" is held out from movie_rating_gbt (test fraction 0.2); score more films, or leave out --held-out-only and read the numbers as optimistic"),
        "{message}"
    );
}
