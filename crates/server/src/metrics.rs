//! Prometheus metrics: every name is defined here, once, with its unit in the name.
//!
//! Each [`AppState`](crate::AppState) owns its own recorder (no global one), so that
//! states (and tests running in parallel) never see each other's numbers. `GET /metrics`
//! renders the recorder's handle and appends the process metrics read from `/proc` at
//! scrape time (see [`process`]).
//!
//! | name | type | labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `method`, `route` (matched pattern or `unmatched`), `status` |
//! | `http_request_duration_seconds` | histogram | `method`, `route` |
//! | `reelcast_predictions_total` | counter, one per predicted movie or scored text | `endpoint` (`movie`, `batch`, `text`), `model_version` (`none` for texts scored without a model) |
//! | `reelcast_prediction_duration_seconds` | histogram, model scoring time per request | `endpoint` |
//! | `reelcast_predicted_rating` | histogram (buckets 1..10), unit: rating points | `endpoint` |
//! | `reelcast_model_info` | gauge = 1 for the served model (0 for replaced ones) | `name`, `version`, `alias` (`none` for a bundle file) |
//! | `reelcast_model_loaded` | gauge, 0 or 1 | |
//! | `reelcast_model_load_timestamp_seconds` | gauge, Unix time | |
//! | `reelcast_model_created_timestamp_seconds` | gauge, Unix time the served model was trained | |
//! | `reelcast_model_training_rmse` | gauge, held-out RMSE of the served model at training | |
//! | `reelcast_model_reloads_total` | counter, model loads by reload or registry poll | `result` (`success`, `failure`) |
//! | `reelcast_feature_drift_psi` | gauge, PSI of the last drift check vs the training reference | `feature` |
//! | `reelcast_live_rmse`, `reelcast_live_mae` | gauges, error over the `POST /feedback` window | |
//! | `reelcast_live_feedback_window_size` | gauge, pairs in that window | |
//! | `reelcast_feedback_total` | counter, feedback pairs received | |
//! | `process_*` | see [`process`] | |

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics::{
    counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
    with_local_recorder, Counter, Histogram, Unit,
};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Counter of HTTP requests, by method, matched route and status.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of HTTP request durations, by method and matched route.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
/// Counter of predicted movies, by endpoint and model version.
pub const PREDICTIONS_TOTAL: &str = "reelcast_predictions_total";
/// Histogram of model scoring time per prediction request.
pub const PREDICTION_DURATION_SECONDS: &str = "reelcast_prediction_duration_seconds";
/// Histogram of predicted ratings (a rating, 1 to 10: no unit suffix; documented gauge-like
/// domain value).
pub const PREDICTED_RATING: &str = "reelcast_predicted_rating";
/// Gauge, 1 for the served model's name and version.
pub const MODEL_INFO: &str = "reelcast_model_info";
/// Gauge, 1 when a model is loaded, else 0.
pub const MODEL_LOADED: &str = "reelcast_model_loaded";
/// Gauge, Unix time at which the served model was loaded.
pub const MODEL_LOAD_TIMESTAMP_SECONDS: &str = "reelcast_model_load_timestamp_seconds";
/// Gauge, Unix time at which the served model was trained (from its bundle).
pub const MODEL_CREATED_TIMESTAMP_SECONDS: &str = "reelcast_model_created_timestamp_seconds";
/// Gauge, held-out RMSE of the served model at training time.
pub const MODEL_TRAINING_RMSE: &str = "reelcast_model_training_rmse";
/// Counter of model loads by `POST /model/reload` or the registry poller, by result.
pub const MODEL_RELOADS_TOTAL: &str = "reelcast_model_reloads_total";
/// Gauge, RMSE of the served model over the `POST /feedback` window.
pub const LIVE_RMSE: &str = "reelcast_live_rmse";
/// Gauge, MAE of the served model over the `POST /feedback` window.
pub const LIVE_MAE: &str = "reelcast_live_mae";
/// Gauge, (predicted, actual) pairs in the `POST /feedback` window.
pub const LIVE_FEEDBACK_WINDOW_SIZE: &str = "reelcast_live_feedback_window_size";
/// Counter of feedback pairs received.
pub const FEEDBACK_TOTAL: &str = "reelcast_feedback_total";
/// Gauge, PSI of each feature in the last drift check against the training reference.
pub const FEATURE_DRIFT_PSI: &str = "reelcast_feature_drift_psi";
/// Gauge, resident memory (from `/proc/self/status` `VmRSS`).
pub const PROCESS_RESIDENT_MEMORY_BYTES: &str = "process_resident_memory_bytes";
/// Counter, user + system CPU time (from `/proc/self/stat`).
pub const PROCESS_CPU_SECONDS_TOTAL: &str = "process_cpu_seconds_total";
/// Gauge, open file descriptors (entries of `/proc/self/fd`).
pub const PROCESS_OPEN_FDS: &str = "process_open_fds";
/// Gauge, Unix time at which the process started.
pub const PROCESS_START_TIME_SECONDS: &str = "process_start_time_seconds";

