//! The train use case: split, fit features, optional CV and search, fit, score, bundle.

use std::collections::HashMap;
use std::time::Instant;

use reelcast_core::{MovieInput, MovieRecord};
use reelcast_features::{FeatureSpec, FittedFeatures};
use reelcast_model::Dataset;
use serde::{Deserialize, Serialize};

use crate::bundle::{BundleMetadata, ModelBundle};
use crate::metrics::{CvMetrics, IntervalMetrics, Metrics, TrainMetrics};
use crate::model_kind::{ModelKind, BAND_LOWER_Q, BAND_UPPER_Q};
use crate::params::{search_grid, ModelParams};
use crate::split::{heldout_split, k_folds, HeldOutRule};
use crate::{Error, Result};

/// Folds used by `--search` when `--cv` is not given.
const DEFAULT_SEARCH_FOLDS: usize = 3;

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Model family and its hyperparameters (the seed inside is replaced by `seed`).
    pub params: ModelParams,
    /// Seed for the model and the order of training rows (never which films are held
    /// out: see [`heldout_split`]). Default 42.
    pub seed: u64,
    /// Held-out share, strictly between 0 and 1. Default 0.2.
    pub test_fraction: f64,
    /// k for k-fold cross-validation on the training split; `None` skips it.
    pub cv_folds: Option<usize>,
    /// Grid-search hyperparameters, scored by cross-validation RMSE.
    pub search: bool,
    /// Which features to build.
    pub feature_spec: FeatureSpec,
    /// Git commit to record, when known.
    pub git_sha: Option<String>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            params: ModelParams::default(),
            seed: 42,
            test_fraction: 0.2,
            cv_folds: None,
            search: false,
            feature_spec: FeatureSpec::default(),
            git_sha: None,
        }
    }
}

/// One hyperparameter candidate scored during `--search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchCandidate {
    /// The candidate's parameters, as JSON.
    pub params: serde_json::Value,
    /// Its cross-validation scores.
    pub cv: CvMetrics,
}

/// What training produced besides the bundle: everything the report shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainReport {
    /// Held-out, baseline and CV metrics.
    pub metrics: TrainMetrics,
    /// Search candidates in grid order, when `--search` ran.
    pub search: Option<Vec<SearchCandidate>>,
    /// `(feature, importance)` sorted by importance, descending.
    pub importances: Vec<(String, f64)>,
    /// Test-split actual ratings, for plots.
    pub test_actual: Vec<f32>,
    /// Test-split predicted ratings (clipped), for plots.
    pub test_predicted: Vec<f64>,
    /// Seconds spent fitting the final model (with its band's quantile ensembles).
    pub fit_seconds: f64,
    /// tconsts of the training rows (not written to report.json).
    #[serde(skip)]
    pub train_tconsts: Vec<String>,
}

struct Prepared {
    features: FittedFeatures,
    data: Dataset,
}

/// primaryName by nconst, for the people table.
fn person_names(movies: &[MovieRecord], rows: &[usize]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for &i in rows {
        let c = &movies[i].credits;
        for p in c.directors.iter().chain(&c.writers).chain(&c.cast) {
            if let Some(name) = &p.name {
                names
                    .entry(p.nconst.clone())
                    .or_insert_with(|| name.clone());
            }
        }
    }
    names
}

/// Fits features on `rows` and builds their training matrix (crew columns out of fold).
fn prepare(spec: &FeatureSpec, movies: &[MovieRecord], rows: &[usize]) -> Result<Prepared> {
    let inputs: Vec<MovieInput> = rows.iter().map(|&i| movies[i].input()).collect();
    let targets: Vec<f32> = actual(movies, rows);
    let features = spec.fit_rated(&inputs, &targets, &person_names(movies, rows))?;
    let data = Dataset::new(
        features.transform_training(&inputs, &targets),
        features.width(),
        targets,
        features.names().to_vec(),
    )?;
    Ok(Prepared { features, data })
}

fn actual(movies: &[MovieRecord], rows: &[usize]) -> Vec<f32> {
    rows.iter().map(|&i| movies[i].rating.get()).collect()
}

/// Fits features and a model on `train` rows and scores them on `valid` rows.
fn fit_and_score(
    spec: &FeatureSpec,
    params: &ModelParams,
    movies: &[MovieRecord],
    train: &[usize],
    valid: &[usize],
) -> Result<Metrics> {
    let prepared = prepare(spec, movies, train)?;
    let model = params.fit_point(&prepared.data)?;
    let inputs: Vec<MovieInput> = valid.iter().map(|&i| movies[i].input()).collect();
    let predicted: Vec<f64> = model
        .predict_batch(&prepared.features.transform_batch(&inputs))
        .into_iter()
        .map(|p| p.clamp(1.0, 10.0))
        .collect();
    Ok(Metrics::compute(&predicted, &actual(movies, valid)))
}

fn cross_validate(
    spec: &FeatureSpec,
    params: &ModelParams,
    movies: &[MovieRecord],
    train: &[usize],
    k: usize,
) -> Result<CvMetrics> {
    let folds = k_folds(train, k)?
        .iter()
        .map(|(t, v)| fit_and_score(spec, params, movies, t, v))
        .collect::<Result<Vec<_>>>()?;
    Ok(CvMetrics::from_folds(folds))
}

