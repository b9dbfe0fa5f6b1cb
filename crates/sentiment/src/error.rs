//! The one error type of this crate.

/// Maximum accepted text length, in Unicode scalar values (`char`s), for the model and the
/// lexicons alike: 20,000 (the longest IMDb review of the corpus has 13,704).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Why a text could not be analysed, a model not trained or loaded, or reviews not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is empty or only whitespace, control or zero-width chars.
    #[error("text is empty: it must contain at least 1 visible char (not only whitespace, control or zero-width chars)")]
    EmptyText,
    /// The text is longer than [`MAX_TEXT_CHARS`].
    #[error("text has {chars} chars: it must have at most {max} chars")]
    TextTooLong {
        /// Length of the rejected text, in chars.
        chars: usize,
        /// The limit, [`MAX_TEXT_CHARS`].
        max: usize,
    },
    /// The text's letters are mostly of a script other than Latin and Hangul.
    #[error("text is mostly in a script other than Latin or Hangul: reviews are scored in English or Korean")]
    UnsupportedScript,
    /// A row of a review CSV is malformed.
    #[error("line {line}: {message}")]
    ReviewCsv {
        /// 1-based line of the row (the header is line 1).
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// A review CSV holds no row.
    #[error("the review file holds no row: it needs a header text,label,source and labelled rows")]
    NoReviews,
    /// Training needs rows of both labels outside the held-out split.
    #[error("training needs positive and negative rows outside the held-out split: it has {positive} positive and {negative} negative")]
    OneClass {
        /// Positive training rows.
        positive: usize,
        /// Negative training rows.
        negative: usize,
    },
    /// A training parameter breaks its rule.
    #[error("{name} {value}: {rule}")]
    InvalidParam {
        /// The parameter, as in [`crate::TrainParams`].
        name: &'static str,
        /// Its value.
        value: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// Bytes that are not a model this version can read.
    #[error("not a sentiment model: {0}")]
    ModelFormat(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_value_and_the_rule() {
        assert_eq!(
            Error::EmptyText.to_string(),
            "text is empty: it must contain at least 1 visible char (not only whitespace, control or zero-width chars)"
        );
        assert_eq!(
            Error::TextTooLong {
                chars: 20_001,
                max: 20_000
            }
            .to_string(),
            "text has 20001 chars: it must have at most 20000 chars"
        );
        assert_eq!(
            Error::InvalidParam {
                name: "c",
                value: "-1".into(),
                rule: "must be a finite number above 0"
            }
            .to_string(),
            "c -1: must be a finite number above 0"
        );
    }
}
