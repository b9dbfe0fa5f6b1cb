//! Bounded in-memory aggregates behind `GET /status` and
//! `GET /monitoring/predictions/stats`, kept apart from the Prometheus recorder so that
//! reading them changes nothing: fixed-size histograms, counters keyed by matched route
//! (a fixed set plus `unmatched`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::dto::{
    EndpointStats, LatencyQuantiles, ModelStatus, PredictionStatsResponse, RatingBucket,
    StatusResponse,
};

/// Upper bounds of the latency buckets, in seconds (the last bucket is open-ended).
const LATENCY_BOUNDS: [f64; 20] = [
    0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.000_75, 0.001, 0.002, 0.003, 0.005, 0.0075,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
];

/// The prediction endpoints, as matched routes, and their short names.
pub const PREDICTION_ROUTES: [(&str, &str); 3] = [
    ("/predict/movie", "movie"),
    ("/predict/batch", "batch"),
    ("/predict", "text"),
];

#[derive(Debug, Default, Clone)]
struct Endpoint {
    requests: u64,
    errors: u64,
    predictions: u64,
}

#[derive(Debug)]
struct Inner {
    requests_by_route: BTreeMap<String, u64>,
    requests_total: u64,
    endpoints: BTreeMap<&'static str, Endpoint>,
    /// Ratings in [1,2), [2,3) ... [9,10] (10 lands in the last bucket).
    ratings: [u64; 9],
    rating_sum: f64,
    rating_count: u64,
    /// Prediction request latencies; one more slot for over the last bound.
    latency: [u64; LATENCY_BOUNDS.len() + 1],
}

/// Shared aggregates; cheap to clone.
#[derive(Debug, Clone)]
pub struct Stats {
    started: Instant,
    started_at: SystemTime,
    inner: Arc<Mutex<Inner>>,
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}

