//! [`AppState`]: the served model behind an atomic swap, and the request limits.

use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwapOption;
use reelcast_features::Imputed;
use reelcast_pipeline::ModelBundle;
use reelcast_sentiment::SentimentModel;
use sha2::{Digest, Sha256};

use crate::drift::DriftWindow;
use crate::dto::{FeatureNames, RegisteredVersion};
use crate::feedback::FeedbackWindow;
use crate::metrics::{Metrics, ModelLabels};
use crate::startup::ServerSettings;
use crate::stats::Stats;

/// A loaded bundle, where it came from and the version it is served as.
#[derive(Debug)]
pub struct LoadedModel {
    /// The bundle.
    pub bundle: ModelBundle,
    /// The served version: the registry's version number when loaded from a registry,
    /// else [`LoadedModel::fingerprint`].
    pub version: String,
    /// First 12 hex digits of the SHA-256 of the fitted features and model: equal for
    /// equal models, whatever their timestamps.
    pub fingerprint: String,
    /// The served name: the registered model's, else the bundle's.
    pub name: String,
    /// The registry alias it was resolved through (`champion`), if any.
    pub alias: Option<String>,
    /// Where it was loaded from: a `models:/` URI or a file path (empty when built in
    /// memory).
    pub source: String,
    /// The bundle's feature names, as every prediction answers them.
    pub features_used: FeatureNames,
}

impl LoadedModel {
    /// Wraps a bundle served under its own name and fingerprint.
    pub fn new(bundle: ModelBundle) -> reelcast_pipeline::Result<Self> {
        let digest = Sha256::digest(bundle.model_bytes()?);
        let fingerprint: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            name: bundle.metadata.model_name.clone(),
            version: fingerprint.clone(),
            fingerprint,
            alias: None,
            source: String::new(),
            features_used: FeatureNames::new(bundle.features.names()),
            bundle,
        })
    }

    /// Marks the model as registered version `version` of `name`, resolved through
    /// `alias` (if any) from `source`.
    pub fn registered(
        mut self,
        name: &str,
        version: u64,
        alias: Option<&str>,
        source: &str,
    ) -> Self {
        self.name = name.to_owned();
        self.version = version.to_string();
        self.alias = alias.map(str::to_owned);
        self.source = source.to_owned();
        self
    }

    /// Records the file or URI it was loaded from.
    pub fn from_source(mut self, source: &str) -> Self {
        self.source = source.to_owned();
        self
    }

    /// Checks that the model answers: a movie with every optional feature missing must
    /// get a finite rating from 1 to 10. Run before a model is swapped in.
    pub fn verify(&self) -> Result<(), String> {
        let probe = reelcast_core::MovieInput::default();
        let rating = self.bundle.predict(&probe).rating;
        if rating.is_finite() && (1.0..=10.0).contains(&rating) {
            Ok(())
        } else {
            Err(format!(
                "model {} version {} predicts {rating} for a probe movie; refusing it",
                self.name, self.version
            ))
        }
    }
}

/// Why a [`ModelSource`] gave no model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The registry could not say which version the source designates (unreachable,
    /// server error): nothing was loaded. Counted in `reelcast_registry_errors_total`.
    Registry(String),
    /// The designated version failed to load (fetch, decode, checksum) or to answer the
    /// probe. Counted in `reelcast_model_reloads_total{result="failure"}`.
    Load(String),
}

impl SourceError {
    /// The reason, as logged and returned by [`AppState::reload`].
    pub fn message(&self) -> &str {
        match self {
            Self::Registry(m) | Self::Load(m) => m,
        }
    }
}

