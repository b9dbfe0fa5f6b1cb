//! `POST /predict/movie`.

use axum::http::StatusCode;
use reelcast_core::MovieInput;
use reelcast_server::MovieRequest;
use serde_json::{json, Value};

use crate::helpers::{bundle, get, post, the_kid};

#[tokio::test]
async fn predicts_a_full_movie_with_interval_and_version() {
    let r = post("/predict/movie", &the_kid()).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let rating = r.body["predicted_rating"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&rating));
    assert_eq!((rating * 100.0).round() / 100.0, rating, "2 decimals");
    assert_eq!(r.body["title"], "The Kid");
    assert!(r.body["rating_out_of_10"]
        .as_str()
        .unwrap()
        .ends_with("/10"));
    assert_eq!(r.body["model_name"], bundle().metadata.model_name);
    assert_eq!(r.body["model_version"].as_str().unwrap().len(), 12);
    assert_eq!(
        r.body["features_used"].as_array().unwrap().len(),
        bundle().features.names().len()
    );
    assert_eq!(r.body["imputed"], json!([]));
    let (lower, upper) = (
        r.body["interval"]["lower"].as_f64().unwrap(),
        r.body["interval"]["upper"].as_f64().unwrap(),
    );
    assert!(lower <= upper, "{lower} <= {upper}");
    assert!(r.body.get("contributions").is_none());
}

#[tokio::test]
async fn lists_imputed_optional_fields_and_accepts_imdb_genre_strings() {
    let r = post(
        "/predict/movie",
        &json!({"startYear": 2001, "runtimeMinutes": 120, "numVotes": 1000, "genres": "Drama,Action"}),
    )
    .await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["title"], serde_json::Value::Null);
    let imputed = r.body["imputed"].as_array().unwrap();
    assert!(imputed.contains(&json!("title")), "{imputed:?}");
    assert!(!imputed.contains(&json!("genres")), "{imputed:?}");
}

#[tokio::test]
async fn explain_contributions_plus_bias_equal_the_unclipped_prediction() {
    let r = post("/predict/movie?explain=true", &the_kid()).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let bias = r.body["bias"].as_f64().unwrap();
    let contributions = r.body["contributions"].as_array().unwrap();
    assert_eq!(contributions.len(), bundle().features.names().len());
    let sum: f64 = contributions
        .iter()
        .map(|c| c["value"].as_f64().unwrap())
        .sum();
    let request: MovieRequest = serde_json::from_value(the_kid()).unwrap();
    let mut row = Vec::new();
    bundle()
        .features
        .transform(&MovieInput::try_from(&request).unwrap(), &mut row);
    let unclipped = bundle().model.predict_row(&row);
    assert!(
        (bias + sum - unclipped).abs() < 1e-6,
        "bias {bias} + sum {sum} != {unclipped}"
    );
}

#[tokio::test]
async fn out_of_range_and_unknown_values_get_422_naming_the_field() {
    let cases = [
        ("year too early", json!({"startYear": 1873}), "startYear"),
        ("year too late", json!({"startYear": 3000}), "startYear"),
        (
            "runtime zero",
            json!({"runtimeMinutes": 0}),
            "runtimeMinutes",
        ),
        (
            "runtime too long",
            json!({"runtimeMinutes": 60001}),
            "runtimeMinutes",
        ),
        ("negative votes", json!({"numVotes": -1}), "numVotes"),
        (
            "too many votes",
            json!({"numVotes": 4_294_967_296_i64}),
            "numVotes",
        ),
        ("long title", json!({"title": "x".repeat(501)}), "title"),
        ("unknown key", json!({"genre": "Drama"}), "genre"),
        ("unknown genre", json!({"genres": ["Comdy"]}), "genres"),
        (
            "unknown genre string",
            json!({"genres": "Drama,Nope"}),
            "genres",
        ),
        (
            "unknown title type",
            json!({"titleType": "film"}),
            "titleType",
        ),
    ];
    for (label, patch, field) in cases {
        let mut body = the_kid();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = post("/predict/movie", &body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{label}: {:?}",
            r.body
        );
        assert_eq!(r.code(), "validation_failed", "{label}");
        assert_eq!(r.field(), field, "{label}: {:?}", r.body);
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{label}: {message}");
    }
}

