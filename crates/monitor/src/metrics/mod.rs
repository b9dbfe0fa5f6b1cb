//! Prometheus metrics: every name is defined in [`names`](self#constants), once, with its
//! unit in the name.
//!
//! Each server state owns its own recorder (no global one), so that
//! states (and tests running in parallel) never see each other's numbers. `GET /metrics`
//! renders the recorder's handle, then the families kept outside the recorder (see
//! `scrape.rs`: the recorder cannot drop a series) and the process metrics read from
//! `/proc` at scrape time (see [`process`]).
//!
//! | name | type | labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `method`, `route` (matched pattern or `unmatched`), `status` |
//! | `http_request_duration_seconds` | histogram | `method`, `route` |
//! | `reelcast_predictions_total` | counter, one per predicted movie or scored text | `endpoint` (`movie`, `batch`, `text`), `model_version` (`none` for texts scored without a model) |
//! | `reelcast_prediction_duration_seconds` | histogram, model scoring time per request | `endpoint` |
//! | `reelcast_predicted_rating` | histogram (buckets 1..10), unit: rating points | `endpoint` |
//! | `reelcast_imputed_inputs_total` | counter, predicted movies whose field the client did not send | `field` (API spelling: `title`, `startYear`, ...) |
//! | `reelcast_model_info` | gauge = 1 for the served model only | `name`, `version`, `alias` (`none` for a bundle file) |
//! | `reelcast_build_info` | gauge = 1 | `version`, `git_sha` (`unknown` when not given) |
//! | `reelcast_model_loaded` | gauge, 0 or 1 | |
//! | `reelcast_model_load_timestamp_seconds` | gauge, Unix time | |
//! | `reelcast_model_created_timestamp_seconds` | gauge, Unix time the served model was trained | |
//! | `reelcast_model_training_rmse` | gauge, held-out RMSE of the served model at training | |
//! | `reelcast_model_reloads_total` | counter, loads of a designated version | `result` (`success`, `failure`: the version failed to load) |
//! | `reelcast_registry_errors_total` | counter, polls or reloads where the registry could not be asked | |
//! | `reelcast_feature_drift_psi` | gauge, PSI of the last drift check vs the training reference; no series while the window is empty | `feature` |
//! | `reelcast_drift_window_samples` | gauge, rows in the recent-traffic drift window | |
//! | `reelcast_live_rmse`, `reelcast_live_mae` | gauges, error over the `POST /feedback` window | |
//! | `reelcast_live_feedback_window_size` | gauge, pairs in that window | |
//! | `reelcast_feedback_total` | counter, feedback pairs received | |
//! | `process_*` | see [`process`] | |

mod handles;
mod model;
mod names;
pub mod process;
mod scrape;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use metrics::{counter, gauge, with_local_recorder, Counter};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use reelcast_features::Imputed;

use handles::Handles;
pub use model::ModelLabels;
pub use names::{
    ALL, BUILD_INFO, DRIFT_WINDOW_SAMPLES, FEATURE_DRIFT_PSI, FEEDBACK_TOTAL, HTTP_REQUESTS_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS, IMPUTED_INPUTS_TOTAL, LIVE_FEEDBACK_WINDOW_SIZE, LIVE_MAE,
    LIVE_RMSE, MODEL_CREATED_TIMESTAMP_SECONDS, MODEL_INFO, MODEL_LOADED,
    MODEL_LOAD_TIMESTAMP_SECONDS, MODEL_RELOADS_TOTAL, MODEL_TRAINING_RMSE, PREDICTED_RATING,
    PREDICTIONS_TOTAL, PREDICTION_DURATION_SECONDS, PROCESS_CPU_SECONDS_TOTAL, PROCESS_OPEN_FDS,
    PROCESS_RESIDENT_MEMORY_BYTES, PROCESS_START_TIME_SECONDS, REGISTRY_ERRORS_TOTAL, UNITLESS,
};
use names::{LATENCY_BUCKETS, RATING_BUCKETS};
use scrape::ScrapeState;

/// The input fields whose imputation is counted, in API spelling.
const IMPUTABLE_FIELDS: [&str; 7] = Imputed::FIELDS;