/// Where the served model comes from, for `POST /model/reload` and the registry poller:
/// a bundle file, a registry alias or version. Implementations block (file or network
/// I/O); the server calls them from a blocking thread, one at a time.
pub trait ModelSource: Send + Sync + std::fmt::Debug + 'static {
    /// What it serves, e.g. `models:/movie_rating_gbt@champion` or a path.
    fn describe(&self) -> String;
    /// Loads the model the source designates now, unless that is `current` (compared
    /// cheaply, e.g. by registry version or file fingerprint): `Ok(None)` when unchanged.
    /// The returned model is verified by the caller before it is served. A failure says
    /// whether a registry could not be asked ([`SourceError::Registry`]) or a model failed
    /// to load ([`SourceError::Load`]).
    fn poll(&self, current: Option<&LoadedModel>) -> Result<Option<LoadedModel>, SourceError>;
    /// The registered versions of the name this source serves, newest first, for
    /// `GET /model/versions`; `Ok(None)` when the source is not a registry (the default).
    /// An `Err` says why the registry could not be asked.
    fn versions(&self) -> Result<Option<Vec<RegisteredVersion>>, String> {
        Ok(None)
    }
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// A new model is served; the previous version, if any.
    Swapped {
        /// The version served before.
        previous: Option<String>,
    },
    /// The source still designates the served model.
    Unchanged,
}

/// Shared by every handler; cheap to clone (one reference count: the router clones the
/// state for every request, several times).
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug, Clone)]
struct Shared {
    model: Arc<ArcSwapOption<LoadedModel>>,
    settings: Arc<ServerSettings>,
    metrics: Metrics,
    stats: Stats,
    drift: DriftWindow,
    feedback: FeedbackWindow,
    source: Option<Arc<dyn ModelSource>>,
    /// The English review-sentiment model `POST /predict` scores text with; `None` for
    /// the one shipped in the binary.
    sentiment: Option<Arc<SentimentModel>>,
    /// Serializes reloads (endpoint and poller).
    reloading: Arc<tokio::sync::Mutex<()>>,
    /// Client for Alertmanager and Prometheus.
    http: reqwest::Client,
}

impl AppState {
    /// A state with no model yet (`/health/ready` answers 503 until [`AppState::set_model`]).
    pub fn new(settings: ServerSettings) -> Self {
        Self(Arc::new(Shared {
            model: Arc::new(ArcSwapOption::empty()),
            drift: DriftWindow::new(settings.drift_window, settings.drift_window_seconds),
            feedback: FeedbackWindow::new(settings.feedback_window),
            source: None,
            sentiment: None,
            reloading: Arc::new(tokio::sync::Mutex::new(())),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            settings: Arc::new(settings),
            metrics: Metrics::new(),
            stats: Stats::new(),
        }))
    }

    /// A state serving `model`.
    pub fn with_model(settings: ServerSettings, model: LoadedModel) -> Self {
        let state = Self::new(settings);
        state.set_model(model);
        state
    }

