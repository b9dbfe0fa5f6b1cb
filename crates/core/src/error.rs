//! Errors raised when a raw value does not satisfy a domain rule.

/// A raw value that broke a domain rule. Messages name the value and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A title id that is not `tt` followed by 1 to 10 digits.
    #[error("title id {value:?} is not \"tt\" followed by digits")]
    TitleId {
        /// The offending raw text.
        value: String,
    },
    /// A field that should be an integer but is not.
    #[error("{field} {value:?} is not a whole number")]
    NotAnInteger {
        /// Which field (e.g. `startYear`).
        field: &'static str,
        /// The offending raw text.
        value: String,
    },
    /// A field that should be a number but is not.
    #[error("{field} {value:?} is not a number")]
    NotANumber {
        /// Which field (e.g. `averageRating`).
        field: &'static str,
        /// The offending raw text.
        value: String,
    },
    /// A number outside the range the field allows.
    #[error("{field} {value} is outside {min}..={max}")]
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The offending value, as text.
        value: String,
        /// Smallest allowed value, as text.
        min: String,
        /// Largest allowed value, as text.
        max: String,
    },
    /// A genre that is not in IMDb's vocabulary.
    #[error("genre {value:?} is not one of IMDb's genres ({known})", known = crate::Genre::ALL_NAMES.join(", "))]
    UnknownGenre {
        /// The offending token.
        value: String,
    },
    /// A titleType that IMDb does not use.
    #[error("titleType {value:?} is not one of IMDb's title types")]
    UnknownTitleType {
        /// The offending token.
        value: String,
    },
    /// A flag that must be `0` or `1`.
    #[error("{field} {value:?} is not 0 or 1")]
    NotAFlag {
        /// Which field (e.g. `isAdult`).
        field: &'static str,
        /// The offending raw text.
        value: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
