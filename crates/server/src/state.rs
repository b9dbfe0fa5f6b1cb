//! [`AppState`]: the served model behind an atomic swap, and the request limits.

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use reelcast_pipeline::ModelBundle;
use sha2::{Digest, Sha256};

use crate::drift::DriftWindow;
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
    drift: DriftWindow,
}

impl AppState {
    /// A state with no model yet (`/health/ready` answers 503 until [`AppState::set_model`]).
    pub fn new(settings: ServerSettings) -> Self {
        Self {
            model: Arc::new(ArcSwapOption::empty()),
            drift: DriftWindow::new(settings.drift_window),
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
    /// The recent-traffic drift window is emptied (its rows belong to the old features).
    pub fn set_model(&self, model: LoadedModel) {
        self.drift.reset(&model.version);
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

    /// The recent-traffic window of feature rows, for drift checks.
    pub(crate) fn drift(&self) -> &DriftWindow {
        &self.drift
    }

    /// Sets the `reelcast_feature_drift_psi` gauges from the recent-traffic window, when a
    /// model is loaded and the window holds at least 30 rows; `true` if it did. [`serve`]
    /// calls this every minute.
    ///
    /// [`serve`]: crate::serve
    pub fn refresh_drift_gauges(&self) -> bool {
        let Some(model) = self.model() else {
            return false;
        };
        let matrix = self.drift.matrix(&model.version);
        let n = matrix.len() / model.bundle.features.width().max(1);
        if n < crate::drift::MIN_DRIFT_ROWS {
            return false;
        }
        let settings = &self.settings;
        let report = crate::drift::check(
            model.bundle.features.reference(),
            &matrix,
            settings.drift_psi_low,
            settings.drift_psi_high,
        );
        self.metrics.set_drift(&report.scores);
        true
    }
}