impl Stats {
    /// Empty aggregates, starting the uptime clock now.
    pub fn new() -> Self {
        let endpoints = PREDICTION_ROUTES
            .iter()
            .map(|(_, name)| (*name, Endpoint::default()))
            .collect();
        Self {
            started: Instant::now(),
            started_at: SystemTime::now(),
            inner: Arc::new(Mutex::new(Inner {
                requests_by_route: BTreeMap::new(),
                requests_total: 0,
                endpoints,
                ratings: [0; 9],
                rating_sum: 0.0,
                rating_count: 0,
                latency: [0; LATENCY_BOUNDS.len() + 1],
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The aggregates stay consistent even if a holder panicked: every update is a
        // few integer additions.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Time since start.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// One finished HTTP request on `route` (matched pattern or `unmatched`).
    pub fn record_request(&self, route: &str, status: u16, elapsed: Duration) {
        let mut inner = self.lock();
        inner.requests_total += 1;
        if let Some(n) = inner.requests_by_route.get_mut(route) {
            *n += 1;
        } else {
            inner.requests_by_route.insert(route.to_owned(), 1);
        }
        let Some((_, name)) = PREDICTION_ROUTES.iter().find(|(r, _)| *r == route) else {
            return;
        };
        if let Some(e) = inner.endpoints.get_mut(name) {
            e.requests += 1;
            if status >= 400 {
                e.errors += 1;
            }
        }
        let secs = elapsed.as_secs_f64();
        let slot = LATENCY_BOUNDS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(LATENCY_BOUNDS.len());
        inner.latency[slot] += 1;
    }

    /// One request to `endpoint` (`movie`, `batch` or `text`): `count` items scored
    /// (movies or texts) and the predicted ratings among them.
    pub fn record_predictions(&self, endpoint: &'static str, count: u64, ratings: &[f64]) {
        let mut inner = self.lock();
        inner.endpoints.entry(endpoint).or_default().predictions += count;
        for r in ratings {
            let slot = (r.clamp(1.0, 10.0).floor() as usize)
                .saturating_sub(1)
                .min(8);
            inner.ratings[slot] += 1;
            inner.rating_sum += r;
            inner.rating_count += 1;
        }
    }

    /// The answer of `GET /status`: `status` (as `/health` says it), the server's
    /// `version` and the served `model`, beside the uptime and request counts.
    pub fn status(&self, status: &str, version: &str, model: ModelStatus) -> StatusResponse {
        let snap = self.snapshot();
        let started_at = time::OffsetDateTime::from(self.started_at)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        StatusResponse {
            status: status.to_owned(),
            version: version.to_owned(),
            uptime_seconds: snap.uptime.as_secs_f64(),
            started_at,
            requests_total: snap.requests_total,
            requests_by_endpoint: snap.requests_by_route,
            model,
        }
    }

    /// A consistent copy of everything.
    pub fn snapshot(&self) -> Snapshot {
        let inner = self.lock();
        Snapshot {
            uptime: self.uptime(),
            requests_total: inner.requests_total,
            requests_by_route: inner.requests_by_route.clone(),
            endpoints: inner
                .endpoints
                .iter()
                .map(|(k, e)| (*k, (e.requests, e.errors, e.predictions)))
                .collect(),
            ratings: inner.ratings,
            rating_mean: (inner.rating_count > 0)
                .then(|| inner.rating_sum / inner.rating_count as f64),
            latency: inner.latency,
        }
    }
}

/// A copy of the aggregates.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Time since start.
    pub uptime: Duration,
    /// HTTP requests answered since start.
    pub requests_total: u64,
    /// HTTP requests answered since start, by matched route (`unmatched` for others).
    pub requests_by_route: BTreeMap<String, u64>,
    /// Per prediction endpoint: (requests, errors, predictions).
    pub endpoints: BTreeMap<&'static str, (u64, u64, u64)>,
    /// Predicted ratings in unit buckets from 1 to 10 (10 lands in the last).
    pub ratings: [u64; 9],
    /// Mean predicted rating (`None` before any prediction).
    pub rating_mean: Option<f64>,
    latency: [u64; LATENCY_BOUNDS.len() + 1],
}

impl Snapshot {
    /// The upper bound of the bucket holding quantile `q` of prediction latencies, in
    /// seconds (`None` before any request; over the last bound reports the last bound).
    pub fn latency_quantile(&self, q: f64) -> Option<f64> {
        let total: u64 = self.latency.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = (q * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.latency.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(LATENCY_BOUNDS[i.min(LATENCY_BOUNDS.len() - 1)]);
            }
        }
        LATENCY_BOUNDS.last().copied()
    }
}

impl Snapshot {
    /// The answer of `GET /monitoring/predictions/stats`.
    pub fn prediction_stats(&self) -> PredictionStatsResponse {
        let (requests, errors) = self
            .endpoints
            .values()
            .fold((0, 0), |(r, e), (r1, e1, _)| (r + r1, e + e1));
        let endpoints = self
            .endpoints
            .iter()
            .map(|(name, &(requests, errors, predictions))| {
                let stats = EndpointStats {
                    requests,
                    errors,
                    predictions,
                };
                ((*name).to_owned(), stats)
            })
            .collect();
        let rating_histogram = (1u32..)
            .zip(self.ratings)
            .map(|(lower, count)| RatingBucket {
                lower: f64::from(lower),
                upper: f64::from(lower + 1),
                count,
            })
            .collect();
        PredictionStatsResponse {
            endpoints,
            total_predictions: self.endpoints.values().map(|(_, _, p)| p).sum(),
            mean_predicted_rating: self.rating_mean,
            rating_histogram,
            latency_seconds: LatencyQuantiles {
                p50: self.latency_quantile(0.5),
                p95: self.latency_quantile(0.95),
                p99: self.latency_quantile(0.99),
            },
            error_rate: if requests == 0 {
                0.0
            } else {
                errors as f64 / requests as f64
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_bucket_upper_bounds() {
        let s = Stats::new();
        for _ in 0..99 {
            s.record_request("/predict/movie", 200, Duration::from_micros(400));
        }
        s.record_request("/predict/movie", 500, Duration::from_millis(40));
        let snap = s.snapshot();
        assert_eq!(snap.latency_quantile(0.5), Some(0.000_5));
        assert_eq!(snap.latency_quantile(0.99), Some(0.000_5));
        assert_eq!(snap.latency_quantile(1.0), Some(0.05));
        assert_eq!(snap.endpoints["movie"], (100, 1, 0));
        let answer = snap.prediction_stats();
        assert_eq!(answer.error_rate, 0.01);
        assert_eq!(answer.latency_seconds.p99, Some(0.000_5));
        assert_eq!(answer.endpoints["movie"].requests, 100);
    }

    #[test]
    fn ratings_land_in_unit_buckets_with_ten_in_the_last() {
        let s = Stats::new();
        s.record_predictions("movie", 3, &[1.0, 6.5, 10.0]);
        let snap = s.snapshot();
        assert_eq!(snap.ratings, [1, 0, 0, 0, 0, 1, 0, 0, 1]);
        assert!((snap.rating_mean.unwrap() - 17.5 / 3.0).abs() < 1e-12);
        let answer = snap.prediction_stats();
        assert_eq!(answer.total_predictions, 3);
        let last = answer.rating_histogram.last().unwrap();
        assert_eq!((last.lower, last.upper, last.count), (9.0, 10.0, 1));
    }

    #[test]
    fn status_counts_requests_by_route_and_carries_the_served_model() {
        let s = Stats::new();
        s.record_request("/health", 200, Duration::from_millis(1));
        s.record_request("unmatched", 404, Duration::from_millis(1));
        s.record_request("/health", 200, Duration::from_millis(1));
        let model = ModelStatus {
            loaded: false,
            name: None,
            version: None,
        };
        let answer = s.status("degraded", "0.1.0", model.clone());
        assert_eq!(answer.requests_total, 3);
        assert_eq!(answer.requests_by_endpoint["/health"], 2);
        assert_eq!((answer.status.as_str(), answer.model), ("degraded", model));
        assert!(answer.started_at.ends_with('Z'), "{}", answer.started_at);
    }
}
