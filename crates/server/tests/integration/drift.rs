//! `POST /monitoring/data-drift/check`.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use reelcast_data::IngestOptions;
use reelcast_pipeline::{load_dataset, DataSource};
use reelcast_server::{AppState, ServerSettings};
use serde_json::{json, Value};

use crate::helpers::{post, post_to, send_raw, state, state_with, the_kid};

/// Every 12th movie of the embedded sample (about 500 of its 6000), as request bodies
/// with their people (those with a year and a runtime): a systematic sample of the
/// training data's distribution that fits in one batch.
fn sample_movies() -> Vec<Value> {
    let data = load_dataset(&DataSource::Embedded, &IngestOptions::default()).unwrap();
    data.movies
        .iter()
        .step_by(12)
        .filter_map(|m| {
            let genres: Vec<String> = m.genres.iter().map(|g| g.to_string()).collect();
            let input = m.input();
            Some(json!({
                "directors": input.directors,
                "writers": input.writers,
                "cast": input.cast,
                "title": m.primary_title,
                "startYear": m.start_year?.get(),
                "runtimeMinutes": m.runtime?.minutes(),
                "numVotes": m.votes.get(),
                "genres": genres,
                "titleType": m.title_type.to_string(),
                "isAdult": m.is_adult,
            }))
        })
        .collect()
}

fn shifted(movies: &[Value]) -> Vec<Value> {
    movies
        .iter()
        .map(|m| {
            let mut m = m.clone();
            m["startYear"] = json!(2024);
            m["numVotes"] = json!(m["numVotes"].as_u64().unwrap() * 100);
            m
        })
        .collect()
}

#[tokio::test]
async fn the_training_sample_is_normal() {
    let movies = sample_movies();
    assert!(movies.len() >= 100, "{}", movies.len());
    let r = post("/monitoring/data-drift/check", &json!({ "movies": movies })).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "normal", "{:?}", r.body);
    assert_eq!(r.body["source"], "request");
    assert_eq!(r.body["n"], movies.len());
    let scores = r.body["scores"].as_object().unwrap();
    // The sample names each film's people: every feature, crew included, gets a score,
    // but the two missing-input indicators, which are never part of drift.
    assert_eq!(
        scores.len(),
        crate::helpers::bundle().features.names().len() - 2,
        "{scores:?}"
    );
    assert!(!scores.contains_key("runtime_missing"), "{scores:?}");
    let max = scores
        .values()
        .map(|v| v.as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(r.body["max_psi"].as_f64().unwrap(), max);
    assert!(max < 0.1, "{max}");
    assert_eq!(r.body["thresholds"], json!({"low": 0.1, "high": 0.25}));
}

#[tokio::test]
async fn a_shifted_batch_is_high() {
    let s = state();
    let movies = shifted(&sample_movies());
    let r = post_to(
        s.clone(),
        "/monitoring/data-drift/check",
        &json!({ "movies": movies }),
    )
    .await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "high", "{:?}", r.body);
    assert!(r.body["max_psi"].as_f64().unwrap() >= 0.25);
}

