use super::fit::{boost, Loss};
use super::*;
use crate::binning::BinnedMatrix;
use crate::boosting_params::BoostingParams;
use rand::{Rng, SeedableRng};

/// 2000 rows, y = 5 + 3 x0 + noise whose spread grows with x1.
fn heteroscedastic() -> Dataset {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..2000 {
        let (a, b): (f32, f32) = (rng.random(), rng.random());
        let noise: f32 = rng.random::<f32>() - 0.5;
        x.extend_from_slice(&[a, b]);
        y.push(5.0 + 3.0 * a + 4.0 * b * noise);
    }
    Dataset::new(x, 2, y, vec!["a".into(), "b".into()]).unwrap()
}

#[test]
fn pinball_boosting_puts_the_target_share_below_each_quantile_in_sample() {
    let data = heteroscedastic();
    let params = BoostingParams::default().n_trees(60).check().unwrap();
    let binned = BinnedMatrix::fit(&data, params.max_bins());
    for alpha in [0.1, 0.5, 0.9] {
        let b = boost(&params, &data, &binned, Loss::Pinball(alpha), 0);
        let q = b.into_quantile(alpha, 2);
        let preds = q.predict_rows(data.features(), 2);
        let below = preds
            .iter()
            .zip(data.targets())
            .filter(|(p, &y)| f64::from(y) <= **p)
            .count() as f64
            / data.n_rows() as f64;
        assert!((below - alpha).abs() < 0.03, "alpha {alpha}: {below} below");
    }
}

#[test]
fn interval_fit_keeps_the_point_model_and_widens_with_the_noise() {
    let data = heteroscedastic();
    let params = BoostingParams::default().n_trees(60).check().unwrap();
    let plain = params.fit(&data).unwrap();
    let with = params.fit_with_interval(&data, 0.1, 0.9).unwrap();
    assert_eq!(
        with.predict_batch(data.features()),
        plain.predict_batch(data.features())
    );
    assert!(plain.predict_interval(data.row(0)).is_none());
    // True 10%-90% width is 0.8 * 4 * b: 0.32 at b = 0.1, 2.88 at b = 0.9.
    let narrow = with.predict_interval(&[0.5, 0.1]).unwrap();
    let wide = with.predict_interval(&[0.5, 0.9]).unwrap();
    assert!(narrow.upper - narrow.lower < 1.0, "{narrow:?}");
    assert!(wide.upper - wide.lower > 2.0, "{wide:?}");
    let batch = with.predict_interval_batch(data.features()).unwrap();
    for (i, iv) in batch.iter().enumerate().step_by(97) {
        assert_eq!(Some(*iv), with.predict_interval(data.row(i)), "row {i}");
        assert!(
            iv.lower <= iv.mean && iv.mean <= iv.upper,
            "row {i}: {iv:?}"
        );
    }
}

#[test]
fn one_scorer_over_all_three_ensembles_gives_the_walks_intervals_bit_for_bit() {
    // 200 point and 2 x 67 quantile trees: two scorer blocks, the lower ensemble split
    // between them.
    let data = heteroscedastic();
    let model = BoostingParams::default()
        .n_trees(200)
        .max_leaf_nodes(Some(15))
        .check()
        .unwrap()
        .fit_with_interval(&data, 0.1, 0.9)
        .unwrap();
    assert!(model.banded.is_some());
    let walked = GradientBoosting {
        banded: None,
        ..model.clone()
    };
    let mut rows: Vec<[f32; 2]> = (0..data.n_rows())
        .map(|i| [data.row(i)[0], data.row(i)[1]])
        .collect();
    rows.extend([[f32::NAN, 0.5], [0.5, f32::NAN], [-1e9, 1e9]]);
    for row in &rows {
        assert_eq!(
            model.predict_interval(row),
            walked.predict_interval(row),
            "{row:?}"
        );
    }
}

#[test]
fn interval_takes_a_third_of_the_rounds_and_older_full_size_intervals_still_load() {
    let data = heteroscedastic();
    let params = BoostingParams::default().n_trees(60).check().unwrap();
    let model = params.fit_with_interval(&data, 0.1, 0.9).unwrap();
    let interval = model.interval.as_deref().unwrap();
    assert_eq!(interval.lower.trees.len(), 20);
    assert_eq!(interval.upper.trees.len(), 20);
    assert!((interval_params(&params).unwrap().learning_rate() - 0.3).abs() < 1e-12);
    // JSON keeps the validation's message (postcard reports only that it failed).
    let load = |m: &GradientBoosting| {
        serde_json::from_str::<GradientBoosting>(&serde_json::to_string(m).unwrap())
    };
    assert_eq!(load(&model).unwrap(), model);

    // Saved before the interval took fewer rounds: as many quantile trees as point trees.
    let binned = BinnedMatrix::fit(&data, params.max_bins());
    let mut older = model.clone();
    let full =
        |alpha| boost(&params, &data, &binned, Loss::Pinball(alpha), 0).into_quantile(alpha, 2);
    let i = older.interval.as_deref_mut().unwrap();
    (i.lower, i.upper) = (full(0.1), full(0.9));
    let loaded = load(&older).unwrap();
    assert_eq!(loaded.interval.as_deref().unwrap().lower.trees.len(), 60);
    assert!(loaded.predict_interval(data.row(0)).is_some());

    // Any other count, or two different counts, is a damaged model.
    let mut damaged = model.clone();
    damaged.interval.as_deref_mut().unwrap().upper.trees.pop();
    let err = load(&damaged).unwrap_err().to_string();
    assert!(err.contains("20 and 19 trees"), "{err}");
    let i = damaged.interval.as_deref_mut().unwrap();
    i.lower.trees.pop();
    let err = load(&damaged).unwrap_err().to_string();
    assert!(err.contains("has 19 trees, params allow [20, 60]"), "{err}");
}

#[test]
fn interval_quantiles_must_increase_inside_zero_one() {
    let data = heteroscedastic();
    let params = BoostingParams::default().n_trees(2).check().unwrap();
    for (lo, hi) in [(0.9, 0.1), (0.0, 0.9), (0.1, 1.0), (0.5, 0.5)] {
        let err = params.fit_with_interval(&data, lo, hi).unwrap_err();
        assert_eq!(
            err,
            Error::IntervalQuantiles {
                lower_q: lo,
                upper_q: hi
            }
        );
    }
    assert_eq!(
        Error::IntervalQuantiles {
            lower_q: 0.9,
            upper_q: 0.1
        }
        .to_string(),
        "interval quantiles are 0.9 and 0.1, must satisfy 0 < lower < upper < 1"
    );
}
