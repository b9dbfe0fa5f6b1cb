//! `POST /model/reload`, model sources, and swaps under concurrent load.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use reelcast_data::IngestOptions;
use reelcast_pipeline::{
    load_dataset, train, DataSource, ModelBundle, ModelKind, ModelParams, TrainOptions,
};
use reelcast_server::{
    app, AppState, LoadedModel, ModelSource, RegisteredVersion, ServerSettings, SourceError,
};
use serde_json::Value;
use tower::ServiceExt;

use crate::helpers::{bundle, the_kid};
use crate::monitoring::{sample, scrape};

/// A second, different model: a 10-round boosted model.
fn other_bundle() -> &'static ModelBundle {
    static BUNDLE: OnceLock<ModelBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let data = load_dataset(&DataSource::Embedded, &IngestOptions::default()).unwrap();
        let options = TrainOptions {
            params: ModelParams::for_kind(ModelKind::GradientBoosting).with_trees(10),
            ..TrainOptions::default()
        };
        train(&data.movies, &data.version, &options).unwrap().0
    })
}

/// A registry stand-in: serves version `current` of `movie_rating_test` through the
/// alias `champion`; odd versions are [`bundle`], even ones [`other_bundle`]; a version
/// in `broken` fails to load; while `down`, listing versions fails.
#[derive(Debug, Default)]
struct FakeRegistry {
    current: Mutex<u64>,
    broken: Mutex<Option<u64>>,
    loads: AtomicUsize,
    down: AtomicBool,
}

impl FakeRegistry {
    fn point_at(&self, version: u64) {
        *self.current.lock().unwrap() = version;
    }
}

impl ModelSource for FakeRegistry {
    fn describe(&self) -> String {
        "models:/movie_rating_test@champion".into()
    }

    fn poll(&self, current: Option<&LoadedModel>) -> Result<Option<LoadedModel>, SourceError> {
        let version = *self.current.lock().unwrap();
        if current.is_some_and(|m| m.version == version.to_string()) {
            return Ok(None);
        }
        if *self.broken.lock().unwrap() == Some(version) {
            return Err(SourceError::Load(format!(
                "version {version}: artifact checksum mismatch"
            )));
        }
        self.loads.fetch_add(1, Ordering::SeqCst);
        let bundle = if version % 2 == 1 {
            bundle()
        } else {
            other_bundle()
        };
        let model =
            LoadedModel::new(bundle.clone()).map_err(|e| SourceError::Load(e.to_string()))?;
        Ok(Some(model.registered(
            "movie_rating_test",
            version,
            Some("champion"),
            &self.describe(),
        )))
    }

    /// Versions 1 to `current` + 1 (the newest not yet promoted), `champion` on `current`.
    fn versions(&self) -> Result<Option<Vec<RegisteredVersion>>, String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("registry at http://127.0.0.1:9/: connection refused".into());
        }
        let current = *self.current.lock().unwrap();
        let listed = (1..=current + 1).rev().map(|version| RegisteredVersion {
            version,
            created_at: format!("2026-12-0{version} 10:00:00"),
            test_rmse: Some(0.70 + version as f64 / 100.0),
            dataset_version: Some("sample-v1".into()),
            aliases: if version == current {
                vec!["champion".into()]
            } else {
                vec![]
            },
            run_id: format!("run{version}"),
        });
        Ok(Some(listed.collect()))
    }
}

fn settings(token: &str) -> ServerSettings {
    ServerSettings {
        admin_token: token.into(),
        ..ServerSettings::default()
    }
}

async fn started(source: Arc<FakeRegistry>, token: &str) -> AppState {
    let state = AppState::new(settings(token)).with_source(source);
    state.reload().await.unwrap();
    state
}

