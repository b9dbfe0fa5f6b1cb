//! [`Error`]: why a monitoring call gave no answer; the server maps each variant to an
//! HTTP status with an exhaustive match.

use reelcast_pipeline::FieldProblem;

/// Why a monitoring call gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A request field breaks a rule (an unknown key, a list of the wrong size or shape).
    #[error("{message}")]
    Field {
        /// The field, API spelling.
        field: String,
        /// What is wrong, naming the value and the rule.
        message: String,
    },
    /// Items of the request list `list` break their rules: every problem, with the index
    /// of its item (`None` for a single item sent without a list, with `list` empty).
    #[error("{} problems in {list}", problems.len())]
    Items {
        /// The request list (`items`), or empty for a single item.
        list: &'static str,
        /// Each problem and the index of its item.
        problems: Vec<(Option<usize>, FieldProblem)>,
    },
    /// The recent-traffic window holds too few rows for a drift check.
    #[error("the recent-traffic window holds {rows} movies; a drift check needs at least {min}: predict more movies first, or POST {{\"movies\": [...]}}")]
    NotEnoughTraffic {
        /// Rows in the window.
        rows: usize,
        /// Rows a check needs.
        min: usize,
    },
    /// No Alertmanager URL is configured.
    #[error("no Alertmanager is configured; set [server] alertmanager_url, e.g. REELCAST__SERVER__ALERTMANAGER_URL=http://127.0.0.1:9093")]
    AlertmanagerNotConfigured,
    /// The Alertmanager did not answer with a JSON list of alerts.
    #[error("Alertmanager at {url} did not answer: {detail}")]
    AlertmanagerUnavailable {
        /// Its base URL.
        url: String,
        /// What was seen instead: the connection error, status or parse error.
        detail: String,
    },
}

impl Error {
    /// An unknown request key: refused, saying what to send `instead`.
    pub fn unknown_field(key: &str, instead: &str) -> Self {
        Self::Field {
            field: key.to_owned(),
            message: format!("unknown field `{key}`; {instead}"),
        }
    }

    /// Checks that the request list `list` holds 1 to `max` items.
    pub fn check_list_size<T>(list: &str, items: &[T], max: usize) -> Result<()> {
        if items.is_empty() || items.len() > max {
            let message = format!("{list} has {} entries; send 1 to {max}", items.len());
            return Err(Self::Field {
                field: list.to_owned(),
                message,
            });
        }
        Ok(())
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
