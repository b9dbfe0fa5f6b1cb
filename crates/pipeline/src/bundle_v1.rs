//! Reading format-1 bundles, written before the boosted model had a band, and format-2
//! bundles, written before crew features: the payloads' shapes then, decoded and
//! converted to the current [`ModelBundle`] (basics-only, seeded-shuffle split). Postcard encodes
//! fields back to back with no names or lengths, so an old payload cannot be read as the
//! new shape with defaults; it needs this mirror of the old one.

use reelcast_features::{FittedFeatures, LegacyFeatureSpec, LegacyFittedFeatures};
use reelcast_model::{GradientBoosting, RandomForest};
use serde::Deserialize;

use crate::bundle::{BundleMetadata, ModelBundle};
use crate::metrics::{CvMetrics, Metrics, TrainMetrics};
use crate::model_kind::{ModelKind, TrainedModel};
use crate::split::HeldOutRule;

/// [`ModelBundle`] in format 1.
#[derive(Deserialize)]
pub(crate) struct ModelBundleV1 {
    metadata: BundleMetadataV1,
    features: LegacyFittedFeatures,
    model: TrainedModelV1,
}

/// [`ModelBundle`] in format 2: format-1 metadata with `interval`, no crew.
#[derive(Deserialize)]
pub(crate) struct ModelBundleV2 {
    metadata: BundleMetadataV2,
    features: LegacyFittedFeatures,
    model: TrainedModel,
}

/// [`BundleMetadata`] in format 2.
#[derive(Deserialize)]
struct BundleMetadataV2 {
    model_name: String,
    model_kind: ModelKind,
    params_json: String,
    seed: u64,
    test_fraction: f64,
    dataset_version: String,
    feature_spec: LegacyFeatureSpec,
    metrics: TrainMetrics,
    n_train: usize,
    n_test: usize,
    git_sha: Option<String>,
    reelcast_version: String,
    created_at: String,
}

impl From<ModelBundleV2> for ModelBundle {
    fn from(v2: ModelBundleV2) -> Self {
        let m = v2.metadata;
        ModelBundle {
            metadata: BundleMetadata {
                model_name: m.model_name,
                model_kind: m.model_kind,
                params_json: m.params_json,
                seed: m.seed,
                test_fraction: m.test_fraction,
                dataset_version: m.dataset_version,
                feature_spec: m.feature_spec.into(),
                metrics: m.metrics,
                n_train: m.n_train,
                n_test: m.n_test,
                git_sha: m.git_sha,
                reelcast_version: m.reelcast_version,
                created_at: m.created_at,
                heldout_rule: HeldOutRule::SeededShuffle,
            },
            features: FittedFeatures::from(v2.features),
            model: v2.model,
        }
    }
}

/// [`BundleMetadata`] in format 1: the same fields, metrics without `interval`.
#[derive(Deserialize)]
struct BundleMetadataV1 {
    model_name: String,
    model_kind: ModelKind,
    params_json: String,
    seed: u64,
    test_fraction: f64,
    dataset_version: String,
    feature_spec: LegacyFeatureSpec,
    metrics: TrainMetricsV1,
    n_train: usize,
    n_test: usize,
    git_sha: Option<String>,
    reelcast_version: String,
    created_at: String,
}

/// [`TrainMetrics`] in format 1.
#[derive(Deserialize)]
struct TrainMetricsV1 {
    test: Metrics,
    baseline: Metrics,
    cv: Option<CvMetrics>,
}

/// [`TrainedModel`] in format 1: the boosted model without quantile ensembles.
#[derive(Deserialize)]
enum TrainedModelV1 {
    RandomForest(RandomForest),
    GradientBoosting(
        #[serde(deserialize_with = "GradientBoosting::deserialize_without_interval")]
        GradientBoosting,
    ),
}

impl From<ModelBundleV1> for ModelBundle {
    fn from(v1: ModelBundleV1) -> Self {
        let m = v1.metadata;
        ModelBundle {
            metadata: BundleMetadata {
                model_name: m.model_name,
                model_kind: m.model_kind,
                params_json: m.params_json,
                seed: m.seed,
                test_fraction: m.test_fraction,
                dataset_version: m.dataset_version,
                feature_spec: m.feature_spec.into(),
                metrics: TrainMetrics {
                    test: m.metrics.test,
                    baseline: m.metrics.baseline,
                    cv: m.metrics.cv,
                    interval: None,
                },
                n_train: m.n_train,
                n_test: m.n_test,
                git_sha: m.git_sha,
                reelcast_version: m.reelcast_version,
                created_at: m.created_at,
                heldout_rule: HeldOutRule::SeededShuffle,
            },
            features: FittedFeatures::from(v1.features),
            model: match v1.model {
                TrainedModelV1::RandomForest(f) => TrainedModel::RandomForest(f),
                TrainedModelV1::GradientBoosting(g) => TrainedModel::GradientBoosting(g),
            },
        }
    }
}
