//! Same seed and data give identical bytes on any thread count; serialization round trips.

use reelcast_model::{BoostingParams, ForestParams, GradientBoosting, RandomForest};

use crate::helpers::movie_like;

fn forest_bytes(seed: u64, threads: usize) -> Vec<u8> {
    let data = movie_like(600, 0.5, 1);
    let params = ForestParams::default()
        .n_trees(12)
        .max_features(0.5)
        .seed(seed)
        .check()
        .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let forest = pool.install(|| params.fit(&data)).unwrap();
    postcard::to_allocvec(&forest).unwrap()
}

fn boosting_bytes(seed: u64, threads: usize) -> Vec<u8> {
    let data = movie_like(3000, 0.5, 2);
    let params = BoostingParams::default()
        .n_trees(10)
        .subsample(0.7)
        .seed(seed)
        .check()
        .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let model = pool.install(|| params.fit(&data)).unwrap();
    postcard::to_allocvec(&model).unwrap()
}

#[test]
fn forest_bytes_depend_only_on_seed_and_data() {
    let a = forest_bytes(7, 1);
    assert_eq!(a, forest_bytes(7, 2), "1 vs 2 threads");
    assert_eq!(a, forest_bytes(7, 3), "1 vs 3 threads");
    assert_ne!(
        a,
        forest_bytes(8, 2),
        "different seeds give different forests"
    );
}

#[test]
fn boosting_bytes_depend_only_on_seed_and_data() {
    let a = boosting_bytes(7, 1);
    assert_eq!(a, boosting_bytes(7, 2), "1 vs 2 threads");
    assert_eq!(a, boosting_bytes(7, 3), "1 vs 3 threads");
    assert_ne!(
        a,
        boosting_bytes(8, 2),
        "different seeds give different models"
    );
}

fn interval_bytes(seed: u64, threads: usize) -> Vec<u8> {
    let data = movie_like(3000, 0.5, 2);
    let params = BoostingParams::default()
        .n_trees(10)
        .subsample(0.7)
        .seed(seed)
        .check()
        .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let model = pool
        .install(|| params.fit_with_interval(&data, 0.1, 0.9))
        .unwrap();
    postcard::to_allocvec(&model).unwrap()
}

#[test]
fn boosting_with_interval_bytes_depend_only_on_seed_and_data() {
    let a = interval_bytes(7, 1);
    assert_eq!(a, interval_bytes(7, 2), "1 vs 2 threads");
    assert_eq!(a, interval_bytes(7, 3), "1 vs 3 threads");
    assert_ne!(
        a,
        interval_bytes(8, 2),
        "different seeds give different models"
    );
    // The interval adds two ensembles of a third of the point model's rounds each.
    let point = boosting_bytes(7, 1);
    let ratio = a.len() as f64 / point.len() as f64;
    assert!(
        (1.4..1.9).contains(&ratio),
        "{} vs {}",
        a.len(),
        point.len()
    );
}

#[test]
fn postcard_round_trip_keeps_intervals() {
    let (train, test) = (movie_like(500, 0.5, 3), movie_like(100, 0.5, 4));
    let model = BoostingParams::default()
        .n_trees(8)
        .check()
        .unwrap()
        .fit_with_interval(&train, 0.1, 0.9)
        .unwrap();
    let back: GradientBoosting =
        postcard::from_bytes(&postcard::to_allocvec(&model).unwrap()).unwrap();
    assert_eq!(back, model);
    assert_eq!(
        back.predict_interval_batch(test.features()),
        model.predict_interval_batch(test.features())
    );
    assert_eq!(back.interval_quantiles(), Some((0.1, 0.9)));
}

#[test]
fn postcard_round_trip_keeps_predictions() {
    let (train, test) = (movie_like(500, 0.5, 3), movie_like(100, 0.5, 4));
    let forest = ForestParams::default()
        .n_trees(8)
        .check()
        .unwrap()
        .fit(&train)
        .unwrap();
    let boosting = BoostingParams::default()
        .n_trees(8)
        .check()
        .unwrap()
        .fit(&train)
        .unwrap();
    let forest2: RandomForest =
        postcard::from_bytes(&postcard::to_allocvec(&forest).unwrap()).unwrap();
    let boosting2: GradientBoosting =
        postcard::from_bytes(&postcard::to_allocvec(&boosting).unwrap()).unwrap();
    assert_eq!(forest2, forest);
    assert_eq!(
        forest2.predict_batch(test.features()),
        forest.predict_batch(test.features())
    );
    assert_eq!(
        boosting2.predict_batch(test.features()),
        boosting.predict_batch(test.features())
    );
    assert_eq!(forest2.feature_names(), train.feature_names());
}

#[test]
fn json_round_trip_keeps_predictions() {
    let train = movie_like(300, 0.5, 5);
    let forest = ForestParams::default()
        .n_trees(3)
        .check()
        .unwrap()
        .fit(&train)
        .unwrap();
    let back: RandomForest =
        serde_json::from_str(&serde_json::to_string(&forest).unwrap()).unwrap();
    assert_eq!(
        back.predict_batch(train.features()),
        forest.predict_batch(train.features())
    );
}

#[test]
fn corrupt_model_bytes_are_rejected_at_load() {
    let forest = ForestParams::default()
        .n_trees(2)
        .check()
        .unwrap()
        .fit(&movie_like(100, 0.5, 6))
        .unwrap();
    let mut json: serde_json::Value = serde_json::to_value(&forest).unwrap();
    // Point the root of the first tree back at itself: traversal would never end.
    json["trees"][0]["nodes"][0]["left"] = serde_json::json!(0);
    let err = serde_json::from_value::<RandomForest>(json).unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid model: node 0 splits feature"),
        "{err}"
    );
}

#[test]
fn fitted_models_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RandomForest>();
    assert_send_sync::<GradientBoosting>();
}
