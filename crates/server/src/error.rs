//! [`ApiError`]: every error the API returns, in one JSON shape
//! `{"error": {"code", "message", "field"?, "details"?}}`, and [`ErrorCode`], the stable
//! machine codes with their HTTP statuses.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use reelcast_pipeline::FieldProblem;

use crate::dto::{ErrorBody, ErrorDetail, ErrorResponse};

/// The stable machine code of an error; each has one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 400: the request is malformed (e.g. a bad request line or header).
    BadRequest,
    /// 400: the body is not valid JSON.
    InvalidJson,
    /// 400: the query string does not parse.
    InvalidQuery,
    /// 401: the bearer token is missing or wrong.
    Unauthorized,
    /// 403: `POST /model/reload` is disabled.
    ReloadDisabled,
    /// 404: no such endpoint.
    NotFound,
    /// 405: the endpoint does not take that method.
    MethodNotAllowed,
    /// 408: the request outlived the server's timeout.
    RequestTimeout,
    /// 409: the recent-traffic window is too small for a drift check.
    NotEnoughTraffic,
    /// 413: the body is over the size limit.
    PayloadTooLarge,
    /// 414: the request target is too long (answered by the transport).
    UriTooLong,
    /// 431: the request head is too large or has too many headers (answered by the
    /// transport).
    RequestHeaderFieldsTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: a required field is missing (the body's JSON structure).
    MissingField,
    /// 422: a value has the wrong JSON type (the body's JSON structure).
    InvalidType,
    /// 422: a field breaks a rule.
    ValidationFailed,
    /// 500: a bug; the body reveals nothing, the log has the cause.
    Internal,
    /// 503: no model is loaded yet.
    ModelNotLoaded,
    /// 503: the server has no model source to reload from.
    NoModelSource,
    /// 503: the model source's model failed to load; the previous one is still served.
    ReloadFailed,
    /// 503: no Alertmanager is configured.
    AlertmanagerNotConfigured,
    /// 503: the Alertmanager did not answer.
    AlertmanagerUnavailable,
    /// 503: the model registry could not be asked.
    RegistryUnavailable,
    /// 503: the service is not ready (framework-made).
    ServiceUnavailable,
}

impl ErrorCode {
    /// The HTTP status this code is sent with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest | Self::InvalidJson | Self::InvalidQuery => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::ReloadDisabled => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::NotEnoughTraffic => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::RequestHeaderFieldsTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MissingField | Self::InvalidType | Self::ValidationFailed => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ModelNotLoaded
            | Self::NoModelSource
            | Self::ReloadFailed
            | Self::AlertmanagerNotConfigured
            | Self::AlertmanagerUnavailable
            | Self::RegistryUnavailable
            | Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The code as sent, snake_case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidJson => "invalid_json",
            Self::InvalidQuery => "invalid_query",
            Self::Unauthorized => "unauthorized",
            Self::ReloadDisabled => "reload_disabled",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RequestTimeout => "request_timeout",
            Self::NotEnoughTraffic => "not_enough_traffic",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UriTooLong => "uri_too_long",
            Self::RequestHeaderFieldsTooLarge => "request_header_fields_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MissingField => "missing_field",
            Self::InvalidType => "invalid_type",
            Self::ValidationFailed => "validation_failed",
            Self::Internal => "internal_error",
            Self::ModelNotLoaded => "model_not_loaded",
            Self::NoModelSource => "no_model_source",
            Self::ReloadFailed => "reload_failed",
            Self::AlertmanagerNotConfigured => "alertmanager_not_configured",
            Self::AlertmanagerUnavailable => "alertmanager_unavailable",
            Self::RegistryUnavailable => "registry_unavailable",
            Self::ServiceUnavailable => "service_unavailable",
        }
    }

    /// The code for a status the framework produced on its own (layers, routing, hyper),
    /// with a default message.
    fn for_status(status: StatusCode) -> (Self, &'static str) {
        match status {
            StatusCode::NOT_FOUND => (Self::NotFound, "no such endpoint"),
            StatusCode::METHOD_NOT_ALLOWED => (
                Self::MethodNotAllowed,
                "this endpoint does not accept that method",
            ),
            StatusCode::REQUEST_TIMEOUT => (
                Self::RequestTimeout,
                "the request took longer than the server's timeout",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                Self::PayloadTooLarge,
                "the request body is larger than the server's limit",
            ),
            StatusCode::URI_TOO_LONG => (Self::UriTooLong, "the request target is too long"),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
                Self::RequestHeaderFieldsTooLarge,
                "the request headers are too large",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                Self::UnsupportedMediaType,
                "send the body as application/json",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => {
                (Self::ValidationFailed, "the request body is not valid")
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                (Self::ServiceUnavailable, "the service is not ready")
            }
            s if s.is_server_error() => (Self::Internal, "internal error; see the server log"),
            _ => (Self::BadRequest, "the request is malformed"),
        }
    }
}