/// Every metric name, for the units test.
pub const ALL: [&str; 20] = [
    HTTP_REQUESTS_TOTAL,
    MODEL_CREATED_TIMESTAMP_SECONDS,
    MODEL_TRAINING_RMSE,
    MODEL_RELOADS_TOTAL,
    LIVE_RMSE,
    LIVE_MAE,
    LIVE_FEEDBACK_WINDOW_SIZE,
    FEEDBACK_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS,
    PREDICTIONS_TOTAL,
    PREDICTION_DURATION_SECONDS,
    PREDICTED_RATING,
    MODEL_INFO,
    MODEL_LOADED,
    MODEL_LOAD_TIMESTAMP_SECONDS,
    FEATURE_DRIFT_PSI,
    PROCESS_RESIDENT_MEMORY_BYTES,
    PROCESS_CPU_SECONDS_TOTAL,
    PROCESS_OPEN_FDS,
    PROCESS_START_TIME_SECONDS,
];

/// Gauges whose names carry no unit suffix because they have none (a state, a count,
/// an info marker, a rating or rating error on IMDb's 1-10 scale, or a PSI).
pub const UNITLESS: [&str; 9] = [
    MODEL_TRAINING_RMSE,
    LIVE_RMSE,
    LIVE_MAE,
    LIVE_FEEDBACK_WINDOW_SIZE,
    PREDICTED_RATING,
    MODEL_INFO,
    MODEL_LOADED,
    PROCESS_OPEN_FDS,
    FEATURE_DRIFT_PSI,
];

/// Latency buckets, in seconds, shared by the HTTP and prediction histograms.
const LATENCY_BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    5.0,
];
/// Rating buckets: 1 to 10.
const RATING_BUCKETS: [f64; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];

/// The `# HELP` text of every recorded metric.
fn describe() {
    describe_counter!(
        HTTP_REQUESTS_TOTAL,
        Unit::Count,
        "HTTP requests answered, by method, matched route and status."
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        Unit::Seconds,
        "HTTP request duration, by method and matched route."
    );
    describe_counter!(
        PREDICTIONS_TOTAL,
        Unit::Count,
        "Movies predicted, by endpoint and model version (a batch counts each movie)."
    );
    describe_histogram!(
        PREDICTION_DURATION_SECONDS,
        Unit::Seconds,
        "Model scoring time per prediction request."
    );
    describe_histogram!(PREDICTED_RATING, "Predicted IMDb ratings (1 to 10).");
    describe_gauge!(
        MODEL_INFO,
        "1 for the served model's name and version, 0 for replaced ones."
    );
    describe_gauge!(MODEL_LOADED, "1 when a model is loaded, else 0.");
    describe_gauge!(
        MODEL_LOAD_TIMESTAMP_SECONDS,
        Unit::Seconds,
        "Unix time at which the served model was loaded."
    );
    describe_gauge!(
        MODEL_CREATED_TIMESTAMP_SECONDS,
        Unit::Seconds,
        "Unix time at which the served model was trained."
    );
    describe_gauge!(
        MODEL_TRAINING_RMSE,
        "Held-out RMSE of the served model at training time (rating points)."
    );
    describe_counter!(
        MODEL_RELOADS_TOTAL,
        Unit::Count,
        "Model loads by POST /model/reload or the registry poller, by result."
    );
    describe_gauge!(
        LIVE_RMSE,
        "RMSE of the served model over the POST /feedback window (rating points)."
    );
    describe_gauge!(
        LIVE_MAE,
        "MAE of the served model over the POST /feedback window (rating points)."
    );
    describe_gauge!(
        LIVE_FEEDBACK_WINDOW_SIZE,
        "Feedback pairs in the window behind reelcast_live_rmse and reelcast_live_mae."
    );
    describe_counter!(FEEDBACK_TOTAL, Unit::Count, "Feedback pairs received.");
    describe_gauge!(
        FEATURE_DRIFT_PSI,
        "Population stability index of each feature in the last drift check, against the training reference."
    );
}

/// A recorder and its render handle; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// The labels currently marked 1 in [`MODEL_INFO`].
    current_model: Arc<Mutex<Option<ModelLabels>>>,
    /// Handles of the per-request series, registered once per label set.
    handles: Arc<Handles>,
}