/// Trains a model on `movies` (already ingested and filtered) and returns the bundle and
/// its report. `dataset_version` is recorded in the bundle.
#[tracing::instrument(skip_all, fields(model = %options.params.kind(), rows = movies.len()))]
pub fn train(
    movies: &[MovieRecord],
    dataset_version: &str,
    options: &TrainOptions,
) -> Result<(ModelBundle, TrainReport)> {
    if movies.is_empty() {
        return Err(Error::EmptyDataset);
    }
    let tconsts: Vec<&str> = movies.iter().map(|m| m.tconst.as_str()).collect();
    let split = heldout_split(&tconsts, options.test_fraction, options.seed)?;
    let spec = &options.feature_spec;
    let mut params = options.params.clone().with_seed(options.seed);

    let mut search = None;
    if options.search {
        let k = options.cv_folds.unwrap_or(DEFAULT_SEARCH_FOLDS);
        let mut candidates = Vec::new();
        for candidate in search_grid(&params) {
            let cv = cross_validate(spec, &candidate, movies, &split.train, k)?;
            tracing::info!(params = %candidate.to_json(), rmse = cv.rmse_mean, "search candidate");
            candidates.push((candidate, cv));
        }
        let best = candidates
            .iter()
            .min_by(|a, b| a.1.rmse_mean.total_cmp(&b.1.rmse_mean))
            .map(|(p, _)| p.clone())
            .expect("the search grid is never empty");
        params = best;
        search = Some(
            candidates
                .into_iter()
                .map(|(p, cv)| SearchCandidate {
                    params: p.to_json(),
                    cv,
                })
                .collect::<Vec<_>>(),
        );
    }
    let cv = match options.cv_folds {
        Some(k) => Some(cross_validate(spec, &params, movies, &split.train, k)?),
        None => None,
    };

    let prepared = prepare(spec, movies, &split.train)?;
    let started = Instant::now();
    let model = params.fit(&prepared.data)?;
    let fit_seconds = started.elapsed().as_secs_f64();
    tracing::info!(fit_seconds, "model fitted");

    let test_inputs: Vec<MovieInput> = split.test.iter().map(|&i| movies[i].input()).collect();
    let test_actual = actual(movies, &split.test);
    let test_matrix = prepared.features.transform_batch(&test_inputs);
    let test_predicted: Vec<f64> = model
        .predict_batch(&test_matrix)
        .into_iter()
        .map(|p| p.clamp(1.0, 10.0))
        .collect();
    // Scored as served: bounds clipped to the rating scale.
    let interval = model.band_batch(&test_matrix).map(|bands| {
        let clipped: Vec<(f64, f64)> = bands
            .iter()
            .map(|b| (b.lower.clamp(1.0, 10.0), b.upper.clamp(1.0, 10.0)))
            .collect();
        IntervalMetrics::compute(BAND_UPPER_Q - BAND_LOWER_Q, &clipped, &test_actual)
    });
    if let Some(i) = &interval {
        tracing::info!(
            coverage = i.coverage,
            mean_width = i.mean_width,
            "test-split 10th-90th percentile band"
        );
    }
    let train_mean = prepared
        .data
        .targets()
        .iter()
        .map(|t| f64::from(*t))
        .sum::<f64>()
        / prepared.data.n_rows() as f64;
    let metrics = TrainMetrics {
        test: Metrics::compute(&test_predicted, &test_actual),
        baseline: Metrics::compute(&vec![train_mean; test_actual.len()], &test_actual),
        cv,
        interval,
    };

    let mut importances: Vec<(String, f64)> = prepared
        .features
        .names()
        .iter()
        .cloned()
        .zip(model.feature_importances())
        .collect();
    importances.sort_by(|a, b| b.1.total_cmp(&a.1));

    let kind = model.kind();
    let bundle = ModelBundle {
        metadata: BundleMetadata {
            model_name: model_name(kind),
            model_kind: kind,
            params_json: model.params_json().to_string(),
            seed: options.seed,
            test_fraction: options.test_fraction,
            dataset_version: dataset_version.to_owned(),
            feature_spec: *spec,
            metrics: metrics.clone(),
            n_train: split.train.len(),
            n_test: split.test.len(),
            git_sha: options.git_sha.clone(),
            reelcast_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: now_rfc3339(),
            heldout_rule: HeldOutRule::TconstHash,
        },
        features: prepared.features,
        model,
    };
    let report = TrainReport {
        metrics,
        search,
        importances,
        test_actual,
        test_predicted,
        fit_seconds,
        train_tconsts: split
            .train
            .iter()
            .map(|&i| movies[i].tconst.to_string())
            .collect(),
    };
    Ok((bundle, report))
}

/// Registered-model name for a family: `movie_rating_rf` or `movie_rating_gbt`.
pub fn model_name(kind: ModelKind) -> String {
    format!("movie_rating_{}", kind.short_name())
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned())
}