/// An API error: a status, a stable machine code and a message for people.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    /// HTTP status: the code's, or the framework's own for reshaped framework errors.
    pub status: StatusCode,
    /// Stable machine code.
    pub code: ErrorCode,
    /// What went wrong, naming the value and the rule.
    pub message: String,
    /// The offending field (API spelling), when there is one.
    pub field: Option<String>,
    /// Every problem, for inputs with several (batch validation).
    pub details: Vec<ErrorDetail>,
}

impl ApiError {
    /// A new error without field or details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: code.status(),
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

    /// 422 for field problems of one input (no list around it).
    pub fn invalid(problems: Vec<FieldProblem>) -> Self {
        Self::invalid_items("", problems.into_iter().map(|p| (None, p)).collect())
    }

    /// 422 for field problems of the items of the request list `list` (`movies`,
    /// `texts`, `items`): the top-level field is `list[i].field`, or `list[i]` when the
    /// problem is the item itself (its field is `list`).
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
        let mut e = Self::new(ErrorCode::ValidationFailed, message);
        e.field = first.map(|d| match d.index {
            Some(i) if d.field == list => format!("{list}[{i}]"),
            Some(i) => format!("{list}[{i}].{}", d.field),
            None => d.field,
        });
        e.details = details;
        e
    }

    /// 503: no model is loaded yet.
    pub fn model_not_loaded() -> Self {
        Self::new(
            ErrorCode::ModelNotLoaded,
            "no model is loaded yet; retry when /health/ready answers 200",
        )
    }

    /// 500 that reveals nothing; the cause is logged once here.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::Internal, "internal error; see the server log")
    }

    /// The error for a bare framework status (used to reshape framework responses); the
    /// status is kept as it is.
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = ErrorCode::for_status(status);
        Self {
            status,
            ..Self::new(code, message)
        }
    }
}

/// Checks that a request list holds 1 to `max` items.
pub(crate) fn check_list_size<T>(list: &str, items: &[T], max: usize) -> Result<(), ApiError> {
    Ok(reelcast_monitor::Error::check_list_size(list, items, max)?)
}

impl From<Vec<FieldProblem>> for ApiError {
    fn from(problems: Vec<FieldProblem>) -> Self {
        Self::invalid(problems)
    }
}

