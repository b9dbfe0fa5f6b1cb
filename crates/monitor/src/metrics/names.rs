//! Every metric name, with its unit in the name, and the `# HELP` text of those the
//! recorder renders.

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};

/// Counter of HTTP requests, by method, matched route and status.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of HTTP request durations, by method and matched route.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
/// Counter of predicted movies, by endpoint and model version.
pub const PREDICTIONS_TOTAL: &str = "reelcast_predictions_total";
/// Histogram of model scoring time per prediction request.
pub const PREDICTION_DURATION_SECONDS: &str = "reelcast_prediction_duration_seconds";
/// Histogram of predicted ratings (a rating, 1 to 10: no unit suffix).
pub const PREDICTED_RATING: &str = "reelcast_predicted_rating";
/// Counter of predicted movies whose `field` the client did not send (filled in from
/// training statistics), by field; `reelcast_predictions_total` is the denominator.
pub const IMPUTED_INPUTS_TOTAL: &str = "reelcast_imputed_inputs_total";
/// Gauge, 1 for the served model's name, version and alias; rendered at scrape time, so
/// replaced versions have no series.
pub const MODEL_INFO: &str = "reelcast_model_info";
/// Gauge, 1, labelled with the server's version and the git commit it was built from.
pub const BUILD_INFO: &str = "reelcast_build_info";
/// Gauge, 1 when a model is loaded, else 0.
pub const MODEL_LOADED: &str = "reelcast_model_loaded";
/// Gauge, Unix time at which the served model was loaded.
pub const MODEL_LOAD_TIMESTAMP_SECONDS: &str = "reelcast_model_load_timestamp_seconds";
/// Gauge, Unix time at which the served model was trained (from its bundle).
pub const MODEL_CREATED_TIMESTAMP_SECONDS: &str = "reelcast_model_created_timestamp_seconds";
/// Gauge, held-out RMSE of the served model at training time.
pub const MODEL_TRAINING_RMSE: &str = "reelcast_model_training_rmse";
/// Counter of attempts to load a version the source designated, by result: `failure`
/// means a version that failed to load (fetch, decode, checksum or probe).
pub const MODEL_RELOADS_TOTAL: &str = "reelcast_model_reloads_total";
/// Counter of registry errors: polls or reloads in which the registry could not say which
/// version the served alias designates (unreachable, 5xx); nothing was loaded.
pub const REGISTRY_ERRORS_TOTAL: &str = "reelcast_registry_errors_total";
/// Gauge, RMSE of the served model over the `POST /feedback` window.
pub const LIVE_RMSE: &str = "reelcast_live_rmse";
/// Gauge, MAE of the served model over the `POST /feedback` window.
pub const LIVE_MAE: &str = "reelcast_live_mae";
/// Gauge, (predicted, actual) pairs in the `POST /feedback` window.
pub const LIVE_FEEDBACK_WINDOW_SIZE: &str = "reelcast_live_feedback_window_size";
/// Counter of feedback pairs received.
pub const FEEDBACK_TOTAL: &str = "reelcast_feedback_total";
/// Gauge, PSI of each feature in the last drift check against the training reference;
/// rendered at scrape time, with no series while the drift window is empty.
pub const FEATURE_DRIFT_PSI: &str = "reelcast_feature_drift_psi";
/// Gauge, feature rows in the recent-traffic drift window (after ageing out).
pub const DRIFT_WINDOW_SAMPLES: &str = "reelcast_drift_window_samples";
/// Gauge, resident memory (from `/proc/self/status` `VmRSS`).
pub const PROCESS_RESIDENT_MEMORY_BYTES: &str = "process_resident_memory_bytes";
/// Counter, user + system CPU time (from `/proc/self/stat`).
pub const PROCESS_CPU_SECONDS_TOTAL: &str = "process_cpu_seconds_total";
/// Gauge, open file descriptors (entries of `/proc/self/fd`).
pub const PROCESS_OPEN_FDS: &str = "process_open_fds";
/// Gauge, Unix time at which the process started.
pub const PROCESS_START_TIME_SECONDS: &str = "process_start_time_seconds";

/// Every metric name, for the units test.
pub const ALL: [&str; 24] = [
    HTTP_REQUESTS_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS,
    PREDICTIONS_TOTAL,
    PREDICTION_DURATION_SECONDS,
    PREDICTED_RATING,
    IMPUTED_INPUTS_TOTAL,
    MODEL_INFO,
    BUILD_INFO,
    MODEL_LOADED,
    MODEL_LOAD_TIMESTAMP_SECONDS,
    MODEL_CREATED_TIMESTAMP_SECONDS,
    MODEL_TRAINING_RMSE,
    MODEL_RELOADS_TOTAL,
    REGISTRY_ERRORS_TOTAL,
    LIVE_RMSE,
    LIVE_MAE,
    LIVE_FEEDBACK_WINDOW_SIZE,
    FEEDBACK_TOTAL,
    FEATURE_DRIFT_PSI,
    DRIFT_WINDOW_SAMPLES,
    PROCESS_RESIDENT_MEMORY_BYTES,
    PROCESS_CPU_SECONDS_TOTAL,
    PROCESS_OPEN_FDS,
    PROCESS_START_TIME_SECONDS,
];

/// Gauges whose names carry no unit suffix because they have none (a state, a count,
/// an info marker, a rating or rating error on IMDb's 1-10 scale, or a PSI).
pub const UNITLESS: [&str; 11] = [
    MODEL_TRAINING_RMSE,
    LIVE_RMSE,
    LIVE_MAE,
    LIVE_FEEDBACK_WINDOW_SIZE,
    PREDICTED_RATING,
    MODEL_INFO,
    BUILD_INFO,
    MODEL_LOADED,
    PROCESS_OPEN_FDS,
    FEATURE_DRIFT_PSI,
    DRIFT_WINDOW_SAMPLES,
];

/// Latency buckets, in seconds, shared by the HTTP and prediction histograms.
pub(super) const LATENCY_BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    5.0,
];
/// Rating buckets: 1 to 10.
pub(super) const RATING_BUCKETS: [f64; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];

/// The `# HELP` text of every metric the recorder renders (those rendered at scrape time
/// carry their own, see [`super::scrape`]).
pub(super) fn describe() {
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
    describe_counter!(
        IMPUTED_INPUTS_TOTAL,
        Unit::Count,
        "Predicted movies whose field the client did not send (imputed), by field."
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
        "Loads of a version designated by the model source, by result (failure: the version failed to load)."
    );
    describe_counter!(
        REGISTRY_ERRORS_TOTAL,
        Unit::Count,
        "Polls and reloads in which the registry could not be asked which version to serve."
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
        DRIFT_WINDOW_SAMPLES,
        "Feature rows in the recent-traffic drift window, after rows older than drift_window_seconds aged out."
    );
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
    fn every_name_is_listed_once() {
        let mut names = ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(UNITLESS.iter().all(|n| ALL.contains(n)));
    }
}
