//! Credentials of MLflow requests, read from the environment like MLflow's own client.

use std::fmt;

use reqwest::blocking::RequestBuilder;

/// Credentials sent with every request, read like MLflow's own client does.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Auth {
    /// No `Authorization` header.
    None,
    /// `Authorization: Basic …` (`MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`).
    Basic { username: String, password: String },
    /// `Authorization: Bearer …` (`MLFLOW_TRACKING_TOKEN`).
    Bearer(String),
}

impl Auth {
    /// Reads the credentials through `var` (the environment in production): username and
    /// password win over a token, as in MLflow's `http_request`.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |k: &str| var(k).filter(|v| !v.is_empty());
        match (
            non_empty("MLFLOW_TRACKING_USERNAME"),
            non_empty("MLFLOW_TRACKING_PASSWORD"),
            non_empty("MLFLOW_TRACKING_TOKEN"),
        ) {
            (Some(username), Some(password), _) => Self::Basic { username, password },
            (_, _, Some(token)) => Self::Bearer(token),
            _ => Self::None,
        }
    }

    pub(crate) fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Self::None => request,
            Self::Basic { username, password } => request.basic_auth(username, Some(password)),
            Self::Bearer(token) => request.bearer_auth(token),
        }
    }
}

/// Never prints a secret: only which kind of credentials is in use.
impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_credentials_like_mlflow_basic_before_token() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(Auth::from_vars(env(&[])), Auth::None);
        assert_eq!(
            Auth::from_vars(env(&[("MLFLOW_TRACKING_TOKEN", "tok")])),
            Auth::Bearer("tok".into())
        );
        assert_eq!(
            Auth::from_vars(env(&[
                ("MLFLOW_TRACKING_TOKEN", "tok"),
                ("MLFLOW_TRACKING_USERNAME", "u"),
                ("MLFLOW_TRACKING_PASSWORD", "p"),
            ])),
            Auth::Basic {
                username: "u".into(),
                password: "p".into()
            }
        );
        assert_eq!(
            Auth::from_vars(env(&[("MLFLOW_TRACKING_USERNAME", "u")])),
            Auth::None,
            "a username without a password is ignored"
        );
        assert_eq!(
            format!("{:?}", Auth::Bearer("tok".into())),
            "Bearer(<redacted>)"
        );
    }
}
