//! MLflow's error answers (4xx) and their mapping to the crate's [`Error`].

use super::http::excerpt;
use crate::Error;

/// An error answer (4xx) of the MLflow server: what the caller did wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    /// `POST http://host/api/2.0/mlflow/runs/create`, for messages.
    pub endpoint: String,
    /// HTTP status.
    pub status: u16,
    /// MLflow's `error_code`, e.g. `RESOURCE_DOES_NOT_EXIST`; None when the body is not an
    /// MLflow error (e.g. an HTML 404 page of a proxy or an older server).
    pub code: Option<String>,
    /// MLflow's `message`, or an excerpt of the body.
    pub message: String,
}

impl ApiError {
    /// Builds the error from a response's status and body.
    pub(crate) fn parse(endpoint: String, status: u16, body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Wire {
            error_code: Option<String>,
            message: Option<String>,
        }
        match serde_json::from_slice::<Wire>(body) {
            Ok(Wire {
                error_code: Some(code),
                message,
            }) => Self {
                endpoint,
                status,
                code: Some(code),
                message: message.unwrap_or_default(),
            },
            Ok(_) | Err(_) => Self {
                endpoint,
                status,
                code: None,
                message: excerpt(body),
            },
        }
    }

    /// True for MLflow's `RESOURCE_ALREADY_EXISTS`.
    pub(crate) fn already_exists(&self) -> bool {
        self.code.as_deref() == Some("RESOURCE_ALREADY_EXISTS")
    }

    /// The crate error; `what` names the object for [`Error::NotFound`] (`run "…"`).
    pub(crate) fn into_error(self, what: &str) -> Error {
        let code = self.code.as_deref();
        if code == Some("RESOURCE_DOES_NOT_EXIST") || (self.status == 404 && code.is_some()) {
            return Error::NotFound(what.to_owned());
        }
        match self.status {
            404 => Error::Other(format!(
                "{} answered HTTP 404 without an MLflow error: no such REST endpoint; is it an \
                 MLflow tracking server (>= 2.9, artifacts served, the default)? ({})",
                self.endpoint, self.message
            )),
            401 | 403 => Error::Other(format!(
                "{} refused the credentials (HTTP {}): {}; set MLFLOW_TRACKING_TOKEN, or \
                 MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD",
                self.endpoint, self.status, self.message
            )),
            _ => Error::Invalid(format!("{what}: {}", self.message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_mlflow_error_answers_to_crate_errors() {
        let endpoint = || "GET http://h/api/2.0/mlflow/runs/get".to_owned();
        let cases: [(&str, u16, &str, &str); 6] = [
            (
                "does not exist",
                404,
                r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run with id=1 not found"}"#,
                r#"run "1" not found"#,
            ),
            (
                "does not exist with 400",
                400,
                r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"x"}"#,
                r#"run "1" not found"#,
            ),
            (
                "invalid parameter",
                400,
                r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"Changing param values is not allowed"}"#,
                r#"invalid request: run "1": Changing param values is not allowed"#,
            ),
            (
                "already exists",
                400,
                r#"{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Experiment 'e' already exists."}"#,
                r#"invalid request: run "1": Experiment 'e' already exists."#,
            ),
            (
                "html 404",
                404,
                "<html>404 Not Found</html>",
                "GET http://h/api/2.0/mlflow/runs/get answered HTTP 404 without an MLflow error",
            ),
            (
                "unauthorized",
                401,
                "You are not authenticated",
                "refused the credentials (HTTP 401): You are not authenticated; set MLFLOW_TRACKING_TOKEN",
            ),
        ];
        for (label, status, body, expected) in cases {
            let err = ApiError::parse(endpoint(), status, body.as_bytes()).into_error(r#"run "1""#);
            assert!(
                err.to_string().contains(expected),
                "{label}: {err} does not contain {expected}"
            );
        }
        assert!(ApiError::parse(
            endpoint(),
            400,
            br#"{"error_code":"RESOURCE_ALREADY_EXISTS"}"#
        )
        .already_exists());
    }
}
