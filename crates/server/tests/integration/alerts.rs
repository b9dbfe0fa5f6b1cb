//! `GET /monitoring/alerts/active` and `GET /monitoring/status` against a stand-in
//! Alertmanager on a loopback port.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use reelcast_server::ServerSettings;
use serde_json::{json, Value};

use crate::helpers::{send_raw, state_with};

/// Serves Alertmanager's `/api/v2/alerts` (one firing drift alert) and `/-/healthy` on
/// 127.0.0.1; returns its base URL. The server stops with the test's runtime.
async fn fake_alertmanager() -> String {
    let alerts = json!([{
        "labels": {"alertname": "ReelcastFeatureDrift", "severity": "warning", "feature": "startYear"},
        "annotations": {"summary": "Feature startYear drifted"},
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        "startsAt": "2026-11-27T10:00:00Z", "endsAt": "2026-11-27T10:05:00Z",
        "fingerprint": "a1b2", "receivers": [{"name": "default"}], "updatedAt": "2026-11-27T10:00:00Z"
    }]);
    let router = Router::new()
        .route(
            "/api/v2/alerts",
            get(move |q: axum::extract::RawQuery| {
                let alerts = alerts.clone();
                async move {
                    // reelcast must ask for active, unsilenced, uninhibited alerts only.
                    let q = q.0.unwrap_or_default();
                    assert!(
                        q.contains("active=true") && q.contains("silenced=false"),
                        "{q}"
                    );
                    Json(alerts)
                }
            }),
        )
        .route("/-/healthy", get(|| async { "OK" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// A loopback URL where nothing listens.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

async fn get_with(settings: ServerSettings, uri: &str) -> (StatusCode, Value) {
    let r = send_raw(state_with(settings), Method::GET, uri, None, Body::empty()).await;
    (r.status, r.body)
}

#[tokio::test]
async fn active_alerts_are_alertmanagers() {
    let url = fake_alertmanager().await;
    let settings = ServerSettings {
        alertmanager_url: format!("{url}/"),
        ..ServerSettings::default()
    };

    let (status, body) = get_with(settings, "/monitoring/alerts/active").await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 1);
    assert_eq!(body["alertmanager_url"], url);
    assert_eq!(
        body["alerts"][0]["labels"]["alertname"],
        "ReelcastFeatureDrift"
    );
}

#[tokio::test]
async fn alerts_without_an_alertmanager_are_a_503_saying_how_to_configure_it() {
    let (status, body) = get_with(ServerSettings::default(), "/monitoring/alerts/active").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "alertmanager_not_configured");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("REELCAST__SERVER__ALERTMANAGER_URL"));

    let down = ServerSettings {
        alertmanager_url: closed_port().await,
        ..ServerSettings::default()
    };
    let (status, body) = get_with(down, "/monitoring/alerts/active").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "alertmanager_unavailable");
}

#[tokio::test]
async fn monitoring_status_probes_each_configured_service() {
    let settings = ServerSettings {
        alertmanager_url: fake_alertmanager().await,
        prometheus_url: closed_port().await,
        ..ServerSettings::default()
    };

    let (status, body) = get_with(settings, "/monitoring/status").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["alertmanager"]["reachable"], true, "{body}");
    assert_eq!(body["prometheus"]["reachable"], false, "{body}");

    let (_, body) = get_with(ServerSettings::default(), "/monitoring/status").await;
    assert_eq!(body["prometheus"]["url"], Value::Null);
    assert_eq!(body["prometheus"]["reachable"], Value::Null);
    assert_eq!(body["alertmanager"]["detail"], "not configured");
}

/// A loopback port that accepts connections and never answers.
async fn silent_port() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

#[tokio::test]
async fn a_request_over_the_timeout_gets_408_in_the_error_shape_and_is_counted() {
    let (url, silent) = silent_port().await;
    let settings = ServerSettings {
        alertmanager_url: url,
        request_timeout_seconds: 0.2,
        ..ServerSettings::default()
    };
    let state = state_with(settings);

    // Bounded so that a broken timeout fails the test instead of hanging it.
    let reply = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        send_raw(
            state.clone(),
            Method::GET,
            "/monitoring/alerts/active",
            None,
            Body::empty(),
        ),
    )
    .await
    .expect("the request timeout answers before the bound");

    assert_eq!(
        reply.status,
        StatusCode::REQUEST_TIMEOUT,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.code(), "request_timeout", "{:?}", reply.body);
    let metrics = crate::monitoring::scrape(state).await;
    let timed_out = crate::monitoring::sample(
        &metrics,
        "http_requests_total",
        &["route=\"/monitoring/alerts/active\"", "status=\"408\""],
    );
    assert_eq!(timed_out, 1.0, "{metrics}");
    silent.abort();
}
