//! `reelcast evaluate`: scoring a saved bundle, and refusing damaged bundles saying why.

use crate::helpers::{num, Sandbox, EXCERPT_BASICS, EXCERPT_RATINGS, SAMPLE_MOVIES};

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
