use std::path::Path;

use reelcast_core::MovieInput;
use reelcast_pipeline::{evaluate, Error, ModelBundle, ModelKind};

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
fn boosted_model_has_no_fake_band() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    assert!(bundle.predict(&inputs()[0]).band.is_none());
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
