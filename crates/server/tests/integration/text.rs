//! `POST /predict` (review text) and `POST /predict/batch` with `texts`.

use axum::http::StatusCode;
use reelcast_core::MovieInput;
use reelcast_pipeline::round2;
use reelcast_server::{AppState, MovieRequest, ServerSettings};
use serde_json::json;

use crate::helpers::{bundle, get, post, post_to, state, state_with};

#[tokio::test]
async fn english_text_without_features_gets_sentiment_and_a_null_rating_with_reason() {
    let r = post(
        "/predict",
        &json!({"text": "A wonderful, moving film. I loved it!"}),
    )
    .await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["sentiment"], "positive");
    assert_eq!(r.body["language"], "en");
    assert_eq!(r.body["text"], "A wonderful, moving film. I loved it!");
    assert_eq!(r.body["text_length"], 37);
    assert_eq!(r.body["method"], "model");
    assert!(
        r.body["probability"].as_f64().unwrap() > 0.6,
        "{:?}",
        r.body
    );
    assert!(r.body["compound"].is_null());
    assert!(r.body["top_positive"].is_null(), "only with ?explain=true");
    assert!(r.body["predicted_rating"].is_null());
    let reason = r.body["rating_reason"].as_str().unwrap();
    assert!(reason.contains("no movie features given"), "{reason}");
    assert!(reason.contains("startYear"), "{reason}");
}

#[tokio::test]
async fn korean_text_is_detected_and_scored() {
    let good = post("/predict", &json!({"text": "훌륭한 영화에요!"})).await;
    let bad = post("/predict", &json!({"text": "지루하고 별로였어요"})).await;

    assert_eq!(good.status, StatusCode::OK, "{:?}", good.body);
    assert_eq!(
        (&good.body["sentiment"], &good.body["language"]),
        (&json!("positive"), &json!("ko"))
    );
    assert_eq!(bad.body["sentiment"], "negative");
}