#[tokio::test]
async fn drift_gauges_are_visible_in_metrics() {
    let s = state();
    let movies = shifted(&sample_movies());
    let r = post_to(
        s.clone(),
        "/monitoring/data-drift/check",
        &json!({ "movies": movies }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let text = s.metrics().render();
    assert!(
        text.contains("# TYPE reelcast_feature_drift_psi gauge"),
        "{text}"
    );
    for (feature, psi) in r.body["scores"].as_object().unwrap() {
        let line = format!("reelcast_feature_drift_psi{{feature=\"{feature}\"}} ");
        let value: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .unwrap_or_else(|| panic!("no {line} in {text}"))
            .parse()
            .unwrap();
        assert!((value - psi.as_f64().unwrap()).abs() < 1e-9, "{feature}");
    }
}

#[tokio::test]
async fn the_window_path_checks_recent_predictions() {
    let s = state();
    let empty = send_raw(
        s.clone(),
        Method::POST,
        "/monitoring/data-drift/check",
        None,
        Body::empty(),
    )
    .await;
    assert_eq!(empty.status, StatusCode::CONFLICT, "{:?}", empty.body);
    assert_eq!(empty.code(), "not_enough_traffic");
    // JSON null, which the document allows, is no request too.
    let null = post_to(s.clone(), "/monitoring/data-drift/check", &json!(null)).await;
    assert_eq!(
        (null.status, null.code()),
        (StatusCode::CONFLICT, "not_enough_traffic")
    );
    assert!(empty.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at least 30"));

    let movies = shifted(&sample_movies());
    let batch = post_to(
        s.clone(),
        "/predict/batch",
        &json!({ "movies": movies[..50] }),
    )
    .await;
    assert_eq!(batch.status, StatusCode::OK, "{:?}", batch.body);
    for m in &movies[50..60] {
        let r = post_to(s.clone(), "/predict/movie", m).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    let r = send_raw(
        s.clone(),
        Method::POST,
        "/monitoring/data-drift/check",
        None,
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["source"], "recent_traffic");
    assert_eq!(r.body["n"], 60);
    assert_eq!(r.body["status"], "high", "{:?}", r.body);

    let braces = post_to(s.clone(), "/monitoring/data-drift/check", &json!({})).await;
    assert_eq!(braces.status, StatusCode::OK, "{:?}", braces.body);
    assert_eq!(braces.body["n"], 60);

    // The periodic refresh waits for 200 rows, then reads the same window into the gauges.
    assert!(!s.refresh_drift_gauges());
    assert!(movies.len() >= 200, "{}", movies.len());
    let more = post_to(
        s.clone(),
        "/predict/batch",
        &json!({ "movies": movies[60..200] }),
    )
    .await;
    assert_eq!(more.status, StatusCode::OK, "{:?}", more.body);
    assert!(s.refresh_drift_gauges());
    assert!(s
        .metrics()
        .render()
        .contains("reelcast_feature_drift_psi{feature="));

    // A new model empties the window.
    s.set_model(reelcast_server::LoadedModel::new(crate::helpers::bundle().clone()).unwrap());
    let after = post_to(s.clone(), "/monitoring/data-drift/check", &json!({})).await;
    assert_eq!(after.status, StatusCode::CONFLICT, "{:?}", after.body);
    assert!(!s.refresh_drift_gauges());
}

#[tokio::test]
async fn the_window_is_bounded() {
    let settings = ServerSettings {
        drift_window: 40,
        ..ServerSettings::default()
    };
    let s = state_with(settings);
    let movies = sample_movies();
    let r = post_to(
        s.clone(),
        "/predict/batch",
        &json!({ "movies": movies[..100] }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = post_to(s, "/monitoring/data-drift/check", &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["n"], 40);
}

#[tokio::test]
async fn bad_drift_requests_are_rejected() {
    let few = post(
        "/monitoring/data-drift/check",
        &json!({"movies": vec![the_kid(); 29]}),
    )
    .await;
    assert_eq!(
        few.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        few.body
    );
    assert_eq!(few.field(), "movies");
    assert!(few.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at least 30"));

    let mut movies = vec![the_kid(); 40];
    movies[3] = json!({"startYear": 1700, "runtimeMinutes": 90, "numVotes": 5});
    movies[7] = json!({"startYear": 2000, "runtimeMinutes": 90});
    let bad = post("/monitoring/data-drift/check", &json!({ "movies": movies })).await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.body
    );
    assert_eq!(bad.field(), "movies[3].startYear");
    assert_eq!(bad.body["error"]["details"].as_array().unwrap().len(), 2);

    let wrong = post("/monitoring/data-drift/check", &json!({"movies": "all"})).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        wrong.body
    );
    assert_eq!(wrong.field(), "movies");

    let s = state();
    let not_json = send_raw(
        s.clone(),
        Method::POST,
        "/monitoring/data-drift/check",
        Some("application/json"),
        "{movies",
    )
    .await;
    assert_eq!(
        not_json.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        not_json.body
    );
    assert_eq!(not_json.code(), "invalid_json");

    let text = send_raw(
        s,
        Method::POST,
        "/monitoring/data-drift/check",
        Some("text/plain"),
        "{}",
    )
    .await;
    assert_eq!(
        text.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{:?}",
        text.body
    );

    let no_model = post_to(
        AppState::new(ServerSettings::default()),
        "/monitoring/data-drift/check",
        &json!({}),
    )
    .await;
    assert_eq!(no_model.status, StatusCode::SERVICE_UNAVAILABLE);

    let get = crate::helpers::get("/monitoring/data-drift/check").await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Predictions age out of the drift window after `drift_window_seconds`: once traffic is
/// gone the drift series end, so alerts do not keep firing on old predictions.
#[tokio::test]
async fn the_window_ages_out_and_the_drift_series_end() {
    let settings = ServerSettings {
        drift_window_seconds: 60.0,
        ..ServerSettings::default()
    };
    let s = state_with(settings);
    let movies = shifted(&sample_movies());
    assert!(movies.len() >= 200, "{}", movies.len());
    let r = post_to(
        s.clone(),
        "/predict/batch",
        &json!({ "movies": movies[..200] }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let now = std::time::Instant::now();

    assert!(s.refresh_drift_gauges_at(now));
    let fresh = s.metrics().render();
    assert!(
        fresh.contains("reelcast_feature_drift_psi{feature=\"start_year\"}"),
        "{fresh}"
    );
    assert!(
        fresh.contains("reelcast_drift_window_samples 200\n"),
        "{fresh}"
    );

    assert!(!s.refresh_drift_gauges_at(now + std::time::Duration::from_secs(61)));
    let aged = s.metrics().render();
    assert!(!aged.contains("reelcast_feature_drift_psi"), "{aged}");
    assert!(aged.contains("reelcast_drift_window_samples 0\n"), "{aged}");
    let r = post_to(s, "/monitoring/data-drift/check", &json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
}

#[tokio::test]
async fn movies_naming_no_known_person_leave_the_crew_features_out_of_drift() {
    let movies: Vec<Value> = sample_movies()
        .into_iter()
        .map(|mut m| {
            let obj = m.as_object_mut().unwrap();
            for role in ["directors", "writers", "cast"] {
                obj.remove(role);
            }
            m
        })
        .collect();
    let r = post("/monitoring/data-drift/check", &json!({ "movies": movies })).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "normal", "{:?}", r.body);
    let scores = r.body["scores"].as_object().unwrap();
    assert!(scores.keys().all(|k| !k.starts_with("crew_")), "{scores:?}");
}

#[tokio::test]
async fn posted_movies_leave_unsent_fields_out_of_drift_as_the_window_does() {
    // The sample's films, sent without title or genres: both are imputed.
    let movies: Vec<Value> = sample_movies()
        .into_iter()
        .map(|mut m| {
            let fields = m.as_object_mut().unwrap();
            fields.remove("title");
            fields.remove("genres");
            m
        })
        .collect();
    let posted = post("/monitoring/data-drift/check", &json!({ "movies": movies })).await;
    assert_eq!(posted.status, StatusCode::OK, "{:?}", posted.body);
    let scores = posted.body["scores"].as_object().unwrap();
    for unsent in [
        "title_length",
        "genre_count",
        "genre_drama",
        "start_year_missing",
    ] {
        assert!(!scores.contains_key(unsent), "{unsent}: {scores:?}");
    }
    assert!(scores.contains_key("log1p_num_votes"), "{scores:?}");

    let s = state();
    let r = post_to(s.clone(), "/predict/batch", &json!({ "movies": movies })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let window = post_to(s, "/monitoring/data-drift/check", &json!({})).await;
    assert_eq!(window.status, StatusCode::OK, "{:?}", window.body);
    assert_eq!(window.body["scores"], posted.body["scores"]);
    assert_eq!(posted.body["status"], "normal", "{:?}", posted.body);
}