    /// Sets where reloads load from (`POST /model/reload`, the poller).
    pub fn with_source(self, source: Arc<dyn ModelSource>) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.source = Some(source);
        Self(Arc::new(shared))
    }

    /// Scores English text with `model` instead of the model shipped in the binary
    /// (`reelcast serve --sentiment-model`, `[sentiment] model`).
    pub fn with_sentiment_model(self, model: SentimentModel) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.sentiment = Some(Arc::new(model));
        Self(Arc::new(shared))
    }

    /// The English review-sentiment model: the one given to
    /// [`AppState::with_sentiment_model`], else [`SentimentModel::embedded`].
    pub fn sentiment_model(&self) -> &SentimentModel {
        match &self.0.sentiment {
            Some(model) => model,
            None => SentimentModel::embedded(),
        }
    }

    /// Labels `reelcast_build_info` with the git commit the binary was built from (the
    /// cli's `REELCAST_GIT_SHA`; empty keeps `unknown`).
    pub fn with_git_sha(self, sha: &str) -> Self {
        self.0.metrics.set_git_sha(sha);
        self
    }

    /// The model source, if reloads are possible.
    pub fn source(&self) -> Option<&Arc<dyn ModelSource>> {
        self.0.source.as_ref()
    }

    /// Swaps in a model atomically; requests in flight keep the one they started with.
    /// The recent-traffic drift window and the feedback window are emptied (they belong
    /// to the old model).
    pub fn set_model(&self, model: LoadedModel) {
        self.0
            .drift
            .reset(&model.version, model.bundle.features.names());
        self.0.metrics.set_drift_window(0);
        self.0.feedback.reset();
        let labels = ModelLabels::of(
            &model.bundle,
            &model.name,
            &model.version,
            model.alias.as_deref(),
        );
        self.0.metrics.model_loaded(&labels);
        self.0.metrics.set_live_errors(&self.0.feedback.summary());
        self.0.model.store(Some(Arc::new(model)));
    }

    /// Asks the source for its current model and, when it differs from the served one,
    /// loads, verifies and swaps it in. A failure keeps the served model and returns the
    /// reason; it counts in `reelcast_registry_errors_total` when the registry could not
    /// be asked, else in `reelcast_model_reloads_total{result="failure"}` (a version that
    /// failed to load). Reloads run one at a time; requests are never blocked by one.
    pub async fn reload(&self) -> Result<ReloadOutcome, String> {
        let Some(source) = self.0.source.clone() else {
            return Err("this server has no model source to reload from".to_owned());
        };
        let _one_at_a_time = self.0.reloading.lock().await;
        let current = self.model();
        let loaded = tokio::task::spawn_blocking(move || {
            let next = source.poll(current.as_deref())?;
            if let Some(model) = &next {
                model.verify().map_err(SourceError::Load)?;
            }
            Ok::<_, SourceError>(next)
        })
        .await
        .map_err(|e| SourceError::Load(format!("model loading stopped: {e}")))
        .and_then(|r| r);
        match loaded {
            Ok(Some(model)) => {
                let previous = self.model().map(|m| m.version.clone());
                tracing::info!(
                    name = %model.name,
                    version = %model.version,
                    previous = previous.as_deref().unwrap_or("none"),
                    source = %model.source,
                    "model swapped in"
                );
                // Counted before the swap, as `set_model` sets the model's metrics before
                // it serves: whoever sees the new version sees its reload counted.
                self.0.metrics.reload_finished(true);
                self.set_model(model);
                Ok(ReloadOutcome::Swapped { previous })
            }
            Ok(None) => Ok(ReloadOutcome::Unchanged),
            Err(e) => {
                // On a first load there is no previous model to keep serving.
                let serving = if self.model().is_some() {
                    "still serving the previous model"
                } else {
                    "no model is served yet"
                };
                match &e {
                    SourceError::Registry(reason) => {
                        tracing::warn!(error = %reason, "the model registry could not be asked; {serving}");
                        self.0.metrics.registry_error();
                    }
                    SourceError::Load(reason) => {
                        tracing::warn!(error = %reason, "model reload failed; {serving}");
                        self.0.metrics.reload_finished(false);
                    }
                }
                Err(e.message().to_owned())
            }
        }
    }

    /// The current model, if any.
    pub fn model(&self) -> Option<Arc<LoadedModel>> {
        self.0.model.load_full()
    }

    /// The limits.
    pub fn settings(&self) -> &ServerSettings {
        &self.0.settings
    }

    /// This state's Prometheus recorder.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// This state's aggregates for `/status` and `/monitoring/predictions/stats`.
    pub fn stats(&self) -> &Stats {
        &self.0.stats
    }

    /// The client for Alertmanager and Prometheus (5 s timeout).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// The `POST /feedback` window of (predicted, actual) ratings.
    pub(crate) fn feedback(&self) -> &FeedbackWindow {
        &self.0.feedback
    }

    /// The recent-traffic window of feature rows, for drift checks.
    pub(crate) fn drift(&self) -> &DriftWindow {
        &self.0.drift
    }

    /// The inputs of predicted movies: counts the imputed fields of each (`imputed`, one
    /// per movie) in `reelcast_imputed_inputs_total` and keeps the rows of `matrix`
    /// (`width` columns, built by model `version`; the newest movies') in the drift
    /// window, their imputed inputs left out of drift.
    pub fn observe_inputs(&self, version: &str, matrix: &[f32], width: usize, imputed: &[Imputed]) {
        self.0.metrics.record_imputed(imputed);
        self.0
            .drift
            .push_imputed(version, matrix, width, imputed, Instant::now());
    }

    /// [`AppState::refresh_drift_gauges_at`] now. [`serve`] calls this every
    /// `[server] drift_refresh_seconds`.
    ///
    /// [`serve`]: crate::serve
    pub fn refresh_drift_gauges(&self) -> bool {
        self.refresh_drift_gauges_at(Instant::now())
    }

    /// Ages the recent-traffic window out at `now` and sets `reelcast_drift_window_samples`
    /// to its rows; when a model is loaded and the window holds at least 200 rows, sets
    /// the `reelcast_feature_drift_psi` gauges from it and returns `true`. An empty
    /// window drops the PSI series.
    pub fn refresh_drift_gauges_at(&self, now: Instant) -> bool {
        let Some(model) = self.model() else {
            self.0.metrics.set_drift_window(0);
            return false;
        };
        let matrix = self.0.drift.matrix_at(&model.version, now);
        let n = matrix.len() / model.bundle.features.width().max(1);
        self.0.metrics.set_drift_window(n);
        if n < crate::drift::MIN_REFRESH_ROWS {
            return false;
        }
        let settings = &self.0.settings;
        let report = crate::drift::check(
            model.bundle.features.reference(),
            &matrix,
            settings.drift_psi_low,
            settings.drift_psi_high,
        );
        self.0.metrics.set_drift(&report.scores);
        true
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A source whose every poll fails with the queued errors, in order.
    #[derive(Debug)]
    struct Failing(Mutex<Vec<SourceError>>);

    impl ModelSource for Failing {
        fn describe(&self) -> String {
            "models:/m@champion".into()
        }

        fn poll(&self, _: Option<&LoadedModel>) -> Result<Option<LoadedModel>, SourceError> {
            let mut queue = self.0.lock().unwrap();
            Err(queue.remove(0))
        }
    }

    fn line(text: &str, prefix: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {text}"))
            .trim()
            .parse()
            .unwrap()
    }

    #[tokio::test]
    async fn registry_errors_and_failed_loads_count_in_their_own_series() {
        let source = Failing(Mutex::new(vec![
            SourceError::Registry("connection refused".into()),
            SourceError::Registry("503".into()),
            SourceError::Load("version 4: checksum mismatch".into()),
        ]));
        let state = AppState::new(ServerSettings::default()).with_source(Arc::new(source));

        let first = state.reload().await;
        let second = state.reload().await;
        let third = state.reload().await;

        assert_eq!(first.unwrap_err(), "connection refused");
        assert_eq!(second.unwrap_err(), "503");
        assert_eq!(third.unwrap_err(), "version 4: checksum mismatch");
        let text = state.metrics().render();
        assert_eq!(line(&text, "reelcast_registry_errors_total "), 2.0);
        assert_eq!(
            line(&text, "reelcast_model_reloads_total{result=\"failure\"} "),
            1.0
        );
        assert_eq!(
            line(&text, "reelcast_model_reloads_total{result=\"success\"} "),
            0.0
        );
    }

    #[test]
    fn an_empty_state_reports_an_empty_drift_window() {
        let state = AppState::new(ServerSettings::default()).with_git_sha("feedc0de");
        assert!(!state.refresh_drift_gauges());
        let text = state.metrics().render();
        assert_eq!(line(&text, "reelcast_drift_window_samples "), 0.0);
        assert!(text.contains("git_sha=\"feedc0de\"} 1"), "{text}");
    }
}
