//! Cached handles of the series every request updates, so that a request does not build
//! a label set, hash it and look it up in the recorder's registry for each update.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use metrics::{counter, histogram, Counter, Histogram};

use super::names::{
    HTTP_REQUESTS_TOTAL, HTTP_REQUEST_DURATION_SECONDS, PREDICTED_RATING, PREDICTIONS_TOTAL,
    PREDICTION_DURATION_SECONDS,
};
use super::Metrics;

/// The handles of the series every request updates, so that a request does not build a
/// label set, hash it and look it up in the recorder's registry for each update. A label
/// set is registered on its first use; the handles stay valid for the recorder's life
/// (it has no idle timeout).
#[derive(Default)]
pub(super) struct Handles {
    /// By matched route, then (method, status).
    pub(super) http: RwLock<HashMap<String, RouteHandles>>,
    /// By (endpoint, model version): a few entries, scanned.
    pub(super) predictions: RwLock<Vec<(&'static str, String, PredictionHandles)>>,
}

/// One route's request counters by (method, status) and duration histograms by method.
#[derive(Default)]
pub(super) struct RouteHandles {
    pub(super) requests: Vec<(&'static str, u16, Counter)>,
    pub(super) durations: Vec<(&'static str, Histogram)>,
}

impl RouteHandles {
    /// The request counter for `method` and `status`, if registered.
    pub(super) fn requests(&self, method: &str, status: u16) -> Option<&Counter> {
        self.requests
            .iter()
            .find(|(m, s, _)| *m == method && *s == status)
            .map(|(_, _, counter)| counter)
    }

    /// The duration histogram for `method`, if registered.
    pub(super) fn duration(&self, method: &str) -> Option<&Histogram> {
        self.durations
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, histogram)| histogram)
    }

    pub(super) fn get(&self, method: &str, status: u16) -> Option<(&Counter, &Histogram)> {
        Some((self.requests(method, status)?, self.duration(method)?))
    }
}

/// One (endpoint, model version)'s prediction series.
pub(super) struct PredictionHandles {
    pub(super) total: Counter,
    pub(super) duration: Histogram,
    pub(super) rating: Histogram,
}

/// Records through cached handles: `record` runs under the read lock and says whether it
/// found the handles it needs; when it did not, `register` adds the missing ones under the
/// write lock (only those still missing: another request may have added them in between)
/// and `record` runs again.
pub(super) fn record_or_register<T>(
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

impl Metrics {
    /// One finished HTTP request.
    pub fn record_http(&self, method: &'static str, route: &str, status: u16, elapsed: Duration) {
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
    pub fn record_predictions(
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
}
