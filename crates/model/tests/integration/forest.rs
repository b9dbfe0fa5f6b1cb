//! Random forest behaviour through the public API.

use reelcast_model::{metrics, ForestParams, RandomForest};

use crate::helpers::{mean_predictions, movie_like, separable};

fn fit(n_trees: usize, data: &reelcast_model::Dataset) -> RandomForest {
    ForestParams::default()
        .n_trees(n_trees)
        .check()
        .unwrap()
        .fit(data)
        .unwrap()
}

#[test]
fn fits_separable_data_perfectly() {
    let data = separable();
    let forest = fit(20, &data);
    let rmse = metrics::rmse(&forest.predict_batch(data.features()), data.targets());
    assert!(rmse < 1e-6, "training rmse {rmse}");
}

#[test]
fn beats_the_mean_predictor_on_noisy_nonlinear_data() {
    let (train, test) = (movie_like(3000, 0.5, 1), movie_like(1000, 0.5, 2));
    let forest = fit(50, &train);
    let preds = forest.predict_batch(test.features());
    let model_rmse = metrics::rmse(&preds, test.targets());
    let mean_rmse = metrics::rmse(&mean_predictions(&test), test.targets());
    assert!(
        model_rmse < 0.75 * mean_rmse,
        "forest {model_rmse} vs mean {mean_rmse}"
    );
    assert!(metrics::r2(&preds, test.targets()) > 0.4);
}

#[test]
fn predict_batch_equals_predict_row_exactly() {
    let (train, test) = (movie_like(800, 0.5, 3), movie_like(300, 0.5, 4));
    let forest = fit(13, &train);
    let batch = forest.predict_batch(test.features());
    for (i, &b) in batch.iter().enumerate() {
        assert_eq!(b, forest.predict_row(test.row(i)), "row {i}");
    }
}

#[test]
fn importances_sum_to_one_and_rank_signal_above_noise() {
    let forest = fit(30, &movie_like(2000, 0.5, 5));
    let imp = forest.feature_importances();
    assert_eq!(imp.len(), 45);
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // f0 drives the target through sin(3 x); f30 is pure noise.
    assert!(imp[0] > imp[30] * 3.0, "f0 {} vs f30 {}", imp[0], imp[30]);
}

#[test]
fn contributions_sum_to_the_prediction() {
    let (train, test) = (movie_like(1000, 0.5, 6), movie_like(50, 0.5, 7));
    let forest = fit(20, &train);
    for i in 0..test.n_rows() {
        let row = test.row(i);
        let c = forest.contributions(row);
        let total = c.bias + c.values.iter().sum::<f64>();
        assert!((total - forest.predict_row(row)).abs() < 1e-9, "row {i}");
    }
}

#[test]
fn interval_brackets_the_mean_and_has_width_on_noisy_data() {
    let (train, test) = (movie_like(1000, 1.0, 8), movie_like(50, 1.0, 9));
    let forest = fit(40, &train);
    let mut per_tree = Vec::new();
    for i in 0..test.n_rows() {
        let row = test.row(i);
        let iv = forest.predict_interval(row, 0.1, 0.9);
        assert!(
            iv.lower <= iv.mean && iv.mean <= iv.upper,
            "row {i}: {iv:?}"
        );
        assert!(iv.upper - iv.lower > 0.05, "row {i}: degenerate {iv:?}");
        assert!((iv.mean - forest.predict_row(row)).abs() < 1e-9);
        forest.tree_predictions(row, &mut per_tree);
        assert_eq!(per_tree.len(), 40);
    }
}

#[test]
fn feature_subsampling_and_depth_limits_change_the_model() {
    let data = movie_like(500, 0.5, 10);
    let base = fit(10, &data);
    let sub = ForestParams::default()
        .n_trees(10)
        .max_features(0.3)
        .check()
        .unwrap()
        .fit(&data)
        .unwrap();
    let shallow = ForestParams::default()
        .n_trees(10)
        .max_depth(Some(2))
        .check()
        .unwrap()
        .fit(&data)
        .unwrap();
    let row = data.row(0);
    assert_ne!(base.predict_row(row), sub.predict_row(row));
    // A depth-2 tree has at most 4 leaves, so its predictions take at most 4 values.
    let mut first_tree = std::collections::BTreeSet::new();
    let mut preds = Vec::new();
    for i in 0..data.n_rows() {
        shallow.tree_predictions(data.row(i), &mut preds);
        first_tree.insert(preds[0].to_bits());
    }
    assert!(
        first_tree.len() <= 4,
        "{} distinct values",
        first_tree.len()
    );
    assert_eq!(shallow.params().max_depth(), Some(2));
}

#[test]
fn rows_without_bootstrap_and_a_single_row_still_fit() {
    let data = movie_like(1, 0.5, 11);
    let forest = ForestParams::default()
        .n_trees(3)
        .bootstrap(false)
        .check()
        .unwrap()
        .fit(&data)
        .unwrap();
    assert_eq!(
        forest.predict_row(data.row(0)),
        f64::from(data.targets()[0])
    );
    assert_eq!(
        forest.feature_importances(),
        vec![0.0; 45],
        "no tree ever split"
    );
}

#[test]
#[should_panic(expected = "row has 2 features, the forest was trained on 45")]
fn predicting_a_row_of_the_wrong_width_panics() {
    let forest = fit(2, &movie_like(50, 0.5, 12));
    forest.predict_row(&[1.0, 2.0]);
}
