//! `GET /metrics`, `GET /status`, `GET /monitoring/predictions/stats`, and CORS.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use reelcast_server::{app, AppState, ServerSettings};
use tower::ServiceExt;

use crate::helpers::{post_to, send_raw, state, state_with, the_kid};

/// The raw `/metrics` text of `state`.
pub async fn scrape(state: AppState) -> String {
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = app(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let ct = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The value of the sample named `name` whose labels include every one of `labels`
/// (0 when absent).
pub fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.split(['{', ' ']).next() == Some(name) && labels.iter().all(|lb| l.contains(lb))
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

async fn get_from(state: AppState, uri: &str) -> crate::helpers::Reply {
    send_raw(state, Method::GET, uri, None, Body::empty()).await
}

#[tokio::test]
async fn n_requests_raise_the_counters_by_exactly_n() {
    let state = state();
    let before = scrape(state.clone()).await;
    let n = 7;

    for _ in 0..n {
        let r = post_to(state.clone(), "/predict/movie", &the_kid()).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let bad = post_to(state.clone(), "/predict/movie", &serde_json::json!({})).await;
    get_from(state.clone(), "/no/such/page").await;
    send_raw(
        state.clone(),
        Method::DELETE,
        "/predict/movie",
        None,
        Body::empty(),
    )
    .await;
    let text = scrape(state.clone()).await;

    let movie_ok = [
        "method=\"POST\"",
        "route=\"/predict/movie\"",
        "status=\"200\"",
    ];
    assert_eq!(sample(&before, "http_requests_total", &movie_ok), 0.0);
    assert_eq!(
        sample(&text, "http_requests_total", &movie_ok),
        f64::from(n),
        "{text}"
    );
    let movie_422 = [
        "route=\"/predict/movie\"",
        &format!("status=\"{}\"", bad.status.as_u16()),
    ];
    assert_eq!(sample(&text, "http_requests_total", &movie_422), 1.0);
    assert_eq!(
        sample(
            &text,
            "http_requests_total",
            &["route=\"unmatched\"", "status=\"404\""]
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "http_request_duration_seconds_count",
            &["method=\"POST\"", "route=\"/predict/movie\""]
        ),
        f64::from(n + 1)
    );
    assert_eq!(
        sample(&text, "reelcast_predictions_total", &["endpoint=\"movie\""]),
        f64::from(n),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "reelcast_predicted_rating_count",
            &["endpoint=\"movie\""]
        ),
        f64::from(n)
    );
    assert_eq!(
        sample(&text, "reelcast_prediction_duration_seconds_count", &[]),
        f64::from(n)
    );
    assert_eq!(
        sample(
            &text,
            "http_requests_total",
            &[
                "method=\"DELETE\"",
                "route=\"/predict/movie\"",
                "status=\"405\""
            ]
        ),
        1.0,
        "{text}"
    );
    // The first scrape was counted once, under its own matched route.
    assert_eq!(
        sample(&text, "http_requests_total", &["route=\"/metrics\""]),
        1.0
    );
}

#[tokio::test]
async fn a_batch_counts_each_movie_once() {
    let state = state();
    let body = serde_json::json!({"movies": [the_kid(), the_kid(), the_kid()]});

    let r = post_to(state.clone(), "/predict/batch", &body).await;
    let text = scrape(state).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        sample(&text, "reelcast_predictions_total", &["endpoint=\"batch\""]),
        3.0
    );
    assert_eq!(
        sample(&text, "http_requests_total", &["route=\"/predict/batch\""]),
        1.0
    );
}

#[tokio::test]
async fn model_and_process_metrics_are_exported() {
    let with_model = scrape(state()).await;
    let without = scrape(AppState::new(ServerSettings::default())).await;

    assert_eq!(sample(&with_model, "reelcast_model_loaded", &[]), 1.0);
    assert_eq!(sample(&without, "reelcast_model_loaded", &[]), 0.0);
    assert_eq!(
        sample(&with_model, "reelcast_model_info", &["version=\""]),
        1.0
    );
    assert!(sample(&with_model, "reelcast_model_load_timestamp_seconds", &[]) > 1.5e9);
    if cfg!(target_os = "linux") {
        assert!(sample(&with_model, "process_resident_memory_bytes", &[]) > 0.0);
        assert!(sample(&with_model, "process_open_fds", &[]) > 0.0);
        assert!(with_model.contains("# TYPE process_cpu_seconds_total counter"));
        assert!(sample(&with_model, "process_start_time_seconds", &[]) > 1.5e9);
    }
}

#[tokio::test]
async fn every_exported_name_carries_a_unit_or_is_a_documented_unitless_gauge() {
    let state = state();
    post_to(state.clone(), "/predict/movie", &the_kid()).await;
    let text = scrape(state).await;

    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = line.split(' ').nth(2).unwrap();
        let has_unit = ["_total", "_seconds", "_bytes"]
            .iter()
            .any(|u| name.ends_with(u));
        assert!(
            has_unit || reelcast_server::metrics::UNITLESS.contains(&name),
            "{name} carries no unit"
        );
    }
}