#[tokio::test]
async fn wrong_types_and_missing_fields_get_422_naming_the_field() {
    let cases = [
        (
            "year as text",
            json!({"startYear": "nineteen"}),
            "startYear",
        ),
        ("votes as float", json!({"numVotes": 1.5}), "numVotes"),
        ("genres as number", json!({"genres": 3}), "genres"),
        (
            "a genre as number",
            json!({"genres": ["Drama", 3]}),
            "genres",
        ),
        ("isAdult as text", json!({"isAdult": "no"}), "isAdult"),
    ];
    for (label, patch, field) in cases {
        let mut body = the_kid();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = post("/predict/movie", &body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{label}: {:?}",
            r.body
        );
        assert_eq!(r.field(), field, "{label}: {:?}", r.body);
    }
    let mut body = the_kid();
    body["genres"] = json!(true);
    let r = post("/predict/movie", &body).await;
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("a list of genre names or IMDb's comma-separated string"),
        "{message}"
    );
    let mut missing = the_kid();
    missing.as_object_mut().unwrap().remove("numVotes");
    let r = post("/predict/movie", &missing).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.field(), "numVotes", "{:?}", r.body);
    assert_eq!(r.code(), "validation_failed", "{:?}", r.body);
    let r = post("/predict/movie", &json!([1, 2])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("expected a JSON object"), "{message}");
}

#[tokio::test]
async fn a_bad_or_unknown_query_parameter_is_a_400_naming_it() {
    let cases = [
        (
            "/predict/movie?explain=maybe",
            "explain",
            "query parameter explain: provided string was not `true` or `false`",
        ),
        (
            "/predict/movie?explian=true",
            "explian",
            "query string: unknown field `explian`, expected `explain`",
        ),
        (
            "/predict?method=vader",
            "method",
            "query parameter method: unknown variant `vader`, expected `model` or `lexicon`",
        ),
        (
            "/predict/batch?explain=true&explain=false",
            "explain",
            "query string: duplicate field `explain`",
        ),
    ];
    for (uri, field, message) in cases {
        let r = post(uri, &the_kid()).await;

        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {:?}", r.body);
        assert_eq!(r.code(), "invalid_query", "{uri}");
        assert_eq!(r.field(), field, "{uri}");
        assert_eq!(r.body["error"]["message"], message, "{uri}");
    }
}

#[tokio::test]
async fn named_people_are_matched_through_the_models_people_table_and_reported() {
    let info = get("/model/info").await;
    assert!(
        info.body["feature_groups"]
            .as_array()
            .unwrap()
            .contains(&json!("crew")),
        "{:?}",
        info.body["feature_groups"]
    );
    assert!(info.body["people_count"].as_u64().unwrap() > 1000);
    let suggested = get("/model/people?prefix=stanley%20k&limit=3").await;
    assert_eq!(suggested.status, StatusCode::OK, "{:?}", suggested.body);
    let first = &suggested.body["people"][0];
    let name = first["name"].as_str().unwrap();
    assert!(name.to_lowercase().starts_with("stanley k"), "{name}");

    let mut body = the_kid();
    body["directors"] = json!([name.to_uppercase(), "Nobody At All"]);
    let r = post("/predict/movie?explain=true", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["people"][name.to_uppercase()], first["nconst"]);
    assert_eq!(r.body["people"]["Nobody At All"], Value::Null);
    let features: Vec<&str> = r.body["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["feature"].as_str().unwrap())
        .collect();
    assert!(
        features.iter().any(|f| f.starts_with("crew_director")),
        "{features:?}"
    );

    for (query, field) in [
        ("prefix=&limit=3", "prefix"),
        ("prefix=a&limit=11", "limit"),
    ] {
        let bad = get(&format!("/model/people?{query}")).await;
        assert_eq!((bad.status, bad.field()), (StatusCode::BAD_REQUEST, field));
    }
    body["cast"] = json!(vec!["x"; 21]);
    let r = post("/predict/movie", &body).await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "cast")
    );
}
