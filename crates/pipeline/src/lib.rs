//! reelcast's use cases: load a dataset, train, evaluate, predict, save and load bundles.
//!
//! This is the one crate that knows every other: it turns ingested
//! [`MovieRecord`](reelcast_core::MovieRecord)s into features (`reelcast-features`), fits
//! a tree ensemble (`reelcast-model`) and packs both, with metadata, into a
//! [`ModelBundle`] that serving loads without rebuilding features its own way.
//!
//! - [`load_dataset`]: embedded sample, raw IMDb files, or a processed directory;
//! - [`train`]: seeded split, optional k-fold CV and grid search, held-out metrics next to
//!   a mean-predictor baseline; [`write_report`] adds JSON and SVG plots;
//! - [`evaluate`]: score a saved bundle on any dataset; [`evaluate_rows`] with
//!   [`held_out_rows`] on only the films it never trained on;
//! - [`predict_file`] / [`ModelBundle::predict`]: score files or single movies.
//!
//! - [`track`]: the tracked use case: train, log the run, register, promote (with the
//!   offline `pending-run.json`, `serve`'s first start and the collection of killed runs).
//!
//! Graph: `{data, features, model, registry} -> pipeline -> cli`.
//!
//! ```
//! use reelcast_pipeline::{load_dataset, train, DataSource, ModelParams, TrainOptions};
//! use reelcast_data::IngestOptions;
//!
//! let data = load_dataset(&DataSource::Embedded, &IngestOptions::default())?;
//! let options = TrainOptions { params: ModelParams::default().with_trees(10), ..Default::default() };
//! let (bundle, report) = train(&data.movies, &data.version, &options)?;
//! assert!(report.metrics.test.rmse < report.metrics.baseline.rmse);
//! assert_eq!(bundle.metadata.dataset_version, data.version);
//! # Ok::<(), reelcast_pipeline::Error>(())
//! ```

#![forbid(unsafe_code)]

mod atomic_file;
mod bundle;
mod bundle_v1;
mod compare;
mod dataset;
mod error;
mod evaluate;
mod metrics;
mod model_kind;
mod params;
mod predict;
mod report;
mod request;
mod split;
pub mod track;
mod train;

pub use bundle::{BundleMetadata, ModelBundle, Prediction, BUNDLE_FORMAT_VERSION, BUNDLE_MAGIC};
pub use compare::{comparison_rows, held_out_rows, trained_on};
pub use dataset::{load_dataset, raw_sources, DataSource, LoadedDataset, PeopleFiles};
pub use error::{Error, Result};
pub use evaluate::{evaluate, evaluate_rows};
pub use metrics::{CvMetrics, IntervalMetrics, Metrics, TrainMetrics};
pub use model_kind::{Band, ModelKind, TrainedModel, BAND_LOWER_Q, BAND_UPPER_Q};
pub use params::{search_grid, ModelParams};
pub use predict::{
    predict_file, predict_objects, round2, write_predictions, FileFormat, PredictOutcome,
    PredictedRow, RejectedRow,
};
pub use report::write_report;
pub use request::{movie_from_json, present_text, string_list_schema, FieldProblem, MovieRequest};
pub use split::{
    heldout_score, heldout_split, k_folds, train_test_split, HeldOutRule, Split, MIN_TEST_ROWS,
    MIN_TRAIN_ROWS,
};
pub use train::{model_name, train, SearchCandidate, TrainOptions, TrainReport};
