//! The one error type of this crate.

/// Maximum accepted text length, in Unicode scalar values (`char`s), as in issue 3
/// (`POST /predict` takes `text` of 1–5000 chars).
pub const MAX_TEXT_CHARS: usize = 5000;

/// Why a text could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is empty or only whitespace.
    #[error("text is empty: it must contain at least 1 non-whitespace char")]
    EmptyText,
    /// The text is longer than [`MAX_TEXT_CHARS`].
    #[error("text has {chars} chars: it must have at most {max} chars")]
    TextTooLong {
        /// Length of the rejected text, in chars.
        chars: usize,
        /// The limit, [`MAX_TEXT_CHARS`].
        max: usize,
    },
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
            "text is empty: it must contain at least 1 non-whitespace char"
        );
        assert_eq!(
            Error::TextTooLong {
                chars: 5001,
                max: 5000
            }
            .to_string(),
            "text has 5001 chars: it must have at most 5000 chars"
        );
    }
}
