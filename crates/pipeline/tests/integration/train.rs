use reelcast_core::MovieRecord;
use reelcast_features::FeatureSpec;
use reelcast_pipeline::{movie_from_json, train, Error, ModelKind, TrainOptions};

use crate::helpers::{sample, small, trained};

#[test]
fn default_model_beats_the_mean_baseline_on_the_sample() {
    for kind in [ModelKind::RandomForest, ModelKind::GradientBoosting] {
        let (bundle, report) = trained(kind, 42);
        let m = &report.metrics;
        assert!(
            m.test.rmse < 0.85 * m.baseline.rmse,
            "{kind}: {} vs {}",
            m.test.rmse,
            m.baseline.rmse
        );
        assert!(m.test.r2 > 0.25, "{kind}: r2 {}", m.test.r2);
        assert_eq!(bundle.metadata.n_train + bundle.metadata.n_test, 6091);
        assert_eq!(bundle.metadata.n_test, 1229);
        assert_eq!(report.test_actual.len(), 1229);
        assert_eq!(bundle.metadata.model_kind, kind);
        let total: f64 = report.importances.iter().map(|i| i.1).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}

#[test]
fn full_features_beat_the_original_three_columns() {
    let data = sample();
    let original = TrainOptions {
        feature_spec: FeatureSpec::original(),
        ..small(ModelKind::RandomForest, 42)
    };
    let (_, base) = train(&data.movies, &data.version, &original).unwrap();
    let (_, full) = trained(ModelKind::RandomForest, 42);
    assert!(
        full.metrics.test.rmse < 0.9 * base.metrics.test.rmse,
        "{} vs {}",
        full.metrics.test.rmse,
        base.metrics.test.rmse
    );
}

#[test]
fn same_seed_and_data_give_identical_model_bytes() {
    for kind in [ModelKind::RandomForest, ModelKind::GradientBoosting] {
        let (a, _) = trained(kind, 7);
        let (b, _) = trained(kind, 7);
        assert_eq!(a.model_bytes().unwrap(), b.model_bytes().unwrap(), "{kind}");
        let (c, _) = trained(kind, 8);
        assert_ne!(a.model_bytes().unwrap(), c.model_bytes().unwrap(), "{kind}");
    }
}

#[test]
fn cross_validation_reports_every_fold() {
    let data = sample();
    let options = TrainOptions {
        cv_folds: Some(3),
        ..small(ModelKind::GradientBoosting, 42)
    };
    let (bundle, report) = train(&data.movies, &data.version, &options).unwrap();
    let cv = report.metrics.cv.unwrap();
    assert_eq!(cv.folds.len(), 3);
    assert!(cv.folds.iter().all(|f| f.rmse > 0.3 && f.rmse < 1.2));
    assert_eq!(
        cv.folds.iter().map(|f| f.n).sum::<usize>(),
        bundle.metadata.n_train
    );
}

#[test]
fn search_picks_the_candidate_with_the_lowest_cv_rmse() {
    let data = sample();
    let options = TrainOptions {
        search: true,
        cv_folds: Some(2),
        ..small(ModelKind::GradientBoosting, 42)
    };
    let (bundle, report) = train(&data.movies, &data.version, &options).unwrap();
    let candidates = report.search.unwrap();
    assert!(candidates.len() >= 4);
    let best = candidates
        .iter()
        .min_by(|a, b| a.cv.rmse_mean.total_cmp(&b.cv.rmse_mean))
        .unwrap();
    let chosen: serde_json::Value = serde_json::from_str(&bundle.metadata.params_json).unwrap();
    let best_lr = &best.params["gradient_boosting"]["learning_rate"];
    assert_eq!(&chosen["learning_rate"], best_lr);
}

#[test]
fn training_and_serving_build_identical_feature_rows() {
    let (bundle, _) = trained(ModelKind::RandomForest, 42);
    let movies: &[MovieRecord] = &sample().movies[..200];
    for m in movies {
        // Training path: the record's own input.
        let mut train_row = Vec::new();
        bundle.features.transform(&m.input(), &mut train_row);
        // Serving path: the same movie as a client would send it (JSON, API field names).
        let json = serde_json::json!({
            "title": m.primary_title,
            "startYear": m.start_year.map(|y| y.get()),
            "runtimeMinutes": m.runtime.map(|r| r.minutes()),
            "numVotes": m.votes.get(),
            "genres": m.genres.iter().map(|g| g.name()).collect::<Vec<_>>(),
            "titleType": m.title_type.name(),
            "isAdult": m.is_adult,
        });
        let (_, mut served) = movie_from_json(json.as_object().unwrap()).unwrap();
        // People arrive as nconst lists; their JSON parsing is wired by the server.
        let own = m.input();
        (served.directors, served.writers, served.cast) = (own.directors, own.writers, own.cast);
        let mut serve_row = Vec::new();
        bundle.features.transform(&served, &mut serve_row);
        assert_eq!(train_row, serve_row, "{}", m.tconst);
        assert_eq!(
            bundle.predict(&served).rating,
            bundle.predict(&m.input()).rating
        );
    }
}

#[test]
fn too_small_dataset_is_refused_before_training() {
    let data = sample();
    let err = train(
        &data.movies[..40],
        "ds-test",
        &small(ModelKind::RandomForest, 42),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::SplitTooSmall {
                rows: 40,
                n_test: 6,
                ..
            }
        ),
        "{err}"
    );
    assert!(matches!(
        train(&[], "ds-test", &TrainOptions::default()).unwrap_err(),
        Error::EmptyDataset
    ));
}