async fn call(
    state: &AppState,
    method: Method,
    uri: &str,
    auth: Option<&str>,
    body: Body,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(a) = auth {
        request = request.header(header::AUTHORIZATION, a);
    }
    request = request.header(header::CONTENT_TYPE, "application/json");
    let response = app(state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn reload(state: &AppState, auth: Option<&str>) -> (StatusCode, Value) {
    call(state, Method::POST, "/model/reload", auth, Body::empty()).await
}

#[tokio::test]
async fn reload_swaps_in_the_new_alias_target_and_reports_it_everywhere() {
    let registry = Arc::new(FakeRegistry::default());
    registry.point_at(1);
    let state = started(registry.clone(), "s3cret").await;

    let (status, body) = reload(&state, Some("Bearer s3cret")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reloaded"], false);
    assert_eq!(body["version"], "1");

    registry.point_at(2);
    let (status, body) = reload(&state, Some("Bearer s3cret")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reloaded"], true);
    assert_eq!(body["version"], "2");
    assert_eq!(body["previous_version"], "1");
    assert_eq!(body["alias"], "champion");

    let (_, info) = call(&state, Method::GET, "/model/info", None, Body::empty()).await;
    assert_eq!(info["version"], "2");
    assert_eq!(info["alias"], "champion");
    assert_eq!(info["name"], "movie_rating_test");
    assert_eq!(info["source"], "models:/movie_rating_test@champion");
    let text = scrape(state.clone()).await;
    let info_v2 = [
        "name=\"movie_rating_test\"",
        "version=\"2\"",
        "alias=\"champion\"",
    ];
    assert_eq!(
        sample(&text, "reelcast_model_info", &info_v2),
        1.0,
        "{text}"
    );
    // A replaced version's series ends rather than staying at 0.
    assert!(
        !text.contains("reelcast_model_info{name=\"movie_rating_test\",version=\"1\""),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("reelcast_model_info{"))
            .count(),
        1,
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "reelcast_model_reloads_total",
            &["result=\"success\""]
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            "reelcast_model_reloads_total",
            &["result=\"failure\""]
        ),
        0.0
    );
    assert!(sample(&text, "reelcast_model_training_rmse", &[]) > 0.3);
    assert!(sample(&text, "reelcast_model_created_timestamp_seconds", &[]) > 1.7e9);
}

#[tokio::test]
async fn a_failed_load_keeps_the_served_model_and_is_counted() {
    let registry = Arc::new(FakeRegistry::default());
    registry.point_at(1);
    let state = started(registry.clone(), "t").await;
    *registry.broken.lock().unwrap() = Some(2);
    registry.point_at(2);

    let (status, body) = reload(&state, Some("Bearer t")).await;

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "reload_failed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("checksum mismatch"), "{message}");
    assert_eq!(state.model().unwrap().version, "1");
    let (status, _) = call(
        &state,
        Method::POST,
        "/predict/movie",
        None,
        Body::from(the_kid().to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = scrape(state).await;
    assert_eq!(
        sample(
            &text,
            "reelcast_model_reloads_total",
            &["result=\"failure\""]
        ),
        1.0
    );
}

#[tokio::test]
async fn reload_needs_the_bearer_token_and_is_off_without_one() {
    let registry = Arc::new(FakeRegistry::default());
    registry.point_at(1);
    let state = started(registry.clone(), "right").await;
    registry.point_at(2);

    for auth in [
        None,
        Some("Bearer wrong"),
        Some("right"),
        Some("Basic cmlnaHQ="),
    ] {
        let (status, body) = reload(&state, auth).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}: {body}");
        assert_eq!(body["error"]["field"], "Authorization");
    }
    assert_eq!(state.model().unwrap().version, "1", "nothing was swapped");

    let off = started(registry, "").await;
    let (status, body) = reload(&off, Some("Bearer ")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "reload_disabled");
}

#[tokio::test]
async fn a_body_is_refused_rather_than_ignored_and_the_scheme_is_case_insensitive() {
    let registry = Arc::new(FakeRegistry::default());
    registry.point_at(1);
    let state = started(registry.clone(), "right").await;
    registry.point_at(2);

    let body = Body::from(r#"{"version": "99"}"#);
    let (status, answer) = call(
        &state,
        Method::POST,
        "/model/reload",
        Some("Bearer right"),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["field"], "body");
    assert_eq!(state.model().unwrap().version, "1", "nothing was swapped");

    let (status, answer) = call(
        &state,
        Method::POST,
        "/model/reload",
        Some("bearer right"),
        Body::from("{}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(state.model().unwrap().version, "2");
}

#[tokio::test]
async fn a_state_without_a_source_says_so() {
    let state = crate::helpers::state_with(settings("t"));
    let (status, body) = reload(&state, Some("Bearer t")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "no_model_source");
}

/// 4 clients send single and batch predictions without pause while the alias moves 20
/// times; every request must succeed with one of the two models' answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_request_fails_while_models_are_swapped_under_load() {
    let registry = Arc::new(FakeRegistry::default());
    registry.point_at(1);
    let state = started(registry.clone(), "t").await;
    let expected: Vec<f64> = [bundle(), other_bundle()]
        .iter()
        .map(|b| reelcast_pipeline::round2(b.predict(&reelcast_server_input()).rating))
        .collect();
    assert_ne!(
        expected[0], expected[1],
        "the two models must differ to see swaps"
    );

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Requests answered so far (successful or not), for the swaps below to wait on.
    let answered = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (state, stop, expected, answered) = (
            state.clone(),
            stop.clone(),
            expected.clone(),
            answered.clone(),
        );
        clients.push(tokio::spawn(async move {
            let (mut ok, mut failed, mut seen) = (0usize, 0usize, [false, false]);
            while !stop.load(Ordering::Relaxed) {
                let (uri, body) = if c % 2 == 0 {
                    ("/predict/movie", the_kid())
                } else {
                    (
                        "/predict/batch",
                        serde_json::json!({"movies": vec![the_kid(); 20]}),
                    )
                };
                let (status, reply) = call(
                    &state,
                    Method::POST,
                    uri,
                    None,
                    Body::from(body.to_string()),
                )
                .await;
                let rating = reply["predicted_rating"]
                    .as_f64()
                    .or_else(|| reply["predictions"][19]["predicted_rating"].as_f64());
                match (
                    status,
                    rating.and_then(|r| expected.iter().position(|e| *e == r)),
                ) {
                    (StatusCode::OK, Some(which)) => {
                        ok += 1;
                        seen[which] = true;
                    }
                    _ => failed += 1,
                }
                answered.fetch_add(1, Ordering::SeqCst);
                // An in-process call that never waits on I/O completes without yielding;
                // without this the clients would hold every worker and the reloads below
                // would never run.
                tokio::task::yield_now().await;
            }
            (ok, failed, seen)
        }));
    }
    // After each swap, wait for more answers than the 4 clients can have in flight, so at
    // least one request per swap reads the new model; the deadline only bounds a hang.
    const ANSWERS_PER_SWAP: usize = 6;
    for version in 2..=21 {
        registry.point_at(version);
        let (status, body) = reload(&state, Some("Bearer t")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["reloaded"], true);
        let target = answered.load(Ordering::SeqCst) + ANSWERS_PER_SWAP;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while answered.load(Ordering::SeqCst) < target {
            assert!(
                std::time::Instant::now() < deadline,
                "version {version}: fewer than {ANSWERS_PER_SWAP} answers within 60 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut failed, mut seen) = (0, 0, [false, false]);
    for client in clients {
        let (o, f, s) = client.await.unwrap();
        ok += o;
        failed += f;
        seen = [seen[0] || s[0], seen[1] || s[1]];
    }

    assert_eq!(
        failed,
        0,
        "{failed} of {} requests failed during swaps",
        ok + failed
    );
    assert!(ok > 100, "only {ok} requests ran");
    assert_eq!(seen, [true, true], "both models answered");
    assert_eq!(registry.loads.load(Ordering::SeqCst), 21);
    let text = scrape(state).await;
    assert_eq!(
        sample(
            &text,
            "reelcast_model_reloads_total",
            &["result=\"success\""]
        ),
        21.0
    );
}

/// The Kid as the model's input.
fn reelcast_server_input() -> reelcast_core::MovieInput {
    let Value::Object(obj) = the_kid() else {
        unreachable!("the_kid is an object")
    };
    reelcast_pipeline::movie_from_json(&obj).unwrap().1
}

#[tokio::test]
async fn model_versions_lists_the_registry_and_says_when_it_cannot() {
    let source = Arc::new(FakeRegistry::default());
    source.point_at(2);
    let state = started(source.clone(), "").await;
    let (status, body) = call(&state, Method::GET, "/model/versions", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["registry"], true);
    assert_eq!(body["source"], "models:/movie_rating_test@champion");
    let versions: Vec<u64> = body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1], "newest first");
    assert_eq!(
        body["versions"][1]["aliases"],
        serde_json::json!(["champion"])
    );
    assert_eq!(body["versions"][1]["test_rmse"], 0.72);

    source.down.store(true, Ordering::SeqCst);
    let (status, body) = call(&state, Method::GET, "/model/versions", None, Body::empty()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "registry_unavailable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("connection refused"));
}

#[tokio::test]
async fn model_versions_of_a_server_without_a_registry_is_empty() {
    let model = LoadedModel::new(bundle().clone()).unwrap();
    let state = AppState::with_model(ServerSettings::default(), model);
    let (status, body) = call(&state, Method::GET, "/model/versions", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["registry"], false);
    assert_eq!(body["versions"], serde_json::json!([]));
}
