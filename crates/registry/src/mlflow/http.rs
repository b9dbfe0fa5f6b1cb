//! The HTTP side of the MLflow client: URLs, credentials, retries with backoff, and the
//! mapping of MLflow's error answers to [`Error`].

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::api_error::ApiError;
use super::auth::Auth;
use crate::{Error, Result};

/// First retry delay; doubled on each further retry.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
/// Longest delay between two attempts.
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// Longest excerpt of an error body quoted in messages.
const BODY_EXCERPT: usize = 300;

/// Delay before retry number `n` (0-based): 200 ms × 2^n, capped at 5 s.
pub(crate) fn backoff(n: u32) -> Duration {
    BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(n.min(16)))
        .min(BACKOFF_CAP)
}

/// What a request sends.
pub(crate) enum Body<'a> {
    /// Nothing.
    Empty,
    /// A JSON document (`Content-Type: application/json`, required by MLflow).
    Json(serde_json::Value),
    /// Raw bytes (artifact uploads).
    Bytes(&'a [u8]),
}

/// How the transport waits between two attempts: `std::thread::sleep` in production; tests
/// inject one that records the delays instead of waiting them.
pub(crate) type Sleep = Arc<dyn Fn(Duration) + Send + Sync>;

/// A client of one MLflow server: base URL, timeout, retries, credentials.
pub(crate) struct Transport {
    /// `http://host:port[/prefix]`, without credentials or a final `/`.
    base: String,
    timeout: Duration,
    retries: u32,
    auth: Auth,
    /// Built on first use: a blocking client must not be built inside an async runtime,
    /// and `connect` may well be called there.
    client: OnceLock<Client>,
    /// Waits out a backoff delay.
    sleep: Sleep,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Checks `base_url` (http or https; credentials in it are moved to [`Auth::Basic`]
    /// unless the environment gives some) without any network call.
    pub(crate) fn new(base_url: &str, timeout: Duration, retries: u32, auth: Auth) -> Result<Self> {
        let mut url = Url::parse(base_url.trim()).map_err(|e| {
            Error::Invalid(format!(
                "MLflow tracking URI {base_url:?} is not a URL: {e}"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::Invalid(format!(
                "MLflow tracking URI {:?} is not http(s)://HOST[:PORT]",
                redact(&url)
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Invalid(format!(
                "MLflow tracking URI {:?} has a query or fragment; give only http(s)://HOST[:PORT][/PATH]",
                redact(&url)
            )));
        }
        let mut auth = auth;
        if !url.username().is_empty() {
            if auth == Auth::None {
                auth = Auth::Basic {
                    username: url.username().to_owned(),
                    password: url.password().unwrap_or_default().to_owned(),
                };
            }
            // Cannot fail on an http(s) URL with a host.
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_owned(),
            timeout,
            retries,
            auth,
            client: OnceLock::new(),
            sleep: Arc::new(std::thread::sleep),
        })
    }

    /// The same transport waiting its backoff delays with `sleep` (tests record them).
    #[cfg(test)]
    pub(crate) fn with_sleep(mut self, sleep: Sleep) -> Self {
        self.sleep = sleep;
        self
    }

    /// Waits `delay` the way this transport waits between attempts.
    pub(crate) fn pause(&self, delay: Duration) {
        (self.sleep)(delay);
    }

    /// The base URL, without credentials.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// `{base}/api/2.0/mlflow/{path}`.
    pub(crate) fn rest_url(&self, path: &str) -> String {
        format!("{}/api/2.0/mlflow/{path}", self.base)
    }

    /// `{base}/api/2.0/mlflow-artifacts/artifacts[/{path}]`, each segment of `path`
    /// percent-encoded.
    pub(crate) fn artifact_url(&self, path: &str) -> String {
        let mut url = format!("{}/api/2.0/mlflow-artifacts/artifacts", self.base);
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            url.push('/');
            url.push_str(&percent_encode(segment));
        }
        url
    }

    fn client(&self) -> Result<&Client> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(concat!("reelcast/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Other(format!("building the HTTP client: {}", chain(&e))))?;
        Ok(self.client.get_or_init(|| client))
    }

    /// Sends a request, retrying connection errors, timeouts, 429 and 5xx answers with
    /// exponential backoff. The outer error is the transport's ([`Error::Unavailable`]);
    /// the inner one is an error answer of the server.
    pub(crate) fn send(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        body: &Body<'_>,
    ) -> Result<Result<Vec<u8>, ApiError>> {
        let client = self.client()?;
        let endpoint = format!("{method} {url}");
        let started = Instant::now();
        let mut last_failure = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                let delay = backoff(attempt - 1);
                tracing::debug!(%endpoint, attempt, ?delay, reason = %last_failure, "retrying MLflow request");
                self.pause(delay);
            }
            let mut request = self.auth.apply(client.request(method.clone(), url));
            if !query.is_empty() {
                request = request.query(query);
            }
            request = match body {
                Body::Empty => request,
                Body::Json(value) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(value.to_string()),
                Body::Bytes(bytes) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(bytes.to_vec()),
            };
            let response = match request.send() {
                Ok(response) => response,
                Err(e) => {
                    last_failure = chain(&e);
                    continue;
                }
            };
            let status = response.status();
            let bytes = match response.bytes() {
                Ok(bytes) => bytes.to_vec(),
                Err(e) => {
                    last_failure = format!("reading the answer: {}", chain(&e));
                    continue;
                }
            };
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                last_failure = format!("HTTP {status}: {}", excerpt(&bytes));
                continue;
            }
            if status.is_success() {
                return Ok(Ok(bytes));
            }
            return Ok(Err(ApiError::parse(endpoint, status.as_u16(), &bytes)));
        }
        Err(Error::Unavailable(format!(
            "the MLflow server at {} did not answer {endpoint} successfully ({} attempts in \
             {:.1} s, last: {last_failure}); is `mlflow server` running there? check \
             [tracking] uri / --tracking-uri",
            self.base,
            self.retries + 1,
            started.elapsed().as_secs_f64()
        )))
    }

    /// A REST call answering JSON: `GET` with a query, or another method with a JSON body.
    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> Result<Result<T, ApiError>> {
        let url = self.rest_url(path);
        let body = body.map_or(Body::Empty, Body::Json);
        match self.send(method.clone(), &url, query, &body)? {
            Ok(bytes) => parse_json(&method, &url, &bytes).map(Ok),
            Err(api) => Ok(Err(api)),
        }
    }

    /// [`Transport::call`] with the server's error answers mapped; `what` names the object
    /// for [`Error::NotFound`].
    pub(crate) fn rest<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<serde_json::Value>,
        what: &str,
    ) -> Result<T> {
        self.call(method, path, query, body)?
            .map_err(|e| e.into_error(what))
    }
}

