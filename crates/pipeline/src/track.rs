//! The tracked training use case: train -> log the run and end it FINISHED -> register ->
//! promote (a version only ever points at a FINISHED run with all its artifacts), with the
//! offline fallback (`pending-run.json`, replayed by [`push_pending`]), the first-start
//! registration of `serve` ([`register_default_if_missing`]) and the collection of runs
//! whose process was killed ([`collect_stale_runs`]).
//!
//! Credentials: a tracking URI may carry `user:password@`; it is used to connect and
//! never shown or stored: messages, logs, results and `pending-run.json` hold
//! [`redact_uri`]'s or [`strip_userinfo`]'s form, and pending files are 0600.
//!
//! ```
//! use reelcast_pipeline::track::{train_tracked, TrackOptions, TrainRequest, RegisterOptions};
//! use reelcast_pipeline::{DataSource, ModelParams, TrainOptions};
//!
//! let dir = tempfile::tempdir().expect("a temporary directory");
//! let request = TrainRequest {
//!     source: DataSource::Embedded,
//!     ingest: Default::default(),
//!     train: TrainOptions { params: ModelParams::default().with_trees(5), ..Default::default() },
//!     out_dir: dir.path().join("artifacts"),
//! };
//! let tracking = TrackOptions {
//!     register: Some(RegisterOptions::new("movie_rating_gbt")),
//!     ..TrackOptions::new(&format!("sqlite:///{}", dir.path().join("r.db").display()))
//! };
//! let trained = train_tracked(&request, &tracking)?;
//! let registered = trained.registered.expect("registered");
//! assert!(registered.first_champion);
//! assert_eq!(registered.version.version, 1);
//! # Ok::<(), reelcast_pipeline::track::Error>(())
//! ```
//!
//! [`redact_uri`]: reelcast_registry::redact_uri
//! [`strip_userinfo`]: reelcast_registry::strip_userinfo

mod first_start;
mod liveness;
mod model_folder;
mod push;
mod record;
mod register;
mod run;

pub use first_start::register_default_if_missing;
pub use liveness::{
    collect_stale_runs, host_name, is_stale, liveness, owner_tags, resolve_run_id, CollectedRun,
    Liveness, HOST_TAG, PID_TAG, PROCESS_START_TAG,
};
pub use model_folder::{
    dataset_input, mlmodel, model_description, signature, version_description, VersionFacts,
    BUNDLE_FILE, DATASET_NAME, MLMODEL_ARTIFACT, MODEL_DIR, MODEL_FEATURE_SPEC_ARTIFACT,
};
pub use push::{push_pending, Pushed};
pub use record::{
    write_atomic, write_private, ArtifactFile, RegisterRequest, RunRecord, PENDING_RUN_FILE,
    PUSHED_RUN_FILE,
};
pub use register::{
    compare_on_held_out, promote_if_better, register, Comparison, Promotion, Registered,
};
pub use run::{train_tracked, Pending, TrackedTraining};

use std::time::Duration;

use reelcast_data::IngestOptions;
use reelcast_registry::{OpenOptions, CHAMPION};

use crate::{DataSource, TrainOptions};

/// Artifact path of the bundle inside a run, in the model folder [`MODEL_DIR`].
pub const BUNDLE_ARTIFACT: &str = "model/model.bundle";
/// Run tag: why a run FAILED or was KILLED.
pub const FAILURE_REASON_TAG: &str = "reelcast.failure_reason";
/// How many of an experiment's newest runs a `train` checks for stale ones.
pub const TRAIN_GC_LIMIT: usize = 100;

/// Why a tracked use case failed. Messages hold no credentials.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tracking backend failed or refused.
    #[error("{context}")]
    Registry {
        /// What was being done.
        context: String,
        /// The backend's error.
        #[source]
        source: reelcast_registry::Error,
    },
    /// Loading data, training, scoring or saving failed.
    #[error("{context}")]
    Pipeline {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: crate::Error,
    },
    /// A local file could not be read or written.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The run ended FINISHED with all its artifacts, then registering it as a version,
    /// setting its aliases or `--promote-if-better` failed: the run stays FINISHED, and
    /// the context says what was registered.
    #[error("{context}")]
    Registration {
        /// The FINISHED run.
        run_id: String,
        /// What was done and what was not.
        context: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// A request that cannot be carried out, naming the value and the rule.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub(crate) fn registry(context: impl Into<String>, source: reelcast_registry::Error) -> Self {
        Self::Registry {
            context: reelcast_registry::redact_text(&context.into()),
            source,
        }
    }

    pub(crate) fn pipeline(context: impl Into<String>, source: crate::Error) -> Self {
        Self::Pipeline {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// Whether the tracking backend could not be reached (as opposed to a refusal).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Registry {
                source: reelcast_registry::Error::Unavailable(_),
                ..
            }
        )
    }

    /// The error and its causes, `: `-separated, credentials redacted: what a FAILED run
    /// records and a message shows.
    pub fn chain(&self) -> String {
        error_chain(self)
    }
}

/// `e` and its sources, `: `-separated, with credentialed URIs redacted.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    reelcast_registry::redact_text(&text)
}

/// This module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where and how to track.
#[derive(Debug, Clone)]
pub struct TrackOptions {
    /// Tracking URI (may carry credentials; only shown redacted).
    pub tracking_uri: String,
    /// How to open the backend.
    pub open: OpenOptions,
    /// Experiment name. Default `imdb_movie_rating`.
    pub experiment: String,
    /// Registration, or None to only log the run.
    pub register: Option<RegisterOptions>,
}

impl TrackOptions {
    /// Tracking to `uri` in experiment `imdb_movie_rating`, no registration.
    pub fn new(uri: &str) -> Self {
        Self {
            tracking_uri: uri.to_owned(),
            open: OpenOptions {
                timeout: Duration::from_secs(10),
                ..OpenOptions::default()
            },
            experiment: "imdb_movie_rating".into(),
            register: None,
        }
    }
}

/// What `--register` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterOptions {
    /// Registered model name.
    pub model_name: String,
    /// Alias to point at the new version (not `champion` with `promote_if_better`).
    pub alias: Option<String>,
    /// Move `champion` only when the new version scores better on held-out rows.
    pub promote_if_better: bool,
}

impl RegisterOptions {
    /// Registering as `model_name`, no alias, no comparison.
    pub fn new(model_name: &str) -> Self {
        Self {
            model_name: model_name.to_owned(),
            alias: None,
            promote_if_better: false,
        }
    }

    fn check(&self) -> Result<()> {
        if self.promote_if_better && self.alias.as_deref() == Some(CHAMPION) {
            return Err(Error::Invalid(format!(
                "--alias {CHAMPION} would promote the new version whatever its RMSE; drop it to let --promote-if-better decide"
            )));
        }
        Ok(())
    }
}

/// What to train on and how.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    /// The data.
    pub source: DataSource,
    /// Filters applied while loading it.
    pub ingest: IngestOptions,
    /// Training options (params, seed, split, CV, search, feature spec, git sha).
    pub train: TrainOptions,
    /// Where the bundle, report and `pending-run.json` go.
    pub out_dir: std::path::PathBuf,
}