/// The handles of the series every request updates, so that a request does not build a
/// label set, hash it and look it up in the recorder's registry for each update. A label
/// set is registered on its first use; the handles stay valid for the recorder's life
/// (it has no idle timeout).
#[derive(Default)]
struct Handles {
    /// By matched route, then (method, status).
    http: RwLock<HashMap<String, RouteHandles>>,
    /// By (endpoint, model version): a few entries, scanned.
    predictions: RwLock<Vec<(&'static str, String, PredictionHandles)>>,
}

/// One route's request counters by (method, status) and duration histograms by method.
#[derive(Default)]
struct RouteHandles {
    requests: Vec<(&'static str, u16, Counter)>,
    durations: Vec<(&'static str, Histogram)>,
}

impl RouteHandles {
    /// The request counter for `method` and `status`, if registered.
    fn requests(&self, method: &str, status: u16) -> Option<&Counter> {
        self.requests
            .iter()
            .find(|(m, s, _)| *m == method && *s == status)
            .map(|(_, _, counter)| counter)
    }

    /// The duration histogram for `method`, if registered.
    fn duration(&self, method: &str) -> Option<&Histogram> {
        self.durations
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, histogram)| histogram)
    }

    fn get(&self, method: &str, status: u16) -> Option<(&Counter, &Histogram)> {
        Some((self.requests(method, status)?, self.duration(method)?))
    }
}

/// One (endpoint, model version)'s prediction series.
struct PredictionHandles {
    total: Counter,
    duration: Histogram,
    rating: Histogram,
}

/// Records through cached handles: `record` runs under the read lock and says whether it
/// found the handles it needs; when it did not, `register` adds the missing ones under the
/// write lock (only those still missing: another request may have added them in between)
/// and `record` runs again.
fn record_or_register<T>(
    lock: &RwLock<T>,
    record: impl Fn(&T) -> bool,
    register: impl FnOnce(&mut T),
) {
    if record(&lock.read().unwrap_or_else(PoisonError::into_inner)) {
        return;
    }
    let mut handles = lock.write().unwrap_or_else(PoisonError::into_inner);
    register(&mut handles);
    assert!(record(&handles), "the handles were just registered");
}

/// What the model gauges say about a served model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ModelLabels {
    pub name: String,
    pub version: String,
    /// `none` when not served through an alias.
    pub alias: String,
    /// Unix seconds the model was trained, when its bundle says.
    pub created: Option<f64>,
    pub training_rmse: f64,
}

impl ModelLabels {
    pub(crate) fn of(model: &crate::state::LoadedModel) -> Self {
        let m = &model.bundle.metadata;
        let created = time::OffsetDateTime::parse(
            &m.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
        .map(|t| t.unix_timestamp() as f64);
        Self {
            name: model.name.clone(),
            version: model.version.clone(),
            alias: model.alias.clone().unwrap_or_else(|| "none".to_owned()),
            created,
            training_rmse: m.metrics.test.rmse,
        }
    }

    fn info_labels(&self) -> [(&'static str, String); 3] {
        [
            ("name", self.name.clone()),
            ("version", self.version.clone()),
            ("alias", self.alias.clone()),
        ]
    }
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
    /// A fresh recorder with histogram buckets set and `reelcast_model_loaded` at 0.
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
        let metrics = Self {
            recorder: Arc::new(recorder),
            handle,
            current_model: Arc::new(Mutex::new(None)),
            handles: Arc::default(),
        };
        metrics.with(|| {
            describe();
            gauge!(MODEL_LOADED).set(0.0);
            counter!(FEEDBACK_TOTAL).absolute(0);
            for result in ["success", "failure"] {
                counter!(MODEL_RELOADS_TOTAL, "result" => result).absolute(0);
            }
            gauge!(LIVE_FEEDBACK_WINDOW_SIZE).set(0.0);
        });
        metrics
    }

    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        with_local_recorder(self.recorder.as_ref(), f)
    }

    /// One finished HTTP request.
    pub(crate) fn record_http(
        &self,
        method: &'static str,
        route: &str,
        status: u16,
        elapsed: Duration,
    ) {
        let secs = elapsed.as_secs_f64();
        record_or_register(
            &self.handles.http,
            |http| {
                http.get(route)
                    .and_then(|r| r.get(method, status))
                    .map(|(requests, duration)| {
                        requests.increment(1);
                        duration.record(secs);
                    })
                    .is_some()
            },
            |http| {
                let handles = http.entry(route.to_owned()).or_default();
                if handles.requests(method, status).is_none() {
                    let labels = [
                        ("method", method.to_owned()),
                        ("route", route.to_owned()),
                        ("status", status.to_string()),
                    ];
                    let counter = self.with(|| counter!(HTTP_REQUESTS_TOTAL, &labels));
                    handles.requests.push((method, status, counter));
                }
                if handles.duration(method).is_none() {
                    let labels = [("method", method.to_owned()), ("route", route.to_owned())];
                    let histogram =
                        self.with(|| histogram!(HTTP_REQUEST_DURATION_SECONDS, &labels));
                    handles.durations.push((method, histogram));
                }
            },
        );
    }

