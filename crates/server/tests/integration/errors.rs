//! One error shape for every failure, framework rejections included.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use reelcast_server::{AppState, ServerSettings};

use crate::helpers::{get, post_to, send_raw, state, state_with, the_kid, Reply};

fn assert_error_shape(r: &Reply, status: StatusCode, code: &str, label: &str) {
    assert_eq!(r.status, status, "{label}: {:?}", r.body);
    assert_eq!(r.content_type, "application/json", "{label}");
    assert_eq!(r.code(), code, "{label}: {:?}", r.body);
    assert!(r.body["error"]["message"].as_str().is_some(), "{label}");
}

#[tokio::test]
async fn body_problems_get_the_error_shape() {
    let kid = the_kid().to_string();
    // The batch's cut falls inside its list: a batch body reads its keys as they come, so
    // a cut movie body would be refused for its first key before the JSON breaks.
    let batch = serde_json::json!({ "movies": [the_kid()] }).to_string();
    let cases: [(&str, Option<&str>, String, StatusCode, &str); 5] = [
        (
            "empty body",
            Some("application/json"),
            String::new(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "not json",
            Some("application/json"),
            "title=x".into(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "truncated json",
            Some("application/json"),
            kid[..kid.len() - 2].to_owned(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "wrong content type",
            Some("text/plain"),
            kid.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "no content type",
            None,
            kid.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (label, ct, body, status, code) in cases {
        for uri in ["/predict/movie", "/predict/batch", "/predict", "/feedback"] {
            let body = if label == "truncated json" && uri == "/predict/batch" {
                batch[..batch.len() - 3].to_owned()
            } else {
                body.clone()
            };
            let r = send_raw(state(), Method::POST, uri, ct, body).await;
            assert_error_shape(&r, status, code, &format!("{label} {uri}"));
        }
    }
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let small = state_with(ServerSettings {
        body_limit_bytes: 64,
        ..ServerSettings::default()
    });
    let mut body = the_kid();
    body["title"] = "x".repeat(100).into();
    let r = post_to(small, "/predict/movie", &body).await;

    assert_error_shape(
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "oversized",
    );
}

#[tokio::test]
async fn unknown_routes_get_404_listing_the_endpoints() {
    let r = get("/predict/film").await;

    assert_error_shape(&r, StatusCode::NOT_FOUND, "not_found", "unknown route");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("POST /predict/movie"), "{message}");
    assert!(message.contains("GET /health"), "{message}");
}

#[tokio::test]
async fn wrong_methods_get_405_with_allow() {
    let r = get("/predict/movie").await;
    assert_error_shape(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "GET predict",
    );

    let r = send_raw(state(), Method::DELETE, "/health", None, Body::empty()).await;
    assert_error_shape(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "DELETE health",
    );

    for uri in ["/feedback", "/model/reload"] {
        let r = get(uri).await;
        assert_error_shape(
            &r,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            uri,
        );
    }
    let r = send_raw(
        state(),
        Method::POST,
        "/monitoring/alerts/active",
        None,
        Body::empty(),
    )
    .await;
    assert_error_shape(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "POST alerts",
    );
}

#[tokio::test]
async fn predictions_without_a_model_get_503() {
    let empty = AppState::new(ServerSettings::default());
    let r = post_to(empty, "/predict/movie", &the_kid()).await;

    assert_error_shape(
        &r,
        StatusCode::SERVICE_UNAVAILABLE,
        "model_not_loaded",
        "no model",
    );
}
