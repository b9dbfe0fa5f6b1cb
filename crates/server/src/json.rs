//! [`JsonBody`]: the API's JSON request bodies, parsed with plain `serde_json` and re-parsed
//! with path tracking only when rejected; [`JsonBytes`]: the same body read but not yet
//! parsed, for types that borrow from it.
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
use serde::Deserialize;

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
        let body = JsonBytes::<T>::from_request(req, state).await?;
        match body.borrowed() {
            Some(value) => Ok(Self(value)),
            None => body.owned().map(Self),
        }
    }
}

/// A JSON request body of which `T` is the owned form: read, and parsed on demand, either
/// into a type borrowing from it ([`JsonBytes::borrowed`]) or, failing that, into `T`,
/// whose parse gives the rejection ([`JsonBytes::owned`]).
#[derive(Debug)]
pub(crate) enum JsonBytes<T> {
    /// `content-type: application/json` exactly: the body, not parsed yet.
    Raw(Bytes),
    /// Other JSON types (`; charset=utf-8`, `+json`), parsed by axum's `Json`.
    Parsed(T),
}

impl<T: DeserializeOwned> JsonBytes<T> {
    /// The body as `B`, borrowing from it; `None` when it is not one (or was already
    /// parsed into `T`).
    pub(crate) fn borrowed<'a, B: Deserialize<'a>>(&'a self) -> Option<B> {
        serde_json::from_str(self.text()?).ok()
    }

    /// The body's text when it was read but not parsed and is UTF-8. Checked once, whole,
    /// rather than string by string as `serde_json::from_slice` does; invalid UTF-8 is
    /// rejected by [`JsonBytes::owned`].
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Raw(bytes) => std::str::from_utf8(bytes).ok(),
            Self::Parsed(_) => None,
        }
    }

    /// The body as `T`, or axum's `Json` rejection of it (with the path to the offending
    /// value).
    pub(crate) fn owned(self) -> Result<T, ApiError> {
        match self {
            Self::Raw(bytes) => parse_owned(&bytes),
            Self::Parsed(value) => Ok(value),
        }
    }

    /// The body as `B` borrowing from it, else `view` of it parsed as `T` (kept in `slot`),
    /// else `T`'s rejection: a view that costs no copies when the body allows it.
    pub(crate) fn read<'a, B: Deserialize<'a>>(
        &'a self,
        slot: &'a mut Option<T>,
        view: impl FnOnce(&'a T) -> B,
    ) -> Result<B, ApiError> {
        if let Some(borrowed) = self.borrowed() {
            return Ok(borrowed);
        }
        let owned = match self {
            Self::Raw(bytes) => slot.insert(parse_owned(bytes)?),
            Self::Parsed(value) => value,
        };
        Ok(view(owned))
    }
}

/// `bytes` as `T` through axum's `Json`, whose rejection names the path to the offending
/// value.
fn parse_owned<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match Json::<T>::from_bytes(bytes) {
        Ok(Json(value)) => Ok(value),
        Err(rejection) => Err(rejection.into()),
    }
}

impl<T, S> FromRequest<S> for JsonBytes<T>
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
                Ok(Json(value)) => Ok(Self::Parsed(value)),
                Err(rejection) => Err(rejection.into()),
            };
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::from(JsonRejection::from(e)))?;
        Ok(Self::Raw(bytes))
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use reelcast_core::MovieInput;
    use reelcast_pipeline::FieldProblem;

    use super::*;
    use crate::dto::MovieRequest;
    use crate::movie_body::MovieBody;

    fn request(content_type: Option<&str>, body: &[u8]) -> Request {
        let mut request = Request::builder().method("POST").uri("/");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    }

    async fn extract(content_type: Option<&str>, body: &[u8]) -> Result<MovieRequest, ApiError> {
        JsonBody::<MovieRequest>::from_request(request(content_type, body), &())
            .await
            .map(|JsonBody(m)| m)
    }

    type Converted = (Option<String>, Result<MovieInput, Vec<FieldProblem>>);

    /// As `POST /predict/movie` reads its body: in place, else owned.
    async fn extract_in_place(
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Converted, ApiError> {
        let body =
            JsonBytes::<MovieRequest>::from_request(request(content_type, body), &()).await?;
        let mut owned = None;
        let req: MovieBody<'_> = body.read(&mut owned, MovieRequest::body)?;
        Ok((req.title().map(str::to_owned), MovieInput::try_from(&req)))
    }

    /// What axum's `Json` answers for the same request, as an [`ApiError`].
    async fn axum_json(content_type: Option<&str>, body: &[u8]) -> Result<MovieRequest, ApiError> {
        Json::<MovieRequest>::from_request(request(content_type, body), &())
            .await
            .map(|Json(m)| m)
            .map_err(ApiError::from)
    }

    #[tokio::test]
    async fn accepts_and_rejects_exactly_like_axum_json() {
        let good = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"]}"#;
        let trailing = format!("{good} trailing");
        let cases: [(Option<&str>, &[u8]); 17] = [
            (Some("application/json"), good.as_bytes()),
            (Some("Application/JSON"), good.as_bytes()),
            (Some("application/json; charset=utf-8"), good.as_bytes()),
            (Some("application/vnd.api+json"), good.as_bytes()),
            (Some("text/plain"), good.as_bytes()),
            (None, good.as_bytes()),
            (Some("application/json"), b""),
            (Some("application/json"), b"{"),
            (Some("application/json"), b"[1,2]"),
            (Some("application/json"), br#"{"startYear":"1921"}"#),
            (
                Some("application/json"),
                br#"{"startYear":1921,"runtimeMinutes":68}"#,
            ),
            (
                Some("application/json"),
                br#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":[1]}"#,
            ),
            (Some("application/json"), trailing.as_bytes()),
            (
                Some("application/json"),
                b"{\"title\":\"Am\xc3\xa9lie\",\"startYear\":2001,\"runtimeMinutes\":122,\"numVotes\":1}",
            ),
            (
                Some("application/json"),
                b"{\"title\":\"Am\xe9lie\",\"startYear\":2001,\"runtimeMinutes\":122,\"numVotes\":1}",
            ),
            (
                Some("application/json"),
                br#"{"title":"Am\u00e9lie","startYear":2001,"runtimeMinutes":122,"numVotes":1,"genres":"Romance,Comdy"}"#,
            ),
            (
                Some("application/json"),
                b"{\"startYear\":2001,\"runtimeMinutes\":122,\"numVotes\":1,\"genres\":[\"Drama\",\"\xff\"]}",
            ),
        ];
        for (content_type, body) in cases {
            let ours = extract(content_type, body).await;
            let theirs = axum_json(content_type, body).await;
            assert_eq!(ours, theirs, "content type {content_type:?}, body {body:?}");
            let in_place = extract_in_place(content_type, body).await;
            let converted = theirs.map(|m| (m.title.clone(), MovieInput::try_from(&m)));
            assert_eq!(
                in_place, converted,
                "content type {content_type:?}, body {body:?}"
            );
        }
        let nested = extract(
            Some("application/json"),
            br#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":[1]}"#,
        )
        .await
        .unwrap_err();
        assert_eq!(nested.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nested.field.is_some(), "{nested:?}");
    }
}
