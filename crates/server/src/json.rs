//! [`JsonBody`]: the API's JSON request bodies, parsed with plain `serde_json` and re-parsed
//! with path tracking only when rejected.
//!
//! axum's `Json` extractor runs every body through `serde_path_to_error`, which pays for
//! tracking the path to each value on every request although only a rejection reads it.
//! `JsonBody` gives the same acceptance rules and the same rejections (it defers to
//! `Json` for them) at the cost of plain parsing on the hot path.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A request body of `content-type: application/json`, deserialized into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let plain_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"application/json"));
        if !plain_json {
            // Parameters (`; charset=utf-8`), `+json` types and missing or wrong types:
            // axum's own rules and rejections.
            return match Json::<T>::from_request(req, state).await {
                Ok(Json(value)) => Ok(Self(value)),
                Err(rejection) => Err(rejection.into()),
            };
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::from(JsonRejection::from(e)))?;
        if let Ok(value) = serde_json::from_slice(&bytes) {
            return Ok(Self(value));
        }
        // Rejected: parse again with path tracking, for the field and message.
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;

    use super::*;
    use crate::dto::MovieRequest;

    fn request(content_type: Option<&str>, body: &str) -> Request {
        let mut request = Request::builder().method("POST").uri("/");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    }

    async fn extract(content_type: Option<&str>, body: &str) -> Result<MovieRequest, ApiError> {
        JsonBody::<MovieRequest>::from_request(request(content_type, body), &())
            .await
            .map(|JsonBody(m)| m)
    }

    /// What axum's `Json` answers for the same request, as an [`ApiError`].
    async fn axum_json(content_type: Option<&str>, body: &str) -> Result<MovieRequest, ApiError> {
        Json::<MovieRequest>::from_request(request(content_type, body), &())
            .await
            .map(|Json(m)| m)
            .map_err(ApiError::from)
    }

    #[tokio::test]
    async fn accepts_and_rejects_exactly_like_axum_json() {
        let good = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"]}"#;
        let cases = [
            (Some("application/json"), good),
            (Some("Application/JSON"), good),
            (Some("application/json; charset=utf-8"), good),
            (Some("application/vnd.api+json"), good),
            (Some("text/plain"), good),
            (None, good),
            (Some("application/json"), ""),
            (Some("application/json"), "{"),
            (Some("application/json"), "[1,2]"),
            (Some("application/json"), r#"{"startYear":"1921"}"#),
            (
                Some("application/json"),
                r#"{"startYear":1921,"runtimeMinutes":68}"#,
            ),
            (
                Some("application/json"),
                r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":[1]}"#,
            ),
            (Some("application/json"), &format!("{good} trailing")),
        ];
        for (content_type, body) in cases {
            let ours = extract(content_type, body).await;
            let theirs = axum_json(content_type, body).await;
            assert_eq!(ours, theirs, "content type {content_type:?}, body {body:?}");
        }
        let nested = extract(
            Some("application/json"),
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":[1]}"#,
        )
        .await
        .unwrap_err();
        assert_eq!(nested.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nested.field.is_some(), "{nested:?}");
    }
}