/// A recorder and its render handle; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// The families rendered at scrape time (served model, build, drift PSI).
    scrape: Arc<Mutex<ScrapeState>>,
    /// Handles of the per-request series, registered once per label set.
    handles: Arc<Handles>,
    /// `reelcast_imputed_inputs_total` for each of [`IMPUTABLE_FIELDS`], in order.
    imputed: [Counter; IMPUTABLE_FIELDS.len()],
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh recorder with histogram buckets set, `reelcast_model_loaded` at 0 and every
    /// counter an alert takes `increase()` of born at 0 (so its first increment counts).
    pub fn new() -> Self {
        let builder = PrometheusBuilder::new();
        let with_buckets = [
            (HTTP_REQUEST_DURATION_SECONDS, &LATENCY_BUCKETS[..]),
            (PREDICTION_DURATION_SECONDS, &LATENCY_BUCKETS[..]),
            (PREDICTED_RATING, &RATING_BUCKETS[..]),
        ]
        .into_iter()
        .try_fold(builder, |b, (name, buckets)| {
            b.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)
        })
        .expect("the bucket lists are constant and non-empty");
        let recorder = with_buckets.build_recorder();
        let handle = recorder.handle();
        let imputed = with_local_recorder(&recorder, || {
            IMPUTABLE_FIELDS.map(|field| counter!(IMPUTED_INPUTS_TOTAL, "field" => field))
        });
        let metrics = Self {
            recorder: Arc::new(recorder),
            handle,
            scrape: Arc::new(Mutex::new(ScrapeState {
                git_sha: "unknown".to_owned(),
                ..ScrapeState::default()
            })),
            handles: Arc::default(),
            imputed,
        };
        metrics.with(|| {
            names::describe();
            gauge!(MODEL_LOADED).set(0.0);
            counter!(FEEDBACK_TOTAL).absolute(0);
            counter!(REGISTRY_ERRORS_TOTAL).absolute(0);
            for result in ["success", "failure"] {
                counter!(MODEL_RELOADS_TOTAL, "result" => result).absolute(0);
            }
            gauge!(LIVE_FEEDBACK_WINDOW_SIZE).set(0.0);
            gauge!(DRIFT_WINDOW_SAMPLES).set(0.0);
        });
        metrics
    }

    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        with_local_recorder(self.recorder.as_ref(), f)
    }

    fn scrape_state(&self) -> MutexGuard<'_, ScrapeState> {
        // Every update replaces whole fields, so a poisoned lock still holds a valid state.
        self.scrape.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the `git_sha` label of `reelcast_build_info` (`unknown` until set; an empty
    /// `sha`, from a build outside git, keeps `unknown`).
    pub fn set_git_sha(&self, sha: &str) {
        if !sha.is_empty() {
            self.scrape_state().git_sha = sha.to_owned();
        }
    }

    /// Counts, for each predicted movie, the fields that were imputed.
    pub fn record_imputed(&self, imputed: &[Imputed]) {
        let mut counts = [0u64; IMPUTABLE_FIELDS.len()];
        for row in imputed {
            for (count, set) in counts.iter_mut().zip(row.flags()) {
                *count += u64::from(set);
            }
        }
        for (counter, n) in self.imputed.iter().zip(counts) {
            if n > 0 {
                counter.increment(n);
            }
        }
    }

    /// The per-feature PSI of the last drift check (replacing the previous one).
    pub fn set_drift(&self, scores: &BTreeMap<String, f64>) {
        self.scrape_state().drift.clone_from(scores);
    }

    /// The drift window after ageing: `rows` in it; when it is empty the PSI series are
    /// dropped, since they describe traffic that is no longer there.
    pub fn set_drift_window(&self, rows: usize) {
        self.with(|| gauge!(DRIFT_WINDOW_SAMPLES).set(rows as f64));
        if rows == 0 {
            self.scrape_state().drift.clear();
        }
    }

    /// A model was swapped in: `reelcast_model_info` shows it alone from now on.
    pub fn model_loaded(&self, labels: &ModelLabels) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        self.scrape_state().model = Some(labels.clone());
        self.with(|| {
            gauge!(MODEL_LOADED).set(1.0);
            gauge!(MODEL_LOAD_TIMESTAMP_SECONDS).set(now);
            if let Some(created) = labels.created {
                gauge!(MODEL_CREATED_TIMESTAMP_SECONDS).set(created);
            }
            gauge!(MODEL_TRAINING_RMSE).set(labels.training_rmse);
        });
    }

    /// A designated version was loaded (`ok`) or failed to load.
    pub fn reload_finished(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        self.with(|| counter!(MODEL_RELOADS_TOTAL, "result" => result).increment(1));
    }

    /// The registry could not be asked which version to serve.
    pub fn registry_error(&self) {
        self.with(|| counter!(REGISTRY_ERRORS_TOTAL).increment(1));
    }

    /// `received` feedback pairs were added; `live` is the window after them.
    pub fn record_feedback(&self, received: u64, live: &crate::feedback::LiveErrors) {
        self.with(|| counter!(FEEDBACK_TOTAL).increment(received));
        self.set_live_errors(live);
    }

    /// Sets the live error gauges from the feedback window (NaN when it is empty, so
    /// that no alert compares a stale number).
    pub fn set_live_errors(&self, live: &crate::feedback::LiveErrors) {
        self.with(|| {
            gauge!(LIVE_RMSE).set(live.rmse.unwrap_or(f64::NAN));
            gauge!(LIVE_MAE).set(live.mae.unwrap_or(f64::NAN));
            gauge!(LIVE_FEEDBACK_WINDOW_SIZE).set(live.pairs as f64);
        });
    }

    /// Drains histogram samples into their buckets; call now and then so that memory stays
    /// bounded between scrapes.
    pub fn run_upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The Prometheus text exposition: the recorder's metrics, the scrape-time families,
    /// then the process metrics.
    pub fn render(&self) -> String {
        let mut text = self.handle.render();
        let state = self.scrape_state().clone();
        state.render(&mut text);
        process::render(&mut text);
        text
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn histograms_render_as_histograms_with_their_buckets() {
        let m = Metrics::new();
        m.record_predictions("movie", "abc", 1, &[6.5], Duration::from_millis(1));
        let text = m.render();
        assert!(
            text.contains("# TYPE reelcast_predicted_rating histogram"),
            "{text}"
        );
        assert!(
            text.contains("reelcast_predicted_rating_bucket{endpoint=\"movie\",le=\"7\"} 1"),
            "{text}"
        );
        assert!(text.contains("reelcast_model_loaded 0"), "{text}");
    }

    #[test]
    fn imputed_fields_are_counted_per_field_from_zero() {
        let m = Metrics::new();
        assert!(m
            .render()
            .contains("reelcast_imputed_inputs_total{field=\"title\"} 0"));
        let no_title = Imputed {
            title: true,
            ..Imputed::default()
        };
        let nothing_but_title = Imputed {
            title: false,
            start_year: true,
            runtime: true,
            num_votes: true,
            genres: true,
            title_type: true,
            is_adult: true,
        };
        m.record_imputed(&[no_title, no_title, Imputed::default(), nothing_but_title]);
        let text = m.render();
        assert!(
            text.contains("reelcast_imputed_inputs_total{field=\"title\"} 2"),
            "{text}"
        );
        for field in IMPUTABLE_FIELDS.iter().filter(|f| **f != "title") {
            let line = format!("reelcast_imputed_inputs_total{{field=\"{field}\"}} 1");
            assert!(text.contains(&line), "{line} in {text}");
        }
    }

    #[test]
    fn every_imputed_field_name_is_counted() {
        let all = Imputed {
            title: true,
            start_year: true,
            runtime: true,
            num_votes: true,
            genres: true,
            title_type: true,
            is_adult: true,
        };
        assert_eq!(all.fields(), IMPUTABLE_FIELDS);
    }

    #[test]
    fn build_info_carries_the_git_sha_once_set() {
        let m = Metrics::new();
        assert!(m.render().contains("git_sha=\"unknown\"} 1"));
        m.set_git_sha("");
        assert!(m.render().contains("git_sha=\"unknown\"} 1"));
        m.set_git_sha("0123abc");
        assert!(m.render().contains("git_sha=\"0123abc\"} 1"));
    }

    #[test]
    fn an_empty_drift_window_drops_the_psi_series_and_counts_zero() {
        let m = Metrics::new();
        m.set_drift(&BTreeMap::from([("title_length".to_owned(), 7.8)]));
        m.set_drift_window(250);
        let text = m.render();
        assert!(text.contains("reelcast_feature_drift_psi{feature=\"title_length\"} 7.8"));
        assert!(text.contains("reelcast_drift_window_samples 250"), "{text}");

        m.set_drift_window(0);
        let text = m.render();
        assert!(!text.contains("reelcast_feature_drift_psi"), "{text}");
        assert!(text.contains("reelcast_drift_window_samples 0"), "{text}");
    }

    #[test]
    fn registry_errors_count_apart_from_reload_failures() {
        let m = Metrics::new();
        m.registry_error();
        m.registry_error();
        m.reload_finished(false);
        let text = m.render();
        assert!(text.contains("reelcast_registry_errors_total 2"), "{text}");
        assert!(text.contains("reelcast_model_reloads_total{result=\"failure\"} 1"));
    }
}