/// Parses a successful answer; an empty body counts as `{}`.
pub(crate) fn parse_json<T: DeserializeOwned>(
    method: &Method,
    url: &str,
    bytes: &[u8],
) -> Result<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        Error::Other(format!(
            "unexpected answer from MLflow to {method} {url}: {e}: {}",
            excerpt(bytes)
        ))
    })
}

/// The URL without its user name and password, for messages.
fn redact(url: &Url) -> String {
    crate::redact_uri(url.as_str())
}

/// An error and its sources, `: `-separated (reqwest hides the cause in `source()`).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The start of a body as text, for messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(base: &str) -> Transport {
        Transport::new(base, Duration::from_secs(1), 0, Auth::None).unwrap()
    }

    #[test]
    fn builds_rest_and_artifact_urls_with_or_without_a_final_slash_or_a_prefix() {
        let cases = [
            ("plain", "http://127.0.0.1:5000", "http://127.0.0.1:5000"),
            (
                "final slash",
                "http://127.0.0.1:5000/",
                "http://127.0.0.1:5000",
            ),
            (
                "prefix",
                "https://example.org/mlflow/",
                "https://example.org/mlflow",
            ),
        ];
        for (label, base, expected) in cases {
            let t = transport(base);
            assert_eq!(t.base(), expected, "{label}");
            assert_eq!(
                t.rest_url("runs/get"),
                format!("{expected}/api/2.0/mlflow/runs/get"),
                "{label}"
            );
            assert_eq!(
                t.artifact_url("1/abc/artifacts/model/model.bundle"),
                format!("{expected}/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/model.bundle"),
                "{label}"
            );
        }
    }

    #[test]
    fn percent_encodes_artifact_path_segments_but_keeps_slashes() {
        let t = transport("http://h:1");
        assert_eq!(
            t.artifact_url("1/r/artifacts/a dir/é?#%.json"),
            "http://h:1/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/a%20dir/%C3%A9%3F%23%25.json"
        );
    }

    #[test]
    fn rejects_tracking_uris_that_are_not_http_urls() {
        for (label, uri) in [
            ("no scheme", "127.0.0.1:5000"),
            ("sqlite", "sqlite:///x.db"),
            ("garbage", "not a url"),
            ("query", "http://h:1/?x=1"),
        ] {
            let err = Transport::new(uri, Duration::from_secs(1), 0, Auth::None).unwrap_err();
            assert!(matches!(err, Error::Invalid(_)), "{label}: {err:?}");
            assert!(
                err.to_string().contains("MLflow tracking URI"),
                "{label}: {err}"
            );
        }
    }

    #[test]
    fn moves_credentials_out_of_the_url_and_never_prints_them() {
        let t = Transport::new(
            "http://ann:s3cret@h:1",
            Duration::from_secs(1),
            0,
            Auth::None,
        )
        .unwrap();
        assert_eq!(t.base(), "http://h:1");
        assert_eq!(
            t.auth,
            Auth::Basic {
                username: "ann".into(),
                password: "s3cret".into()
            }
        );
        let debug = format!("{t:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
    }

    #[test]
    fn backs_off_exponentially_from_200_ms_up_to_5_s() {
        let delays: Vec<u128> = (0..7).map(|n| backoff(n).as_millis()).collect();
        assert_eq!(delays, [200, 400, 800, 1600, 3200, 5000, 5000]);
        assert_eq!(backoff(u32::MAX), BACKOFF_CAP);
    }

    #[test]
    fn parses_an_empty_success_body_as_an_empty_object() {
        let value: serde_json::Value = parse_json(&Method::POST, "u", b"").unwrap();
        assert_eq!(value, serde_json::json!({}));
    }
}
