//! `POST /predict/batch`.

use axum::http::StatusCode;
use reelcast_core::MovieInput;
use reelcast_pipeline::round2;
use reelcast_server::{MovieRequest, ServerSettings};
use serde_json::json;

use crate::helpers::{bundle, post, post_to, state_with, the_kid};

#[tokio::test]
async fn scores_in_order_through_the_batch_path() {
    let movies = vec![
        the_kid(),
        json!({"title": "B", "startYear": 2015, "runtimeMinutes": 95, "numVotes": 120, "genres": "Horror"}),
        json!({"title": "C", "startYear": 1994, "runtimeMinutes": 142, "numVotes": 2_000_000, "genres": ["Drama"]}),
    ];
    let r = post("/predict/batch", &json!({ "movies": movies })).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["count"], 3);
    let predictions = r.body["predictions"].as_array().unwrap();
    let inputs: Vec<MovieInput> = movies
        .iter()
        .map(|m| {
            let req: MovieRequest = serde_json::from_value(m.clone()).unwrap();
            MovieInput::try_from(&req).unwrap()
        })
        .collect();
    let expected = bundle().predict_batch(&inputs);
    for (i, p) in predictions.iter().enumerate() {
        assert_eq!(p["index"], i);
        assert_eq!(p["title"], movies[i]["title"]);
        assert_eq!(
            p["predicted_rating"].as_f64().unwrap(),
            round2(expected[i]),
            "movie {i}"
        );
    }
}

#[tokio::test]
async fn lists_every_bad_index_and_field_before_scoring_any() {
    let movies = json!([
        the_kid(),
        {"startYear": 1700, "runtimeMinutes": 90, "numVotes": 5},
        the_kid(),
        {"startYear": 2000, "runtimeMinutes": "long", "numVotes": 5, "genres": ["Nope"]},
        {"startYear": 2000, "runtimeMinutes": 90},
    ]);
    let r = post("/predict/batch", &json!({ "movies": movies })).await;

    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let found: Vec<(u64, String)> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["index"].as_u64().unwrap(),
                d["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (1, "startYear".to_owned()),
            (3, "runtimeMinutes".to_owned()),
            (3, "genres".to_owned()),
            (4, "numVotes".to_owned())
        ]
    );
    assert_eq!(r.field(), "movies[1].startYear");
}

#[tokio::test]
async fn empty_and_oversized_batches_are_rejected() {
    let r = post("/predict/batch", &json!({"movies": []})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.field(), "movies");

    let small = state_with(ServerSettings {
        max_batch_size: 2,
        ..ServerSettings::default()
    });
    let r = post_to(
        small,
        "/predict/batch",
        &json!({"movies": [the_kid(), the_kid(), the_kid()]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1 to 2"));

    let r = post("/predict/batch", &json!({"films": [the_kid()]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.field(), "films");
    assert_eq!(r.code(), "validation_failed");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "unknown field `films`, expected `movies` or `texts`"
    );
}

#[tokio::test]
async fn a_movie_missing_several_required_fields_names_each_of_them() {
    let body =
        serde_json::json!({"movies": [the_kid(), {"title": "Untitled", "runtimeMinutes": 90}]});

    let r = post("/predict/batch", &body).await;

    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = r.body["error"]["details"].as_array().unwrap();
    let fields: Vec<(u64, &str)> = details
        .iter()
        .map(|d| (d["index"].as_u64().unwrap(), d["field"].as_str().unwrap()))
        .collect();
    assert_eq!(fields, [(1, "startYear"), (1, "numVotes")]);
    assert_eq!(r.field(), "movies[1].startYear");
}

#[tokio::test]
async fn items_that_are_not_movies_are_each_named_beside_bad_fields() {
    let body = json!({"movies": [[1921, 68], the_kid(), "The Kid", {"startYear": 1921, "runtimeMinutes": 68}]});

    let r = post("/predict/batch", &body).await;

    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let details = r.body["error"]["details"].as_array().unwrap();
    let fields: Vec<(u64, &str, &str)> = details
        .iter()
        .map(|d| {
            let index = d["index"].as_u64().unwrap();
            (
                index,
                d["field"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                0,
                "movies",
                "movies: invalid type: sequence, expected a JSON object of movie fields"
            ),
            (
                2,
                "movies",
                "movies: invalid type: string \"The Kid\", expected a JSON object of movie fields"
            ),
            (
                3,
                "numVotes",
                "numVotes is required: a whole number from 0 to 4294967295"
            ),
        ]
    );
}

#[tokio::test]
async fn the_texts_query_options_are_refused_with_movies() {
    let body = json!({"movies": [the_kid()]});
    for (query, field) in [("explain=true", "explain"), ("method=lexicon", "method")] {
        let r = post(&format!("/predict/batch?{query}"), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.field(), field);
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/predict/movie?explain=true"));
    }
    let r = post("/predict/batch?explain=false", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn each_movie_of_a_batch_lists_the_people_it_named() {
    let mut named = the_kid();
    named["directors"] = json!(["Charles Chaplin", "Nobody We Know"]);
    let r = post("/predict/batch", &json!({"movies": [named, the_kid()]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let people = &r.body["predictions"][0]["people"];
    assert!(
        people["Charles Chaplin"]
            .as_str()
            .unwrap()
            .starts_with("nm"),
        "{people}"
    );
    assert!(people["Nobody We Know"].is_null(), "{people}");
    assert!(
        r.body["predictions"][1].get("people").is_none(),
        "{:?}",
        r.body
    );
}
