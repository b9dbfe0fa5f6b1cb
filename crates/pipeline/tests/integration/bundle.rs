use std::path::Path;

use reelcast_core::MovieInput;
use reelcast_pipeline::{
    evaluate, movie_from_json, predict_objects, round2, Error, ModelBundle, ModelKind,
    BUNDLE_FORMAT_VERSION,
};

use crate::helpers::{sample, trained};

fn inputs() -> Vec<MovieInput> {
    sample()
        .movies
        .iter()
        .take(300)
        .map(|m| m.input())
        .collect()
}

#[test]
fn save_and_load_give_equal_predictions_for_both_families() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [ModelKind::RandomForest, ModelKind::GradientBoosting] {
        let (bundle, _) = trained(kind, 42);
        let path = dir.path().join(format!("{kind}.bundle"));
        bundle.save(&path).unwrap();
        let loaded = ModelBundle::load(&path).unwrap();
        assert_eq!(loaded.metadata, bundle.metadata);
        assert_eq!(
            loaded.predict_batch(&inputs()),
            bundle.predict_batch(&inputs())
        );
        for input in inputs().iter().take(20) {
            assert_eq!(loaded.predict(input), bundle.predict(input));
        }
    }
}

#[test]
fn batch_and_single_predictions_agree() {
    let (bundle, _) = trained(ModelKind::RandomForest, 42);
    let batch = bundle.predict_batch(&inputs());
    let mut width = 0.0;
    for (input, b) in inputs().iter().zip(&batch) {
        let single = bundle.predict(input);
        assert!((single.rating - b).abs() < 1e-9);
        assert!((1.0..=10.0).contains(&single.rating));
        // The trees' 10th-90th percentile, widened to reach the prediction when votes are skewed.
        let band = single.band.unwrap();
        assert!(
            band.lower <= single.rating && single.rating <= band.upper,
            "{band:?} vs {}",
            single.rating
        );
        width += band.upper - band.lower;
    }
    let mean_width = width / batch.len() as f64;
    assert!(
        mean_width > 0.3 && mean_width < 4.0,
        "mean band width {mean_width}"
    );
}

#[test]
fn boosted_bands_from_single_and_file_predictions_agree() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let objects: Vec<_> = sample().movies[..200]
        .iter()
        .map(|m| {
            serde_json::json!({
                "startYear": m.start_year.map(|y| y.get()),
                "runtimeMinutes": m.runtime.map(|r| r.minutes()),
                "numVotes": m.votes.get(),
                "genres": m.genres.iter().map(|g| g.name()).collect::<Vec<_>>(),
                "titleType": m.title_type.name(),
            })
            .as_object()
            .unwrap()
            .clone()
        })
        .collect();
    let outcome = predict_objects(&bundle, &objects);
    assert_eq!(outcome.predictions.len(), 200);
    for (p, m) in outcome.predictions.iter().zip(&sample().movies) {
        let (_, input) = movie_from_json(&objects[p.row]).unwrap();
        let single = bundle.predict(&input);
        let band = single.band.expect("boosted models have a band");
        assert_eq!(p.lower, Some(round2(band.lower)), "{}", m.tconst);
        assert_eq!(p.upper, Some(round2(band.upper)), "{}", m.tconst);
        assert_eq!(p.predicted_rating, round2(single.rating));
    }
}

/// `tests/fixtures/gbt_format_v1.bundle`: `reelcast train --trees 5` (gbt, seed 42) on the
/// embedded sample, written by a build whose bundles are format 1.
#[test]
fn format_1_bundle_still_loads_with_its_predictions_and_no_boosted_band() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gbt_format_v1.bundle");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 1);
    let old = ModelBundle::load(&path).unwrap();
    assert_eq!(old.metadata.model_kind, ModelKind::GradientBoosting);
    assert_eq!(old.metadata.seed, 42);
    assert!(old.metadata.metrics.interval.is_none());
    // Ratings the format-1 build printed for these two movies (`reelcast predict`).
    for (json, expected) in [
        (
            serde_json::json!({"startYear": 1999, "runtimeMinutes": 120, "numVotes": 50000,
                "genres": ["Drama", "Crime"], "titleType": "movie", "isAdult": false}),
            6.65,
        ),
        (
            serde_json::json!({"startYear": 2015, "runtimeMinutes": 95, "numVotes": 800,
                "genres": ["Horror"], "titleType": "movie", "isAdult": false}),
            6.30,
        ),
    ] {
        let (_, input) = movie_from_json(json.as_object().unwrap()).unwrap();
        let p = old.predict(&input);
        assert_eq!(round2(p.rating), expected, "{json}");
        assert!(p.band.is_none(), "a format-1 boosted model has no band");
    }
    // Saved again, it is a current-format bundle with the same predictions.
    let resaved = old.to_bytes().unwrap();
    assert_eq!(
        u32::from_le_bytes(resaved[8..12].try_into().unwrap()),
        BUNDLE_FORMAT_VERSION
    );
    let back = ModelBundle::from_bytes(&resaved, &path).unwrap();
    assert_eq!(back.predict_batch(&inputs()), old.predict_batch(&inputs()));
}

fn expect_invalid(bytes: &[u8], needle: &str) {
    let err = ModelBundle::from_bytes(bytes, Path::new("m.bundle")).unwrap_err();
    assert!(matches!(err, Error::BundleInvalid { .. }), "{err}");
    assert!(
        err.to_string().contains(needle),
        "{err} should mention {needle:?}"
    );
}

#[test]
fn corrupt_truncated_newer_and_foreign_files_are_refused_with_the_reason() {
    let (bundle, _) = trained(ModelKind::RandomForest, 42);
    let bytes = bundle.to_bytes().unwrap();
    assert!(ModelBundle::from_bytes(&bytes, Path::new("m.bundle")).is_ok());

    let mut corrupt = bytes.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0xff;
    expect_invalid(&corrupt, "corrupt");
    expect_invalid(&bytes[..bytes.len() - 10], "truncated");
    expect_invalid(&bytes[..30], "truncated");
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    expect_invalid(&newer, "newer than this build reads");
    let mut zero = bytes.clone();
    zero[8..12].copy_from_slice(&0u32.to_le_bytes());
    expect_invalid(&zero, "format version 0 does not exist");
    expect_invalid(b"{\"not\": \"a bundle\"}", "not a reelcast model bundle");
    let mut extra = bytes;
    extra.push(0);
    expect_invalid(&extra, "unexpected bytes");
}

#[test]
fn loading_a_missing_bundle_names_the_path() {
    let err = ModelBundle::load(Path::new("/nonexistent/model.bundle")).unwrap_err();
    assert_eq!(err.to_string(), "/nonexistent/model.bundle");
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert!(cause.is_some_and(|c| c.contains("No such file")));
}

#[test]
fn saving_replaces_the_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/model.bundle");
    let (a, _) = trained(ModelKind::GradientBoosting, 1);
    a.save(&path).unwrap();
    let (b, _) = trained(ModelKind::GradientBoosting, 2);
    b.save(&path).unwrap();
    assert_eq!(ModelBundle::load(&path).unwrap().metadata.seed, 2);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
}

#[test]
fn evaluate_scores_every_row_and_matches_the_test_split_metric_shape() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let m = evaluate(&bundle, &sample().movies).unwrap();
    assert_eq!(m.n, 6091);
    assert!(m.rmse > 0.3 && m.rmse < 0.9, "{}", m.rmse);
    assert!(m.r2 > 0.3);
}