    /// Predictions of one request: `count` items scored (movies or texts), `ratings` the
    /// predicted ratings among them, `elapsed` the scoring time.
    pub(crate) fn record_predictions(
        &self,
        endpoint: &'static str,
        model_version: &str,
        count: u64,
        ratings: &[f64],
        elapsed: Duration,
    ) {
        let find = |predictions: &[(&'static str, String, PredictionHandles)]| {
            predictions
                .iter()
                .position(|(e, v, _)| *e == endpoint && v == model_version)
        };
        record_or_register(
            &self.handles.predictions,
            |predictions| {
                find(predictions)
                    .map(|at| {
                        let h = &predictions[at].2;
                        h.total.increment(count);
                        h.duration.record(elapsed.as_secs_f64());
                        for r in ratings {
                            h.rating.record(*r);
                        }
                    })
                    .is_some()
            },
            |predictions| {
                if find(predictions).is_none() {
                    let version = model_version.to_owned();
                    let handles = self.with(|| PredictionHandles {
                        total: counter!(PREDICTIONS_TOTAL, "endpoint" => endpoint, "model_version" => version),
                        duration: histogram!(PREDICTION_DURATION_SECONDS, "endpoint" => endpoint),
                        rating: histogram!(PREDICTED_RATING, "endpoint" => endpoint),
                    });
                    predictions.push((endpoint, model_version.to_owned(), handles));
                }
            },
        );
    }

    /// The per-feature PSI of the last drift check.
    pub(crate) fn set_drift(&self, scores: &std::collections::BTreeMap<String, f64>) {
        self.with(|| {
            for (feature, psi) in scores {
                gauge!(FEATURE_DRIFT_PSI, "feature" => feature.clone()).set(*psi);
            }
        });
    }

    /// A model was swapped in.
    pub(crate) fn model_loaded(&self, labels: &ModelLabels) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let previous = self
            .current_model
            .lock()
            .map(|mut c| c.replace(labels.clone()))
            .unwrap_or_default();
        self.with(|| {
            if let Some(old) = previous {
                if old.info_labels() != labels.info_labels() {
                    gauge!(MODEL_INFO, &old.info_labels()).set(0.0);
                }
            }
            gauge!(MODEL_INFO, &labels.info_labels()).set(1.0);
            gauge!(MODEL_LOADED).set(1.0);
            gauge!(MODEL_LOAD_TIMESTAMP_SECONDS).set(now);
            if let Some(created) = labels.created {
                gauge!(MODEL_CREATED_TIMESTAMP_SECONDS).set(created);
            }
            gauge!(MODEL_TRAINING_RMSE).set(labels.training_rmse);
        });
    }

    /// A reload or poll loaded a model (`ok`) or failed to.
    pub(crate) fn reload_finished(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        self.with(|| counter!(MODEL_RELOADS_TOTAL, "result" => result).increment(1));
    }

    /// `received` feedback pairs were added; `live` is the window after them.
    pub(crate) fn record_feedback(&self, received: u64, live: &crate::feedback::LiveErrors) {
        self.with(|| counter!(FEEDBACK_TOTAL).increment(received));
        self.set_live_errors(live);
    }

    /// Sets the live error gauges from the feedback window (NaN when it is empty, so
    /// that no alert compares a stale number).
    pub(crate) fn set_live_errors(&self, live: &crate::feedback::LiveErrors) {
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

    /// The Prometheus text exposition: the recorder's metrics, then the process metrics.
    pub fn render(&self) -> String {
        let mut text = self.handle.render();
        process::render(&mut text);
        text
    }
}

/// Process metrics, read from `/proc` at scrape time (Linux only; elsewhere nothing is
/// written). The exporter crate has no process collector, so this reads:
/// - `/proc/self/status` `VmRSS` (kB) -> `process_resident_memory_bytes`;
/// - `/proc/self/stat` fields 14 and 15 (utime, stime, in clock ticks) ->
///   `process_cpu_seconds_total`, and field 22 (start time in ticks since boot) plus
///   `btime` from `/proc/stat` -> `process_start_time_seconds`. Ticks are `USER_HZ`, which
///   Linux fixes at 100 for everything it reports through `/proc`;
/// - the entries of `/proc/self/fd` -> `process_open_fds`.
pub mod process {
    use std::fmt::Write as _;

