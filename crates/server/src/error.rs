//! [`ApiError`]: every error the API returns, in one JSON shape
//! `{"error": {"code", "message", "field"?, "details"?}}`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use reelcast_pipeline::FieldProblem;

use crate::dto::{ErrorBody, ErrorDetail, ErrorResponse};

/// An API error: a status, a stable machine code and a message for people.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code, e.g. `validation_failed`.
    pub code: &'static str,
    /// What went wrong, naming the value and the rule.
    pub message: String,
    /// The offending field (API spelling), when there is one.
    pub field: Option<String>,
    /// Every problem, for inputs with several (batch validation).
    pub details: Vec<ErrorDetail>,
}

impl ApiError {
    /// A new error without field or details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            details: Vec::new(),
        }
    }

    /// Names the offending field.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 422 for field problems; `index` is the batch position, when in a batch.
    pub fn invalid_fields(problems: Vec<(Option<usize>, FieldProblem)>) -> Self {
        Self::invalid_items("movies", problems)
    }

    /// 422 for field problems of the items of the request list `list` (`movies`,
    /// `texts`): the top-level field is `list[i].field`, or `list[i]` when the problem is
    /// the item itself (its field is `list`).
    pub fn invalid_items(list: &str, problems: Vec<(Option<usize>, FieldProblem)>) -> Self {
        let details: Vec<ErrorDetail> = problems
            .into_iter()
            .map(|(index, p)| ErrorDetail {
                index,
                field: p.field,
                message: p.message,
            })
            .collect();
        let first = details.first().cloned();
        let message = match (&first, details.len()) {
            (Some(d), 1) => d.message.clone(),
            (Some(d), n) => format!("{} (and {} more problems)", d.message, n - 1),
            (None, _) => "invalid input".to_owned(),
        };
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message,
            field: first.map(|d| match d.index {
                Some(i) if d.field == list => format!("{list}[{i}]"),
                Some(i) => format!("{list}[{i}].{}", d.field),
                None => d.field,
            }),
            details,
        }
    }

    /// 503: no model is loaded yet.
    pub fn model_not_loaded() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "model_not_loaded",
            "no model is loaded yet; retry when /health/ready answers 200",
        )
    }

    /// 500 that reveals nothing; the cause is logged once here.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error; see the server log",
        )
    }

    /// The default error for a bare status (used to reshape framework responses).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "the request is malformed"),
            404 => ("not_found", "no such endpoint"),
            405 => (
                "method_not_allowed",
                "this endpoint does not accept that method",
            ),
            408 => (
                "request_timeout",
                "the request took longer than the server's timeout",
            ),
            413 => (
                "payload_too_large",
                "the request body is larger than the server's limit",
            ),
            415 => (
                "unsupported_media_type",
                "send the body as application/json",
            ),
            422 => ("validation_failed", "the request body is not valid"),
            503 => ("service_unavailable", "the service is not ready"),
            s if s >= 500 => ("internal_error", "internal error; see the server log"),
            _ => ("error", "the request failed"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorResponse {
            error: ErrorBody {
                code: self.code.to_owned(),
                message: self.message,
                field: self.field,
                details: self.details,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// Where a serde error points: `"movies[0].startYear: invalid type ..."` or
/// ``"missing field `startYear`"``.
pub(crate) fn split_serde_message(text: &str) -> (Option<String>, String) {
    let text = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    let text = text.split(" at line ").next().unwrap_or(text);
    let (path, rest) = match text.split_once(": ") {
        Some((p, r)) if !p.contains(' ') => (Some(p.to_owned()).filter(|p| p != "."), r),
        _ => (None, text),
    };
    let missing = rest
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
        .map(|f| match &path {
            Some(p) => format!("{p}.{f}"),
            None => f.to_owned(),
        });
    (missing.or(path), rest.to_owned())
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let text = rejection.body_text();
        match rejection {
            JsonRejection::JsonDataError(_) => {
                let (field, message) = split_serde_message(&text);
                let code = if message.starts_with("missing field") {
                    "missing_field"
                } else {
                    "invalid_type"
                };
                let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
                e.field = field;
                e
            }
            JsonRejection::JsonSyntaxError(_) => {
                let (_, message) = split_serde_message(&text);
                Self::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    format!("the body is not valid JSON: {message}"),
                )
            }
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body with `content-type: application/json`",
            ),
            JsonRejection::BytesRejection(_) => Self::from_status(status),
            other => Self::new(other.status(), "bad_request", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_the_field() {
        let cases = [
            (
                "Failed to deserialize the JSON body into the target type: startYear: invalid type: string \"x\", expected i64 at line 1 column 17",
                Some("startYear"),
            ),
            ("missing field `numVotes` at line 1 column 2", Some("numVotes")),
            ("movies[2]: missing field `numVotes`", Some("movies[2].numVotes")),
        ];
        for (text, field) in cases {
            assert_eq!(split_serde_message(text).0.as_deref(), field, "{text}");
        }
    }

    #[test]
    fn batch_problems_name_index_and_field() {
        let e = ApiError::invalid_fields(vec![(
            Some(3),
            FieldProblem {
                field: "startYear".into(),
                message: "startYear 1700 is below 1874".into(),
            },
        )]);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("movies[3].startYear"));
    }
}
