//! Scoring a bundle on the films it never trained on (`evaluate --held-out-only`).

use std::collections::HashSet;
use std::path::Path;

use reelcast_pipeline::{
    evaluate, evaluate_rows, held_out_rows, train_test_split, Error, HeldOutRule, ModelBundle,
    ModelKind,
};

use crate::helpers::{sample, trained};

/// `tests/fixtures/gbt_format_v1.bundle`, which held out a seeded shuffle of its rows.
fn format_1_bundle() -> ModelBundle {
    ModelBundle::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gbt_format_v1.bundle"),
    )
    .unwrap()
}

#[test]
fn held_out_rows_are_the_test_split_and_score_as_training_did() {
    let data = sample();
    let (bundle, report) = trained(ModelKind::GradientBoosting, 42);

    let rows = held_out_rows(&bundle, &data.movies, &data.version).unwrap();
    let m = evaluate_rows(&bundle, &data.movies, &rows).unwrap();

    let training: HashSet<&str> = report.train_tconsts.iter().map(String::as_str).collect();
    assert_eq!(rows.len(), bundle.metadata.n_test);
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "in dataset order");
    assert!(rows
        .iter()
        .all(|&i| !training.contains(data.movies[i].tconst.as_str())));
    let recorded = report.metrics.test;
    assert_eq!(m.n, recorded.n);
    // The same predictions of the same films, summed in another order.
    for (label, scored, expected) in [
        ("rmse", m.rmse, recorded.rmse),
        ("mae", m.mae, recorded.mae),
        ("r2", m.r2, recorded.r2),
    ] {
        assert!(
            (scored - expected).abs() < 1e-9,
            "{label}: {scored} vs {expected}"
        );
    }
}

#[test]
fn held_out_rows_of_a_tconst_rule_do_not_depend_on_the_dataset() {
    let data = sample();
    let (bundle, _) = trained(ModelKind::RandomForest, 7);
    let every_other: Vec<_> = data.movies.iter().step_by(2).cloned().collect();

    let all = held_out_rows(&bundle, &data.movies, &data.version).unwrap();
    let half = held_out_rows(&bundle, &every_other, "another version").unwrap();

    let expected: Vec<usize> = all.iter().filter(|&&i| i % 2 == 0).map(|i| i / 2).collect();
    assert_eq!(half, expected);
}

#[test]
fn evaluate_is_evaluate_rows_over_every_row() {
    let data = sample();
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let every: Vec<usize> = (0..data.movies.len()).collect();

    assert_eq!(
        evaluate(&bundle, &data.movies).unwrap(),
        evaluate_rows(&bundle, &data.movies, &every).unwrap()
    );
    assert!(matches!(
        evaluate_rows(&bundle, &data.movies, &[]),
        Err(Error::EmptyDataset)
    ));
}

#[test]
fn a_seeded_split_bundle_holds_out_its_test_rows_on_its_own_dataset_only() {
    let data = sample();
    let mut old = format_1_bundle();
    assert_eq!(old.metadata.heldout_rule, HeldOutRule::SeededShuffle);

    let err = held_out_rows(&old, &data.movies, "ds-other").unwrap_err();
    old.metadata.dataset_version = data.version.clone();
    let rows = held_out_rows(&old, &data.movies, &data.version).unwrap();

    assert_eq!(
        err.to_string(),
        format!(
            "--held-out-only: movie_rating_gbt was trained with a seeded split on dataset {}, so which of dataset ds-other's films it trained on is unknown; evaluate it on its own dataset, or retrain it with this reelcast (films are held out by tconst)",
            format_1_bundle().metadata.dataset_version
        )
    );
    let meta = &old.metadata;
    let mut test = train_test_split(data.movies.len(), meta.test_fraction, meta.seed)
        .unwrap()
        .test;
    test.sort_unstable();
    assert_eq!(rows, test);
}

#[test]
fn held_out_only_refuses_data_with_no_held_out_film() {
    let data = sample();
    let (bundle, report) = trained(ModelKind::GradientBoosting, 42);
    let training: HashSet<&str> = report.train_tconsts.iter().map(String::as_str).collect();
    let seen: Vec<_> = data
        .movies
        .iter()
        .filter(|m| training.contains(m.tconst.as_str()))
        .take(50)
        .cloned()
        .collect();

    let err = held_out_rows(&bundle, &seen, "ds-seen").unwrap_err();

    assert_eq!(
        err.to_string(),
        "--held-out-only: none of the 50 films of dataset ds-seen is held out from movie_rating_gbt (test fraction 0.2); score more films, or leave out --held-out-only and read the numbers as optimistic"
    );
}