#[tokio::test]
async fn text_with_movie_features_gets_the_movie_models_rating() {
    let features = json!({"startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584});
    let mut body = features.clone();
    body["text"] = json!("Dull and far too long.");
    let r = post("/predict", &body).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["sentiment"], "negative");
    let req: MovieRequest = serde_json::from_value(features).unwrap();
    let expected = bundle().predict(&MovieInput::try_from(&req).unwrap());
    assert_eq!(
        r.body["predicted_rating"].as_f64().unwrap(),
        round2(expected.rating)
    );
    // The same imputed fields and band as `POST /predict/movie` gives.
    assert_eq!(r.body["imputed"], json!(expected.imputed.fields()));
    assert!(r.body["imputed"]
        .as_array()
        .unwrap()
        .contains(&json!("genres")));
    let band = expected.band.expect("the test bundle has a band");
    assert_eq!(
        r.body["interval"],
        json!({"lower": round2(band.lower), "upper": round2(band.upper)})
    );
    assert!(r.body["rating_out_of_10"]
        .as_str()
        .unwrap()
        .ends_with("/10"));
    assert_eq!(r.body["model_version"].as_str().unwrap().len(), 12);
    assert!(r.body["rating_reason"]
        .as_str()
        .unwrap()
        .contains("predicted"));
}

#[tokio::test]
async fn partial_features_or_no_model_give_a_null_rating_saying_why() {
    let partial = post("/predict", &json!({"text": "fine", "startYear": 2000})).await;
    assert_eq!(partial.status, StatusCode::OK, "{:?}", partial.body);
    assert!(partial.body["predicted_rating"].is_null());
    assert!(partial.body["imputed"].is_null());
    assert!(partial.body["interval"].is_null());
    let reason = partial.body["rating_reason"].as_str().unwrap();
    assert!(
        reason.starts_with("runtimeMinutes and numVotes missing"),
        "{reason}"
    );

    let empty = AppState::new(ServerSettings::default());
    let body = json!({"text": "great", "startYear": 2000, "runtimeMinutes": 90, "numVotes": 10});
    let r = post_to(empty, "/predict", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["predicted_rating"].is_null());
    assert!(r.body["rating_reason"]
        .as_str()
        .unwrap()
        .contains("no model"));
}

#[tokio::test]
async fn bad_texts_and_features_get_422_naming_the_field() {
    let cases = [
        (json!({"text": ""}), "text", "validation_failed"),
        (json!({"text": "   "}), "text", "validation_failed"),
        (
            json!({"text": "\u{200B}\u{0000}"}),
            "text",
            "validation_failed",
        ),
        (
            json!({"text": "مذهل فيلم رائع"}),
            "text",
            "validation_failed",
        ),
        (
            json!({"text": "a".repeat(20_001)}),
            "text",
            "validation_failed",
        ),
        (json!({}), "text", "missing_field"),
        (json!({"text": 5}), "text", "invalid_type"),
        (
            json!({"text": "ok", "startYear": 1700, "runtimeMinutes": 90, "numVotes": 5}),
            "startYear",
            "validation_failed",
        ),
        (
            json!({"text": "ok", "startYear": "19x9"}),
            "startYear",
            "validation_failed",
        ),
        (
            json!({"text": "ok", "rating": 5}),
            "rating",
            "validation_failed",
        ),
    ];
    for (body, field, code) in cases {
        let r = post("/predict", &body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            r.body
        );
        assert_eq!((r.field(), r.code()), (field, code), "{body}: {:?}", r.body);
    }
    let ok = post("/predict", &json!({"text": "a".repeat(20_000)})).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
}

#[tokio::test]
async fn text_predictions_are_counted_once_under_text() {
    let s = state();
    for _ in 0..3 {
        let r = post_to(s.clone(), "/predict", &json!({"text": "great"})).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let bad = post_to(s.clone(), "/predict", &json!({"text": ""})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let stats = crate::helpers::send_raw(
        s.clone(),
        axum::http::Method::GET,
        "/monitoring/predictions/stats",
        None,
        axum::body::Body::empty(),
    )
    .await;
    let text = &stats.body["endpoints"]["text"];
    assert_eq!(
        (&text["requests"], &text["errors"], &text["predictions"]),
        (&json!(4), &json!(1), &json!(3)),
        "{:?}",
        stats.body
    );
    let metrics = s.metrics().render();
    assert!(
        metrics.contains("reelcast_predictions_total{endpoint=\"text\",model_version=\"none\"} 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn batch_texts_are_scored_in_order() {
    let texts = [
        "I loved it",
        "terrible, boring",
        "훌륭한 영화에요!",
        "It is a film.",
    ];
    let r = post("/predict/batch", &json!({ "texts": texts })).await;

    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["count"], 4);
    let items = r.body["sentiments"].as_array().unwrap();
    let labels: Vec<&str> = items
        .iter()
        .map(|i| i["sentiment"].as_str().unwrap())
        .collect();
    assert_eq!(labels[..3], ["positive", "negative", "positive"]);
    assert_eq!(items[3]["method"], "model");
    assert_eq!(items[2]["method"], "lexicon", "Korean keeps the lexicon");
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["index"], i);
        assert_eq!(item["text_length"], texts[i].chars().count());
    }
    assert_eq!(items[2]["language"], "ko");
}

#[tokio::test]
async fn batch_texts_are_not_counted_as_predicted_movies() {
    let s = state();
    let r = post_to(
        s.clone(),
        "/predict/batch",
        &json!({"texts": ["fine", "dull"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let metrics = s.metrics().render();
    assert!(
        metrics.contains("reelcast_predictions_total{endpoint=\"batch\",model_version=\"none\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unknown_key_lists_the_texts_own_field_and_movie_fields_without_the_required_three_say_so(
) {
    let r = post("/predict", &json!({"text": "great", "TEXT": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("the accepted fields are text, title, startYear"),
        "{message}"
    );

    let body = json!({"text": "great", "genres": ["Drama"], "directors": ["Charles Chaplin"]});
    let r = post("/predict", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let reason = r.body["rating_reason"].as_str().unwrap();
    assert!(
        reason.starts_with("startYear, runtimeMinutes and numVotes missing"),
        "{reason}"
    );
}

#[tokio::test]
async fn batch_texts_report_every_bad_index() {
    let texts = json!(["good", "", 7, "fine", "x".repeat(20_001)]);
    let r = post("/predict/batch", &json!({ "texts": texts })).await;

    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let indexes: Vec<u64> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, [1, 2, 4]);
    assert_eq!(r.field(), "texts[1]");
}

#[tokio::test]
async fn batch_texts_size_and_shape_rules() {
    let empty = post("/predict/batch", &json!({"texts": []})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.field(), "texts");

    let small = ServerSettings {
        max_batch_size: 2,
        ..ServerSettings::default()
    };
    let over = post_to(
        state_with(small),
        "/predict/batch",
        &json!({"texts": ["a", "b", "c"]}),
    )
    .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(over.field(), "texts");

    let both = post(
        "/predict/batch",
        &json!({"texts": ["a"], "movies": [crate::helpers::the_kid()]}),
    )
    .await;
    assert_eq!(
        both.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        both.body
    );
    assert!(both.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not both"));

    let neither = post("/predict/batch", &json!({})).await;
    assert_eq!(
        neither.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        neither.body
    );
    assert_eq!(neither.field(), "movies");
    assert!(neither.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("texts"));

    let wrong = post("/predict/batch", &json!({"texts": "a"})).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        wrong.body
    );
    assert_eq!(wrong.field(), "texts");
}

#[tokio::test]
async fn text_endpoints_are_listed() {
    let r = get("/").await;
    let endpoints = r.body["endpoints"].as_array().unwrap();
    assert!(endpoints.contains(&json!("POST /predict")), "{endpoints:?}");
    assert!(endpoints.contains(&json!("POST /monitoring/data-drift/check")));
}

#[tokio::test]
async fn the_lexicon_stays_available_and_explain_names_the_weightiest_words() {
    let body = json!({"text": "Not good at all: a boring, predictable waste of time."});
    let lexicon = post("/predict?method=lexicon", &body).await;
    assert_eq!(lexicon.status, StatusCode::OK, "{:?}", lexicon.body);
    assert_eq!(lexicon.body["method"], "lexicon");
    assert!(lexicon.body["probability"].is_null());
    assert!(lexicon.body["compound"].as_f64().unwrap() < -0.05);

    let explained = post("/predict?explain=true", &body).await;
    assert_eq!(explained.status, StatusCode::OK, "{:?}", explained.body);
    assert_eq!(explained.body["sentiment"], "negative");
    assert!(explained.body["probability"].as_f64().unwrap() < 0.4);
    let negative: Vec<&str> = explained.body["top_negative"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["term"].as_str().unwrap())
        .collect();
    assert!(
        negative
            .iter()
            .any(|t| t.contains("boring") || t.contains("waste")),
        "{negative:?}"
    );
    let bad = post("/predict?method=vibes", &body).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.body);
}

/// A sentiment model trained on reviews whose labels contradict their words: it calls
/// "wonderful" negative and "awful" positive, which the shipped model never does.
fn inverted_sentiment_model() -> reelcast_sentiment::SentimentModel {
    use reelcast_sentiment::{Review, Source, TrainParams};
    let rows: Vec<Review> = (0..40)
        .flat_map(|i| {
            [
                (format!("a wonderful film, number {i}"), false),
                (format!("an awful film, number {i}"), true),
            ]
        })
        .map(|(text, positive)| Review {
            text,
            positive,
            source: Source::RottenTomatoes,
        })
        .collect();
    let params = TrainParams {
        c: Some(10.0),
        ..TrainParams::default()
    };
    reelcast_sentiment::train(&rows, &params).unwrap().0
}

#[tokio::test]
async fn a_state_with_another_sentiment_model_scores_texts_and_batches_with_it() {
    let state = state().with_sentiment_model(inverted_sentiment_model());

    let one = post_to(
        state.clone(),
        "/predict",
        &json!({"text": "A wonderful film"}),
    )
    .await;
    let batch = post_to(
        state.clone(),
        "/predict/batch",
        &json!({"texts": ["A wonderful film", "An awful film"]}),
    )
    .await;
    let lexicon = post_to(
        state,
        "/predict?method=lexicon",
        &json!({"text": "A wonderful film"}),
    )
    .await;
    let shipped = post("/predict", &json!({"text": "A wonderful film"})).await;

    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(
        (&one.body["sentiment"], &one.body["method"]),
        (&json!("negative"), &json!("model"))
    );
    let labels: Vec<&str> = batch.body["sentiments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sentiment"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["negative", "positive"], "{:?}", batch.body);
    assert_eq!(
        lexicon.body["sentiment"], "positive",
        "the lexicon is unchanged"
    );
    assert_eq!(
        shipped.body["sentiment"], "positive",
        "the default is the shipped model"
    );
}

#[tokio::test]
async fn a_text_with_a_movie_lists_the_people_it_named() {
    let body = json!({"text": "A gem.", "startYear": 1921, "runtimeMinutes": 68,
        "numVotes": 40584, "directors": ["Charles Chaplin"]});
    let r = post("/predict", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["predicted_rating"].is_number(), "{:?}", r.body);
    assert!(r.body["people"]["Charles Chaplin"]
        .as_str()
        .unwrap()
        .starts_with("nm"));
}