    use super::{
        PROCESS_CPU_SECONDS_TOTAL, PROCESS_OPEN_FDS, PROCESS_RESIDENT_MEMORY_BYTES,
        PROCESS_START_TIME_SECONDS,
    };

    /// Clock ticks per second in `/proc` (Linux's `USER_HZ`).
    const USER_HZ: f64 = 100.0;

    /// The values read, each `None` when unreadable.
    #[derive(Debug, Default, Clone, Copy, PartialEq)]
    pub struct Sample {
        /// Resident memory, bytes.
        pub resident_memory_bytes: Option<f64>,
        /// User + system CPU, seconds.
        pub cpu_seconds: Option<f64>,
        /// Open file descriptors.
        pub open_fds: Option<f64>,
        /// Start time, Unix seconds.
        pub start_time_seconds: Option<f64>,
    }

    /// Reads the current sample.
    pub fn sample() -> Sample {
        let status = std::fs::read_to_string("/proc/self/status").ok();
        let stat = std::fs::read_to_string("/proc/self/stat").ok();
        let boot = std::fs::read_to_string("/proc/stat").ok();
        let fields = stat.as_deref().map(stat_fields).unwrap_or_default();
        let field = |n: usize| fields.get(n).and_then(|f| f.parse::<f64>().ok());
        let btime = boot.as_deref().and_then(|b| {
            b.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse::<f64>().ok())
        });
        Sample {
            resident_memory_bytes: status.as_deref().and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                    .map(|kb| kb * 1024.0)
            }),
            cpu_seconds: field(14).zip(field(15)).map(|(u, s)| (u + s) / USER_HZ),
            open_fds: std::fs::read_dir("/proc/self/fd")
                .ok()
                .map(|d| d.count() as f64),
            start_time_seconds: field(22).zip(btime).map(|(t, b)| b + t / USER_HZ),
        }
    }

    /// `/proc/self/stat` split into fields numbered from 1 as in `proc(5)` (index 0 is
    /// empty); the command name in parentheses may hold spaces, so split after it.
    fn stat_fields(stat: &str) -> Vec<String> {
        let Some((head, rest)) = stat.rsplit_once(')') else {
            return Vec::new();
        };
        let pid = head.split_whitespace().next().unwrap_or_default();
        let mut fields = vec![String::new(), pid.to_owned(), "comm".to_owned()];
        fields.extend(rest.split_whitespace().map(str::to_owned));
        fields
    }

    /// Appends the process metrics that could be read to `out`.
    pub fn render(out: &mut String) {
        let s = sample();
        let rows = [
            (
                PROCESS_RESIDENT_MEMORY_BYTES,
                "gauge",
                "Resident memory size in bytes.",
                s.resident_memory_bytes,
            ),
            (
                PROCESS_CPU_SECONDS_TOTAL,
                "counter",
                "Total user and system CPU time spent in seconds.",
                s.cpu_seconds,
            ),
            (
                PROCESS_OPEN_FDS,
                "gauge",
                "Number of open file descriptors.",
                s.open_fds,
            ),
            (
                PROCESS_START_TIME_SECONDS,
                "gauge",
                "Start time of the process since unix epoch in seconds.",
                s.start_time_seconds,
            ),
        ];
        for (name, kind, help, value) in rows {
            if let Some(v) = value {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                let _ = write!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n"
                );
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn stat_fields_survive_spaces_in_the_command_name() {
            let f = stat_fields("42 (a b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99");
            assert_eq!(f[1], "42");
            assert_eq!(f[3], "S");
            assert_eq!(f[22], "99");
        }

        #[cfg(target_os = "linux")]
        #[test]
        fn reads_every_process_value_on_linux() {
            let s = sample();
            assert!(s.resident_memory_bytes.unwrap() > 0.0);
            assert!(s.cpu_seconds.unwrap() >= 0.0);
            assert!(s.open_fds.unwrap() >= 3.0);
            assert!(s.start_time_seconds.unwrap() > 1.5e9);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_carry_units_or_are_documented_unitless_gauges() {
        for name in ALL {
            let has_unit = ["_total", "_seconds", "_bytes"]
                .iter()
                .any(|u| name.ends_with(u));
            assert!(
                has_unit || UNITLESS.contains(&name),
                "{name} has no unit suffix and is not a documented unitless gauge"
            );
        }
    }

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
}
