//! [`AppState`]: the served model behind an atomic swap, and the request limits.

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use reelcast_pipeline::ModelBundle;
use sha2::{Digest, Sha256};

use crate::metrics::Metrics;
use crate::startup::ServerSettings;
use crate::stats::Stats;

/// A loaded bundle and the version string derived from it.
#[derive(Debug)]
pub struct LoadedModel {
    /// The bundle.
    pub bundle: ModelBundle,
    /// First 12 hex digits of the SHA-256 of the fitted features and model: equal for
    /// equal models, whatever their timestamps.
    pub version: String,
}

impl LoadedModel {
    /// Wraps a bundle, computing its version.
    pub fn new(bundle: ModelBundle) -> reelcast_pipeline::Result<Self> {
        let digest = Sha256::digest(bundle.model_bytes()?);
        let version = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self { bundle, version })
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    model: Arc<ArcSwapOption<LoadedModel>>,
    settings: Arc<ServerSettings>,
    metrics: Metrics,
    stats: Stats,
}

impl AppState {
    /// A state with no model yet (`/health/ready` answers 503 until [`AppState::set_model`]).
    pub fn new(settings: ServerSettings) -> Self {
        Self {
            model: Arc::new(ArcSwapOption::empty()),
            settings: Arc::new(settings),
            metrics: Metrics::new(),
            stats: Stats::new(),
        }
    }

    /// A state serving `model`.
    pub fn with_model(settings: ServerSettings, model: LoadedModel) -> Self {
        let state = Self::new(settings);
        state.set_model(model);
        state
    }

    /// Swaps in a model atomically; requests in flight keep the one they started with.
    pub fn set_model(&self, model: LoadedModel) {
        self.metrics
            .model_loaded(&model.bundle.metadata.model_name, &model.version);
        self.model.store(Some(Arc::new(model)));
    }

    /// The current model, if any.
    pub fn model(&self) -> Option<Arc<LoadedModel>> {
        self.model.load_full()
    }

    /// The limits.
    pub fn settings(&self) -> &ServerSettings {
        &self.settings
    }

    /// This state's Prometheus recorder.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// This state's aggregates for `/status` and `/monitoring/predictions/stats`.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}
