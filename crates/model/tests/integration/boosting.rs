//! Gradient boosting behaviour through the public API.

use reelcast_model::{metrics, BoostingParams, GradientBoosting};

use crate::helpers::{mean_predictions, movie_like, separable};

fn fit(params: BoostingParams, data: &reelcast_model::Dataset) -> GradientBoosting {
    params.check().unwrap().fit(data).unwrap()
}

#[test]
fn fits_separable_data_perfectly() {
    let data = separable();
    let model = fit(
        BoostingParams::default().n_trees(200).learning_rate(0.3),
        &data,
    );
    let rmse = metrics::rmse(&model.predict_batch(data.features()), data.targets());
    assert!(rmse < 1e-5, "training rmse {rmse}");
}

#[test]
fn beats_the_mean_predictor_on_noisy_nonlinear_data() {
    let (train, test) = (movie_like(3000, 0.5, 1), movie_like(1000, 0.5, 2));
    let model = fit(BoostingParams::default(), &train);
    let preds = model.predict_batch(test.features());
    let model_rmse = metrics::rmse(&preds, test.targets());
    let mean_rmse = metrics::rmse(&mean_predictions(&test), test.targets());
    assert!(
        model_rmse < 0.75 * mean_rmse,
        "boosting {model_rmse} vs mean {mean_rmse}"
    );
    assert!(metrics::r2(&preds, test.targets()) > 0.4);
}

#[test]
fn predict_batch_equals_predict_row_exactly() {
    let (train, test) = (movie_like(800, 0.5, 3), movie_like(300, 0.5, 4));
    let model = fit(BoostingParams::default().n_trees(30), &train);
    let batch = model.predict_batch(test.features());
    for (i, &b) in batch.iter().enumerate() {
        assert_eq!(b, model.predict_row(test.row(i)), "row {i}");
    }
}

#[test]
fn importances_sum_to_one_and_rank_signal_above_noise() {
    let model = fit(
        BoostingParams::default().n_trees(50),
        &movie_like(2000, 0.5, 5),
    );
    let imp = model.feature_importances();
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(imp[0] > imp[30] * 3.0, "f0 {} vs f30 {}", imp[0], imp[30]);
}

#[test]
fn contributions_and_tree_predictions_sum_to_the_prediction() {
    let (train, test) = (movie_like(1000, 0.5, 6), movie_like(50, 0.5, 7));
    let model = fit(
        BoostingParams::default().n_trees(40).l2_regularization(1.0),
        &train,
    );
    let mut per_tree = Vec::new();
    for i in 0..test.n_rows() {
        let row = test.row(i);
        let pred = model.predict_row(row);
        let c = model.contributions(row);
        assert!(
            (c.bias + c.values.iter().sum::<f64>() - pred).abs() < 1e-9,
            "row {i}"
        );
        model.tree_predictions(row, &mut per_tree);
        assert!(
            (model.init() + per_tree.iter().sum::<f64>() - pred).abs() < 1e-9,
            "row {i}"
        );
    }
}

#[test]
fn leaf_limit_caps_the_leaves_of_every_tree() {
    let data = movie_like(2000, 0.5, 8);
    let model = fit(
        BoostingParams::default().n_trees(5).max_leaf_nodes(Some(4)),
        &data,
    );
    // With 4 leaves a tree takes at most 4 distinct values over all rows.
    let mut values = std::collections::BTreeSet::new();
    let mut per_tree = Vec::new();
    for i in 0..data.n_rows() {
        model.tree_predictions(data.row(i), &mut per_tree);
        values.insert(per_tree[0].to_bits());
    }
    assert!(
        values.len() <= 4 && values.len() >= 2,
        "{} distinct",
        values.len()
    );
}

#[test]
fn row_and_feature_subsampling_and_depth_first_growth_work() {
    let (train, test) = (movie_like(2000, 0.5, 9), movie_like(500, 0.5, 10));
    let params = BoostingParams::default()
        .subsample(0.5)
        .max_features(0.5)
        .max_leaf_nodes(None)
        .max_depth(Some(4));
    let model = fit(params, &train);
    let preds = model.predict_batch(test.features());
    let mean_rmse = metrics::rmse(&mean_predictions(&test), test.targets());
    assert!(metrics::rmse(&preds, test.targets()) < 0.8 * mean_rmse);
}