#[tokio::test]
async fn status_reports_uptime_counters_and_the_same_model_state_as_health() {
    let state = state();
    post_to(state.clone(), "/predict/movie", &the_kid()).await;
    post_to(state.clone(), "/predict/movie", &the_kid()).await;

    let status = get_from(state.clone(), "/status").await;
    let health = get_from(state, "/health").await;
    let empty = get_from(AppState::new(ServerSettings::default()), "/status").await;

    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.body["status"], health.body["status"]);
    assert_eq!(status.body["model"]["loaded"], health.body["model_loaded"]);
    assert_eq!(status.body["model"]["version"].as_str().unwrap().len(), 12);
    assert!(status.body["uptime_seconds"].as_f64().unwrap() >= 0.0);
    assert!(status.body["started_at"].as_str().unwrap().contains('T'));
    assert_eq!(status.body["requests_by_endpoint"]["/predict/movie"], 2);
    assert_eq!(status.body["requests_total"], 2);
    assert_eq!(empty.body["status"], "degraded");
    assert_eq!(empty.body["model"]["loaded"], false);
}

#[tokio::test]
async fn prediction_stats_are_real_and_reading_them_changes_nothing() {
    let state = state();
    for _ in 0..4 {
        post_to(state.clone(), "/predict/movie", &the_kid()).await;
    }
    let batch = serde_json::json!({"movies": [the_kid(), the_kid()]});
    post_to(state.clone(), "/predict/batch", &batch).await;
    post_to(
        state.clone(),
        "/predict/movie",
        &serde_json::json!({"startYear": 1}),
    )
    .await;
    let metrics_before = scrape(state.clone()).await;

    let first = get_from(state.clone(), "/monitoring/predictions/stats").await;
    let second = get_from(state.clone(), "/monitoring/predictions/stats").await;
    let metrics_after = scrape(state).await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, second.body);
    let b = &first.body;
    assert_eq!(b["endpoints"]["movie"]["requests"], 5);
    assert_eq!(b["endpoints"]["movie"]["errors"], 1);
    assert_eq!(b["endpoints"]["movie"]["predictions"], 4);
    assert_eq!(b["endpoints"]["batch"]["predictions"], 2);
    assert_eq!(b["total_predictions"], 6);
    let histogram = b["rating_histogram"].as_array().unwrap();
    assert_eq!(histogram.len(), 9);
    let counted: u64 = histogram.iter().map(|h| h["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, 6);
    let mean = b["mean_predicted_rating"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&mean), "{mean}");
    let p50 = b["latency_seconds"]["p50"].as_f64().unwrap();
    let p99 = b["latency_seconds"]["p99"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= p99, "{p50} {p99}");
    assert!((b["error_rate"].as_f64().unwrap() - 1.0 / 6.0).abs() < 1e-12);
    // Prediction metrics did not move while the stats were read.
    for name in [
        "reelcast_predictions_total",
        "reelcast_predicted_rating_count",
    ] {
        assert_eq!(
            sample(&metrics_before, name, &[]),
            sample(&metrics_after, name, &[]),
            "{name}"
        );
    }
}

#[tokio::test]
async fn cors_allows_any_origin_without_credentials_by_default() {
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/predict/movie")
        .header(header::ORIGIN, "https://example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();

    let response = app(state()).oneshot(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "GET,POST");
    // `*` answers the same to every origin, so caches need no `Vary`.
    assert!(h.get(header::VARY).is_none(), "{h:?}");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let settings = ServerSettings {
        cors_allowed_origins: vec!["https://good.example".into()],
        ..ServerSettings::default()
    };
    let from = |origin: &'static str| {
        Request::get("/health")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap()
    };

    let good = app(state_with(settings.clone()))
        .oneshot(from("https://good.example"))
        .await
        .unwrap();
    let evil = app(state_with(settings))
        .oneshot(from("https://evil.example"))
        .await
        .unwrap();

    assert_eq!(
        good.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://good.example"
    );
    // The echoed origin depends on the request's, so caches must key on it.
    let vary = good.headers()[header::VARY].to_str().unwrap();
    assert!(vary.contains("origin"), "{vary}");
    assert!(evil
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

#[tokio::test]
async fn fields_the_client_did_not_send_are_counted_as_imputed() {
    let state = crate::helpers::state();
    let mut movie = crate::helpers::the_kid();
    movie.as_object_mut().unwrap().remove("title");
    let r = crate::helpers::post_to(state.clone(), "/predict/movie", &movie).await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{:?}", r.body);
    let batch = serde_json::json!({"movies": [movie.clone(), movie]});
    let r = crate::helpers::post_to(state.clone(), "/predict/batch", &batch).await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{:?}", r.body);

    let metrics = scrape(state).await;
    let title = sample(
        &metrics,
        "reelcast_imputed_inputs_total",
        &["field=\"title\""],
    );
    assert_eq!(title, 3.0, "{metrics}");
    let year = sample(
        &metrics,
        "reelcast_imputed_inputs_total",
        &["field=\"startYear\""],
    );
    assert_eq!(year, 0.0, "{metrics}");
}

#[tokio::test]
async fn a_body_over_the_limit_counts_under_its_route() {
    let state = state_with(ServerSettings {
        body_limit_bytes: 1_000,
        ..ServerSettings::default()
    });
    let big = serde_json::json!({"title": "x".repeat(2_000)});
    let r = post_to(state.clone(), "/predict/movie", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    let r = post_to(state.clone(), "/no/such/page", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);

    let text = scrape(state).await;
    let counted = |route: &str| {
        sample(
            &text,
            "http_requests_total",
            &[&format!("route=\"{route}\""), "status=\"413\""],
        )
    };
    assert_eq!(counted("/predict/movie"), 1.0, "{text}");
    assert_eq!(counted("unmatched"), 1.0, "{text}");
}
