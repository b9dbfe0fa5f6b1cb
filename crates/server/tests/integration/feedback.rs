//! `POST /feedback` and the live error gauges.

use axum::http::StatusCode;
use reelcast_server::{AppState, ServerSettings};
use serde_json::{json, Value};

use crate::helpers::{post_to, state, state_with, the_kid};
use crate::monitoring::{sample, scrape};

fn item(predicted: Option<f64>, actual: f64) -> Value {
    let mut v = the_kid();
    if let Some(p) = predicted {
        v["predicted_rating"] = json!(p);
    }
    v["actual_rating"] = json!(actual);
    v
}

#[tokio::test]
async fn live_rmse_and_mae_follow_the_window_and_reach_the_gauges() {
    let settings = ServerSettings {
        feedback_window: 3,
        ..ServerSettings::default()
    };
    let state = state_with(settings);

    // Errors +1 and -3: rmse sqrt(5), mae 2.
    let body = json!({"items": [item(Some(8.0), 7.0), item(Some(5.0), 8.0)]});
    let r = post_to(state.clone(), "/feedback", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["accepted"], 2);
    assert_eq!(r.body["live"]["window_size"], 2);
    let rmse = r.body["live"]["rmse"].as_f64().unwrap();
    assert!((rmse - 5f64.sqrt()).abs() < 1e-9, "{rmse}");
    assert!((r.body["live"]["mae"].as_f64().unwrap() - 2.0).abs() < 1e-9);
    assert_eq!(r.body["pairs"][1]["error"], -3.0);

    // Two more: the window keeps the last 3 (-3, 0, +2): rmse sqrt(13/3), mae 5/3.
    for (p, a) in [(6.0, 6.0), (9.0, 7.0)] {
        let r = post_to(state.clone(), "/feedback", &item(Some(p), a)).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let text = scrape(state.clone()).await;
    let want_rmse = (13.0f64 / 3.0).sqrt();
    assert!(
        (sample(&text, "reelcast_live_rmse", &[]) - want_rmse).abs() < 1e-9,
        "{text}"
    );
    assert!((sample(&text, "reelcast_live_mae", &[]) - 5.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        sample(&text, "reelcast_live_feedback_window_size", &[]),
        3.0
    );
    assert_eq!(sample(&text, "reelcast_feedback_total", &[]), 4.0);
}

#[tokio::test]
async fn a_missing_prediction_is_made_by_the_served_model() {
    let state = state();
    let predicted = post_to(state.clone(), "/predict/movie", &the_kid()).await;
    let rating = predicted.body["predicted_rating"].as_f64().unwrap();

    let r = post_to(state.clone(), "/feedback", &item(None, 8.2)).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["pairs"][0]["predicted_rating"].as_f64().unwrap(),
        rating
    );
    let training = r.body["live"]["training_rmse"].as_f64().unwrap();
    assert!(training > 0.3 && training < 1.5, "{training}");
}

#[tokio::test]
async fn bad_items_name_their_index_and_field_and_change_nothing() {
    let state = state();
    let body = json!({"items": [
        item(Some(8.0), 7.0),
        item(Some(11.0), 7.0),
        {"startYear": 1999, "runtimeMinutes": 100, "numVotes": 5},
        item(None, 0.5),
    ]});

    let r = post_to(state.clone(), "/feedback", &body).await;

    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(), "items[1].predicted_rating");
    let details = r.body["error"]["details"].as_array().unwrap();
    let at = |i: u64, f: &str| details.iter().any(|d| d["index"] == i && d["field"] == f);
    assert!(at(1, "predicted_rating"), "{details:?}");
    assert!(at(2, "actual_rating"), "{details:?}");
    assert!(at(3, "actual_rating"), "{details:?}");
    let text = scrape(state.clone()).await;
    assert_eq!(sample(&text, "reelcast_feedback_total", &[]), 0.0);

    let single = post_to(state.clone(), "/feedback", &json!({"actual_rating": 7})).await;
    assert_eq!(single.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(single.field(), "startYear");

    let not_a_list = post_to(state.clone(), "/feedback", &json!({"items": 3})).await;
    assert_eq!(not_a_list.field(), "items");
    let empty = post_to(state, "/feedback", &json!({"items": []})).await;
    assert_eq!(empty.field(), "items");
}

#[tokio::test]
async fn feedback_needs_a_served_model() {
    let r = post_to(
        AppState::new(ServerSettings::default()),
        "/feedback",
        &item(Some(7.0), 7.0),
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.code(), "model_not_loaded");
}
