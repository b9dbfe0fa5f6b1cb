//! `GET /`, `/health`, `/health/live`, `/health/ready`, `/model/info`.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use reelcast_server::{AppState, ServerSettings};

use crate::helpers::{bundle, get, send_raw};

async fn get_without_model(uri: &str) -> crate::helpers::Reply {
    send_raw(
        AppState::new(ServerSettings::default()),
        Method::GET,
        uri,
        None,
        Body::empty(),
    )
    .await
}

#[tokio::test]
async fn health_is_healthy_with_a_model_and_degraded_without() {
    let r = get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "healthy");
    assert_eq!(r.body["model_loaded"], true);
    assert_eq!(r.body["version"], env!("CARGO_PKG_VERSION"));
    assert!(r.body["timestamp"].as_str().unwrap().contains('T'));
    assert!(r.body["capabilities"].as_array().unwrap().len() > 1);

    let r = get_without_model("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "degraded");
    assert_eq!(r.body["model_loaded"], false);
}

#[tokio::test]
async fn ready_is_503_until_a_model_is_loaded_and_live_always_200() {
    assert_eq!(get("/health/ready").await.status, StatusCode::OK);
    let r = get_without_model("/health/ready").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.code(), "model_not_loaded");
    assert_eq!(
        get_without_model("/health/live").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn model_info_comes_from_the_bundle() {
    let r = get("/model/info").await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let m = &bundle().metadata;
    assert_eq!(r.body["name"], m.model_name);
    assert_eq!(r.body["kind"], "random_forest");
    assert_eq!(r.body["created_at"], m.created_at);
    assert_eq!(r.body["dataset_version"], m.dataset_version);
    assert_eq!(r.body["metrics"]["test"]["rmse"], m.metrics.test.rmse);
    assert!(r.body["params"].is_object());
    assert_eq!(
        r.body["features"].as_array().unwrap().len(),
        bundle().features.names().len()
    );
    assert_eq!(
        get_without_model("/model/info").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn the_drift_reference_has_its_own_endpoint_off_model_info() {
    let info = get("/model/info").await;
    let reference = get("/model/reference").await;

    assert!(info.body.get("reference").is_none(), "{:?}", info.body);
    let info_bytes = serde_json::to_vec(&info.body).unwrap().len();
    assert!(info_bytes < 8_192, "/model/info is {info_bytes} bytes");
    assert_eq!(reference.status, StatusCode::OK, "{:?}", reference.body);
    assert_eq!(reference.body["version"], info.body["version"]);
    assert_eq!(
        reference.body["reference"]["features"]
            .as_array()
            .unwrap()
            .len(),
        bundle().features.names().len()
    );
    assert_eq!(
        get_without_model("/model/reference").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn root_lists_every_endpoint() {
    let r = get("/").await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["service"], "reelcast");
    let endpoints: Vec<&str> = r.body["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for e in [
        "POST /predict/movie",
        "POST /predict/batch",
        "GET /health/ready",
        "GET /model/info",
        "GET /model/reference",
        "GET /openapi.json",
    ] {
        assert!(endpoints.contains(&e), "{e} missing from {endpoints:?}");
    }
}

#[tokio::test]
async fn ready_turns_200_once_a_model_is_swapped_in() {
    let state = AppState::new(ServerSettings::default());
    let before = send_raw(
        state.clone(),
        Method::GET,
        "/health/ready",
        None,
        Body::empty(),
    )
    .await;

    state.set_model(reelcast_server::LoadedModel::new(bundle().clone()).unwrap());
    let after = send_raw(state, Method::GET, "/health/ready", None, Body::empty()).await;

    assert_eq!(before.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["model_version"].as_str().unwrap().len(), 12);
}
