//! A tiny real model, trained once, and a one-request client.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use reelcast_data::IngestOptions;
use reelcast_pipeline::{
    load_dataset, train, DataSource, ModelBundle, ModelKind, ModelParams, TrainOptions,
};
use reelcast_server::{app, AppState, LoadedModel, ServerSettings};
use serde_json::Value;
use tower::ServiceExt;

/// A 20-tree random forest on the embedded sample, trained once per test binary.
pub fn bundle() -> &'static ModelBundle {
    static BUNDLE: OnceLock<ModelBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let data = load_dataset(&DataSource::Embedded, &IngestOptions::default()).unwrap();
        let options = TrainOptions {
            params: ModelParams::for_kind(ModelKind::RandomForest).with_trees(20),
            ..TrainOptions::default()
        };
        train(&data.movies, &data.version, &options).unwrap().0
    })
}

/// A state serving [`bundle`] with `settings`.
pub fn state_with(settings: ServerSettings) -> AppState {
    AppState::with_model(settings, LoadedModel::new(bundle().clone()).unwrap())
}

/// A state serving [`bundle`] with the default settings.
pub fn state() -> AppState {
    state_with(ServerSettings::default())
}

/// A response: status, content type and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// The field of an error body.
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("<no field>")
    }
}

/// Sends one request with a raw body and content type through the whole app.
pub async fn send_raw(
    state: AppState,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        request = request.header(header::CONTENT_TYPE, ct);
    }
    let response = app(state)
        .oneshot(request.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        body,
    }
}

/// GET `uri` from an app serving [`bundle`].
pub async fn get(uri: &str) -> Reply {
    send_raw(state(), Method::GET, uri, None, Body::empty()).await
}

/// POST JSON to `uri` on an app serving [`bundle`].
pub async fn post(uri: &str, body: &Value) -> Reply {
    post_to(state(), uri, body).await
}

/// POST JSON to `uri` on an app over `state`.
pub async fn post_to(state: AppState, uri: &str, body: &Value) -> Reply {
    send_raw(
        state,
        Method::POST,
        uri,
        Some("application/json"),
        body.to_string(),
    )
    .await
}

/// The Kid (1921), a valid request.
pub fn the_kid() -> Value {
    serde_json::json!({
        "title": "The Kid", "startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584,
        "genres": ["Comedy", "Drama"], "titleType": "movie", "isAdult": false
    })
}