impl From<reelcast_monitor::Error> for ApiError {
    fn from(e: reelcast_monitor::Error) -> Self {
        use reelcast_monitor::Error as E;
        let message = e.to_string();
        match e {
            E::Field { field, .. } => {
                Self::new(ErrorCode::ValidationFailed, message).with_field(field)
            }
            E::Items { list, problems } => Self::invalid_items(list, problems),
            E::NotEnoughTraffic { .. } => Self::new(ErrorCode::NotEnoughTraffic, message),
            E::AlertmanagerNotConfigured => {
                Self::new(ErrorCode::AlertmanagerNotConfigured, message)
            }
            E::AlertmanagerUnavailable { .. } => {
                Self::new(ErrorCode::AlertmanagerUnavailable, message)
            }
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorResponse {
            error: ErrorBody {
                code: self.code.as_str().to_owned(),
                message: self.message,
                field: self.field,
                details: self.details,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// Where a serde error points: `"movies[0].startYear: invalid type ..."`,
/// ``"missing field `startYear`"`` or ``"unknown field `explian`, expected ..."``.
pub(crate) fn split_serde_message(text: &str) -> (Option<String>, String) {
    let text = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    let text = text.split(" at line ").next().unwrap_or(text);
    let (path, rest) = match text.split_once(": ") {
        Some((p, r)) if !p.contains(' ') => (Some(p.to_owned()).filter(|p| p != "."), r),
        _ => (None, text),
    };
    let named = ["missing field `", "duplicate field `", "unknown field `"]
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
        .and_then(|r| r.split('`').next())
        .map(|f| match &path {
            // serde_path_to_error already ends the path with an unknown key.
            Some(p) if p == f || p.ends_with(&format!(".{f}")) => p.clone(),
            Some(p) => format!("{p}.{f}"),
            None => f.to_owned(),
        });
    (named.or(path), rest.to_owned())
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let text = rejection.body_text();
        match rejection {
            JsonRejection::JsonDataError(_) => {
                let (field, message) = split_serde_message(&text);
                // An unknown key breaks the body's rules, as a movie's unknown key does.
                let code = if message.starts_with("missing field") {
                    ErrorCode::MissingField
                } else if message.starts_with("unknown field") {
                    ErrorCode::ValidationFailed
                } else {
                    ErrorCode::InvalidType
                };
                let mut e = Self::new(code, message);
                e.field = field;
                e
            }
            JsonRejection::JsonSyntaxError(_) => {
                let (_, message) = split_serde_message(&text);
                Self::new(
                    ErrorCode::InvalidJson,
                    format!("the body is not valid JSON: {message}"),
                )
            }
            JsonRejection::MissingJsonContentType(_) => Self::new(
                ErrorCode::UnsupportedMediaType,
                "send the body with `content-type: application/json`",
            ),
            JsonRejection::BytesRejection(r) => Self::from_status(r.status()),
            other => Self::from_status(other.status()),
        }
    }
}

/// A query string that does not fit the endpoint's options: names the parameter, as
/// body errors name the field (`?explain=maybe`, `?explian=true`).
impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        let text = rejection.body_text();
        let text = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text);
        let (field, message) = split_serde_message(text);
        let message = match &field {
            Some(f) if !message.contains(&format!("`{f}`")) => {
                format!("query parameter {f}: {message}")
            }
            _ => format!("query string: {message}"),
        };
        let mut e = Self::new(ErrorCode::InvalidQuery, message);
        e.field = field;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_the_field() {
        let cases = [
            (
                "Failed to deserialize the JSON body into the target type: text: invalid type: integer `1`, expected a string at line 1 column 9",
                Some("text"),
            ),
            ("missing field `text` at line 1 column 2", Some("text")),
            ("items[2]: missing field `actual_rating`", Some("items[2].actual_rating")),
            ("duplicate field `startYear` at line 1 column 30", Some("startYear")),
            ("unknown field `explian`, expected `explain`", Some("explian")),
            ("explian: unknown field `explian`, expected `explain`", Some("explian")),
            ("items[0].x: unknown field `x`, expected `text`", Some("items[0].x")),
        ];
        for (text, field) in cases {
            assert_eq!(split_serde_message(text).0.as_deref(), field, "{text}");
        }
    }

    #[test]
    fn batch_problems_name_index_and_field() {
        let e = ApiError::invalid_items(
            "movies",
            vec![(
                Some(3),
                FieldProblem::new("startYear", "startYear 1700 is not between 1874 and 2100"),
            )],
        );
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("movies[3].startYear"));
    }

    #[test]
    fn every_code_has_its_status_and_framework_statuses_keep_theirs() {
        assert_eq!(ErrorCode::NotEnoughTraffic.status(), StatusCode::CONFLICT);
        assert_eq!(
            ApiError::new(ErrorCode::ReloadFailed, "x").status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let e = ApiError::from_status(StatusCode::URI_TOO_LONG);
        assert_eq!(
            (e.status, e.code),
            (StatusCode::URI_TOO_LONG, ErrorCode::UriTooLong)
        );
        let e = ApiError::from_status(StatusCode::IM_A_TEAPOT);
        assert_eq!(e.code, ErrorCode::BadRequest);
        let e = ApiError::from_status(StatusCode::BAD_GATEWAY);
        assert_eq!(e.code, ErrorCode::Internal);
    }
}
