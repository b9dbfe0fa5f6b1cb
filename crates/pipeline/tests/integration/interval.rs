//! The boosted model's 10th-90th percentile band on the real embedded sample: quantile
//! ensembles that cover their share of training ratings, bands that vary per movie and
//! hold about 80% of held-out ratings.

use reelcast_core::MovieInput;
use reelcast_features::FeatureSpec;
use reelcast_model::{BoostingParams, Dataset};
use reelcast_pipeline::{
    train, train_test_split, ModelKind, ModelParams, TrainOptions, BAND_LOWER_Q, BAND_UPPER_Q,
};

use crate::helpers::{sample, trained};

#[test]
fn quantile_ensembles_hold_their_share_of_training_ratings() {
    let data = sample();
    let split = train_test_split(data.movies.len(), 0.2, 42).unwrap();
    let inputs: Vec<MovieInput> = split
        .train
        .iter()
        .map(|&i| data.movies[i].input())
        .collect();
    let features = FeatureSpec::default().fit(&inputs).unwrap();
    let targets: Vec<f32> = split
        .train
        .iter()
        .map(|&i| data.movies[i].rating.get())
        .collect();
    let ds = Dataset::new(
        features.transform_batch(&inputs),
        features.width(),
        targets,
        features.names().to_vec(),
    )
    .unwrap();
    let ModelParams::GradientBoosting(params) = ModelParams::for_kind(ModelKind::GradientBoosting)
    else {
        unreachable!("asked for gradient boosting")
    };
    let params: BoostingParams = params;
    let model = params
        .check()
        .unwrap()
        .fit_with_interval(&ds, BAND_LOWER_Q, BAND_UPPER_Q)
        .unwrap();
    let (mut below_lower, mut below_upper) = (0usize, 0usize);
    for (i, &y) in ds.targets().iter().enumerate() {
        let [lo, hi] = model.predict_quantiles(ds.row(i)).unwrap();
        below_lower += usize::from(f64::from(y) < lo);
        below_upper += usize::from(f64::from(y) <= hi);
    }
    let n = ds.n_rows() as f64;
    let (lower_share, upper_share) = (below_lower as f64 / n, below_upper as f64 / n);
    // 80% of these rows fitted the ensembles; the other 20% calibrated them.
    assert!(lower_share <= 0.15, "{lower_share} below the 0.1 quantile");
    assert!(
        upper_share >= 0.85,
        "{upper_share} at or below the 0.9 quantile"
    );
}

#[test]
fn boosted_bands_contain_the_prediction_and_vary_between_movies() {
    let (bundle, _) = trained(ModelKind::GradientBoosting, 42);
    let mut widths = Vec::new();
    for m in sample().movies.iter().take(300) {
        let p = bundle.predict(&m.input());
        let band = p.band.expect("boosted models have a band");
        assert!(
            band.lower <= p.rating && p.rating <= band.upper,
            "{}: {band:?} vs {}",
            m.tconst,
            p.rating
        );
        widths.push(band.upper - band.lower);
    }
    let min = widths.iter().copied().fold(f64::INFINITY, f64::min);
    let max = widths.iter().copied().fold(0.0, f64::max);
    widths.sort_by(f64::total_cmp);
    widths.dedup();
    // Even with the helper's 15 rounds (150 by default) the bands differ per movie.
    assert!(
        max - min > 0.5 && widths.len() > 100,
        "{} distinct widths from {min} to {max}",
        widths.len()
    );
}

#[test]
fn default_boosted_band_holds_about_80_percent_of_held_out_ratings() {
    let data = sample();
    let (bundle, report) = train(&data.movies, &data.version, &TrainOptions::default()).unwrap();
    let i = report.metrics.interval.unwrap();
    assert_eq!(bundle.metadata.metrics.interval, Some(i));
    assert_eq!((i.n, i.nominal), (1229, 0.8));
    assert!((0.7..=0.9).contains(&i.coverage), "coverage {}", i.coverage);
    assert!(
        i.mean_width > 0.5 && i.mean_width < 3.0,
        "mean width {}",
        i.mean_width
    );
}

#[test]
fn forest_band_calibration_is_reported_too() {
    let (_, report) = trained(ModelKind::RandomForest, 42);
    let i = report.metrics.interval.unwrap();
    assert!(i.coverage > 0.0 && i.coverage < 1.0, "{i:?}");
    assert!(i.mean_width > 0.0, "{i:?}");
}
